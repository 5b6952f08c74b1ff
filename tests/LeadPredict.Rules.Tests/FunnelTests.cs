using LeadPredict.Core;

namespace LeadPredict.Rules.Tests;

public sealed class FunnelTests
{
    private static readonly DecileCuts Cuts = new(TopDecileFrom: 0.6, BottomDecileBelow: 0.03);
    private static FunnelAdvisor Advisor() => new(Sample.Rules(), Cuts);
    private static int IndexOf(string stage) => Funnel.DefaultStages.Select(s => s.Name).ToList().IndexOf(stage);

    [Fact]
    public void Decision_maker_in_icp_with_demo_and_high_probability_is_suggested_sql_or_beyond()
    {
        var d = Advisor().Decide(Sample.DecisionMaker(stage: "sal"), 0.55);
        Assert.Equal("SAL", d.CurrentStage);
        Assert.True(IndexOf(d.SuggestedStage!) >= IndexOf("SQL"), d.SuggestedStage);
        Assert.Equal(LeadAction.Promote, d.Action);
        Assert.Equal("Meets the gates up to Opportunity; gate Opportunity->Customer not met: Customer is only set by hand", d.Reason);
    }

    [Fact]
    public void Student_with_no_engagement_is_suggested_to_nurture_or_disqualify()
    {
        var d = Advisor().Decide(Sample.Student(stage: "lead"), 0.04);
        Assert.Contains(d.Action, new[] { LeadAction.Nurture, LeadAction.Disqualify });
        Assert.Equal("Lead", d.SuggestedStage);
        Assert.Equal(LeadAction.Disqualify, d.Action);
        Assert.Equal("Fails a must-have ICP rule (Employees 3 is below 50) and probability 0.04 is below the disqualify floor 0.05", d.Reason);
    }

    [Fact]
    public void Icp_fail_in_the_top_decile_is_flagged_for_review_as_a_hidden_gem()
    {
        var d = Advisor().Decide(Sample.Student(stage: "lead", ("employees", "20")), 0.7);
        Assert.Equal(IcpFit.Fail, d.Icp!.Value.Fit);
        Assert.Equal(LeadAction.Review, d.Action);
        Assert.Equal(ReviewReason.HiddenGem, d.Review);
        Assert.StartsWith("Hidden gem: fails the ICP (Employees 20 is below 50) but probability 0.70 is in the top decile (from 0.60)", d.Reason);
    }

    [Fact]
    public void Icp_pass_in_the_bottom_decile_is_flagged_for_review()
    {
        var d = Advisor().Decide(Sample.DecisionMaker(stage: "mql"), 0.01);
        Assert.Equal(LeadAction.Review, d.Action);
        Assert.Equal(ReviewReason.IcpPassLowProbability, d.Review);
        Assert.Equal("MQL", d.SuggestedStage);
        Assert.Equal("Passes the ICP but probability 0.01 is in the bottom decile (below 0.03)", d.Reason);
    }

    [Fact]
    public void Saying_demo_booked_instead_of_demo_requested_is_one_label_in_the_rules_file()
    {
        var rules = RuleSet.Parse("""
            { "icp": [ { "column": "employees", "op": "atLeast", "value": 50 } ],
              "funnel": { "gates": { "SQL": { "evidence": [ { "column": "demo_requested", "label": "Demo booked", "op": "equals", "value": "yes" } ] } } } }
            """, Sample.Columns);
        var lead = Sample.DecisionMaker(stage: "sal", ("demo_requested", "no"));

        var d = new FunnelAdvisor(rules, Cuts).Decide(lead, 0.4);

        Assert.Equal(LeadAction.Hold, d.Action);
        Assert.Equal("Gate SAL->SQL not met: Demo booked no is not yes", d.Reason);
    }

    [Fact]
    public void A_reason_is_the_sentence_its_method_in_FunnelReasons_words()
    {
        var d = Advisor().Decide(Sample.Student(stage: "lead", ("employees", "20")), 0.7);

        var expected = new System.Text.StringBuilder();
        new FunnelReasons(Sample.Rules().Funnel, Cuts).HiddenGem(expected, "Employees 20 is below 50", 0.7, gatesMetUpTo: null);
        Assert.Equal(ReviewReason.HiddenGem, d.Review);
        Assert.Equal(expected.ToString(), d.Reason);
    }

    [Fact]
    public void A_healthy_lead_without_a_buying_signal_is_held_at_the_gate_that_stops_it()
    {
        var lead = Sample.DecisionMaker(stage: "sal", ("demo_requested", "no"), ("pricing_page_views", "1"));
        var d = Advisor().Decide(lead, 0.4);
        Assert.Equal(LeadAction.Hold, d.Action);
        Assert.Equal("SAL", d.SuggestedStage);
        Assert.Equal("Gate SAL->SQL not met: none of Demo requested is yes / Pricing page views at least 3", d.Reason);
    }

    [Fact]
    public void A_low_probability_lead_at_an_early_stage_is_nurtured()
    {
        var lead = Sample.DecisionMaker(stage: "lead", ("country", "Brazil"), ("website_visits", "0"), ("email_clicks", "0"),
            ("content_downloads", "0"), ("webinar_attended", "no"));
        var d = Advisor().Decide(lead, 0.07);
        Assert.Equal(LeadAction.Nurture, d.Action);
        Assert.StartsWith("Probability 0.07 is below the nurture floor 0.10 at Lead; gate Lead->MQL not met: probability 0.07 is below 0.10, none of", d.Reason);
    }

    [Fact]
    public void A_low_probability_lead_past_the_early_stages_is_held_not_nurtured()
    {
        var d = Advisor().Decide(Sample.DecisionMaker(stage: "sql", ("country", "Brazil")), 0.07);
        Assert.Equal(LeadAction.Hold, d.Action);
        Assert.Equal("SQL", d.SuggestedStage);
    }

    [Fact]
    public void A_lead_may_skip_stages_when_every_gate_is_met()
    {
        var d = Advisor().Decide(Sample.DecisionMaker(stage: "lead"), 0.55);
        Assert.Equal(("Lead", "Opportunity", LeadAction.Promote), (d.CurrentStage, d.SuggestedStage, d.Action));
    }

    [Fact]
    public void Leads_are_never_demoted()
    {
        var d = Advisor().Decide(Sample.Student(stage: "opportunity", ("employees", "400")), 0.05);
        Assert.Equal("Opportunity", d.SuggestedStage);
        Assert.NotEqual(LeadAction.Promote, d.Action);
    }

    [Fact]
    public void A_lead_at_the_last_stage_is_held()
    {
        var d = Advisor().Decide(Sample.DecisionMaker(stage: "closed won"), 0.9);
        Assert.Equal(("Customer", LeadAction.Hold, "Already at the last stage, Customer"), (d.SuggestedStage, d.Action, d.Reason));
    }

    [Fact]
    public void An_unknown_stage_is_reported_for_review_not_guessed()
    {
        var d = Advisor().Decide(Sample.DecisionMaker(stage: "warm"), 0.5);
        Assert.Equal(LeadAction.Review, d.Action);
        Assert.Equal(ReviewReason.UnknownStage, d.Review);
        Assert.Null(d.SuggestedStage);
        Assert.Equal("warm", d.StageValue);
        Assert.Equal("Unknown stage 'warm' (known: Prospect, Lead, MQL, SAL, SQL, Opportunity, Customer)", d.Reason);
    }

    [Fact]
    public void A_missing_stage_is_the_first_stage()
    {
        var d = Advisor().Decide(Sample.Student(stage: null!, ("employees", "400")), 0.06);
        Assert.Equal("Prospect", d.CurrentStage);
    }

    [Theory]
    [InlineData("subscriber", "Prospect")]
    [InlineData("lead", "Lead")]
    [InlineData("marketingqualifiedlead", "MQL")]
    [InlineData("Marketing Qualified Lead", "MQL")]
    [InlineData("salesqualifiedlead", "SQL")]
    [InlineData("sales-qualified-lead", "SQL")]
    [InlineData("opportunity", "Opportunity")]
    [InlineData("SQO", "Opportunity")]
    [InlineData("customer", "Customer")]
    [InlineData(" mql ", "MQL")]
    public void Crm_stage_values_map_onto_the_default_ladder(string value, string stage)
    {
        var funnel = new Funnel(Funnel.DefaultStages);
        Assert.True(funnel.TryFind(value, out var index));
        Assert.Equal(stage, funnel.Stages[index].Name);
    }

    [Fact]
    public void Without_icp_rules_the_icp_requirements_of_gates_are_skipped_and_the_reason_says_so()
    {
        var advisor = new FunnelAdvisor(RuleSet.Default(Sample.Columns), Cuts);
        var d = advisor.Decide(Sample.Student(stage: "lead"), 0.4);
        Assert.Null(d.Icp);
        Assert.Equal(("SQL", LeadAction.Promote), (d.SuggestedStage, d.Action));
        Assert.EndsWith("(no ICP rules, so ICP requirements were skipped)", d.Reason);
    }

    [Fact]
    public void A_conversion_rate_gate_needs_the_probability_training_resolved()
    {
        var rules = RuleSet.Parse("""{ "funnel": { "gates": { "SQL": { "minConversionRate": 0.75 } } } }""", Sample.Columns);
        var e = Assert.Throws<LeadPredictException>(() => new FunnelAdvisor(rules));
        Assert.Contains("gate 'SQL' asks for minConversionRate 0.75, which training turns into a probability; the model has none for it", e.Message);

        double[] holdout = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        bool[] converted = [false, false, false, true, true, true];
        var thresholds = GateThresholds.Resolve(rules.Funnel, holdout, converted);
        Assert.Equal(new ResolvedGate("SQL", 0.75, 0.3), Assert.Single(thresholds.Gates));
        var advisor = new FunnelAdvisor(rules, thresholds: thresholds);
        Assert.Equal(0.3, advisor.MinProbabilities[IndexOf("SQL")]);
        Assert.Equal("SQL", advisor.Decide(Sample.Student(stage: "sal"), 0.31).SuggestedStage);
        Assert.Equal("SAL", advisor.Decide(Sample.Student(stage: "sal"), 0.29).SuggestedStage);

        var edited = RuleSet.Parse("""{ "funnel": { "gates": { "SQL": { "minConversionRate": 0.7 } } } }""", Sample.Columns);
        Assert.Contains("the model was trained with 0.75", Assert.Throws<LeadPredictException>(() => new FunnelAdvisor(edited, thresholds: thresholds)).Message);
    }

    [Fact]
    public void A_conversion_rate_never_reached_in_history_closes_the_gate_and_says_why()
    {
        var rules = RuleSet.Parse("""{ "funnel": { "gates": { "SQL": { "minConversionRate": 0.9 } } } }""", Sample.Columns);
        var thresholds = GateThresholds.Resolve(rules.Funnel, [0.2, 0.8], [false, false]);
        var d = new FunnelAdvisor(rules, thresholds: thresholds).Decide(Sample.Student(stage: "sal"), 0.99);
        Assert.Equal(("SAL", LeadAction.Hold), (d.SuggestedStage, d.Action));
        Assert.StartsWith("Gate SAL->SQL not met: no probability reached 90.0% conversion in history", d.Reason);
    }

    [Fact]
    public void The_summary_counts_leads_per_action_per_suggested_stage_and_for_review()
    {
        var advisor = Advisor();
        var summary = new AdviceCounts(Sample.Rules().Funnel);
        summary.Add(advisor.Decide(Sample.DecisionMaker(stage: "sal"), 0.55));          // promote to Opportunity
        summary.Add(advisor.Decide(Sample.Student(stage: "lead"), 0.01));               // disqualify at Lead
        summary.Add(advisor.Decide(Sample.Student(stage: "lead", ("employees", "20")), 0.7)); // hidden gem
        summary.Add(advisor.Decide(Sample.DecisionMaker(stage: "mql"), 0.01));          // passes the ICP, bottom decile
        summary.Add(advisor.Decide(Sample.DecisionMaker(stage: "warm"), 0.5));          // unknown stage
        summary.Add(advisor.Decide(Sample.DecisionMaker(stage: "WARM"), 0.5));

        Assert.Equal(6, summary.Total);
        Assert.Equal(1, summary.ByAction[LeadAction.Promote]);
        Assert.Equal(1, summary.ByAction[LeadAction.Disqualify]);
        Assert.Equal(4, summary.ByAction[LeadAction.Review]);
        Assert.Equal(0, summary.ByAction[LeadAction.Hold]);
        Assert.Equal((1, 1, 2), (summary.HiddenGems, summary.IcpPassLowProbability, summary.UnknownStages));
        Assert.Equal(2, summary.UnknownStageValues["warm"]);
        var byStage = summary.BySuggestedStage.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(["Prospect", "Lead", "MQL", "SAL", "SQL", "Opportunity", "Customer"], summary.BySuggestedStage.Select(kv => kv.Key));
        Assert.Equal((2, 1, 1), (byStage["Lead"], byStage["MQL"], byStage["Opportunity"]));
    }
}

public sealed class ThresholdTests
{
    [Theory]
    [InlineData(0.5, 0.1)]
    [InlineData(0.6, 0.3)]
    [InlineData(0.7, 0.4)]
    [InlineData(0.8, 0.6)]
    [InlineData(1.0, 0.9)]
    public void The_lowest_probability_at_which_leads_converted_at_least_the_rate(double rate, double expected)
    {
        double[] p = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
        bool[] y = [false, false, false, true, false, true, true, false, true, true];
        Assert.Equal(expected, ConversionThreshold.LowestProbabilityReaching(p, y, rate));
    }

    [Fact]
    public void Leads_with_the_same_probability_are_never_split()
    {
        double[] p = [0.5, 0.9, 0.5, 0.5];
        bool[] y = [true, true, false, false];
        Assert.Equal(0.5, ConversionThreshold.LowestProbabilityReaching(p, y, 0.5));
        Assert.Equal(0.9, ConversionThreshold.LowestProbabilityReaching(p, y, 0.6));
    }

    [Fact]
    public void No_probability_is_returned_when_the_rate_is_never_reached()
    {
        Assert.Null(ConversionThreshold.LowestProbabilityReaching([0.2, 0.7], [false, false], 0.1));
        Assert.Null(ConversionThreshold.LowestProbabilityReaching([], [], 0.1));
    }

    [Fact]
    public void Decile_cut_points_come_from_the_holdout_probabilities()
    {
        var p = Enumerable.Range(0, 100).Select(i => i / 100.0).Reverse().ToArray();
        Assert.Equal(new DecileCuts(0.9, 0.1), DecileCuts.FromHoldout(p));
    }
}
