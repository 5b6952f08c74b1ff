using LeadPredict.Core;

namespace LeadPredict.Rules.Tests;

public sealed class ConditionTests
{
    private static LeadValues Lead(string column, string? value) => LeadValues.Of((column, value));

    [Fact]
    public void In_matches_ignoring_case_and_repeated_spaces()
    {
        var c = Condition.In("industry", ColumnKind.Categorical, "Software", "Financial Services");
        Assert.True(c.IsMetBy(Lead("industry", "software")));
        Assert.True(c.IsMetBy(Lead("INDUSTRY", "financial   services")));
        Assert.False(c.IsMetBy(Lead("industry", "Retail")));
    }

    [Fact]
    public void In_explains_a_miss_listing_the_values()
    {
        var c = Condition.In("country", ColumnKind.Categorical, "US", "UK", "Canada");
        Assert.Equal("Country Brazil is not one of US, UK, Canada", c.Explain(Lead("country", "Brazil")));
        Assert.Null(c.Explain(Lead("country", "uk")));
    }

    [Fact]
    public void Not_in_is_met_by_values_outside_the_list_but_not_by_a_missing_value()
    {
        var c = Condition.NotIn("industry", ColumnKind.Categorical, "Education", "Government");
        Assert.True(c.IsMetBy(Lead("industry", "Software")));
        Assert.False(c.IsMetBy(Lead("industry", "education")));
        Assert.Equal("Industry education is excluded (Education, Government)", c.Explain(Lead("industry", "education")));
        Assert.Equal("Industry is missing", c.Explain(Lead("industry", null)));
    }

    [Fact]
    public void Between_is_inclusive_and_says_which_side_was_missed()
    {
        var c = Condition.Between("employees", 50, 5000);
        Assert.True(c.IsMetBy(Lead("employees", "50")));
        Assert.True(c.IsMetBy(Lead("employees", "5000")));
        Assert.Equal("Employees 12 is below 50", c.Explain(Lead("employees", "12")));
        Assert.Equal("Employees 9000 is above 5000", c.Explain(Lead("employees", "9000")));
        Assert.Equal("Employees 'about 50' is not a number", c.Explain(Lead("employees", "about 50")));
    }

    [Fact]
    public void At_least_and_at_most_compare_numbers()
    {
        var atLeast = Condition.AtLeast("budget", 10000);
        Assert.True(atLeast.IsMetBy(Lead("budget", "10000")));
        Assert.True(atLeast.IsMetBy(Lead("budget", "1.5e4")));
        Assert.Equal("Budget 5000 is below 10000", atLeast.Explain(Lead("budget", "5000")));

        var atMost = Condition.AtMost("days_since_last_activity", 30);
        Assert.True(atMost.IsMetBy(Lead("days_since_last_activity", "30")));
        Assert.Equal("Days since last activity 45 is above 30", atMost.Explain(Lead("days_since_last_activity", "45")));
    }

    [Fact]
    public void Equals_on_a_boolean_column_treats_yes_true_and_1_alike()
    {
        var c = Condition.EqualTo("demo_requested", ColumnKind.Boolean, "yes");
        Assert.True(c.IsMetBy(Lead("demo_requested", "yes")));
        Assert.True(c.IsMetBy(Lead("demo_requested", "TRUE")));
        Assert.True(c.IsMetBy(Lead("demo_requested", "1")));
        Assert.False(c.IsMetBy(Lead("demo_requested", "no")));
        Assert.Equal("Demo requested no is not yes", c.Explain(Lead("demo_requested", "no")));
        Assert.Equal("Demo requested 'maybe' is not a yes/no value", c.Explain(Lead("demo_requested", "maybe")));
    }

    [Fact]
    public void Equals_on_text_ignores_case()
    {
        var c = Condition.EqualTo("lead_source", ColumnKind.Categorical, "Referral");
        Assert.True(c.IsMetBy(Lead("lead_source", "referral")));
        Assert.Equal("Lead source Paid Search is not Referral", c.Explain(Lead("lead_source", "Paid Search")));
    }

    [Fact]
    public void Contains_finds_any_of_the_texts_ignoring_case()
    {
        var c = Condition.Contains("job_title", ColumnKind.Text, "sales", "revenue");
        Assert.True(c.IsMetBy(Lead("job_title", "VP of Sales")));
        Assert.True(c.IsMetBy(Lead("job_title", "Chief  Revenue Officer")));
        Assert.Equal("Job title Analyst contains none of sales, revenue", c.Explain(Lead("job_title", "Analyst")));
    }

    [Fact]
    public void Matches_uses_the_pattern_ignoring_case()
    {
        var c = Condition.Matches("job_title", ColumnKind.Text, @"\b(director|vp|vice president|head|chief|c[etf]o|founder|owner)\b");
        Assert.True(c.IsMetBy(Lead("job_title", "VP of Sales")));
        Assert.True(c.IsMetBy(Lead("job_title", "ceo")));
        Assert.True(c.IsMetBy(Lead("job_title", "Head of Marketing")));
        Assert.False(c.IsMetBy(Lead("job_title", "Student")));
        Assert.False(c.IsMetBy(Lead("job_title", "Headhunter")));
        Assert.Equal("Job title Student does not match the pattern", c.Explain(Lead("job_title", "Student")));
        Assert.Equal("Job title Analyst does not match \\bvp\\b", Condition.Matches("job_title", ColumnKind.Text, @"\bvp\b").Explain(Lead("job_title", "Analyst")));
    }

    [Fact]
    public void A_catastrophic_pattern_is_accepted_and_decided_for_ten_thousand_long_values()
    {
        // (a+)+$ against 'aaa…b' makes a backtracking engine try every split of the a's: 100 ms a value with a timeout,
        // minutes for a batch. Evaluated in linear time, every value gets its true answer.
        var c = Condition.Matches("job_title", ColumnKind.Text, "(a+)+$");
        var met = 0;
        for (var i = 0; i < 10_000; i++)
            if (c.IsMetBy(Lead("job_title", new string('a', 1_000 + i % 1_000) + "b"))) met++;
        Assert.Equal(0, met);
        Assert.True(c.IsMetBy(Lead("job_title", "xx" + new string('a', 5_000))));
        Assert.Equal("Job title aaab does not match (a+)+$", c.Explain(Lead("job_title", "aaab")));
    }

    [Theory]
    [InlineData(@"(\w)\1", "backreference")]
    [InlineData("^(?=.*vp).*$", "lookahead")]
    [InlineData("(?<!vice )president", "lookbehind")]
    [InlineData("(?>a+)b", "atomic")]
    public void A_pattern_that_cannot_run_in_linear_time_is_refused_saying_what_it_uses(string pattern, string construct)
    {
        var e = Assert.Throws<LeadPredictException>(() => Condition.Matches("job_title", ColumnKind.Text, pattern));
        Assert.Contains($"'{pattern}'", e.Message);
        Assert.Contains(construct, e.Message);
        Assert.Contains("linear time", e.Message);
    }

    [Fact]
    public void Present_is_met_by_any_value_on_any_kind_of_column()
    {
        foreach (var kind in Enum.GetValues<ColumnKind>())
        {
            var c = Condition.Present("budget", kind);
            Assert.True(c.IsMetBy(Lead("budget", "0")));
            Assert.False(c.IsMetBy(Lead("budget", null)));
            Assert.False(c.IsMetBy(Lead("other", "1")));
            Assert.Equal("Budget is missing", c.Explain(Lead("budget", null)));
        }
    }

    [Fact]
    public void Numbers_are_compared_as_the_column_writes_them()
    {
        var rules = RuleSet.Parse("""{ "icp": [ { "name": "Size", "column": "employees", "op": "atLeast", "value": 1000 } ] }""",
            new Dictionary<string, ColumnKind> { ["employees"] = ColumnKind.Numeric }, "rules.json",
            new Dictionary<string, NumberFormat> { ["employees"] = NumberFormat.DotThousands });
        var size = rules.Icp!.Rules[0].Condition;
        Assert.True(size.IsMetBy(Lead("employees", "4.268")));
        Assert.False(size.IsMetBy(Lead("employees", "999")));
        Assert.Equal("Employees 12,5 is below 1000", size.Explain(Lead("employees", "12,5")));
        Assert.Equal("Employees '4,268.0' is not a number", size.Explain(Lead("employees", "4,268.0")));
    }

    [Fact]
    public void A_missing_value_meets_no_comparison()
    {
        Assert.False(Condition.AtMost("budget", 10).IsMetBy(Lead("budget", null)));
        Assert.False(Condition.In("country", ColumnKind.Categorical, "US").IsMetBy(Lead("country", null)));
        Assert.Equal("Job title is missing", Condition.Matches("job_title", ColumnKind.Text, "vp").Explain(Lead("job_title", null)));
    }

    [Theory]
    [InlineData(RuleOperator.Between, ColumnKind.Categorical)]
    [InlineData(RuleOperator.AtLeast, ColumnKind.Text)]
    [InlineData(RuleOperator.AtMost, ColumnKind.Boolean)]
    [InlineData(RuleOperator.Contains, ColumnKind.Numeric)]
    [InlineData(RuleOperator.Matches, ColumnKind.Boolean)]
    [InlineData(RuleOperator.In, ColumnKind.Numeric)]
    [InlineData(RuleOperator.Equals, ColumnKind.Date)]
    [InlineData(RuleOperator.NotIn, ColumnKind.Identifier)]
    public void An_operator_that_does_not_fit_the_column_kind_is_refused(RuleOperator op, ColumnKind kind)
    {
        var e = Assert.Throws<LeadPredictException>(() => Condition.Create("col", kind, op, ["1"], 1, 2, "x"));
        Assert.Contains($"operator '{Condition.Name(op)}' does not fit column 'col'", e.Message);
    }

    [Fact]
    public void A_range_with_min_above_max_is_refused()
    {
        var e = Assert.Throws<LeadPredictException>(() => Condition.Between("employees", 5000, 50));
        Assert.Contains("min 5000 is above max 50", e.Message);
    }

    [Fact]
    public void A_boolean_condition_with_a_value_that_is_not_yes_or_no_is_refused() =>
        Assert.Throws<LeadPredictException>(() => Condition.EqualTo("demo_requested", ColumnKind.Boolean, "maybe"));

    [Fact]
    public void An_invalid_pattern_is_refused() =>
        Assert.Contains("not a valid regular expression", Assert.Throws<LeadPredictException>(() => Condition.Matches("t", ColumnKind.Text, "(unclosed")).Message);

    [Fact]
    public void Operators_are_spelt_for_humans_and_parsed_back()
    {
        Assert.Equal(["in", "notIn", "between", "atLeast", "atMost", "equals", "contains", "matches", "present"], Condition.OperatorNames);
        foreach (var op in Enum.GetValues<RuleOperator>())
        {
            Assert.True(Condition.TryParseOperator(Condition.Name(op).ToUpperInvariant(), out var parsed));
            Assert.Equal(op, parsed);
        }
        Assert.False(Condition.TryParseOperator("greaterThan", out _));
    }

    [Theory]
    [InlineData("employees", "Employees")]
    [InlineData("job_title", "Job title")]
    [InlineData("JobTitle", "Job title")]
    [InlineData("Country/Region", "Country region")]
    public void Column_names_read_as_words(string column, string label) =>
        Assert.Equal(label, Condition.Present(column, ColumnKind.Text).Label);
}
