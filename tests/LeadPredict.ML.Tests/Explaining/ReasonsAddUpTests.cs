using LeadPredict.ML.Scoring;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Explaining;

/// <summary>A lead's reasons are exact for every kind of model: every column's effect plus the base is the lead's log-odds.</summary>
public sealed class ReasonsAddUpTests
{
    private static double Logit(double p) => Math.Log(p / (1 - p));

    [Theory]
    [MemberData(nameof(ModelKinds.Names), MemberType = typeof(ModelKinds))]
    public void Should_add_up_to_the_leads_log_odds_When_every_columns_contribution_is_added_to_the_base(string kind)
    {
        var scorer = new LeadScorer(ModelKinds.Load(kind));
        var leads = SampleModels.LeadValues(scorer, TestPaths.Data("leads-new.csv"), 200);
        var features = new float[scorer.FeatureWidth];
        var contributions = new float[scorer.ContributionStride];
        var probability = new double[1];
        Assert.True(double.IsFinite(scorer.BaseLogOdds));
        foreach (var lead in leads)
        {
            scorer.Featurize(lead, features);
            Array.Clear(contributions);
            scorer.ScoreFeatures(features, probability, contributions);
            var sum = scorer.BaseLogOdds + contributions.Take(scorer.FeatureColumns.Count).Sum(c => (double)c);
            Assert.Equal(Logit(probability[0]), sum, 1e-4);
            Assert.All(contributions.Skip(scorer.FeatureColumns.Count), padding => Assert.Equal(0f, padding));
        }
    }

    [Theory]
    [MemberData(nameof(ModelKinds.Names), MemberType = typeof(ModelKinds))]
    public void Should_give_reasons_whose_effects_add_up_to_the_log_odds_When_a_lead_is_scored_with_all_its_reasons(string kind)
    {
        var scorer = new LeadScorer(ModelKinds.Load(kind));
        foreach (var lead in SampleModels.LeadValues(scorer, TestPaths.Data("leads-new.csv"), 50))
        {
            var scored = scorer.Score(lead, reasonsEachWay: scorer.FeatureColumns.Count);
            Assert.NotEmpty(scored.Reasons);
            // Columns with no effect are not reasons; every other column is, so the effects are the whole change from the base.
            Assert.Equal(Logit(scored.Probability), scorer.BaseLogOdds + scored.Reasons.Sum(r => r.Effect), 1e-4);
        }
    }
}
