using LeadPredict.Core;

namespace LeadPredict.Rules.Tests;

public sealed class RulesFileTests
{
    private static InputFileException Bad(string json) =>
        Assert.Throws<InputFileException>(() => RuleSet.Parse(json, Sample.Columns, "/some/where/rules.json"));

    [Fact]
    public void The_sample_rules_load_against_the_sample_columns()
    {
        var rules = Sample.Rules();
        Assert.Equal(5, rules.Icp!.Rules.Count);
        Assert.Equal(["Company size", "Target industry", "Target market", "Decision-maker", "Budget"], rules.Icp.Rules.Select(r => r.Name));
        Assert.True(rules.Icp.Rules[0].MustHave);
        Assert.Equal("stage", rules.Funnel.StageColumn);
        Assert.Equal(["Prospect", "Lead", "MQL", "SAL", "SQL", "Opportunity", "Customer"], rules.Funnel.Stages.Select(s => s.Name));
        var sql = rules.Funnel.Stages[4].Gate!;
        Assert.Equal(0.35, sql.MinProbability);
        Assert.Equal(2, sql.AnyEvidence.Count);
        var opportunity = rules.Funnel.Stages[5].Gate!;
        Assert.Equal(IcpRequirement.Pass, opportunity.Icp);
        Assert.Equal(["Job title matches the pattern", "Budget is present"], opportunity.Evidence.Select(e => e.Description));
    }

    [Fact]
    public void Without_a_funnel_section_the_default_ladder_and_gates_apply()
    {
        var rules = RuleSet.Parse("""{ "icp": [ { "column": "employees", "op": "atLeast", "value": 50 } ] }""", Sample.Columns);
        Assert.Equal(Funnel.DefaultStages, rules.Funnel.Stages);
        Assert.Equal("stage", rules.Funnel.StageColumn);
    }

    [Fact]
    public void A_gate_for_a_default_stage_changes_only_what_it_names()
    {
        var rules = RuleSet.Parse("""{ "funnel": { "gates": { "sql": { "evidence": [ { "column": "demo_requested", "op": "equals", "value": "yes" } ] } } } }""", Sample.Columns);
        var sql = rules.Funnel.Stages[4].Gate!;
        Assert.Equal(0.35, sql.MinProbability);
        Assert.Equal(IcpRequirement.Partial, sql.Icp);
        Assert.Single(sql.Evidence);
        Assert.Null(rules.Icp);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed() =>
        Assert.NotNull(RuleSet.Parse("""
            // A comment
            { "icp": [ { "column": "employees", "op": "atLeast", "value": "50", /* inline */ }, ], }
            """, Sample.Columns).Icp);

    [Fact]
    public void An_unknown_column_names_the_file_the_line_and_the_rule_and_suggests_a_spelling()
    {
        var e = Bad("""
            {
              "icp": [
                { "column": "employees", "op": "atLeast", "value": 50 },
                { "name": "Size", "column": "employee", "op": "atLeast", "value": 50 }
              ]
            }
            """);
        Assert.Equal("rules.json, line 4: ICP rule 2 'Size': the data has no column 'employee'; did you mean 'employees'?", e.Message);
    }

    [Fact]
    public void A_pattern_with_a_backreference_is_refused_at_load_naming_the_rule_and_line()
    {
        var e = Bad("""
            {
              "icp": [
                { "column": "employees", "op": "atLeast", "value": 50 },
                { "name": "Doubled letter", "column": "job_title", "op": "matches", "pattern": "(\\w)\\1" }
              ]
            }
            """);
        Assert.StartsWith("rules.json, line 4: ICP rule 2 'Doubled letter': the pattern '(\\w)\\1' cannot be evaluated in linear time because it uses: backreference", e.Message);
    }

    [Theory]
    [InlineData("""{ "icp": [ { "column": "employees", "op": "atLeast", "value": 5 }, { "name": "Size", "column": "employees", "op": "between", "min": "fifty", "max": 100 } ] }""",
        "ICP rule 2 'Size': 'min' must be a number, got \"fifty\".")]
    [InlineData("""{ "icp": [ { "column": "employees", "op": "atLeast", "value": 5, "weight": "high" } ] }""",
        "ICP rule 1: 'weight' must be a number, got \"high\".")]
    [InlineData("""{ "icp": [ { "name": "Size", "column": "employees", "op": "atLeast", "value": 5, "mustHave": "yes" } ] }""",
        "ICP rule 1 'Size': 'mustHave' must be true or false, got \"yes\".")]
    [InlineData("""{ "icp": [ { "name": "Size", "column": "employees", "op": "atLeast", "value": 5, "wieght": 2 } ] }""",
        "ICP rule 1 'Size': 'wieght' is not a known field; use one of name, column, label, op, value, values, min, max, pattern, weight, mustHave.")]
    [InlineData("""{ "funnel": { "gates": { "SQL": { "minProbability": "0.4 or so" } } } }""",
        "gate 'SQL': 'minProbability' must be a number, got \"0.4 or so\".")]
    [InlineData("""{ "funnel": { "gates": { "SQL": { "evidence": [ { "column": "demo_requested", "op": "equals", "value": "yes", "weight": "x" } ] } } } }""",
        "gate 'SQL', evidence 1: 'weight' must be a number, got \"x\".")]
    [InlineData("""{ "icpFailBelow": [1] }""", "'icpFailBelow' must be a number, got a list.")]
    public void A_field_of_the_wrong_type_is_named_with_its_rule_not_a_dotnet_type(string json, string expected)
    {
        var e = Bad(json);
        Assert.EndsWith(expected, e.Message);
        Assert.StartsWith("rules.json, line 1: invalid rules file: ", e.Message);
        Assert.DoesNotContain("System.", e.Message);
        Assert.DoesNotContain("LeadPredict.", e.Message);
    }

    [Fact]
    public void An_unknown_operator_is_a_configuration_error()
    {
        var e = Bad("""{ "icp": [ { "column": "employees", "op": "greaterThan", "value": 50 } ] }""");
        Assert.Equal("rules.json, line 1: ICP rule 1 (employees greaterThan): unknown operator 'greaterThan'; use one of in, notIn, between, atLeast, atMost, equals, contains, matches, present.", e.Message);
    }

    [Fact]
    public void A_range_with_min_above_max_is_a_configuration_error()
    {
        var e = Bad("""{ "icp": [ { "name": "Size", "column": "employees", "op": "between", "min": 5000, "max": 50 } ] }""");
        Assert.Equal("rules.json, line 1: ICP rule 1 'Size': the range is empty: min 5000 is above max 50.", e.Message);
    }

    [Fact]
    public void An_operator_that_does_not_fit_the_column_is_a_configuration_error()
    {
        var e = Bad("""{ "icp": [ { "column": "industry", "op": "atLeast", "value": 5 } ] }""");
        Assert.Contains("ICP rule 1 (industry atLeast): operator 'atLeast' does not fit column 'industry', which holds categories", e.Message);
    }

    [Fact]
    public void An_empty_ladder_is_a_configuration_error()
    {
        var e = Bad("""{ "funnel": { "stages": [] } }""");
        Assert.StartsWith("rules.json, line 1: funnel: \"stages\" is empty", e.Message);
    }

    [Fact]
    public void Duplicate_stage_names_are_a_configuration_error()
    {
        var e = Bad("""
            { "funnel": {
                "stages": [ { "name": "Lead" }, { "name": "MQL" }, { "name": "lead" } ] } }
            """);
        Assert.Equal("rules.json, line 1: funnel: stage name 'lead' is used twice; stage names must be unique.", e.Message);
    }

    [Fact]
    public void An_alias_shared_by_two_stages_is_a_configuration_error() =>
        Assert.Contains("'Hot' names both stage 'MQL' and stage 'SQL'",
            Bad("""{ "funnel": { "stages": [ { "name": "Lead" }, { "name": "MQL", "aliases": ["hot"] }, { "name": "SQL", "aliases": ["Hot"] } ] } }""").Message);

    [Fact]
    public void A_gate_for_an_unknown_stage_is_a_configuration_error()
    {
        var e = Bad("""
            { "funnel": { "gates": {
                "Qualified": { "minProbability": 0.3 } } } }
            """);
        Assert.Equal("rules.json, line 2: gate 'Qualified' names no stage of the funnel (known: Prospect, Lead, MQL, SAL, SQL, Opportunity, Customer).", e.Message);
    }

    [Fact]
    public void Two_gates_for_one_stage_are_a_configuration_error() =>
        Assert.Contains("gates 'SQL' and 'salesqualifiedlead' are both for stage 'SQL'",
            Bad("""{ "funnel": { "gates": { "SQL": { "minProbability": 0.3 }, "salesqualifiedlead": { "minProbability": 0.4 } } } }""").Message);

    [Fact]
    public void A_gate_with_both_kinds_of_threshold_is_a_configuration_error() =>
        Assert.Contains("gate 'SQL': give minProbability or minConversionRate, not both",
            Bad("""{ "funnel": { "gates": { "SQL": { "minProbability": 0.3, "minConversionRate": 0.2 } } } }""").Message);

    [Fact]
    public void Evidence_with_a_bad_column_names_the_gate()
    {
        var e = Bad("""{ "funnel": { "gates": { "SQL": { "anyEvidence": [ { "column": "demo", "op": "present" } ] } } } }""");
        Assert.StartsWith("rules.json, line 1: gate 'SQL', anyEvidence 1 (demo present): the data has no column 'demo'", e.Message);
    }

    [Fact]
    public void A_misspelt_setting_is_reported_with_its_line()
    {
        var e = Bad("""
            { "icp": [
                { "column": "employees", "op": "atLeast", "value": 50, "mustHve": true } ] }
            """);
        Assert.Equal(2, e.Line);
        Assert.Contains("mustHve", e.Message);
    }

    [Fact]
    public void Broken_json_is_reported_with_its_line()
    {
        var e = Bad("{\n  \"icp\": [\n    { \"column\": \"employees\" \"op\": \"present\" }\n  ]\n}");
        Assert.Equal(3, e.Line);
        Assert.StartsWith("rules.json, line 3: invalid rules file", e.Message);
    }

    [Fact]
    public void A_stage_column_the_data_lacks_is_a_configuration_error() =>
        Assert.Contains("stageColumn 'lifecycle' is not a column of the data",
            Bad("""{ "funnel": { "stageColumn": "lifecycle" } }""").Message);

    [Fact]
    public void A_missing_rules_file_says_where_it_looked() =>
        Assert.Contains("rules file not found",
            Assert.Throws<InputFileException>(() => RuleSet.Load("/nowhere/rules.json", Sample.Columns)).Message);

    [Fact]
    public void Without_a_rules_file_there_is_no_icp_and_the_stage_column_is_found_by_name()
    {
        var hubspot = new Dictionary<string, ColumnKind>(StringComparer.OrdinalIgnoreCase) { ["Lifecycle Stage"] = ColumnKind.Categorical };
        var rules = RuleSet.Default(hubspot);
        Assert.Null(rules.Icp);
        Assert.Equal("Lifecycle Stage", rules.Funnel.StageColumn);
        Assert.Null(RuleSet.Default(new Dictionary<string, ColumnKind>()).Funnel.StageColumn);
    }

    [Fact]
    public void Should_Read_The_Funnel_Learning_Settings_When_The_Rules_File_Gives_Them()
    {
        var rules = RuleSet.Parse("""{ "funnel": { "useLearnedGates": true, "learned": { "promotionHorizonDays": 45, "stalledFactor": 2.5 } } }""", Sample.Columns);
        Assert.True(rules.Funnel.Actions.UseLearnedGates);
        Assert.Equal(new FunnelLearningSettings(45, 2.5), rules.Funnel.Learning);
        var options = rules.Funnel.Learning.Apply(new FunnelLearningOptions());
        Assert.Equal((45, 2.5), (options.PromotionHorizonDays, options.StalledFactor));
        var plain = RuleSet.Parse("""{ "funnel": { } }""", Sample.Columns);
        Assert.False(plain.Funnel.Actions.UseLearnedGates);
        Assert.Equal((30, 3.0), (plain.Funnel.Learning.Apply(new FunnelLearningOptions()).PromotionHorizonDays, plain.Funnel.Learning.Apply(new FunnelLearningOptions()).StalledFactor));
    }

    [Fact]
    public void Should_Name_The_Line_And_Column_When_A_Funnel_Learning_Setting_Is_Out_Of_Range()
    {
        var e = Bad("{\n  \"funnel\": {\n    \"learned\": { \"stalledFactor\": 0.5 }\n  }\n}");
        Assert.Equal("rules.json, line 3: funnel.learned.stalledFactor (column 35) must be between 1 and 100 (was 0.5).", e.Message);
        var days = Bad("""{ "funnel": { "learned": { "promotionHorizonDays": 0 } } }""");
        Assert.Equal("rules.json, line 1: funnel.learned.promotionHorizonDays (column 52) must be between 1 and 3650 (was 0).", days.Message);
        Assert.StartsWith("rules.json, line 1: invalid rules file: ", Bad("""{ "funnel": { "learned": { "stalledFactr": 2 } } }""").Message);
    }

    [Fact]
    public void Should_Read_The_Funnel_Learning_Settings_Before_The_Columns_Are_Known_When_Training_Learns_The_Funnel()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rules-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, "{ \"funnel\": { \"learned\": { \"promotionHorizonDays\": 45 } } }");
            Assert.Equal(new FunnelLearningSettings(45, null), RuleSet.LoadLearning(path));
            File.WriteAllText(path, "{\n  \"funnel\": { \"learned\": { \"stalledFactor\": 200 } }\n}");
            var e = Assert.Throws<InputFileException>(() => RuleSet.LoadLearning(path));
            Assert.Equal($"{Path.GetFileName(path)}, line 2: funnel.learned.stalledFactor (column 45) must be between 1 and 100 (was 200).", e.Message);
        }
        finally { File.Delete(path); }
    }
}
