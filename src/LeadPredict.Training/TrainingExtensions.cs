using LeadPredict.Advice;
using LeadPredict.ML.Training;

namespace LeadPredict.Training;

/// <summary>The extensions a training run gets from the command line (ICP backtest, HTML report).</summary>
internal static class TrainingExtensions
{
    public static IReadOnlyList<ITrainingExtension> Default(TrainingRequest request, string? rulesPath)
    {
        var list = new List<ITrainingExtension>();
        if (rulesPath is not null) list.Add(new RulesTrainingExtension(rulesPath));
        return list;
    }
}
