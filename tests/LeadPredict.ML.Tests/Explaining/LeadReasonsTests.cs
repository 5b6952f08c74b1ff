using LeadPredict.ML.Scoring;
using LeadPredict.SampleData;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Explaining;

/// <summary>Per-lead reasons: the top factors that raise and lower a lead's probability, by original column and value.</summary>
public sealed class LeadReasonsTests
{
    private static readonly LeadScorer Scorer = new(SampleModels.LoadSample());

    /// <summary>A mid-market lead; <paramref name="overrides"/> change single columns.</summary>
    private static string?[] Lead(params (string Column, string? Value)[] overrides)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [SampleSchema.Industry] = "Retail", [SampleSchema.Employees] = "300", [SampleSchema.AnnualRevenue] = "40000000",
            [SampleSchema.Country] = "Germany", [SampleSchema.JobTitle] = "Marketing Manager", [SampleSchema.LeadSource] = "Organic Search",
            [SampleSchema.WebsiteVisits] = "4", [SampleSchema.PricingPageViews] = "1", [SampleSchema.EmailOpens] = "3",
            [SampleSchema.EmailClicks] = "1", [SampleSchema.ContentDownloads] = "0", [SampleSchema.WebinarAttended] = "no",
            [SampleSchema.DemoRequested] = "no", [SampleSchema.DaysSinceLastActivity] = "10", [SampleSchema.Budget] = null,
            [SampleSchema.Stage] = "mql", [SampleSchema.CreatedAt] = "2025-06-01",
        };
        foreach (var (column, value) in overrides) values[column] = value;
        return Scorer.FeatureColumns.Select(c => values.GetValueOrDefault(c.Name)).ToArray();
    }

    [Fact]
    public void A_lead_with_a_demo_request_and_twelve_pricing_page_views_has_both_among_the_reasons_that_raise_its_score()
    {
        var scored = Scorer.Score(Lead((SampleSchema.DemoRequested, "yes"), (SampleSchema.PricingPageViews, "12")));

        var raising = scored.Reasons.Where(r => r.Effect > 0).ToArray();
        Assert.Contains(raising, r => r.Column == SampleSchema.DemoRequested && r.Value == "yes");
        Assert.Contains(raising, r => r.Column == SampleSchema.PricingPageViews && r.Value == "12");
        Assert.DoesNotContain(scored.Reasons, r => r.Effect < 0 && r.Column is SampleSchema.DemoRequested or SampleSchema.PricingPageViews);
    }

    [Fact]
    public void A_lead_without_a_demo_request_and_no_pricing_page_views_has_them_among_the_reasons_that_lower_its_score()
    {
        var scored = Scorer.Score(Lead((SampleSchema.DemoRequested, "no"), (SampleSchema.PricingPageViews, "0")));

        var lowering = scored.Reasons.Where(r => r.Effect < 0).Select(r => r.Column).ToArray();
        Assert.Contains(SampleSchema.DemoRequested, lowering);
        Assert.Contains(SampleSchema.PricingPageViews, lowering);
    }

    [Fact]
    public void There_are_at_most_three_reasons_each_way_strongest_first_each_column_once()
    {
        var scored = Scorer.Score(Lead((SampleSchema.DemoRequested, "yes"), (SampleSchema.PricingPageViews, "12")));

        var up = scored.Reasons.Where(r => r.Effect > 0).Select(r => r.Effect).ToArray();
        var down = scored.Reasons.Where(r => r.Effect < 0).Select(r => r.Effect).ToArray();
        Assert.InRange(up.Length, 1, 3);
        Assert.InRange(down.Length, 0, 3);
        Assert.Equal(up.OrderDescending(), up);
        Assert.Equal(down.Order(), down);
        Assert.Equal(scored.Reasons.Count, scored.Reasons.Select(r => r.Column).Distinct().Count());
        // Positive reasons first, then negative ones, as the ranked CSV prints them.
        Assert.Equal(scored.Reasons.OrderByDescending(r => r.Effect > 0).Select(r => r.Column), scored.Reasons.Select(r => r.Column));
    }

    [Fact]
    public void A_missing_value_is_named_as_missing_and_the_text_says_which_way_it_pushed()
    {
        var scored = Scorer.Score(Lead((SampleSchema.JobTitle, null), (SampleSchema.Employees, null), (SampleSchema.Industry, null)));

        Assert.All(scored.Reasons.Where(r => r.Column is SampleSchema.JobTitle or SampleSchema.Employees or SampleSchema.Industry),
            r => Assert.Equal("missing", r.Value));
        Assert.All(scored.Reasons, r => Assert.StartsWith(r.Effect > 0 ? "▲ " : "▼ ", r.ToString()));
    }

    [Fact]
    public void Turning_reasons_off_gives_the_same_probability_and_no_reasons()
    {
        var values = Lead((SampleSchema.DemoRequested, "yes"));

        var with = Scorer.Score(values);
        var without = Scorer.Score(values, reasonsEachWay: 0);

        Assert.Equal(with.Probability, without.Probability);
        Assert.NotEmpty(with.Reasons);
        Assert.Empty(without.Reasons);
    }

    [Fact]
    public void The_ranked_CSV_carries_top_reasons_for_every_lead_and_an_empty_column_when_reasons_are_off()
    {
        using var temp = new TempDir();
        var batch = new BatchScorer(Scorer);
        var on = temp.File("ranked.csv");
        var off = temp.File("ranked-no-reasons.csv");

        batch.ScoreFile(TestPaths.Data("leads-new.csv"), on);
        batch.ScoreFile(TestPaths.Data("leads-new.csv"), off, new BatchScoringOptions { Reasons = false });

        var reasonsOn = TopReasons(on);
        var reasonsOff = TopReasons(off);
        Assert.Equal(500, reasonsOn.Length);
        Assert.All(reasonsOn, r => Assert.Matches(@"^[▲▼] [A-Z]", r));
        Assert.All(reasonsOn, r => Assert.InRange(r.Split(" | ").Length, 1, 6));
        Assert.All(reasonsOff, r => Assert.Equal("", r));
    }

    private static string[] TopReasons(string csv)
    {
        // The ranked file repeats the id column (once up front, once among the input's columns), which the reader refuses:
        // number the header's names before reading.
        var lines = File.ReadAllText(csv).Split('\n', 2);
        var header = string.Join(',', lines[0].Split(',').Select((name, i) => $"{i}:{name}"));
        using var reader = new Core.Csv.CsvRecordReader(new StringReader(header + "\n" + lines[1]), csv, ',');
        var column = reader.Header.ToList().FindIndex(h => h.EndsWith(":top_reasons", StringComparison.Ordinal));
        Assert.True(column >= 0, "no top_reasons column in " + string.Join(",", reader.Header));
        var fields = new List<string>();
        var result = new List<string>();
        while (reader.Read(fields)) result.Add(fields[column]);
        return result.ToArray();
    }
}
