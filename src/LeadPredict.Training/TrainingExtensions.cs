using LeadPredict.Advice;
using LeadPredict.ML.Training;
using LeadPredict.Reports;

namespace LeadPredict.Training;

/// <summary>The extensions a training run gets from the command line (ICP backtest, HTML report).</summary>
internal static class TrainingExtensions
{
    public static IReadOnlyList<ITrainingExtension> Default(TrainingRequest request, string? rulesPath)
    {
        var list = new List<ITrainingExtension>();
        if (rulesPath is not null) list.Add(new RulesTrainingExtension(rulesPath));
        // Last, so the report sees what the others added to the training report (the ICP backtest).
        list.Add(new HtmlReportExtension(BacktestOf));
        return list;
    }

    private static IcpBacktestSummary? BacktestOf(TrainingContext context) => BacktestOf(context.Report);

    /// <summary>The ICP backtest recorded in a training report by the rules extension, if any.</summary>
    public static IcpBacktestSummary? BacktestOf(LeadPredict.ML.TrainingReport report) =>
        report.Extensions.TryGetValue(FunnelDocument.Name, out var funnel)
        && funnel.TryGetProperty("backtest", out var backtest) && backtest.ValueKind == System.Text.Json.JsonValueKind.Object
            ? IcpBacktestSummary.TryParse(backtest.GetRawText())
            : null;
}
