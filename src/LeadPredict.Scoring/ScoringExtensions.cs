using LeadPredict.Advice;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;

namespace LeadPredict.Scoring;

/// <summary>Columns added to the ranked output next to the model's score: the ICP check (with a rules file) and the funnel advice.</summary>
internal static class ScoringExtensions
{
    public static IReadOnlyList<IScoreAnnotator> Annotators(ModelBundle bundle, string? rulesPath = null) => [new FunnelAnnotator(bundle, rulesPath)];
}
