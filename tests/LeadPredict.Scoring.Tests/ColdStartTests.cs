using LeadPredict.Advice;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;
using LeadPredict.ML.Training;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests;

/// <summary>Cold start: a small history trained with an ICP blends the ICP in as a prior, says so, and scores with it exactly.</summary>
public sealed class ColdStartTests
{
    private static readonly Lazy<(string Model, TrainingOutcome Outcome)> Small = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "leadpredict-tests", "cold-start-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var lines = File.ReadLines(TestPaths.Data("leads-history.csv")).Take(301);
        var data = Path.Combine(dir, "small-history.csv");
        File.WriteAllLines(data, lines);
        var model = Path.Combine(dir, "model.zip");
        var outcome = new ModelTrainer(TimeProvider.System, [new RulesTrainingExtension(TestPaths.Data("rules.json"))]).Train(new TrainingRequest
        {
            DataPath = data, Config = new TrainingConfig { Label = "converted", Trainer = new TrainerOptions { Trees = 60 } },
            ModelPath = model, Force = true, ImportanceRepeats = 0,
        });
        return (model, outcome);
    });

    [Fact]
    public void Should_blend_the_ICP_in_as_a_prior_weighted_by_the_evidence_and_say_so_When_a_small_history_has_a_rules_file()
    {
        var (model, outcome) = Small.Value;
        var bundle = ModelBundle.Load(model);

        var prior = Assert.IsType<ColdStartPrior>(bundle.ColdStart);
        Assert.Equal(outcome.Report.Card.Positives, prior.Evidence);
        Assert.Equal(ColdStartPrior.WeightFor(prior.Evidence), prior.PriorWeight);
        Assert.InRange(prior.PriorWeight, 0.01, 0.99);
        Assert.Contains(outcome.Report.Card.Warnings, w => w.StartsWith("cold start:", StringComparison.Ordinal) && w.Contains("rules.json", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_fade_the_ICP_out_as_conversions_reach_120()
    {
        Assert.True(ColdStartPrior.WeightFor(5) > ColdStartPrior.WeightFor(40));
        Assert.True(ColdStartPrior.WeightFor(40) > ColdStartPrior.WeightFor(100));
        Assert.Equal(0, ColdStartPrior.WeightFor(120));
        Assert.Equal(0, ColdStartPrior.WeightFor(5000));
    }

    [Fact]
    public void Should_score_with_the_prior_only_with_the_rules_and_keep_reasons_exact_and_batches_bit_for_bit()
    {
        var bundle = ModelBundle.Load(Small.Value.Model);
        var withRules = ScoringExtensions.Scorer(bundle, TestPaths.Data("rules.json"));
        var alone = ScoringExtensions.Scorer(bundle);
        Assert.False(withRules.PriorMissing);
        Assert.True(alone.PriorMissing);
        Assert.NotNull(ScoringExtensions.PriorWarning(alone));

        var leads = SampleModels.LeadValues(withRules, TestPaths.Data("leads-new.csv"));
        var many = new ScoredLead[leads.Length];
        withRules.ScoreMany(leads, many);
        var differs = 0;
        for (var i = 0; i < leads.Length; i++)
        {
            var one = withRules.Score(leads[i], reasonsEachWay: withRules.FeatureColumns.Count);
            Assert.Equal(one.Probability, many[i].Probability);
            Assert.Equal(Math.Log(one.Probability / (1 - one.Probability)), withRules.BaseLogOdds + one.Reasons.Sum(r => r.Effect), 1e-4);
            if (one.Probability != alone.Score(leads[i], 0).Probability) differs++;
        }
        Assert.True(differs > leads.Length / 2, $"the prior changed only {differs} of {leads.Length} probabilities");
        for (var i = 0; i < leads.Length; i++) Assert.Equal(withRules.Score(leads[i]).Reasons, many[i].Reasons);
    }

    [Fact]
    public void Should_have_no_cold_start_When_the_history_is_not_small()
    {
        var outcome = SampleModels.SampleOutcome;
        Assert.DoesNotContain(outcome.Report.Card.Warnings, w => w.StartsWith("cold start", StringComparison.Ordinal));
        Assert.Null(SampleModels.LoadSample().ColdStart);
    }
}
