using LeadPredict.Core;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using LeadPredict.ML.Training;

namespace LeadPredict.ML;

/// <summary>The ML.NET input row: one featurized lead.</summary>
public sealed class FeatureRow
{
    public float[] Features { get; set; } = [];
    public bool Label { get; set; }
}

/// <summary>The ML.NET output row.</summary>
public sealed class ScoreRow
{
    public float Score { get; set; }
    public float Probability { get; set; }
}

/// <summary>
/// The one place where the ML.NET pipeline is defined: the boosted trees over the featurized lead vector. The linear model
/// (<see cref="Linear.LogisticRegression"/>) and the blend are LeadPredict's own, over the same vector
/// (<see cref="Training.ModelFit"/> fits each kind).
/// </summary>
public static class LeadPipeline
{
    public const string FeaturesColumn = nameof(FeatureRow.Features);
    public const string LabelColumn = nameof(FeatureRow.Label);

    /// <summary>The estimator for a tree trainer: a calibrated binary classifier over the featurized lead vector.</summary>
    public static IEstimator<ITransformer> Build(MLContext ml, TrainerOptions options)
    {
        var minLeaf = options.MinExamplesPerLeaf;
        return options.Algorithm switch
        {
            TrainerAlgorithm.FastTree => ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                NumberOfTrees = options.Trees,
                NumberOfLeaves = options.Leaves,
                LearningRate = options.LearningRate,
                MinimumExampleCountPerLeaf = minLeaf,
                Seed = options.Seed,
                FeatureFraction = 1.0,
                Shrinkage = 1.0,
            }),
            TrainerAlgorithm.LightGbm => ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                NumberOfIterations = options.Trees,
                NumberOfLeaves = options.Leaves,
                LearningRate = options.LearningRate,
                MinimumExampleCountPerLeaf = minLeaf,
                Seed = options.Seed,
                Verbose = false,
                Silent = true,
            }),
            _ => throw new ArgumentException($"'{options.Algorithm}' is not a tree trainer."),
        };
    }

    public static SchemaDefinition InputSchema(int width)
    {
        var definition = SchemaDefinition.Create(typeof(FeatureRow));
        definition[FeaturesColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return definition;
    }

    public static IDataView ToDataView(MLContext ml, IReadOnlyList<float[]> features, IReadOnlyList<bool> labels, int width) =>
        ml.Data.LoadFromEnumerable(
            Enumerable.Range(0, features.Count).Select(i => new FeatureRow { Features = features[i], Label = labels[i] }),
            InputSchema(width));
}
