using LeadPredict.ML.Training;

namespace LeadPredict.Training;

/// <summary>The extensions a training run gets from the command line (ICP backtest, HTML report).</summary>
internal static class TrainingExtensions
{
    public static IReadOnlyList<ITrainingExtension> Default(TrainingRequest request) => [];
}
