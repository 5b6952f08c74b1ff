using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Training;

public sealed class ChampionChallengerTests
{
    private static TrainingRequest Request(string model, TrainingConfig config, bool force = false) => new()
    {
        DataPath = TestPaths.Data("leads-history.csv"), Config = config, ModelPath = model, Force = force, ImportanceRepeats = 0,
    };

    private static TrainingConfig Good => TrainingConfig.Load(TestPaths.Data("leadpredict.json")) with { Evaluation = new EvaluationOptions { Folds = 0 }, Trainer = new TrainerOptions { Trees = 80 } };

    // Without the strongest signals the model is clearly worse.
    private static TrainingConfig Weak => Good with { Exclude = ["demo_requested", "pricing_page_views", "job_title", "stage"] };

    [Fact]
    public void A_worse_model_does_not_replace_the_champion_and_is_kept_beside_it()
    {
        using var dir = new TempDir();
        var model = dir.File("lead-model.zip");
        var trainer = new ModelTrainer(TimeProvider.System);
        trainer.Train(Request(model, Good));
        var championBytes = File.ReadAllBytes(model);

        var outcome = trainer.Train(Request(model, Weak));

        Assert.False(outcome.Promoted);
        Assert.Equal(championBytes, File.ReadAllBytes(model));
        Assert.Equal(ModelTrainer.CandidatePath(model), outcome.ModelPath);
        Assert.True(File.Exists(ModelTrainer.CandidatePath(model)));
        Assert.Contains("below the current model", outcome.Message);
        Assert.False(outcome.Report.Champion!.Promoted);
    }

    [Fact]
    public void Force_replaces_the_champion_and_keeps_the_previous_one()
    {
        using var dir = new TempDir();
        var model = dir.File("lead-model.zip");
        var trainer = new ModelTrainer(TimeProvider.System);
        trainer.Train(Request(model, Good));
        var championBytes = File.ReadAllBytes(model);

        var outcome = trainer.Train(Request(model, Weak, force: true));

        Assert.True(outcome.Promoted);
        Assert.NotEqual(championBytes, File.ReadAllBytes(model));
        Assert.Equal(championBytes, File.ReadAllBytes(ModelTrainer.PreviousPath(model)));
    }

    [Fact]
    public void An_equally_good_model_replaces_the_champion()
    {
        using var dir = new TempDir();
        var model = dir.File("lead-model.zip");
        var trainer = new ModelTrainer(TimeProvider.System);
        trainer.Train(Request(model, Good));
        var outcome = trainer.Train(Request(model, Good));
        Assert.True(outcome.Promoted);
        Assert.Contains("tolerance", outcome.Report.Champion!.Decision);
    }

    [Fact]
    public void An_unreadable_champion_stops_training_from_overwriting_it_unless_forced()
    {
        using var dir = new TempDir();
        var model = dir.Write("lead-model.zip", "not a model");
        var e = Assert.Throws<LeadPredictException>(() => new ModelTrainer(TimeProvider.System).Train(Request(model, Good)));
        Assert.Contains("--force", e.Message);
        Assert.Equal("not a model", File.ReadAllText(model));
    }

    [Fact]
    public void Force_replaces_an_unreadable_champion_and_keeps_it_as_corrupt_not_as_previous()
    {
        using var dir = new TempDir();
        var model = dir.Write("lead-model.zip", "not a model");
        var previous = dir.Write("lead-model.previous.zip", "the last good model");

        var outcome = new ModelTrainer(TimeProvider.System).Train(Request(model, Good, force: true));

        Assert.True(outcome.Promoted);
        Assert.Equal("unreadable", outcome.Report.Champion!.ChampionVersion);
        Assert.True(double.IsNaN(outcome.Report.Champion.ChampionAuc));
        Assert.NotNull(ModelBundle.Load(model));
        Assert.Equal("not a model", File.ReadAllText(ModelTrainer.CorruptPath(model)));
        Assert.Equal("the last good model", File.ReadAllText(previous));
        Assert.Contains("lead-model.corrupt.zip", outcome.Message);
        Assert.True(double.IsNaN(ModelBundle.Load(model).Report.Champion!.ChampionAuc));
    }
}
