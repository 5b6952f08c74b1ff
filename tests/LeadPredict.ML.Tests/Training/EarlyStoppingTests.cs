using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.SampleData;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Training;

/// <summary>
/// Above <c>evaluation.crossValidationMaxRows</c> the number of trees is not chosen by cross-validation: LightGBM learns at
/// <c>trainer.earlyStoppingLearningRate</c> and stops when a tenth of the training rows stops improving. The output says so,
/// the model keeps the trees it stopped at, and the holdout AUC stays with the full forest's. (The limit is lowered here so
/// a small generated history takes that path.)
/// </summary>
public sealed class EarlyStoppingTests
{
    private static TrainingOutcome Train(TempDir dir, string data, string name, TrainerOptions trainer, int refitMaxRows = 250_000) =>
        new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
        {
            DataPath = data, ModelPath = dir.File(name), Force = true,
            Config = new TrainingConfig
            {
                Label = "converted", Id = "lead_id", Exclude = ["true_probability"],
                Trainer = trainer,
                Evaluation = new EvaluationOptions { CrossValidationMaxRows = 1_000, RefitMaxRows = refitMaxRows },
            },
        });

    private static string History(TempDir dir)
    {
        var path = dir.File("history.csv");
        LeadGenerator.WriteCsv(path, new GeneratorOptions { Rows = 12_000, Seed = 11, IncludeOutcome = true, IncludeTrueProbability = true });
        return path;
    }

    [Fact]
    public void Should_Stop_Growing_Trees_Early_Say_So_And_Keep_The_Full_Forests_Auc_When_The_History_Is_Above_The_Cross_Validation_Size()
    {
        using var dir = new TempDir();
        var data = History(dir);

        // The default rate (0.15) is for histories above 200,000 training rows; this small one stops early at 0.1.
        var stopped = Train(dir, data, "stopped.zip", new TrainerOptions { Trees = 600, EarlyStoppingLearningRate = 0.1 }, refitMaxRows: 0);
        var full = Train(dir, data, "full.zip", new TrainerOptions { ChooseTreesByCrossValidation = false });

        var card = stopped.Report.Card;
        Assert.Contains("found by early stopping on a random 10% of the training rows", card.ChosenBy);
        Assert.Contains($"it stopped at {card.Trainer.Trees} trees", card.ChosenBy);
        Assert.InRange(card.Trainer.Trees, 1, 599);
        Assert.Equal(0.1, card.Trainer.LearningRate);
        Assert.Contains("at learning rate 0.1", card.Model);
        var bundle = ModelBundle.Load(dir.File("stopped.zip"));
        Assert.Equal(card.Trainer.Trees, bundle.Ensemble!.Trees.Length);
        Assert.Contains("all 300 trees", full.Report.Card.ChosenBy);
        Assert.True(stopped.Report.HoldoutMetrics.Auc >= full.Report.HoldoutMetrics.Auc - 0.005,
            $"early stopping {stopped.Report.HoldoutMetrics.Auc:F4} vs all trees {full.Report.HoldoutMetrics.Auc:F4}");
    }

    [Fact]
    public void Should_Refit_The_Trees_It_Stopped_At_On_All_Rows_When_The_History_Is_Small_Enough_To_Refit()
    {
        using var dir = new TempDir();
        var data = History(dir);

        var outcome = Train(dir, data, "refit.zip", new TrainerOptions());

        var card = outcome.Report.Card;
        Assert.True(card.RefitOnAllRows);
        Assert.Equal(12_000, card.FittedRows);
        Assert.Equal(card.Trainer.Trees, ModelBundle.Load(dir.File("refit.zip")).Ensemble!.Trees.Length);
        Assert.True(outcome.Report.HoldoutMetrics.Auc >= 0.80, $"holdout AUC {outcome.Report.HoldoutMetrics.Auc:F4}");
    }
}
