using LeadPredict.Core;
using LeadPredict.ML.Linear;
using Microsoft.ML;

namespace LeadPredict.ML.Training;

/// <summary>What cross-validation chose: the recipe fitted on the training part (for the holdout) and then on all rows.</summary>
public sealed record ModelRecipe
{
    public ModelKind Kind { get; init; } = ModelKind.Trees;
    /// <summary>The trees' trainer (for <see cref="ModelKind.Trees"/> and <see cref="ModelKind.Blend"/>).</summary>
    public TrainerAlgorithm TreeAlgorithm { get; init; } = TrainerAlgorithm.LightGbm;
    public int Trees { get; init; }
    /// <summary>The trees' learning rate when it is not <see cref="TrainerOptions.LearningRate"/> (early stopping's).</summary>
    public double? LearningRate { get; init; }
    /// <summary>
    /// Grow at most <see cref="Trees"/> trees and stop when a tenth of the rows, held out of the fit, stops improving
    /// (<see cref="ModelFit.EarlyStoppingRounds"/>); the fitted model's <see cref="Trees"/> is the count it stopped at.
    /// </summary>
    public bool EarlyStopping { get; init; }
    public double LinearC { get; init; } = 1;
    public bool Binned { get; init; }
    /// <summary>In a blend, the linear model's share of the log-odds (the trees have the rest).</summary>
    public double LinearWeight { get; init; }
    public double CalibrationSlope { get; init; } = 1;
    public double CalibrationOffset { get; init; }

    public ModelMix Mix => new()
    {
        Kind = Kind,
        TreeWeight = Kind switch { ModelKind.Trees => 1, ModelKind.Linear => 0, _ => 1 - LinearWeight },
        LinearWeight = Kind switch { ModelKind.Trees => 0, ModelKind.Linear => 1, _ => LinearWeight },
        CalibrationSlope = CalibrationSlope,
        CalibrationOffset = CalibrationOffset,
    };

    public string TreesText => $"{(TreeAlgorithm == TrainerAlgorithm.FastTree ? "FastTree" : "LightGBM")}, {(EarlyStopping ? "up to " : "")}{Trees} trees" +
        (LearningRate is { } rate ? $" at learning rate {rate:0.###}" : "") + (EarlyStopping ? $", stopped early on {ModelFit.EarlyStoppingFraction * 100:0}% of the rows" : "");
    public string LinearText => $"logistic regression (L2, C = {LinearC:0.###}{(Binned ? ", binned numerics" : "")})";

    /// <summary>The model in words, e.g. "blend: 0.7 × LightGBM, 120 trees + 0.3 × logistic regression (...), by log-odds".</summary>
    public string Describe() => Kind switch
    {
        ModelKind.Trees => TreesText,
        ModelKind.Linear => LinearText,
        _ => $"blend of log-odds: {1 - LinearWeight:0.##} × {TreesText} + {LinearWeight:0.##} × {LinearText}",
    } + (CalibrationSlope != 1 || CalibrationOffset != 0 ? $"; Platt-calibrated ({CalibrationSlope:0.###} × log-odds {CalibrationOffset:+0.###;-0.###})" : "");
}

/// <summary>One fitted model: its featurizer and parts, ready to score and to save.</summary>
internal sealed record FittedModel(LeadFeaturizer Featurizer, MLContext Ml, ITransformer? TreeModel, CompiledEnsemble? Ensemble, LinearModel? Linear, ModelMix Mix)
{
    /// <summary>The rows the featurizer learned its medians and vocabularies from (a sample of the fitted rows above <see cref="TrainerOptions.FeaturizerSampleRows"/>).</summary>
    public int FeaturizerRows { get; init; }

    private CompiledModel? _compiled;

    public CompiledModel Compiled => _compiled ??= new CompiledModel(Ensemble, Linear, Mix, Featurizer.Slots.Select(s => s.Column).ToArray());

    public IProbabilityModel Scorer => new CompiledProbabilityModel(Compiled);
}

/// <summary>The fits shared by cross-validation and the final models: trees through ML.NET, the linear model here.</summary>
internal static class ModelFit
{
    /// <summary>With early stopping, the share of the fitting rows held out to decide when to stop (as scikit-learn's HGB does).</summary>
    public const double EarlyStoppingFraction = 0.1;
    /// <summary>Trees without an improvement of the held-out log-loss before growing stops (scikit-learn's HGB waits 10 too).</summary>
    public const int EarlyStoppingRounds = 10;

    /// <summary>
    /// The trainer settings for <paramref name="rows"/> training rows: a leaf needs at most a twentieth of them (at least 2),
    /// so a small history can still split; the configured minimum applies from 1,000 rows up at the default of 50.
    /// </summary>
    /// <summary>The rows the featurizer is fitted on: all of <paramref name="rows"/>, or a seeded sample of <paramref name="max"/> of them (0: none), in row order.</summary>
    internal static int[] FeaturizerRows(int[] rows, int seed, int max)
    {
        if (max == 0 || rows.Length <= max) return rows;
        var order = Enumerable.Range(0, rows.Length).ToArray();
        new Random(seed).Shuffle(order);
        var pick = order[..max];
        Array.Sort(pick);
        return pick.Select(i => rows[i]).ToArray();
    }

    /// <summary>The featurizer's sample in words, for the training output; null when it learned from every row.</summary>
    public static string? DescribeFeaturizerSample(int featurizerRows, int rows) => featurizerRows >= rows ? null
        : $"the featurizer learned its medians and category and word lists on a seeded sample of {featurizerRows:N0} of the {rows:N0} fitted rows";

    public static TrainerOptions ForRows(TrainerOptions options, int rows) =>
        options with { MinExamplesPerLeaf = Math.Min(options.MinExamplesPerLeaf, Math.Max(2, rows / 20)) };

    /// <summary>Trains trees with ML.NET and compiles them; null when the trainer found nothing to split on.</summary>
    public static (ITransformer Model, CompiledEnsemble? Ensemble)? Trees(MLContext ml, TrainerOptions options, float[][] features, bool[] labels, int width)
    {
        ITransformer model;
        try
        {
            model = LeadPipeline.Build(ml, ForRows(options, features.Length)).Fit(LeadPipeline.ToDataView(ml, features, labels, width));
        }
        catch (ArgumentNullException)
        {
            // ML.NET cannot build an ensemble whose trees have no split (no column separates the rows under the leaf-size
            // limit): there are no trees to use. Seen on tiny histories.
            return null;
        }
        return (model, CompiledEnsemble.TryCreate(model, features));
    }

    /// <summary>
    /// LightGBM stopped early: a seeded random tenth of the rows (<see cref="EarlyStoppingFraction"/>) decides when to stop, the
    /// rest is fitted. Compiled against the fitted rows, like every other ensemble.
    /// </summary>
    private static (ITransformer Model, CompiledEnsemble? Ensemble) EarlyStopped(MLContext ml, TrainerOptions options, float[][] features, bool[] labels, int width)
    {
        var order = Enumerable.Range(0, features.Length).ToArray();
        new Random(options.Seed).Shuffle(order);
        var held = (int)(features.Length * EarlyStoppingFraction);
        var valid = order[..held];
        var fit = order[held..];
        Array.Sort(valid);
        Array.Sort(fit);
        var xFit = fit.Select(i => features[i]).ToArray();
        var settings = ForRows(options, xFit.Length);
        var model = LeadPipeline.FitWithEarlyStopping(ml, settings,
            LeadPipeline.ToDataView(ml, xFit, fit.Select(i => labels[i]).ToArray(), width),
            LeadPipeline.ToDataView(ml, valid.Select(i => features[i]).ToArray(), valid.Select(i => labels[i]).ToArray(), width), EarlyStoppingRounds);
        return (model, CompiledEnsemble.TryCreate(model, xFit));
    }

    public static LinearModel[] LinearPath(float[][] features, bool[] labels, bool binned, IReadOnlyList<double> cs, CancellationToken ct) =>
        LogisticRegression.FitPath(LinearDesign.Build(features, binned), labels, cs, ct);

    /// <summary>Fits <paramref name="recipe"/> on the given rows: featurizer, then trees and/or the linear model.</summary>
    public static FittedModel Fit(LeadTable table, DatasetSchema schema, int[] rows, bool[] labels, ModelRecipe recipe, TrainerOptions options,
        Action<string>? progress = null, CancellationToken ct = default)
    {
        progress?.Invoke($"{recipe.Describe()}, {rows.Length:N0} rows");
        var featurizerRows = FeaturizerRows(rows, options.Seed, options.FeaturizerSampleRows);
        var featurizer = LeadFeaturizer.Fit(table, ColumnScreen.For(table, schema, rows, labels, options.Seed), featurizerRows);
        if (DescribeFeaturizerSample(featurizerRows.Length, rows.Length) is { } sampled) progress?.Invoke(sampled);
        var features = featurizer.FeaturizeRows(table, rows);
        var ml = new MLContext(seed: options.Seed);
        ITransformer? model = null;
        CompiledEnsemble? ensemble = null;
        LinearModel? linear = null;
        var treeOptions = options with { Algorithm = recipe.TreeAlgorithm, Trees = recipe.Trees, LearningRate = recipe.LearningRate ?? options.LearningRate };
        if (recipe.Kind != ModelKind.Linear && recipe.EarlyStopping)
        {
            var (model1, ensemble1) = EarlyStopped(ml, treeOptions, features, labels, featurizer.Length);
            (model, ensemble) = (model1, ensemble1 ?? throw new InvalidOperationException("the trained trees could not be compiled"));
        }
        else if (recipe.Kind != ModelKind.Linear)
        {
            var trees = Trees(ml, treeOptions, features, labels, featurizer.Length)
                ?? throw new LeadPredictException($"{recipe.TreesText[..recipe.TreesText.IndexOf(',')]} found no column that separates converted from other leads in {rows.Length:N0} rows, so it has no trees to offer; try --trainer linear.");
            (model, ensemble) = trees;
            if (ensemble is null) throw new InvalidOperationException("the trained trees could not be compiled");
        }
        ct.ThrowIfCancellationRequested();
        if (recipe.Kind != ModelKind.Trees)
        {
            // The path up to the chosen C, each fit starting from the last: the same weights cross-validation measured, reached faster.
            var path = LogisticRegression.Path.Where(c => c < recipe.LinearC).Append(recipe.LinearC).ToArray();
            linear = LinearPath(features, labels, recipe.Binned, path, ct)[^1];
        }
        return new FittedModel(featurizer, ml, model, ensemble, linear, recipe.Mix) { FeaturizerRows = featurizerRows.Length };
    }
}
