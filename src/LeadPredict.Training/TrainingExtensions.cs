using LeadPredict.Advice;
using LeadPredict.ML.Training;
using LeadPredict.Reports;
using LeadPredict.Rules;

namespace LeadPredict.Training;

/// <summary>The extensions a training run gets from the command line (ICP backtest, HTML report).</summary>
internal static class TrainingExtensions
{
    public static IReadOnlyList<ITrainingExtension> Default(TrainingRequest request, string? rulesPath)
    {
        var list = new List<ITrainingExtension>();
        RulesTrainingExtension? rules = rulesPath is null ? null : new RulesTrainingExtension(rulesPath);
        if (rules is not null) list.Add(rules);
        // Last, so the report shows the ICP backtest the rules extension made.
        list.Add(new HtmlReportExtension(_ => rules?.Backtest));
        return list;
    }

    /// <summary>The ICP backtest stored in a training report (in its funnel document), if it was trained with an ICP.</summary>
    public static IcpBacktestReport? BacktestOf(LeadPredict.ML.TrainingReport report) => TrainedRules.From(report)?.Backtest;
}
