using LeadPredict.Core;

namespace LeadPredict.Rules.Tests;

public sealed class IcpTests
{
    private static Icp SampleIcp() => Sample.Rules().Icp!;

    [Fact]
    public void A_lead_meeting_every_rule_passes_with_score_one()
    {
        var result = SampleIcp().Evaluate(Sample.DecisionMaker(), out var failed);
        Assert.Equal(IcpFit.Pass, result.Fit);
        Assert.Equal(1.0, result.Score);
        Assert.Equal("", failed);
        Assert.Null(result.FirstFailed);
    }

    [Fact]
    public void Missing_a_rule_that_is_not_a_must_have_is_partial_with_a_weighted_score()
    {
        // Rules weigh 3 + 2 + 2 + 2 + 1; missing the country (2) leaves 8 of 10.
        var result = SampleIcp().Evaluate(Sample.DecisionMaker(overrides: ("country", "Brazil")), out var failed);
        Assert.Equal(IcpFit.Partial, result.Fit);
        Assert.Equal(0.8, result.Score, 10);
        Assert.Equal("Country Brazil is not one of United States, US, USA, United Kingdom, UK, Canada and 2 more", failed);
        Assert.False(result.FailedMustHave);
    }

    [Fact]
    public void Missing_a_must_have_fails_whatever_the_score()
    {
        var result = SampleIcp().Evaluate(Sample.DecisionMaker(overrides: ("employees", "12")), out var failed);
        Assert.Equal(IcpFit.Fail, result.Fit);
        Assert.Equal(0.7, result.Score, 10);
        Assert.True(result.FailedMustHave);
        Assert.Equal("Employees 12 is below 50", failed);
        Assert.Equal("Employees 12 is below 50", result.FirstMustHave);
    }

    [Fact]
    public void A_score_below_the_floor_fails_even_without_a_must_have()
    {
        var rules = new[]
        {
            new IcpRule("Market", Condition.In("country", ColumnKind.Categorical, "US")),
            new IcpRule("Decision-maker", Condition.Matches("job_title", ColumnKind.Text, "vp"), Weight: 3),
        };
        var lead = LeadValues.Of(("country", "US"), ("job_title", "Analyst"));
        Assert.Equal(IcpFit.Partial, new Icp(rules).FitOf(lead, out var score));
        Assert.Equal(0.25, score);
        Assert.Equal(IcpFit.Fail, new Icp(rules, failBelow: 0.5).FitOf(lead, out _));
    }

    [Fact]
    public void Failed_rules_name_the_column_in_words_and_say_what_is_missing()
    {
        var result = SampleIcp().Evaluate(Sample.Student(overrides: ("job_title", null)), out var failed);
        Assert.Equal(IcpFit.Fail, result.Fit);
        Assert.Equal(
        [
            "Employees 3 is below 50",
            "Industry Education is not one of Software, Financial Services, Healthcare, Manufacturing, Logistics",
            "Country Brazil is not one of United States, US, USA, United Kingdom, UK, Canada and 2 more",
            "Job title is missing",
            "Budget is missing",
        ], failed.Split(IcpResult.FailedSeparator));
        Assert.Equal("Employees 3 is below 50", result.FirstFailed);
    }

    [Fact]
    public void Rules_need_positive_weights() =>
        Assert.Throws<LeadPredictException>(() => new Icp([new IcpRule("x", Condition.Present("a", ColumnKind.Text), Weight: 0)]));
}

public sealed class IcpBacktestTests
{
    [Fact]
    public void Each_rule_gets_conversion_when_met_and_not_met_and_its_lift()
    {
        var icp = new Icp(
        [
            new IcpRule("Market", Condition.In("country", ColumnKind.Categorical, "US"), MustHave: true),
            new IcpRule("Newsletter", Condition.EqualTo("newsletter", ColumnKind.Boolean, "yes")),
        ]);
        var backtest = new IcpBacktest(icp);
        // US leads convert 3 of 4, others 1 of 4; the newsletter makes no difference (2 of 4 either way).
        (string Country, string Newsletter, bool Converted)[] history =
        [
            ("US", "yes", true), ("US", "no", true), ("US", "yes", true), ("US", "no", false),
            ("UK", "yes", false), ("UK", "no", false), ("UK", "yes", false), ("UK", "no", true),
        ];
        foreach (var (country, newsletter, converted) in history)
            backtest.Add(LeadValues.Of(("country", country), ("newsletter", newsletter)), converted);
        var report = backtest.Report();

        var market = report.Rules[0];
        Assert.Equal(new ConversionCount(4, 3), market.Met);
        Assert.Equal(new ConversionCount(4, 1), market.NotMet);
        Assert.Equal(3.0, market.Lift, 10);
        Assert.False(market.NoLift);

        var newsletterRule = report.Rules[1];
        Assert.Equal(1.0, newsletterRule.Lift, 10);
        Assert.True(newsletterRule.NoLift);
        Assert.StartsWith("no lift", newsletterRule.Verdict);

        Assert.Equal(new ConversionCount(2, 2), report.Pass);
        Assert.Equal(new ConversionCount(2, 1), report.Partial);
        Assert.Equal(new ConversionCount(4, 1), report.Fail);
        Assert.Equal(new ConversionCount(8, 4), report.All);
        Assert.Equal(0.5, report.All.Rate);
    }

    [Fact]
    public void A_rule_every_lead_meets_is_flagged_because_its_lift_cannot_be_measured()
    {
        var backtest = new IcpBacktest(new Icp([new IcpRule("Any", Condition.Present("country", ColumnKind.Categorical))]));
        backtest.Add(LeadValues.Of(("country", "US")), true);
        backtest.Add(LeadValues.Of(("country", "UK")), false);
        var rule = Assert.Single(backtest.Report().Rules);
        Assert.True(rule.NoLift);
        Assert.True(double.IsNaN(rule.Lift));
        Assert.Equal("every lead meets it: no lift can be measured", rule.Verdict);
    }
}
