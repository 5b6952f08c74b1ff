using LeadPredict.ML.Training;
using LeadPredict.Reports;

namespace LeadPredict.Training;

/// <summary>The extensions a training run gets from the command line (ICP backtest, HTML report).</summary>
internal static class TrainingExtensions
{
    public static IReadOnlyList<ITrainingExtension> Default(TrainingRequest request) =>
    [
        // Last, so it sees what the others stored in the model file (the ICP backtest is read from its "icp-backtest" extra).
        new HtmlReportExtension(),
    ];
}
