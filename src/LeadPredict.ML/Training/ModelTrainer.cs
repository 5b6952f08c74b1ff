using System.Diagnostics;
using System.Security.Cryptography;
using LeadPredict.Core;
using LeadPredict.ML.Evaluation;
using Microsoft.ML;

namespace LeadPredict.ML.Training;

/// <summary>
/// One training run: read and check the data, look for leaks, hold out the newest leads, cross-validate, train,
/// measure, explain, compare with the champion, and write the model atomically.
/// </summary>
public sealed class ModelTrainer(TimeProvider time, IReadOnlyList<ITrainingExtension>? extensions = null)
{
    private readonly IReadOnlyList<ITrainingExtension> _extensions = extensions ?? [];

    public TrainingOutcome Train(TrainingRequest request, ITrainingObserver? observer = null, CancellationToken ct = default)
    {
        observer ??= SilentObserver.Instance;
        var config = request.Config;
        config.Validate(request.ConfigSource);
        var options = config.Trainer;

        observer.Progress(new("Reading data"));
        var table = LeadTable.Load(request.DataPath, config.SeparatorChar, config.MissingTokens,
            new Progress<long>(rows => observer.Progress(new("Reading data", null, $"{rows:N0} rows"))), ct);
        var data = SchemaResolver.Resolve(config, table, request.ConfigSource);
        foreach (var warning in data.Warnings) observer.Warning(warning);
        if (data.MissingLabels > 0)
            observer.Warning($"{data.MissingLabels:N0} row(s) have no value in label column '{data.Schema.Label}' and are left out of training.");
        var positives = data.Labels.Count(b => b);
        if (positives < 10 || data.Labels.Length - positives < 10)
            throw new LeadPredictException($"{Path.GetFileName(request.DataPath)}: too few examples of one class ({positives} converted, {data.Labels.Length - positives} not); at least 10 of each are needed.");

        foreach (var ext in _extensions) ext.Prepare(table, data);

        observer.Progress(new("Checking columns for leaks"));
        var suspects = LeakGuard.Find(table, LeakCheckSample(data, options.Seed), options.Seed);
        observer.LeakSuspects(suspects);
        ct.ThrowIfCancellationRequested();

        var split = HoldoutSplit.Create(table, data, config.Evaluation.HoldoutFraction, options.Seed);
        var (cv, chosenTrees) = CrossValidate(table, data, split, config, observer, ct);
        if (chosenTrees is { } best)
        {
            options = options with { Trees = best };
            observer.Progress(new("Cross-validating", 1, $"best number of trees: {best} of at most {config.Trainer.Trees}"));
        }

        var ml = new MLContext(seed: options.Seed);
        var (featurizer, model, ensemble, scorer) = Fit(ml, table, data.Schema, split.TrainRows, split.TrainLabels, options,
            onFeaturized: () => observer.Progress(new("Training", null, $"{options.Algorithm}, {options.Trees} trees, {split.TrainRows.Length:N0} rows")),
            onStart: () => observer.Progress(new("Featurizing", null, $"{split.TrainRows.Length:N0} training rows")));
        ct.ThrowIfCancellationRequested();

        observer.Progress(new("Evaluating on the holdout", null, split.Method));
        var holdoutFeatures = featurizer.FeaturizeRows(table, split.HoldoutRows);
        var probes = MakeProbes(ml, model, featurizer.Length, holdoutFeatures);
        if (ensemble is not null)
            foreach (var probe in probes)
                if (Math.Abs(ensemble.Probability(probe.Features) - probe.Probability) > 1e-5)
                    throw new InvalidOperationException("the compiled ensemble disagrees with ML.NET's prediction");
        var holdoutProbabilities = scorer.ScoreAll(holdoutFeatures);
        var metrics = BinaryMetrics.Compute(holdoutProbabilities, split.HoldoutLabels, config.Evaluation.Threshold);

        observer.Progress(new("Measuring feature importance"));
        var importance = PermutationImportance.Compute(table, split, featurizer, scorer, metrics.Auc, request.ImportanceRepeats, options.Seed, ct);

        var sha = Sha256Of(request.DataPath);
        var now = time.GetUtcNow();
        var card = new ModelCard
        {
            Version = $"{now:yyyyMMdd-HHmmss}-{sha[..8].ToLowerInvariant()}",
            TrainedAt = now,
            DataFile = Path.GetFileName(request.DataPath),
            DataSha256 = sha,
            Rows = data.Labels.Length,
            Positives = positives,
            Label = data.Schema.Label,
            PositiveLabel = data.Schema.PositiveLabel,
            HoldoutMethod = split.Method,
            TrainingRows = split.TrainRows.Length,
            HoldoutRows = split.HoldoutRows.Length,
            FeatureColumns = data.Schema.Features.Count,
            FeatureSlots = featurizer.Length,
            Trainer = options,
            Holdout = CardMetrics.From(metrics),
            CrossValidation = cv,
            DecileCutPoints = DecileCuts(holdoutProbabilities),
            Grades = config.Grades,
            Versions = new Dictionary<string, string>
            {
                ["leadpredict"] = typeof(ModelTrainer).Assembly.GetName().Version?.ToString() ?? "0",
                ["ml.net"] = typeof(MLContext).Assembly.GetName().Version?.ToString() ?? "?",
                ["dotnet"] = Environment.Version.ToString(),
            },
        };
        var report = new TrainingReport
        {
            Card = card,
            HoldoutMetrics = metrics,
            Columns = data.Profiles,
            LeakSuspects = suspects,
            Importance = importance,
            MissingLabels = data.MissingLabels,
            HoldoutProbabilities = holdoutProbabilities,
            HoldoutLabels = split.HoldoutLabels,
        };

        observer.Progress(new("Comparing with the current model"));
        var champion = CompareWithChampion(request, table, split, metrics.Auc, config.Evaluation.ChampionTolerance);
        report = report with { Champion = champion };

        var context = new TrainingContext(table, data, split, holdoutProbabilities, report, request);
        var extras = new Dictionary<string, string>();
        foreach (var ext in _extensions)
            if (ext.AfterEvaluation(context) is { } extra) extras[extra.Name] = extra.Json;
        report = report with { Extensions = extras.ToDictionary(kv => kv.Key, kv => System.Text.Json.JsonDocument.Parse(kv.Value).RootElement.Clone()) };
        context = context with { Report = report };

        ct.ThrowIfCancellationRequested();
        observer.Progress(new("Saving"));
        var promoted = champion?.Promoted ?? true;
        var target = promoted ? request.ModelPath : CandidatePath(request.ModelPath);
        var bundle = new ModelBundle
        {
            Schema = data.Schema, Featurizer = featurizer, Model = model, ModelInputSchema = InputSchemaOf(ml, featurizer.Length),
            Ensemble = ensemble, Card = card, Report = report, Probes = probes, Extras = extras,
        };
        // An unreadable champion is no model to go back to: it is kept apart for inspection, and the last good previous stays.
        var setAside = champion is { ChampionUnreadable: true } ? CorruptPath(request.ModelPath) : PreviousPath(request.ModelPath);
        if (promoted && champion is not null && File.Exists(request.ModelPath))
            File.Copy(request.ModelPath, setAside, overwrite: true);
        var reportPath = ReportPath(target);
        // The metrics and the extensions' files (the HTML report) describe this model: published with it, never beside another.
        var companions = new List<AtomicFile.Part> { new(reportPath, s => System.Text.Json.JsonSerializer.Serialize(s, report, DatasetConfig.Json)) };
        foreach (var ext in _extensions) companions.AddRange(ext.Companions(context, target));
        AtomicFile.WriteTogether(target, s => bundle.Write(s, ml), companions);

        var message = champion is null ? $"Saved model {card.Version} to {target}."
            : promoted && champion.ChampionUnreadable ? $"Saved model {card.Version} to {target}: {champion.Decision} (the unreadable file is kept as {Path.GetFileName(setAside)})."
            : promoted ? $"Saved model {card.Version} to {target}: {champion.Decision} (the previous model is kept as {Path.GetFileName(setAside)})."
            : $"Kept the current model: {champion.Decision}. The candidate was saved to {target}; use --force to replace the model anyway.";
        var outcome = new TrainingOutcome(report, promoted, target, reportPath, message);
        foreach (var ext in _extensions) ext.AfterSave(context, outcome);
        return outcome;
    }

    public static string CandidatePath(string modelPath) => WithSuffix(modelPath, ".candidate");
    public static string PreviousPath(string modelPath) => WithSuffix(modelPath, ".previous");
    /// <summary>Where an unreadable model replaced with --force is kept (not as the previous model: it cannot be gone back to).</summary>
    public static string CorruptPath(string modelPath) => WithSuffix(modelPath, ".corrupt");
    public static string ReportPath(string modelPath) => Path.ChangeExtension(modelPath, null) + ".metrics.json";

    private static string WithSuffix(string path, string suffix) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path) + suffix + Path.GetExtension(path));

    private static DataViewSchema InputSchemaOf(MLContext ml, int width) =>
        LeadPipeline.ToDataView(ml, Array.Empty<float[]>(), Array.Empty<bool>(), width).Schema;

    private const int TreeStep = 10;

    /// <summary>Above this many labelled rows the leak check looks at a random sample of this size: its AUCs are then exact to about ±0.002, far inside the 0.95 threshold.</summary>
    private const int LeakCheckRows = 200_000;

    private static ResolvedDataset LeakCheckSample(ResolvedDataset data, int seed)
    {
        if (data.LabelledRows.Length <= LeakCheckRows) return data;
        var pick = Enumerable.Range(0, data.LabelledRows.Length).ToArray();
        new Random(seed).Shuffle(pick);
        Array.Sort(pick, 0, LeakCheckRows);
        var rows = new int[LeakCheckRows];
        var labels = new bool[LeakCheckRows];
        for (var i = 0; i < LeakCheckRows; i++) { rows[i] = data.LabelledRows[pick[i]]; labels[i] = data.Labels[pick[i]]; }
        return data with { LabelledRows = rows, Labels = labels };
    }

    private static (IReadOnlyList<FoldSummary> Summary, int? Trees) CrossValidate(LeadTable table, ResolvedDataset data, HoldoutSplit split, TrainingConfig config, ITrainingObserver observer, CancellationToken ct)
    {
        var k = config.Evaluation.Folds;
        if (k < 2) return ([], null);
        var options = config.Trainer;
        var choose = options.ChooseTreesByCrossValidation && options.Algorithm != TrainerAlgorithm.Linear && options.Trees >= 2 * TreeStep;
        var aucByTrees = new List<double[]>();
        var foldScores = new List<(double[][] Partial, bool[] Labels, CompiledEnsemble Ensemble)>();
        var folds = HoldoutSplit.Folds(split.TrainLabels, k, options.Seed);
        var auc = new List<double>();
        var prAuc = new List<double>();
        var logLoss = new List<double>();
        // Large data: no cross-validation. k + 1 fits on a million rows cost minutes, the configured number of trees does not
        // overfit at that size, and the holdout still measures the model honestly.
        var maxRows = config.Evaluation.CrossValidationMaxRows;
        if (maxRows > 0 && split.TrainRows.Length > maxRows)
        {
            observer.Progress(new("Cross-validating", 1,
                $"skipped: {split.TrainRows.Length:N0} training rows is more than evaluation.crossValidationMaxRows ({maxRows:N0}); using all {options.Trees} trees"));
            return ([], null);
        }
        for (var f = 0; f < k; f++)
        {
            ct.ThrowIfCancellationRequested();
            observer.Progress(new("Cross-validating", (double)f / k, $"fold {f + 1} of {k}"));
            var trainIdx = Enumerable.Range(0, folds.Length).Where(i => folds[i] != f).ToArray();
            var validIdx = Enumerable.Range(0, folds.Length).Where(i => folds[i] == f).ToArray();
            var trainRows = trainIdx.Select(i => split.TrainRows[i]).ToArray();
            var trainLabels = trainIdx.Select(i => split.TrainLabels[i]).ToArray();
            var validRows = validIdx.Select(i => split.TrainRows[i]).ToArray();
            var validLabels = validIdx.Select(i => split.TrainLabels[i]).ToArray();
            var (featurizer, _, ensemble, scorer) = Fit(new MLContext(seed: options.Seed), table, data.Schema, trainRows, trainLabels, options);
            var validFeatures = featurizer.FeaturizeRows(table, validRows);
            if (choose && ensemble is not null)
            {
                // The partial sums give every forest size at once; the summary is then computed at the chosen size below.
                var partial = validFeatures.Select(v => ensemble.RawScoresByTreeCount(v, TreeStep)).ToArray();
                foldScores.Add((partial, validLabels, ensemble));
                aucByTrees.Add(Enumerable.Range(0, partial[0].Length)
                    .Select(c => RankMetrics.Auc(partial.Select(p => p[c]).ToArray(), validLabels)).ToArray());
                continue;
            }
            var m = BinaryMetrics.Compute(scorer.ScoreAll(validFeatures), validLabels, config.Evaluation.Threshold, withCurves: false);
            auc.Add(m.Auc);
            prAuc.Add(m.PrAuc);
            logLoss.Add(m.LogLossNats);
        }
        observer.Progress(new("Cross-validating", 1, $"{k} folds done"));
        if (aucByTrees.Count != k)
            return ([FoldSummary.Of("AUC", auc), FoldSummary.Of("PR AUC", prAuc), FoldSummary.Of("log-loss (nats)", logLoss)], null);
        var checkpoints = aucByTrees.Min(a => a.Length);
        var mean = Enumerable.Range(0, checkpoints).Select(c => aucByTrees.Average(a => a[c])).ToArray();
        // The smallest forest within a hair of the best: fewer trees generalise better at equal validation AUC.
        var bestAuc = mean.Max();
        var chosen = Array.FindIndex(mean, v => v >= bestAuc - 0.0005);
        // Report cross-validation at the chosen number of trees, the model that is actually shipped.
        var atChosen = foldScores.Select(f => BinaryMetrics.Compute(
            f.Partial.Select(p => f.Ensemble.ToProbability(p[chosen])).ToArray(), f.Labels, config.Evaluation.Threshold, withCurves: false)).ToArray();
        IReadOnlyList<FoldSummary> summary = [FoldSummary.Of("AUC", atChosen.Select(m => m.Auc).ToArray()), FoldSummary.Of("PR AUC", atChosen.Select(m => m.PrAuc).ToArray()),
                   FoldSummary.Of("log-loss (nats)", atChosen.Select(m => m.LogLossNats).ToArray())];
        return (summary, (chosen + 1) * TreeStep);
    }

    /// <summary>Featurizes the rows, trains the configured pipeline and compiles the ensemble: the one fit used by CV and the final model.</summary>
    private static (LeadFeaturizer Featurizer, ITransformer Model, CompiledEnsemble? Ensemble, IProbabilityModel Scorer) Fit(
        MLContext ml, LeadTable table, DatasetSchema schema, int[] rows, bool[] labels, TrainerOptions options,
        Action? onFeaturized = null, Action? onStart = null)
    {
        onStart?.Invoke();
        var featurizer = LeadFeaturizer.Fit(table, schema, rows);
        var features = featurizer.FeaturizeRows(table, rows);
        onFeaturized?.Invoke();
        var model = LeadPipeline.Build(ml, options, features.Length).Fit(LeadPipeline.ToDataView(ml, features, labels, featurizer.Length));
        var ensemble = CompiledEnsemble.TryCreate(model, features);
        return (featurizer, model, ensemble, ProbabilityModels.For(ensemble, ml, model, featurizer.Length));
    }

    private static List<ProbeRow> MakeProbes(MLContext ml, ITransformer model, int width, float[][] features)
    {
        using var engine = ml.Model.CreatePredictionEngine<FeatureRow, ScoreRow>(model, inputSchemaDefinition: LeadPipeline.InputSchema(width));
        return features.Take(5).Select(f => new ProbeRow(f, engine.Predict(new FeatureRow { Features = f }).Probability)).ToList();
    }

    private static IReadOnlyList<double> DecileCuts(double[] probabilities)
    {
        var sorted = probabilities.OrderByDescending(p => p).ToArray();
        return Enumerable.Range(1, 9).Select(d => sorted[Math.Min(sorted.Length - 1, (int)((long)sorted.Length * d / 10))]).ToArray();
    }

    private static ChampionComparison? CompareWithChampion(TrainingRequest request, LeadTable table, HoldoutSplit split, double candidateAuc, double tolerance)
    {
        if (!File.Exists(request.ModelPath)) return null;
        ModelBundle champion;
        try
        {
            champion = ModelBundle.Load(request.ModelPath);
        }
        catch (LeadPredictException e)
        {
            if (request.Force)
                return new ChampionComparison("unreadable", double.NaN, candidateAuc, tolerance, true,
                    $"the existing model could not be read ({e.Message}); replaced because of --force", ChampionUnreadable: true);
            throw new LeadPredictException($"the existing model cannot be read, so the new one cannot be compared with it ({e.Message}); use --force to replace it.", ProblemKind.BadModel, e);
        }
        var missing = champion.Featurizer.Columns.Where(c => !table.HasColumn(c.Name)).Select(c => c.Name).ToArray();
        if (missing.Length > 0)
        {
            if (request.Force) return new ChampionComparison(champion.Card.Version, double.NaN, candidateAuc, tolerance, true, "the current model uses other columns; replaced because of --force");
            throw new LeadPredictException($"the current model {champion.Card.Version} uses columns this data lacks ({string.Join(", ", missing)}), so the two cannot be compared; use --force to replace it.", ProblemKind.NotPromoted);
        }
        var ml = new MLContext(seed: 1);
        var features = champion.Featurizer.FeaturizeRows(table, split.HoldoutRows);
        var championAuc = RankMetrics.Auc(ProbabilityModels.For(champion, ml).ScoreAll(features), split.HoldoutLabels);
        var better = candidateAuc >= championAuc - tolerance;
        var promoted = better || request.Force;
        var decision = better
            ? $"holdout AUC {candidateAuc:F4} vs current model {championAuc:F4} (tolerance {tolerance})"
            : request.Force
                ? $"holdout AUC {candidateAuc:F4} is below the current model's {championAuc:F4} by more than {tolerance}; replaced because of --force"
                : $"the new model's holdout AUC {candidateAuc:F4} is below the current model's {championAuc:F4} by more than the tolerance {tolerance}";
        return new ChampionComparison(champion.Card.Version, championAuc, candidateAuc, tolerance, promoted, decision);
    }

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
