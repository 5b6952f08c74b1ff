using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Training;

/// <summary>The configuration file as training reads it: the dataset's settings and the trainer's, in one JSON object.</summary>
public sealed class TrainingConfigTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Should_Let_Cross_Validation_Choose_The_Model_And_The_Trees_When_Nothing_Is_Set()
    {
        var config = new TrainingConfig { Label = "converted" };
        config.Validate();
        Assert.Equal(TrainerAlgorithm.Auto, config.Trainer.Algorithm);
        Assert.True(config.Trainer.ChooseTreesByCrossValidation);
        Assert.Equal(300, config.Trainer.Trees);
    }

    [Fact]
    public void Should_Read_The_Dataset_And_Trainer_Settings_When_Loading_The_Sample_Configuration()
    {
        var config = TrainingConfig.Load(TestPaths.Data("leadpredict.json"));
        Assert.Equal("converted", config.Label);
        Assert.Equal("lead_id", config.Id);
        Assert.Equal(TrainerAlgorithm.Auto, config.Trainer.Algorithm);
    }

    [Fact]
    public void Should_Keep_Every_Setting_When_Written_And_Read_Again()
    {
        var config = new TrainingConfig
        {
            Label = "y", Exclude = ["duration"], Evaluation = new EvaluationOptions { Folds = 3 },
            Trainer = new TrainerOptions { Algorithm = TrainerAlgorithm.Linear, Trees = 120, Seed = 7 },
        };
        var loaded = TrainingConfig.Load(_dir.Write("leadpredict.json", config.ToJson()));
        Assert.Equal(config.Trainer, loaded.Trainer);
        Assert.Equal(3, loaded.Evaluation.Folds);
        Assert.Equal(["duration"], loaded.Exclude);
        Assert.Contains("\"trainer\"", config.ToJson());
    }

    [Fact]
    public void Should_Name_The_Setting_And_Its_Value_When_A_Trainer_Setting_Is_Invalid()
    {
        var e = Assert.Throws<LeadPredictException>(() => TrainingConfig.Load(_dir.Write("leadpredict.json", """{ "label": "y", "trainer": { "leaves": 1 } }""")));
        Assert.Contains("trainer.leaves", e.Message);
        Assert.Contains("was 1", e.Message);
    }

    [Fact]
    public void Should_Name_The_Early_Stopping_Learning_Rate_And_Its_Value_When_It_Is_Out_Of_Range()
    {
        var e = Assert.Throws<LeadPredictException>(() => TrainingConfig.Load(_dir.Write("leadpredict.json", """{ "label": "y", "trainer": { "earlyStoppingLearningRate": 0 } }""")));
        Assert.Contains("trainer.earlyStoppingLearningRate must be in (0, 1]", e.Message);
        Assert.Contains("was 0", e.Message);
    }

    [Theory]
    [InlineData(999)]
    [InlineData(-1)]
    public void Should_Name_The_Featurizer_Sample_Size_And_Its_Value_When_It_Is_Neither_Zero_Nor_At_Least_1000(int rows)
    {
        var e = Assert.Throws<LeadPredictException>(() => TrainingConfig.Load(_dir.Write("leadpredict.json", $$"""{ "label": "y", "trainer": { "featurizerSampleRows": {{rows}} } }""")));
        Assert.Contains("trainer.featurizerSampleRows must be 0 (every row) or at least 1000", e.Message);
        Assert.Contains($"was {rows}", e.Message);
    }

    [Fact]
    public void Should_Reject_A_Misspelt_Trainer_Setting_At_Its_Line()
    {
        var e = Assert.Throws<InputFileException>(() => TrainingConfig.Load(_dir.Write("leadpredict.json", "{\n  \"label\": \"y\",\n  \"trainer\": {\n    \"tres\": 5\n  }\n}")));
        Assert.Equal(4, e.Line);
        Assert.Contains("tres", e.Message);
    }

    [Fact]
    public void Should_Refuse_The_Trainer_Settings_When_Read_As_A_Dataset_Configuration_Only()
    {
        var e = Assert.Throws<InputFileException>(() => DatasetConfig.Load<DatasetConfig>(TestPaths.Data("leadpredict.json")));
        Assert.Contains("trainer", e.Message);
    }

    [Theory]
    [InlineData("""{ "label": "y", "trainer": { "trees": "fifty" } }""", "'trainer.trees' must be a whole number, got \"fifty\"")]
    [InlineData("""{ "label": "y", "trainer": { "algorithm": "xgboost" } }""", "'trainer.algorithm' must be one of \"fastTree\", \"lightGbm\", \"linear\", \"auto\", \"blend\", got \"xgboost\"")]
    [InlineData("""{ "label": "y", "trainer": { "treez": 5 } }""", "'trainer.treez' is not a known field; use one of algorithm, trees, leaves")]
    public void Should_Name_A_Trainer_Setting_Of_The_Wrong_Type_And_What_It_Must_Be(string json, string expected)
    {
        var e = Assert.Throws<InputFileException>(() => TrainingConfig.Load(_dir.Write("leadpredict.json", json)));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("System.", e.Message);
    }

    [Fact]
    public void Should_Read_Every_Model_Choice_From_Its_Name()
    {
        foreach (var (name, algorithm) in new[] { ("auto", TrainerAlgorithm.Auto), ("lightGbm", TrainerAlgorithm.LightGbm), ("fastTree", TrainerAlgorithm.FastTree),
                     ("linear", TrainerAlgorithm.Linear), ("blend", TrainerAlgorithm.Blend) })
            Assert.Equal(algorithm, TrainingConfig.Load(_dir.Write("leadpredict.json", $$"""{ "label": "y", "trainer": { "algorithm": "{{name}}" } }""")).Trainer.Algorithm);
    }
}
