using LeadPredict.Advice;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;
using LeadPredict.ML.Timing;

namespace LeadPredict.Scoring;

/// <summary>Columns added to the ranked output next to the model's score: P(within d days) for a timeline model, the ICP check (with a rules file) and the funnel advice.</summary>
internal static class ScoringExtensions
{
    public static IReadOnlyList<IScoreAnnotator> Annotators(ModelBundle bundle, string? rulesPath = null) =>
        TimeToConvertAnnotator.For(bundle) is { } timing ? [timing, new FunnelAnnotator(bundle, rulesPath)] : [new FunnelAnnotator(bundle, rulesPath)];

    /// <summary>The scorer of a model; a small-history model's ICP prior (cold start) comes from the rules file.</summary>
    public static LeadScorer Scorer(ModelBundle bundle, string? rulesPath = null) => new(bundle, prior: IcpPrior.ForModel(bundle, rulesPath));

    /// <summary>What to tell a user whose model has a cold-start prior that cannot be applied.</summary>
    public static string? PriorWarning(LeadScorer scorer) => scorer.PriorMissing
        ? $"model {scorer.Bundle.Card.Version} was trained on a small history with the ICP of {scorer.Bundle.ColdStart!.RulesFile} as a prior (cold start); without --icp the model scores alone."
        : null;
}
