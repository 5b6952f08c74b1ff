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
    static LeadPipeline() => OpenMp.PreferPassiveWaiting();

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
            TrainerAlgorithm.LightGbm => ml.BinaryClassification.Trainers.LightGbm(LightGbmOptions(options)),
            _ => throw new ArgumentException($"'{options.Algorithm}' is not a tree trainer."),
        };
    }

    /// <summary>LightGBM's settings for <paramref name="options"/> (the bench's probe varies them).</summary>
    public static LightGbmBinaryTrainer.Options LightGbmOptions(TrainerOptions options) => new()
    {
        LabelColumnName = LabelColumn,
        FeatureColumnName = FeaturesColumn,
        NumberOfIterations = options.Trees,
        NumberOfLeaves = options.Leaves,
        LearningRate = options.LearningRate,
        MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf,
        Seed = options.Seed,
        Verbose = false,
        Silent = true,
    };

    /// <summary>
    /// LightGBM fitted on <paramref name="train"/> until the log-loss on <paramref name="validation"/> has not improved for
    /// <paramref name="rounds"/> trees (at most <see cref="TrainerOptions.Trees"/>); the ensemble keeps the best iteration's trees.
    /// </summary>
    public static ITransformer FitWithEarlyStopping(MLContext ml, TrainerOptions options, IDataView train, IDataView validation, int rounds)
    {
        var settings = LightGbmOptions(options);
        settings.EarlyStoppingRound = rounds;
        settings.EvaluationMetric = LightGbmBinaryTrainer.Options.EvaluateMetricType.Logloss;
        return ml.BinaryClassification.Trainers.LightGbm(settings).Fit(train, validation);
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

/// <summary>
/// LightGBM's threads (OpenMP) spin while they wait for each other, by default. On a machine shared with other work that
/// turns into lost time: with more runnable threads than cores, a spinning thread holds a core its partner needs. Measured
/// on the 2-core bench machine under a load average of 15-20, 100 LightGBM iterations on 800,000 leads took 103 s
/// spinning and 9-12 s with passive waiting (one thread: 19 s); docs/benchmarks.md. So training asks OpenMP to wait
/// passively, unless the user set <c>OMP_WAIT_POLICY</c> themselves. OpenMP reads the variable when LightGBM's library is
/// loaded, at the first fit, so it is set in the native environment (setenv) before that; .NET's own
/// Environment.SetEnvironmentVariable does not reach native code on Linux.
/// </summary>
internal static class OpenMp
{
    public const string WaitPolicy = "OMP_WAIT_POLICY";

    public static void PreferPassiveWaiting()
    {
        if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable(WaitPolicy) is not null) return;
        try { _ = SetEnv(WaitPolicy, "PASSIVE", 0); }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in this project; one call at start-up.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string name,
        [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string value, int overwrite);
#pragma warning restore SYSLIB1054
}
