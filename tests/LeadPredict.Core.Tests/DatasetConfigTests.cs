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
    public void A_negative_refit_limit_is_named_with_its_value()
    {
        var e = Assert.Throws<LeadPredictException>(() => DatasetConfig.Load<DatasetConfig>(Write("""{ "label": "y", "evaluation": { "refitMaxRows": -1 } }""")));
        Assert.Contains("evaluation.refitMaxRows", e.Message);
        Assert.Contains("was -1", e.Message);
    }

    [Fact]
    public void A_misspelt_setting_is_rejected_with_its_line()
    {
        var e = Assert.Throws<InputFileException>(() => DatasetConfig.Load<DatasetConfig>(Write("{\n  \"label\": \"y\",\n  \"exlude\": [\"a\"]\n}")));
        Assert.Equal(3, e.Line);
        Assert.Contains("exlude", e.Message);
    }

    private sealed record Measures(double Auc, double Lift, double Drop, IReadOnlyList<double> Curve);

    [Fact]
    public void Numbers_that_are_not_finite_are_written_and_read_back_rather_than_breaking_a_save()
    {
        var measures = new Measures(double.NaN, double.PositiveInfinity, double.NegativeInfinity, [0.5, double.NaN]);
        var json = System.Text.Json.JsonSerializer.Serialize(measures, DatasetConfig.Json);
        var back = System.Text.Json.JsonSerializer.Deserialize<Measures>(json, DatasetConfig.Json)!;
        Assert.True(double.IsNaN(back.Auc));
        Assert.Equal(double.PositiveInfinity, back.Lift);
        Assert.Equal(double.NegativeInfinity, back.Drop);
        Assert.Equal(0.5, back.Curve[0]);
        Assert.True(double.IsNaN(back.Curve[1]));
    }

    [Theory]
    [InlineData("""{ "label": "y", "evaluation": { "folds": 2.5 } }""", "'evaluation.folds' must be a whole number, got 2.5")]
    [InlineData("""{ "label": "y", "evaluation": { "threshold": "high" } }""", "'evaluation.threshold' must be a number, got \"high\"")]
    [InlineData("""{ "label": 5 }""", "'label' must be text in quotes, got 5")]
    [InlineData("""{ "label": "y", "exclude": "stage" }""", "'exclude' must be a list of texts in quotes ([\"a\", \"b\"]), got \"stage\"")]
    [InlineData("""{ "label": "y", "columns": { "industry": "numbr" } }""", "'columns.industry' must be one of \"numeric\", \"categorical\", \"boolean\", \"date\", \"text\", \"identifier\", \"ignored\", got \"numbr\"")]
    public void A_value_of_the_wrong_type_names_the_field_and_what_it_must_be(string json, string expected)
    {
        var e = Assert.Throws<InputFileException>(() => DatasetConfig.Load<DatasetConfig>(Write(json)));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("System.", e.Message);
        Assert.DoesNotContain("LeadPredict.", e.Message);
    }

    [Theory]
    [InlineData("x")]
    [InlineData(":")]
    [InlineData(",,")]
    public void Only_the_documented_separators_are_accepted(string separator)
    {
        var e = Assert.Throws<LeadPredictException>(() => new DatasetConfig { Label = "y", Separator = separator }.Validate());
        Assert.Contains($"separator '{separator}' is not supported", e.Message);
        foreach (var ok in new[] { ",", ";", "|", "tab", "\t" }) new DatasetConfig { Label = "y", Separator = ok }.Validate();
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
