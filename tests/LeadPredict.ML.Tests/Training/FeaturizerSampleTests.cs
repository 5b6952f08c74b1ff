using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.SampleData;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Training;

/// <summary>
/// Above <c>trainer.featurizerSampleRows</c> fitting rows the featurizer learns its medians and its category and word lists on a
/// seeded sample: the output says so, and the model ranks the holdout as well as one whose featurizer saw every row. (The size
/// is lowered here so a small generated history takes that path.)
/// </summary>
public sealed class FeaturizerSampleTests
{
    private static TrainingOutcome Train(TempDir dir, string data, string name, int sampleRows) =>
        new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
        {
            DataPath = data, ModelPath = dir.File(name), Force = true,
            Config = new TrainingConfig
            {
                Label = "converted", Id = "lead_id", Exclude = ["true_probability"],
                Trainer = new TrainerOptions { FeaturizerSampleRows = sampleRows },
                Evaluation = new EvaluationOptions { CrossValidationMaxRows = 1_000, RefitMaxRows = 0 },
            },
        });

    [Fact]
    public void Should_Say_So_And_Rank_As_Well_When_The_Featurizer_Learns_On_A_Sample_Of_A_Larger_History()
    {
        using var dir = new TempDir();
        var data = dir.File("history.csv");
        LeadGenerator.WriteCsv(data, new GeneratorOptions { Rows = 12_000, Seed = 11, IncludeOutcome = true, IncludeTrueProbability = true });

        var sampled = Train(dir, data, "sampled.zip", sampleRows: 3_000);
        var all = Train(dir, data, "all.zip", sampleRows: 0);

        var card = sampled.Report.Card;
        Assert.Contains($"the featurizer learned its medians and category and word lists on a seeded sample of 3,000 of the {card.TrainingRows:N0} fitted rows", card.Figures);
        Assert.DoesNotContain("seeded sample", all.Report.Card.Figures);
        Assert.True(sampled.Report.HoldoutMetrics.Auc >= all.Report.HoldoutMetrics.Auc - 0.005,
            $"featurizer on a sample {sampled.Report.HoldoutMetrics.Auc:F4} vs on every row {all.Report.HoldoutMetrics.Auc:F4}");
        Assert.True(sampled.Report.HoldoutMetrics.Auc >= 0.85, $"holdout AUC {sampled.Report.HoldoutMetrics.Auc:F4} < 0.85");
    }

    [Fact]
    public void Should_Pick_The_Same_Rows_In_Row_Order_Every_Time_When_The_Rows_Are_More_Than_The_Sample()
    {
        var rows = Enumerable.Range(0, 10_000).Select(i => 3 * i + 1).ToArray();

        var first = ModelFit.FeaturizerRows(rows, seed: 42, max: 1_000);
        var again = ModelFit.FeaturizerRows(rows, seed: 42, max: 1_000);

        Assert.Equal(1_000, first.Length);
        Assert.Equal(first, again);
        Assert.Equal(first.Order(), first);
        Assert.Equal(first.Length, first.Distinct().Count());
        Assert.All(first, r => Assert.Contains(r, rows));
        Assert.Same(rows, ModelFit.FeaturizerRows(rows, seed: 42, max: 10_000));
        Assert.Same(rows, ModelFit.FeaturizerRows(rows, seed: 42, max: 0));
    }
}
