using System.Diagnostics;
using LeadPredict.Core;
using LeadPredict.ML.Evaluation;
using LeadPredict.ML.Linear;
using Microsoft.ML;

namespace LeadPredict.ML.Training;

/// <summary>One model compared by cross-validation, with its out-of-fold scores summarised.</summary>
/// <param name="Name">"LightGBM", "FastTree", "logistic regression" or "blend".</param>
/// <param name="Settings">What cross-validation chose for it (trees, C, weight).</param>
/// <param name="Seconds">Time spent fitting and scoring it over all folds.</param>
public sealed record CandidateResult(string Name, string Settings, FoldSummary Auc, FoldSummary LogLoss, double Seconds, bool Chosen, string? Note = null);

/// <summary>What cross-validation found: every candidate's scores, the recipe chosen and why.</summary>
public sealed record SelectionOutcome(ModelRecipe Recipe, IReadOnlyList<CandidateResult> Candidates, IReadOnlyList<FoldSummary> CrossValidation,
    string ChosenBy, CalibrationCheck? Calibration, int Folds);

/// <summary>
/// Chooses the model by k-fold cross-validation on the training part. Every candidate is fitted on the same folds from the
/// same featurized leads: the boosted trees (LightGBM; FastTree up to <see cref="FastTreeMaxRows"/> training rows), whose
/// number of trees is read off the partial sums of each fold's ensemble; a logistic regression, with and without binned
/// numerics, along a path of L2 strengths; and a blend of the best trees and the regression, a weighted sum of their
/// log-odds whose weight is chosen on out-of-fold scores (cross-fitted: each fold's weight comes from the other folds, so its
/// score is honest). The winner has the best mean AUC; within <see cref="AucTie"/>, the lower log-loss wins.
/// </summary>
public static class ModelSelection
{
    public const int TreeStep = 10;
    /// <summary>Mean CV AUCs closer than this are a tie, broken by log-loss.</summary>
    public const double AucTie = 0.0005;
    /// <summary>FastTree is a candidate up to this many training rows: above it LightGBM trains several times faster at the same AUC (docs/benchmarks.md).</summary>
    public const int FastTreeMaxRows = 50_000;
    /// <summary>
    /// FastTree is not a candidate above this many feature slots: its cost grows with the width whatever the row count (2,000
    /// columns, 4,000 slots, 400 leads: 132 s of a 164 s cross-validation, against LightGBM's 26 s; docs/benchmarks.md).
    /// </summary>
    public const int FastTreeMaxSlots = 1_000;
    /// <summary>The blend's linear shares tried.</summary>
    private static readonly double[] BlendWeights = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    public static SelectionOutcome Run(LeadTable table, DatasetSchema schema, HoldoutSplit split, TrainingConfig config, ITrainingObserver observer, CancellationToken ct)
    {
        var options = config.Trainer;
        var n = split.TrainRows.Length;
        var minority = HoldoutSplit.MaxFolds(split.TrainLabels, split.TrainGroups);
        var k = Math.Min(config.Evaluation.Folds, minority);
        var maxRows = config.Evaluation.CrossValidationMaxRows;
        string? skip = config.Evaluation.Folds < 2 ? $"cross-validation is off (evaluation.folds = {config.Evaluation.Folds})"
            : maxRows > 0 && n > maxRows ? $"{n:N0} training rows is more than evaluation.crossValidationMaxRows ({maxRows:N0})"
            : k < 2 ? $"the training part has only {minority} lead(s) of one class, too few to cross-validate"
            : null;
        if (skip is not null) return WithoutCrossValidation(options, skip, observer, earlyStopping: maxRows > 0 && n > maxRows && options.ChooseTreesByCrossValidation);
        if (k < config.Evaluation.Folds)
            observer.Warning($"{k}-fold cross-validation instead of {config.Evaluation.Folds}: the training part has only {minority} leads of one class, and every fold needs one.");

        var trees = options.Algorithm switch
        {
            TrainerAlgorithm.Auto => n <= FastTreeMaxRows ? [TrainerAlgorithm.LightGbm, TrainerAlgorithm.FastTree] : new[] { TrainerAlgorithm.LightGbm },
            TrainerAlgorithm.Blend => [TrainerAlgorithm.LightGbm],
            TrainerAlgorithm.Linear => [],
            var a => [a],
        };
        var linear = options.Algorithm is TrainerAlgorithm.Auto or TrainerAlgorithm.Linear or TrainerAlgorithm.Blend;
        var folds = HoldoutSplit.Folds(split.TrainLabels, k, options.Seed, split.TrainGroups);
        var labels = split.TrainLabels;
        var choose = options.ChooseTreesByCrossValidation && options.Trees >= 2 * TreeStep;

        // Out-of-fold log-odds: trees per checkpoint (every TreeStep trees) or at their full size; the linear model per variant and C.
        var treeScores = trees.ToDictionary(a => a, _ => new double[n][]);
        var treeSeconds = trees.ToDictionary(a => a, _ => 0.0);
        var treeFailed = new HashSet<TrainerAlgorithm>();
        var variantFolds = new Dictionary<bool, int>();
        var linearScores = new Dictionary<(bool Binned, int C), double[]>();
        var linearSeconds = 0.0;
        int? wide = null;
        for (var f = 0; f < k; f++)
        {
            ct.ThrowIfCancellationRequested();
            observer.Progress(new("Cross-validating", (double)f / k, $"fold {f + 1} of {k}"));
            var trainIdx = Enumerable.Range(0, n).Where(i => folds[i] != f).ToArray();
            var validIdx = Enumerable.Range(0, n).Where(i => folds[i] == f).ToArray();
            var trainRows = trainIdx.Select(i => split.TrainRows[i]).ToArray();
            var trainLabels = trainIdx.Select(i => labels[i]).ToArray();
            var featurizer = LeadFeaturizer.Fit(table, ColumnScreen.For(table, schema, trainRows, trainLabels, options.Seed), trainRows);
            if (f == 0 && options.Algorithm == TrainerAlgorithm.Auto && featurizer.Length > FastTreeMaxSlots && trees.Contains(TrainerAlgorithm.FastTree))
            {
                trees = trees.Where(a => a != TrainerAlgorithm.FastTree).ToArray();
                wide = featurizer.Length;
            }
            var xTrain = featurizer.FeaturizeRows(table, trainRows);
            var xValid = featurizer.FeaturizeRows(table, validIdx.Select(i => split.TrainRows[i]).ToArray());
            foreach (var algorithm in trees)
            {
                if (treeFailed.Contains(algorithm)) continue;
                var watch = Stopwatch.StartNew();
                var ml = new MLContext(seed: options.Seed);
                var fit = ModelFit.Trees(ml, options with { Algorithm = algorithm }, xTrain, trainLabels, featurizer.Length);
                if (fit is not { Ensemble: { } ensemble })
                {
                    treeFailed.Add(algorithm);
                    continue;
                }
                for (var v = 0; v < validIdx.Length; v++)
                {
                    var raw = choose ? ensemble.RawScoresByTreeCount(xValid[v], TreeStep) : [ensemble.RawScore(xValid[v])];
                    for (var c = 0; c < raw.Length; c++) raw[c] = -(ensemble.PlattSlope * raw[c] + ensemble.PlattOffset);
                    treeScores[algorithm][validIdx[v]] = raw;
                }
                treeSeconds[algorithm] += watch.Elapsed.TotalSeconds;
            }
            if (linear)
            {
                var watch = Stopwatch.StartNew();
                var identity = Enumerable.Range(0, featurizer.Length).ToArray();
                foreach (var binned in new[] { false, true })
                {
                    var design = LinearDesign.Build(xTrain, binned);
                    // Without numeric slots to bin, the binned design is the plain one.
                    if (binned && design.Thresholds.All(t => t is null)) continue;
                    variantFolds[binned] = variantFolds.GetValueOrDefault(binned) + 1;
                    var models = LogisticRegression.FitPath(design, trainLabels, LogisticRegression.Path, ct);
                    for (var c = 0; c < models.Length; c++)
                    {
                        if (!linearScores.TryGetValue((binned, c), out var scores)) linearScores[(binned, c)] = scores = new double[n];
                        var scorer = new LinearScorer(models[c], identity);
                        for (var v = 0; v < validIdx.Length; v++) scores[validIdx[v]] = scorer.LogOdds(xValid[v]);
                    }
                }
                linearSeconds += watch.Elapsed.TotalSeconds;
            }
        }
        observer.Progress(new("Cross-validating", 1, $"{k} folds done"));

        var candidates = new List<(CandidateResult Result, ModelRecipe Recipe, double[] LogOdds)>();
        foreach (var algorithm in trees)
        {
            var name = algorithm == TrainerAlgorithm.FastTree ? "FastTree" : "LightGBM";
            if (treeFailed.Contains(algorithm))
            {
                observer.Warning($"{name} found no column that separates converted from other leads in a fold's training rows, so it is not a candidate.");
                continue;
            }
            var scores = treeScores[algorithm];
            int count;
            double[] logOdds;
            if (choose)
            {
                var checkpoints = scores.Min(s => s.Length);
                var mean = new double[checkpoints];
                for (var c = 0; c < checkpoints; c++)
                {
                    var at = c;
                    mean[c] = FoldMean(folds, k, i => scores[i][at], labels, (p, y) => RankMetrics.Auc(p, y));
                }
                // The smallest forest within a hair of the best: fewer trees generalise better at equal validation AUC.
                var best = mean.Max();
                var chosen = Array.FindIndex(mean, v => v >= best - AucTie);
                count = (chosen + 1) * TreeStep;
                logOdds = scores.Select(s => s[chosen]).ToArray();
            }
            else
            {
                count = options.Trees;
                logOdds = scores.Select(s => s[0]).ToArray();
            }
            var recipe = new ModelRecipe { Kind = ModelKind.Trees, TreeAlgorithm = algorithm, Trees = count };
            candidates.Add((Summarise(name, $"{count} trees" + (choose ? $" of at most {options.Trees}" : ""), logOdds, labels, folds, k, treeSeconds[algorithm]), recipe, logOdds));
        }
        if (linear && linearScores.Count > 0)
        {
            var best = linearScores.Keys.Where(key => variantFolds[key.Binned] == k)
                .Select(key => (Key: key, Auc: FoldMean(folds, k, i => linearScores[key][i], labels, (p, y) => RankMetrics.Auc(p, y)),
                    LogLoss: FoldMean(folds, k, i => linearScores[key][i], labels, LogLoss)))
                .OrderByDescending(c => c.Auc).ThenBy(c => c.LogLoss).First();
            var recipe = new ModelRecipe { Kind = ModelKind.Linear, LinearC = LogisticRegression.Path[best.Key.C], Binned = best.Key.Binned };
            var scores = linearScores[best.Key];
            candidates.Add((Summarise("logistic regression", $"C = {recipe.LinearC:0.###}" + (recipe.Binned ? ", binned numerics" : ", numerics as they are"),
                scores, labels, folds, k, linearSeconds), recipe, scores));
        }
        var bestTrees = candidates.Where(c => c.Recipe.Kind == ModelKind.Trees).OrderByDescending(c => c.Result.Auc.Mean).FirstOrDefault();
        var bestLinear = candidates.FirstOrDefault(c => c.Recipe.Kind == ModelKind.Linear);
        if (bestTrees.Result is not null && bestLinear.Result is not null)
            candidates.Add(Blend(bestTrees, bestLinear, labels, folds, k));
        if (candidates.Count == 0)
            throw new LeadPredictException("no model could be trained: the trees found no column that separates converted from other leads in any fold; try --trainer linear.");

        var pick = options.Algorithm == TrainerAlgorithm.Blend && candidates.Any(c => c.Recipe.Kind == ModelKind.Blend)
            ? candidates.First(c => c.Recipe.Kind == ModelKind.Blend)
            : Choose(candidates);
        var chosenBy = options.Algorithm switch
        {
            TrainerAlgorithm.Auto => $"the best mean AUC over {k}-fold cross-validation among {candidates.Count} candidates (log-loss breaks ties within {AucTie})",
            var a => $"trainer.algorithm = {a}; cross-validation chose its settings",
        };
        if (options.Algorithm == TrainerAlgorithm.Auto && n > FastTreeMaxRows)
            chosenBy += $"; FastTree was not tried above {FastTreeMaxRows:N0} training rows";
        if (wide is { } slots)
            chosenBy += $"; FastTree was not tried on {slots:N0} feature slots (above {FastTreeMaxSlots:N0})";

        var calibration = CalibrationCheck.Measure(pick.LogOdds, labels, folds, k);
        var final = pick.Recipe with
        {
            CalibrationSlope = calibration.Applied ? calibration.Slope : 1,
            CalibrationOffset = calibration.Applied ? calibration.Offset : 0,
        };
        var probabilities = pick.LogOdds.Select(Platt.Sigmoid).ToArray();
        var perFold = Enumerable.Range(0, k).Select(f =>
        {
            var at = Enumerable.Range(0, n).Where(i => folds[i] == f).ToArray();
            return BinaryMetrics.Compute(at.Select(i => probabilities[i]).ToArray(), at.Select(i => labels[i]).ToArray(), config.Evaluation.Threshold, withCurves: false);
        }).ToArray();
        IReadOnlyList<FoldSummary> summary = [FoldSummary.Of("AUC", perFold.Select(m => m.Auc).Where(double.IsFinite).ToArray()),
            FoldSummary.Of("PR AUC", perFold.Select(m => m.PrAuc).Where(double.IsFinite).ToArray()),
            FoldSummary.Of("log-loss (nats)", perFold.Select(m => m.LogLossNats).ToArray())];
        var results = candidates.Select(c => c.Result with { Chosen = ReferenceEquals(c.Result, pick.Result) }).ToArray();
        return new SelectionOutcome(final, results, summary, chosenBy, calibration, k);
    }

    /// <summary>
    /// The recipe when there is no cross-validation. Above <c>evaluation.crossValidationMaxRows</c> (<paramref name="earlyStopping"/>)
    /// LightGBM's number of trees is found by early stopping at <see cref="TrainerOptions.EarlyStoppingLearningRate"/> instead.
    /// </summary>
    private static SelectionOutcome WithoutCrossValidation(TrainerOptions options, string why, ITrainingObserver observer, bool earlyStopping = false)
    {
        var stop = earlyStopping && options.Algorithm is TrainerAlgorithm.Auto or TrainerAlgorithm.Blend or TrainerAlgorithm.LightGbm;
        var recipe = options.Algorithm switch
        {
            TrainerAlgorithm.Linear => new ModelRecipe { Kind = ModelKind.Linear, LinearC = 1, Binned = false },
            TrainerAlgorithm.FastTree => new ModelRecipe { TreeAlgorithm = TrainerAlgorithm.FastTree, Trees = options.Trees },
            _ when stop => new ModelRecipe { TreeAlgorithm = TrainerAlgorithm.LightGbm, Trees = options.Trees, LearningRate = options.EarlyStoppingLearningRate, EarlyStopping = true },
            _ => new ModelRecipe { TreeAlgorithm = TrainerAlgorithm.LightGbm, Trees = options.Trees },
        };
        var trees = stop
            ? $"LightGBM at learning rate {options.EarlyStoppingLearningRate:0.###}, its number of trees (at most {options.Trees}) found by early stopping on a random {ModelFit.EarlyStoppingFraction * 100:0}% of the training rows, fitted on the rest"
            : $"LightGBM with all {options.Trees} trees";
        var chosenBy = options.Algorithm switch
        {
            TrainerAlgorithm.Auto => $"no model choice: {why}; {trees}",
            TrainerAlgorithm.Blend => $"no blend: {why}, and the blend's weight is chosen by cross-validation; {trees}",
            TrainerAlgorithm.Linear => $"trainer.algorithm = linear; {why}, so C = 1 (scikit-learn's default), numerics as they are",
            TrainerAlgorithm.LightGbm when stop => $"trainer.algorithm = lightGbm; {why}; {trees}",
            var a => $"trainer.algorithm = {a}; {why}; all {options.Trees} trees",
        };
        observer.Progress(new("Cross-validating", 1, "skipped: " + why));
        return new SelectionOutcome(recipe, [], [], chosenBy, null, 0);
    }

    /// <summary>The best mean AUC; among those within <see cref="AucTie"/> of it, the lowest mean log-loss (then the earlier candidate).</summary>
    private static (CandidateResult Result, ModelRecipe Recipe, double[] LogOdds) Choose(List<(CandidateResult Result, ModelRecipe Recipe, double[] LogOdds)> candidates)
    {
        var best = candidates.Max(c => c.Result.Auc.Mean);
        return candidates.Where(c => c.Result.Auc.Mean >= best - AucTie).MinBy(c => c.Result.LogLoss.Mean);
    }

    /// <summary>
    /// The blend of the best trees and the linear model: log-odds (1 − w) × trees + w × linear. Each fold is scored at the
    /// weight that is best on the other folds (so the blend's CV score is as honest as the others'); the model keeps the weight
    /// best on all folds.
    /// </summary>
    private static (CandidateResult, ModelRecipe, double[]) Blend((CandidateResult Result, ModelRecipe Recipe, double[] LogOdds) trees,
        (CandidateResult Result, ModelRecipe Recipe, double[] LogOdds) linear, bool[] labels, int[] folds, int k)
    {
        var n = labels.Length;
        var aucs = new double[BlendWeights.Length, k];
        for (var w = 0; w < BlendWeights.Length; w++)
        {
            var weight = BlendWeights[w];
            var mixed = Mix(trees.LogOdds, linear.LogOdds, weight);
            for (var f = 0; f < k; f++) aucs[w, f] = FoldValue(folds, f, mixed, labels, (p, y) => RankMetrics.Auc(p, y));
        }
        int BestWeight(int? leaveOut)
        {
            var best = 0;
            var bestMean = double.NegativeInfinity;
            for (var w = 0; w < BlendWeights.Length; w++)
            {
                var mean = MeanOfFolds(Enumerable.Range(0, k).Where(f => f != leaveOut).Select(f => aucs[w, f]));
                if (mean > bestMean + 1e-12) (best, bestMean) = (w, mean);
            }
            return best;
        }
        var honest = new double[n];
        var foldAuc = new double[k];
        var foldLogLoss = new double[k];
        for (var f = 0; f < k; f++)
        {
            var weight = BlendWeights[BestWeight(f)];
            for (var i = 0; i < n; i++)
                if (folds[i] == f) honest[i] = (1 - weight) * trees.LogOdds[i] + weight * linear.LogOdds[i];
            foldAuc[f] = FoldValue(folds, f, honest, labels, (p, y) => RankMetrics.Auc(p, y));
            foldLogLoss[f] = FoldValue(folds, f, honest, labels, LogLoss);
        }
        var chosen = BlendWeights[BestWeight(null)];
        var recipe = trees.Recipe with { Kind = ModelKind.Blend, LinearC = linear.Recipe.LinearC, Binned = linear.Recipe.Binned, LinearWeight = chosen };
        var result = new CandidateResult("blend", $"{1 - chosen:0.#} × {trees.Result.Name} + {chosen:0.#} × logistic regression (log-odds; weight chosen on out-of-fold scores)",
            FoldSummary.Of("AUC", foldAuc.Where(double.IsFinite).ToArray()), FoldSummary.Of("log-loss (nats)", foldLogLoss), trees.Result.Seconds + linear.Result.Seconds, false);
        return (result, recipe, Mix(trees.LogOdds, linear.LogOdds, chosen));
    }

    private static double[] Mix(double[] trees, double[] linear, double weight)
    {
        var mixed = new double[trees.Length];
        for (var i = 0; i < mixed.Length; i++) mixed[i] = (1 - weight) * trees[i] + weight * linear[i];
        return mixed;
    }

    private static CandidateResult Summarise(string name, string settings, double[] logOdds, bool[] labels, int[] folds, int k, double seconds)
    {
        var auc = Enumerable.Range(0, k).Select(f => FoldValue(folds, f, logOdds, labels, (p, y) => RankMetrics.Auc(p, y))).Where(double.IsFinite).ToArray();
        var logLoss = Enumerable.Range(0, k).Select(f => FoldValue(folds, f, logOdds, labels, LogLoss)).ToArray();
        return new CandidateResult(name, settings, FoldSummary.Of("AUC", auc), FoldSummary.Of("log-loss (nats)", logLoss), seconds, false);
    }

    private static double FoldMean(int[] folds, int k, Func<int, double> score, bool[] labels, Func<double[], bool[], double> metric)
    {
        var values = new double[folds.Length];
        for (var i = 0; i < values.Length; i++) values[i] = score(i);
        return MeanOfFolds(Enumerable.Range(0, k).Select(f => FoldValue(folds, f, values, labels, metric)));
    }

    /// <summary>The mean over folds whose metric is defined (a fold of whole groups may hold one class only).</summary>
    private static double MeanOfFolds(IEnumerable<double> values)
    {
        var defined = values.Where(double.IsFinite).ToArray();
        return defined.Length == 0 ? double.NaN : defined.Average();
    }

    private static double FoldValue(int[] folds, int f, double[] values, bool[] labels, Func<double[], bool[], double> metric)
    {
        var count = 0;
        foreach (var g in folds) if (g == f) count++;
        var v = new double[count];
        var y = new bool[count];
        for (int i = 0, j = 0; i < folds.Length; i++)
            if (folds[i] == f) { v[j] = values[i]; y[j++] = labels[i]; }
        return metric(v, y);
    }

    /// <summary>Mean log-loss in nats of log-odds against outcomes.</summary>
    private static double LogLoss(double[] logOdds, bool[] labels)
    {
        double sum = 0;
        for (var i = 0; i < logOdds.Length; i++)
        {
            // −log σ(±z) = log(1 + e^(∓z)), computed without overflow.
            var z = labels[i] ? logOdds[i] : -logOdds[i];
            sum += z > 0 ? Math.Log(1 + Math.Exp(-z)) : -z + Math.Log(1 + Math.Exp(z));
        }
        return sum / logOdds.Length;
    }
}
