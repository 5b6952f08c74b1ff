using FsCheck;
using FsCheck.Fluent;
using LeadPredict.Core;
using LeadPredict.Rules;

namespace LeadPredict.Rules.Tests.Properties;

/// <summary>Whatever a rules file holds, loading it either works or gives a one-sentence LeadPredict error; evaluation never throws.</summary>
public sealed class RulesFileProperties
{
    private static readonly Dictionary<string, ColumnKind> Columns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["employees"] = ColumnKind.Numeric, ["industry"] = ColumnKind.Categorical, ["job_title"] = ColumnKind.Text,
        ["demo_requested"] = ColumnKind.Boolean, ["stage"] = ColumnKind.Categorical,
    };

    private static readonly string[] ValidRules =
    [
        """{ "column": "employees", "op": "between", "min": 50, "max": 5000, "mustHave": true }""",
        """{ "column": "employees", "op": "atLeast", "value": 10, "weight": 2 }""",
        """{ "column": "industry", "op": "in", "values": ["Software", "retail "] }""",
        """{ "column": "industry", "op": "notIn", "values": ["Gov"] }""",
        """{ "column": "job_title", "op": "matches", "pattern": "(?i)vp|head" }""",
        """{ "column": "job_title", "op": "contains", "value": "sales" }""",
        """{ "column": "demo_requested", "op": "equals", "value": true }""",
        """{ "column": "industry", "op": "present" }""",
    ];

    private static Gen<string> Rule() =>
        from valid in Gen.Elements(ValidRules)
        from column in Gen.Elements("employees", "industry", "job_title", "demo_requested", "stage", "nope", "")
        from op in Gen.Elements("in", "notIn", "between", "atLeast", "atMost", "equals", "contains", "matches", "present", "like", "")
        from value in Gen.Elements("1", "\"x\"", "null", "[1,2]", "\"(\"", "\"(a+)+$\"", "true", "-1e308")
        from min in Gen.Elements("", ", \"min\": 5", ", \"min\": 50, \"max\": 5", ", \"max\": 10")
        from weight in Gen.Elements("", ", \"weight\": 0", ", \"weight\": -1", ", \"weight\": 2", ", \"mustHave\": true")
        from garbage in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        select garbage
            ? $$"""{ "column": "{{column}}", "op": "{{op}}", "value": {{value}}, "values": [{{value}}], "pattern": {{value}}{{min}}{{weight}} }"""
            : valid;

    private static Gen<string> File() =>
        from rules in Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Rule(), n))
        from stages in Gen.Elements("", "", "", ", \"funnel\": { \"stages\": [] }", ", \"funnel\": { \"stages\": [{\"name\":\"A\"},{\"name\":\"a\"}] }",
            ", \"funnel\": { \"gates\": { \"Nowhere\": { \"minProbability\": 0.5 } } }", ", \"funnel\": { \"gates\": { \"SQL\": { \"minProbability\": 2 } } }",
            ", \"funnel\": { \"stageColumn\": \"missing\" }")
        from noise in Gen.Elements("", "", "", ",", "}", "{", "//c\n")
        select $$"""{ "icp": [{{string.Join(",", rules)}}]{{stages}} }{{noise}}""";

    [Fact]
    public void Any_rules_file_loads_or_fails_with_a_leadpredict_error_and_scoring_never_throws()
    {
        int loaded = 0, rejected = 0;
        var lead = LeadValues.Of(("employees", "120"), ("industry", "Software"), ("job_title", "VP Sales"), ("demo_requested", "yes"), ("stage", "mql"));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(File().ToArbitrary(), json =>
        {
            RuleSet rules;
            try
            {
                rules = RuleSet.Parse(json, Columns, "fuzz-rules.json");
            }
            catch (LeadPredictException e)
            {
                rejected++;
                return e.Message.Contains("fuzz-rules.json", StringComparison.Ordinal);
            }
            loaded++;
            var decision = new FunnelAdvisor(rules).Decide(lead, 0.7);
            return decision.Reason.Length > 0;
        }));
        // Both paths must have been exercised, or the generator is not testing what it claims.
        Assert.True(loaded > 10 && rejected > 10, $"loaded {loaded}, rejected {rejected}");
    }
}

public sealed class ProbabilityTextTests
{
    [Theory]
    [InlineData(0.0996, 0.10, "0.0996")]
    [InlineData(0.0499, 0.05, "0.0499")]
    [InlineData(0.42, 0.35, "0.42")]
    [InlineData(0.10, 0.10, "0.10")]
    public void A_probability_never_prints_like_the_threshold_it_is_compared_with(double p, double threshold, string expected) =>
        Assert.Equal(expected, LeadPredict.Rules.Text.Probability(p, threshold));
}
