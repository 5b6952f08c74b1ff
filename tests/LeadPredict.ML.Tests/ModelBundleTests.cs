using LeadPredict.Core;
using LeadPredict.TestSupport;
using Microsoft.ML;

namespace LeadPredict.ML.Tests;

public sealed class ModelBundleTests
{
    [Fact]
    public void A_saved_model_loads_and_gives_the_same_probabilities_as_ml_net()
    {
        var bundle = SampleModels.LoadSample();
        Assert.NotNull(bundle.Ensemble);
        var ml = new MLContext(seed: 1);
        using var engine = ml.Model.CreatePredictionEngine<FeatureRow, ScoreRow>(bundle.Model, inputSchemaDefinition: LeadPipeline.InputSchema(bundle.Featurizer.Length));
        var table = LeadTable.Load(TestPaths.Data("leads-new.csv"));
        var features = bundle.Featurizer.FeaturizeRows(table, Enumerable.Range(0, 200).ToArray());
        foreach (var f in features)
            Assert.Equal(engine.Predict(new FeatureRow { Features = f }).Probability, bundle.Ensemble!.Probability(f), 5);
    }

    [Fact]
    public void The_model_card_says_what_the_model_was_trained_on()
    {
        var card = SampleModels.LoadSample().Card;
        Assert.Equal("leads-history.csv", card.DataFile);
        Assert.Equal(8000, card.Rows);
        Assert.Equal(64, card.DataSha256.Length);
        Assert.Equal(9, card.DecileCutPoints.Count);
        Assert.InRange(card.Holdout.Auc, 0.8, 1);
        Assert.Contains("ml.net", card.Versions.Keys);
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_refused_with_a_clear_message()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<LeadPredictException>(() => ModelBundle.Load(dir.Write("m.zip", "hello")));
        Assert.Equal(ProblemKind.BadModel, e.Kind);
        Assert.Contains("not a LeadPredict model or is corrupt", e.Message);
    }

    [Fact]
    public void A_missing_model_file_says_how_to_make_one()
    {
        var e = Assert.Throws<LeadPredictException>(() => ModelBundle.Load("/nonexistent/lead-model.zip"));
        Assert.Contains("not found", e.Message);
        Assert.Contains("train", e.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void A_bit_flipped_model_is_refused(double where)
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(SampleModels.SamplePath);
        var at = (int)(bytes.Length * where);
        bytes[at] ^= 0x10;
        var path = dir.File("flipped.zip");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<LeadPredictException>(() => ModelBundle.Load(path));
        Assert.Equal(ProblemKind.BadModel, e.Kind);
    }

    [Fact]
    public void A_truncated_model_is_refused()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(SampleModels.SamplePath);
        var path = dir.File("truncated.zip");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<LeadPredictException>(() => ModelBundle.Load(path));
        Assert.Contains("corrupt", e.Message);
    }
}
