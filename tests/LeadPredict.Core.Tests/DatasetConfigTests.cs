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
        Assert.Equal(0.2, config.Evaluation.HoldoutFraction);
        Assert.Equal(MissingTokens.Defaults, config.MissingTokens);
    }

    [Fact]
    public void A_round_trip_through_json_keeps_every_setting()
    {
        var config = new DatasetConfig { Label = "y", Separator = ";", Exclude = ["duration"], Columns = new Dictionary<string, ColumnKind> { ["age"] = ColumnKind.Numeric } };
        var loaded = DatasetConfig.Load<DatasetConfig>(Write(config.ToJson()));
        Assert.Equal("y", loaded.Label);
        Assert.Equal(';', loaded.SeparatorChar);
        Assert.Equal(["duration"], loaded.Exclude);
        Assert.Equal(ColumnKind.Numeric, loaded.Columns["age"]);
    }

    [Fact]
    public void An_invalid_evaluation_setting_is_named_with_its_value()
    {
        var e = Assert.Throws<LeadPredictException>(() => DatasetConfig.Load<DatasetConfig>(Write("""{ "label": "y", "evaluation": { "folds": 99 } }""")));
        Assert.Contains("evaluation.folds", e.Message);
        Assert.Contains("was 99", e.Message);
    }

    [Fact]
    public void A_misspelt_setting_is_rejected_with_its_line()
    {
        var e = Assert.Throws<InputFileException>(() => DatasetConfig.Load<DatasetConfig>(Write("{\n  \"label\": \"y\",\n  \"exlude\": [\"a\"]\n}")));
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
        var e = Assert.Throws<LeadPredictException>(() => DatasetConfig.Load<DatasetConfig>(Write("{}")));
        Assert.Contains("'label' is required", e.Message);
    }
}
