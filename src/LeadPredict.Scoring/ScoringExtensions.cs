using LeadPredict.ML;
using LeadPredict.ML.Scoring;

namespace LeadPredict.Scoring;

/// <summary>Columns added to the ranked output next to the model's score.</summary>
internal static class ScoringExtensions
{
    public static IReadOnlyList<IScoreAnnotator> Annotators(ModelBundle bundle) => [];
}
