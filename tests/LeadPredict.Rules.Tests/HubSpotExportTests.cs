using LeadPredict.Core;

namespace LeadPredict.Rules.Tests;

/// <summary>A second, differently named export: HubSpot-style columns and lifecycle stages, with its own rules and ladder.</summary>
public sealed class HubSpotExportTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hubspot");

    private static readonly Dictionary<string, double> Probability = new()
    {
        ["101"] = 0.85, ["102"] = 0.02, ["103"] = 0.45, ["104"] = 0.30, ["105"] = 0.70, ["106"] = 0.04,
        ["107"] = 0.02, ["108"] = 0.90, ["109"] = 0.50, ["110"] = 0.60, ["111"] = 0.85, ["112"] = 0.65,
    };

    private static readonly DecileCuts Cuts = new(TopDecileFrom: 0.8, BottomDecileBelow: 0.03);

    private static (LeadTable Table, RuleSet Rules) Load()
    {
        var table = LeadTable.Load(Path.Combine(Folder, "contacts.csv"));
        var kinds = LeadTableRow.KindsOf(table.ColumnNames.Select(c => SchemaInference.Profile(c, table.Column(c))));
        return (table, RuleSet.Load(Path.Combine(Folder, "rules.json"), kinds));
    }

    private static Dictionary<string, FunnelDecision> DecideAll(out AdviceCounts summary)
    {
        var (table, rules) = Load();
        // Holdout: leads at 0.5 and above converted 60% of the time.
        var thresholds = GateThresholds.Resolve(rules.Funnel,
            [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], [true, false, false, false, false, true, true, true]);
        var advisor = new FunnelAdvisor(rules, Cuts, thresholds);
        summary = new AdviceCounts(rules.Funnel);
        var row = new LeadTableRow(table);
        var ids = table.Column("Record ID");
        var decisions = new Dictionary<string, FunnelDecision>();
        for (var r = 0; r < table.RowCount; r++)
        {
            row.Row = r;
            var d = advisor.Decide(row, Probability[ids[r]!]);
            summary.Add(d);
            decisions[ids[r]!] = d;
        }
        return decisions;
    }

    [Fact]
    public void The_rules_load_against_the_export_own_column_names_and_ladder()
    {
        var (_, rules) = Load();
        Assert.Equal("Lifecycle Stage", rules.Funnel.StageColumn);
        Assert.Equal(["Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer"], rules.Funnel.Stages.Select(s => s.Name));
        Assert.Equal(["Company size", "Country/Region", "Job Title", "Industry"], rules.Icp!.Rules.Select(r => r.Condition.Column));
        Assert.Equal(ColumnKind.Boolean, rules.Funnel.Stages[3].Gate!.Evidence[0].Kind);
    }

    [Fact]
    public void Country_values_compare_ignoring_case_and_spaces()
    {
        var d = DecideAll(out _);
        Assert.Equal(IcpFit.Pass, d["101"].Icp!.Value.Fit); // "United States" against "united states"
        Assert.Equal(IcpFit.Pass, d["103"].Icp!.Value.Fit); // "United Kingdom" against "United  Kingdom"
    }

    [Fact]
    public void Every_lead_of_the_export_gets_the_expected_advice()
    {
        var d = DecideAll(out _);
        Assert.Equal(("SQL", "Opportunity", LeadAction.Promote), (d["101"].CurrentStage, d["101"].SuggestedStage, d["101"].Action));
        Assert.Equal(("Subscriber", LeadAction.Disqualify), (d["102"].SuggestedStage, d["102"].Action));
        Assert.Equal(("SQL", LeadAction.Promote), (d["103"].SuggestedStage, d["103"].Action));
        Assert.EndsWith("gate SQL->Opportunity not met: probability 0.45 is below 0.50", d["103"].Reason);
        Assert.Equal(("Lead", LeadAction.Hold), (d["104"].SuggestedStage, d["104"].Action));
        Assert.Equal("Gate Lead->MQL not met: ICP fail (needs partial), none of Number of pageviews at least 5", d["104"].Reason);
        Assert.Equal(("Opportunity", LeadAction.Hold), (d["105"].SuggestedStage, d["105"].Action));
        Assert.Equal(("Lead", LeadAction.Nurture), (d["106"].SuggestedStage, d["106"].Action));
        Assert.Equal(("MQL", LeadAction.Review, ReviewReason.IcpPassLowProbability), (d["107"].CurrentStage, d["107"].Action, d["107"].Review));
        Assert.Equal(("SQL", LeadAction.Promote), (d["108"].SuggestedStage, d["108"].Action));
        Assert.Equal((LeadAction.Review, ReviewReason.UnknownStage), (d["109"].Action, d["109"].Review));
        Assert.Equal("Unknown stage 'other' (known: Subscriber, Lead, MQL, SQL, Opportunity, Customer)", d["109"].Reason);
        Assert.Equal(("Customer", LeadAction.Hold), (d["110"].SuggestedStage, d["110"].Action));
        Assert.Equal(("Lead", LeadAction.Review, ReviewReason.HiddenGem), (d["111"].SuggestedStage, d["111"].Action, d["111"].Review));
        Assert.Equal(("Subscriber", "Opportunity", LeadAction.Promote), (d["112"].CurrentStage, d["112"].SuggestedStage, d["112"].Action));
    }

    [Fact]
    public void The_summary_adds_up_over_the_export()
    {
        DecideAll(out var summary);
        Assert.Equal(12, summary.Total);
        Assert.Equal([4, 3, 1, 1, 3, 0], Enum.GetValues<LeadAction>().Select(a => summary.ByAction[a]));
        Assert.Equal([1, 3, 1, 2, 3, 1], summary.BySuggestedStage.Select(kv => kv.Value));
        Assert.Equal((1, 1, 1), (summary.HiddenGems, summary.IcpPassLowProbability, summary.UnknownStages));
    }

    [Fact]
    public void The_icp_backtest_runs_on_the_export_outcomes()
    {
        var (table, rules) = Load();
        var backtest = new IcpBacktest(rules.Icp!);
        var row = new LeadTableRow(table);
        var won = table.Column("Closed Won");
        for (var r = 0; r < table.RowCount; r++)
        {
            row.Row = r;
            backtest.Add(row, won[r] == "true");
        }
        var report = backtest.Report();
        Assert.Equal(new ConversionCount(12, 6), report.All);
        Assert.Equal(report.All.Leads, report.Pass.Leads + report.Partial.Leads + report.Fail.Leads);
        var decisionMaker = report.Rules.Single(r => r.Rule == "Decision-maker");
        Assert.False(decisionMaker.NoLift);
        Assert.True(decisionMaker.Lift > 2, decisionMaker.Verdict);
    }
}
