using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.Rules;
using LeadPredict.TestSupport;
using LeadPredict.ML.Training;

namespace LeadPredict.Reports.Tests;

/// <summary>The training report of the bundled sample, with every optional section filled in.</summary>
internal static class SampleReport
{
    /// <summary>The sample model's report, plus a champion comparison (the sample has none: it is trained from scratch).</summary>
    public static TrainingReport WithChampion() => SampleModels.SampleOutcome.Report with
    {
        Champion = new ChampionComparison("20250101-000000-previous", 0.80, SampleModels.SampleOutcome.Report.HoldoutMetrics.Auc, 0.005, true,
            "holdout AUC of the new model vs the current one (tolerance 0.005)"),
    };

    /// <summary>The ICP of data/rules.json backtested on data/leads-history.csv.</summary>
    public static IcpBacktestReport IcpBacktest()
    {
        var config = TrainingConfig.Load(TestPaths.Data("leadpredict.json"));
        var rules = RuleSet.Load(TestPaths.Data("rules.json"), config.Columns);
        var table = LeadTable.Load(TestPaths.Data("leads-history.csv"), config.SeparatorChar, config.MissingTokens);
        var backtest = new IcpBacktest(rules.Icp!);
        var row = new LeadTableRow(table);
        var outcome = table.Column(config.Label!);
        for (var r = 0; r < table.RowCount; r++)
        {
            if (outcome[r] is null) continue;
            row.Row = r;
            backtest.Add(row, string.Equals(outcome[r], config.PositiveLabel, StringComparison.OrdinalIgnoreCase));
        }
        return backtest.Report();
    }
}
