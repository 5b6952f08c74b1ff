using LeadPredict.Core;

namespace LeadPredict.Core.Tests;

public sealed class DatasetConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("config-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, "leadpredict.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Defaults_are_valid_and_sensible()
    {
        var config = new DatasetConfig { Label = "converted" };
        config.Validate();
        Assert.Equal(TrainerAlgorithm.Auto, config.Trainer.Algorithm);
        Assert.True(config.Trainer.ChooseTreesByCrossValidation);
        Assert.Equal(0.2, config.Evaluation.HoldoutFraction);
    }

    [Fact]
    public void A_round_trip_through_json_keeps_every_setting()
    {
        var config = new DatasetConfig { Label = "y", Separator = ";", Exclude = ["duration"], Columns = new Dictionary<string, ColumnKind> { ["age"] = ColumnKind.Numeric } };
        var loaded = DatasetConfig.Load(Write(config.ToJson()));
        Assert.Equal("y", loaded.Label);
        Assert.Equal(';', loaded.SeparatorChar);
        Assert.Equal(["duration"], loaded.Exclude);
        Assert.Equal(ColumnKind.Numeric, loaded.Columns["age"]);
    }

    [Fact]
    public void An_invalid_trainer_setting_is_named_with_its_value()
    {
        var e = Assert.Throws<LeadPredictException>(() => DatasetConfig.Load(Write("""{ "label": "y", "trainer": { "leaves": 1 } }""")));
        Assert.Contains("trainer.leaves", e.Message);
        Assert.Contains("was 1", e.Message);
    }

    [Fact]
    public void A_negative_refit_limit_is_named_with_its_value()
    {
        var e = Assert.Throws<LeadPredictException>(() => DatasetConfig.Load(Write("""{ "label": "y", "evaluation": { "refitMaxRows": -1 } }""")));
        Assert.Contains("evaluation.refitMaxRows", e.Message);
        Assert.Contains("was -1", e.Message);
    }

    [Fact]
    public void Every_model_choice_is_read_from_its_name()
    {
        foreach (var (name, algorithm) in new[] { ("auto", TrainerAlgorithm.Auto), ("lightGbm", TrainerAlgorithm.LightGbm), ("fastTree", TrainerAlgorithm.FastTree),
                     ("linear", TrainerAlgorithm.Linear), ("blend", TrainerAlgorithm.Blend) })
            Assert.Equal(algorithm, DatasetConfig.Load(Write($$"""{ "label": "y", "trainer": { "algorithm": "{{name}}" } }""")).Trainer.Algorithm);
    }

    [Fact]
    public void A_misspelt_setting_is_rejected_with_its_line()
    {
        var e = Assert.Throws<InputFileException>(() => DatasetConfig.Load(Write("{\n  \"label\": \"y\",\n  \"exlude\": [\"a\"]\n}")));
        Assert.Equal(3, e.Line);
        Assert.Contains("exlude", e.Message);
    }

    [Fact]
    public void Grades_must_be_ordered()
    {
        var e = Assert.Throws<LeadPredictException>(() => new DatasetConfig { Label = "y", Grades = new GradeOptions { A = 0.3, B = 0.5 } }.Validate());
        Assert.Contains("grades", e.Message);
    }

    [Fact]
    public void A_missing_label_setting_says_what_it_is_for()
    {
        var e = Assert.Throws<LeadPredictException>(() => DatasetConfig.Load(Write("{}")));
        Assert.Contains("'label' is required", e.Message);
    }
}
