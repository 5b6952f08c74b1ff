using System.Diagnostics;
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

    /// <summary>Fewer examples of either outcome than this is an error: no model, however simple, learns from four conversions.</summary>
    public const int MinimumPerClass = 5;

    /// <summary>
    /// Below this many examples of the rarer outcome the history is small: Salesforce's Einstein lead scoring asks for 120
    /// conversions, and Dynamics 365's predictive lead scoring for at least 40 qualified and 40 disqualified leads
    /// (<see cref="VerySmallHistory"/>). Training still runs, says how much the CV AUC varies and, with an ICP, blends it in
    /// as a prior (<see cref="ColdStartPrior"/>).
    /// </summary>
    public const int SmallHistory = 120;
    public const int VerySmallHistory = 40;

    public TrainingOutcome Train(TrainingRequest request, ITrainingObserver? observer = null, CancellationToken ct = default)
    {
        observer ??= SilentObserver.Instance;
        var config = request.Config;
        config.Validate(request.ConfigSource);
        var options = config.Trainer;

        observer.Progress(new("Reading data"));
        var table = request.Table ?? LeadTable.Load(request.DataPath, config.SeparatorChar, config.MissingTokens,
            new Progress<long>(rows => observer.Progress(new("Reading data", null, $"{rows:N0} rows"))), ct);
        var data = SchemaResolver.Resolve(config, table, request.ConfigSource);
        foreach (var warning in data.Warnings) observer.Warning(warning);
        if (data.MissingLabels > 0)
            observer.Warning($"{data.MissingLabels:N0} row(s) have no value in label column '{data.Schema.Label}' and are left out of training.");
        var positives = data.Labels.Count(b => b);
        var negatives = data.Labels.Length - positives;
        CheckClasses(request.DataPath, data, positives, negatives);

        foreach (var ext in _extensions) ext.Prepare(table, data);

        observer.Progress(new("Checking columns for leaks"));
        var suspects = LeakGuard.Find(table, LeakCheckSample(data, options.Seed), options.Seed, request.PointInTimeColumns);
        observer.LeakSuspects(suspects);
        ct.ThrowIfCancellationRequested();

        var split = HoldoutSplit.Create(table, data, config.Evaluation.HoldoutFraction, options.Seed, request.Split);
        var selection = ModelSelection.Run(table, data.Schema, split, config, observer, ct);
        var recipe = selection.Recipe;
        observer.Progress(new("Choosing the model", 1, recipe.Describe()));
        var warnings = new List<string>();
        void Warn(string message)
        {
            warnings.Add(message);
            observer.Warning(message);
        }
        if (SmallHistoryWarning(positives, negatives, selection) is { } small) Warn(small);

        var holdoutModel = ModelFit.Fit(table, data.Schema, split.TrainRows, split.TrainLabels, recipe, options,
            detail => observer.Progress(new("Training", null, detail)), ct);
        ct.ThrowIfCancellationRequested();
        var chosenBy = selection.ChosenBy;
        if (data.Schema.Features.Count > ColumnScreen.MaxColumns) chosenBy += "; " + ColumnScreen.Describe(data.Schema.Features.Count);
        if (recipe.EarlyStopping && holdoutModel.Ensemble is { } stopped)
        {
            // The count early stopping found is the recipe from here on: a refit on all rows grows that many trees.
            recipe = recipe with { Trees = stopped.Trees.Length, EarlyStopping = false };
            chosenBy += $": it stopped at {recipe.Trees} trees";
            observer.Progress(new("Training", 1, $"early stopping kept {recipe.Trees} trees"));
        }

        observer.Progress(new("Evaluating on the holdout", null, split.Method));
        var holdoutFeatures = holdoutModel.Featurizer.FeaturizeRows(table, split.HoldoutRows);
        CheckAgainstMlNet(holdoutModel, holdoutFeatures);
        var holdoutScorer = holdoutModel.Scorer;
        var holdoutProbabilities = holdoutScorer.ScoreAll(holdoutFeatures);
        var metrics = BinaryMetrics.Compute(holdoutProbabilities, split.HoldoutLabels, config.Evaluation.Threshold);
        var signal = SignalCheck.Of(selection, metrics);
        if (signal.NoSignal) Warn(signal.Message);

        // Cold start: a small history's model leans on the ICP (when a rules file was given), as much as the evidence is thin.
        var rarer = Math.Min(positives, negatives);
        var rules = rarer < SmallHistory ? _extensions.Select(e => e.Prior(data, Warn)).FirstOrDefault(p => p is not null) : null;
        ColdStartPrior? holdoutPrior = null;
        if (rules is not null)
        {
            holdoutPrior = ColdStartFit.Fit(ColdStartFit.Met(table, data.Schema, split.TrainRows, rules), split.TrainLabels, rules, rarer, out var problem);
            if (holdoutPrior is null) Warn($"no cold start from the ICP: {problem}.");
            else
            {
                var alone = metrics.Auc;
                holdoutProbabilities = ColdStartFit.Score(holdoutModel, holdoutPrior, holdoutFeatures, ColdStartFit.Met(table, data.Schema, split.HoldoutRows, rules));
                metrics = BinaryMetrics.Compute(holdoutProbabilities, split.HoldoutLabels, config.Evaluation.Threshold);
                Warn($"{holdoutPrior.Describe()} Holdout AUC {metrics.Auc:0.0000} with the ICP prior, {alone:0.0000} for the model alone.");
            }
        }

        observer.Progress(new("Measuring feature importance"));
        var (importance, importanceBasis) = PermutationImportance.Compute(table, split.HoldoutRows, split.HoldoutLabels, holdoutModel.Featurizer,
            holdoutModel.Compiled, request.ImportanceRepeats, options.Seed, ct);
        if (importanceBasis is not null) observer.Progress(new("Measuring feature importance", 1, importanceBasis.Description));

        // The saved model: the same recipe refit on every labelled row (the holdout has done its job), up to a size where
        // the extra fifth of the data no longer pays for a second training.
        var refitMax = config.Evaluation.RefitMaxRows;
        var refit = refitMax > 0 && data.LabelledRows.Length <= refitMax;
        var final = refit
            ? ModelFit.Fit(table, data.Schema, data.LabelledRows, data.Labels, recipe, options, detail => observer.Progress(new("Refitting on all rows", null, detail)), ct)
            : holdoutModel;
        var fittedRows = refit ? data.LabelledRows.Length : split.TrainRows.Length;
        var coldStart = holdoutPrior is null || !refit ? holdoutPrior
            : ColdStartFit.Fit(ColdStartFit.Met(table, data.Schema, data.LabelledRows, rules!), data.Labels, rules!, rarer, out _) ?? holdoutPrior;
        var figures = refit
            ? $"The holdout and cross-validation figures describe the same recipe fitted without the holdout ({split.TrainRows.Length:N0} rows); the saved model was then refit on all {fittedRows:N0} labelled rows."
            : refitMax == 0
                ? $"The saved model is the one the holdout measured, fitted on the {fittedRows:N0} training rows (evaluation.refitMaxRows = 0: no refit)."
                : $"The saved model is the one the holdout measured, fitted on the {fittedRows:N0} training rows: above evaluation.refitMaxRows ({refitMax:N0}) labelled rows it is not refit on all of them, which would cost a second training for little gain at that size.";
        if (ModelFit.DescribeFeaturizerSample(final.FeaturizerRows, fittedRows) is { } sampled)
            figures += $" For speed, {sampled}.";
        ct.ThrowIfCancellationRequested();
        var probeFeatures = final.Featurizer.FeaturizeRows(table, split.HoldoutRows.Take(5).ToArray());
        CheckAgainstMlNet(final, probeFeatures);
        var probes = probeFeatures.Select(f => new ProbeRow(f, final.Compiled.ScoreOne(f))).ToList();

        var identity = DataIdentity.Of(request.DataPath, request.HistoryFiles);
        var sha = identity.Sha256;
        var now = time.GetUtcNow();
        var card = new ModelCard
        {
            Version = $"{now:yyyyMMdd-HHmmss}-{sha[..8].ToLowerInvariant()}",
            TrainedAt = now,
            DataFile = request.DataName ?? Path.GetFileName(request.DataPath),
            DataSha256 = sha,
            HistoryFiles = identity.HistoryFiles,
            Rows = data.Labels.Length,
            Positives = positives,
            Label = data.Schema.Label,
            PositiveLabel = data.Schema.PositiveLabel,
            HoldoutMethod = split.Method,
            TrainingRows = split.TrainRows.Length,
            HoldoutRows = split.HoldoutRows.Length,
            FeatureColumns = data.Schema.Features.Count,
            FeatureSlots = final.Featurizer.Length,
            Trainer = recipe.Kind == ModelKind.Linear ? options : options with
            {
                Trees = recipe.Trees, LearningRate = recipe.LearningRate ?? options.LearningRate,
                MinExamplesPerLeaf = ModelFit.ForRows(options, fittedRows).MinExamplesPerLeaf,
            },
            Model = recipe.Describe(),
            ChosenBy = chosenBy,
            Calibration = selection.Calibration?.Describe(),
            FittedRows = fittedRows,
            RefitOnAllRows = refit,
            Figures = figures,
            Signal = signal,
            Warnings = warnings,
            Holdout = CardMetrics.From(metrics),
            CrossValidation = selection.CrossValidation,
            DecileCutPoints = Enumerable.Reverse(Core.DecileCutPoints.Of(holdoutProbabilities)).ToArray(),
            Grades = config.Grades,
            Versions = new Dictionary<string, string>
            {
                ["leadpredict"] = typeof(ModelTrainer).Assembly.GetName().Version?.ToString() ?? "0",
                ["ml.net"] = typeof(MLContext).Assembly.GetName().Version?.ToString() ?? "?",
                ["dotnet"] = Environment.Version.ToString(),
            },
            Time = request.Time is { } facts ? WithSides(facts, table, split, request.Split) : null,
        };
        var report = new TrainingReport
        {
            Card = card,
            HoldoutMetrics = metrics,
            Columns = data.Profiles,
            LeakSuspects = suspects,
            Importance = importance,
            ImportanceBasis = importanceBasis,
            MissingLabels = data.MissingLabels,
            HoldoutProbabilities = holdoutProbabilities,
            HoldoutLabels = split.HoldoutLabels,
            Candidates = selection.Candidates,
            CalibrationCheck = selection.Calibration,
        };

        if (signal.NoSignal && !request.Force)
        {
            // Nothing is written: a model that ranks no better than chance would only look like advice.
            var refused = $"{signal.Message} The model was not saved; use --force to save it anyway.";
            return new TrainingOutcome(report, false, request.ModelPath, ReportPath(request.ModelPath), refused) { Saved = false };
        }

        observer.Progress(new("Comparing with the current model"));
        var champion = CompareWithChampion(request, table, split, metrics.Auc, config.Evaluation.ChampionTolerance, final, card);
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
            Schema = ScreenedSchema(data.Schema, final.Featurizer), Featurizer = final.Featurizer, Model = final.TreeModel,
            ModelInputSchema = final.TreeModel is null ? null : InputSchemaOf(final.Ml, final.Featurizer.Length),
            Ensemble = final.Ensemble, Linear = final.Linear, Mix = final.Mix, ColdStart = coldStart, Card = card, Report = report, Probes = probes,
        };
        // An unreadable champion is no model to go back to: it is kept apart for inspection, and the last good previous stays.
        var setAside = champion is { ChampionUnreadable: true } ? CorruptPath(request.ModelPath) : PreviousPath(request.ModelPath);
        if (promoted && champion is not null && File.Exists(request.ModelPath))
            File.Copy(request.ModelPath, setAside, overwrite: true);
        var reportPath = ReportPath(target);
        // The metrics and the extensions' files (the HTML report) describe this model: published with it, never beside another.
        var companions = new List<AtomicFile.Part> { new(reportPath, s => System.Text.Json.JsonSerializer.Serialize(s, report, DatasetConfig.Json)) };
        foreach (var ext in _extensions) companions.AddRange(ext.Companions(context, target));
        AtomicFile.WriteTogether(target, s => bundle.Write(s, final.Ml), companions);

        var message = champion is null ? $"Saved model {card.Version} to {target}."
            : promoted && champion.ChampionUnreadable ? $"Saved model {card.Version} to {target}: {champion.Decision} (the unreadable file is kept as {Path.GetFileName(setAside)})."
            : promoted ? $"Saved model {card.Version} to {target}: {champion.Decision} (the previous model is kept as {Path.GetFileName(setAside)})."
            : $"Kept the current model: {champion.Decision}. The candidate was saved to {target}; use --force to replace the model anyway.";
        var outcome = new TrainingOutcome(report, promoted, target, reportPath, message);
        foreach (var ext in _extensions) ext.AfterSave(context, outcome);
        return outcome;
    }

    /// <summary>The snapshots' facts with the holdout's cut-off and the examples and leads on each side.</summary>
    private static TimeFacts WithSides(TimeFacts time, LeadTable table, HoldoutSplit split, SplitOptions? options)
    {
        int Leads(int[] rows)
        {
            if (options?.GroupColumn is not { } group) return rows.Length;
            var ids = table.Column(group);
            return rows.Select(r => ids[r]).Distinct(StringComparer.Ordinal).Count();
        }
        return time with
        {
            Cutoff = split.Cutoff,
            GapDays = options?.Gap.TotalDays ?? 0,
            TrainingExamples = split.TrainRows.Length,
            TrainingLeads = Leads(split.TrainRows),
            HoldoutExamples = split.HoldoutRows.Length,
            HoldoutLeads = Leads(split.HoldoutRows),
            LeftOut = (int)(time.Examples - split.TrainRows.Length - split.HoldoutRows.Length),
        };
    }

    /// <summary>A single-valued label, or fewer than <see cref="MinimumPerClass"/> of either outcome, cannot be learned from.</summary>
    private static void CheckClasses(string dataPath, ResolvedDataset data, int positives, int negatives)
    {
        var file = Path.GetFileName(dataPath);
        var label = data.Schema.Label;
        if (positives == 0 || negatives == 0)
            throw new LeadPredictException($"{file}: every labelled row of '{label}' says {(positives == 0 ? $"not '{data.Schema.PositiveLabel}' (not converted)" : $"'{data.Schema.PositiveLabel}' (converted)")}, so there is nothing to learn; the label must hold both outcomes (is --positive right?).");
        if (Math.Min(positives, negatives) < MinimumPerClass)
            throw new LeadPredictException($"{file}: too few examples of one outcome in '{label}' ({positives} converted, {negatives} not); at least {MinimumPerClass} of each are needed.");
    }

    private static string? SmallHistoryWarning(int positives, int negatives, SelectionOutcome selection)
    {
        var rarer = Math.Min(positives, negatives);
        if (rarer >= SmallHistory) return null;
        var what = positives <= negatives ? "converted" : "not converted";
        var spread = selection.CrossValidation.FirstOrDefault(s => s.Metric == "AUC") is { Folds.Count: > 1 } auc
            ? $"the CV AUC ranges {auc.Folds.Min():0.000}–{auc.Folds.Max():0.000} across {auc.Folds.Count} folds ({auc.Mean:0.000} ± {auc.StdDev:0.000})"
            : "there was no cross-validation to show how much the AUC varies";
        var size = rarer < VerySmallHistory ? "very small history" : "small history";
        return $"{size}: {rarer} {what} leads (Salesforce's lead scoring asks for {SmallHistory} conversions, Dynamics 365's for at least {VerySmallHistory} of each outcome); {spread}, so expect a rough ranking and retrain as the history grows.";
    }

    /// <summary>When the model has trees, their compiled form must give ML.NET's probabilities (checked on a few leads).</summary>
    private static void CheckAgainstMlNet(FittedModel model, float[][] features)
    {
        if (model.TreeModel is null || model.Ensemble is null) return;
        using var engine = model.Ml.Model.CreatePredictionEngine<FeatureRow, ScoreRow>(model.TreeModel, inputSchemaDefinition: LeadPipeline.InputSchema(model.Featurizer.Length));
        foreach (var f in features.Take(5))
            if (Math.Abs(model.Ensemble.Probability(f) - engine.Predict(new FeatureRow { Features = f }).Probability) > 1e-5)
                throw new InvalidOperationException("the compiled ensemble disagrees with ML.NET's prediction");
    }

    /// <summary>The schema saved with the model: the columns its featurizer reads (fewer than the file's when a wide file was screened).</summary>
    private static DatasetSchema ScreenedSchema(DatasetSchema schema, LeadFeaturizer featurizer)
    {
        if (featurizer.Columns.Count == schema.Features.Count) return schema;
        var read = featurizer.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return schema with { Features = schema.Features.Where(f => read.Contains(f.Name)).ToArray() };
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

    /// <summary>
    /// The current model against the new one on the new holdout. The new model's figure is its holdout model's (fitted without
    /// those leads), unless both models were refit on all rows of this same file: then each has seen the holdout, and the
    /// saved models are compared on equal terms.
    /// </summary>
    private static ChampionComparison? CompareWithChampion(TrainingRequest request, LeadTable table, HoldoutSplit split, double holdoutAuc, double tolerance,
        FittedModel final, ModelCard card)
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
                return new ChampionComparison("unreadable", double.NaN, holdoutAuc, tolerance, true,
                    $"the existing model could not be read ({e.Message}); replaced because of --force", ChampionUnreadable: true);
            throw new LeadPredictException($"the existing model cannot be read, so the new one cannot be compared with it ({e.Message}); use --force to replace it.", ProblemKind.BadModel, e);
        }
        var missing = champion.Featurizer.Columns.Where(c => !table.HasColumn(c.Name)).Select(c => c.Name).ToArray();
        if (missing.Length > 0)
        {
            if (request.Force) return new ChampionComparison(champion.Card.Version, double.NaN, holdoutAuc, tolerance, true, "the current model uses other columns; replaced because of --force");
            throw new LeadPredictException($"the current model {champion.Card.Version} uses columns this data lacks ({string.Join(", ", missing)}), so the two cannot be compared; use --force to replace it.", ProblemKind.NotPromoted);
        }
        var ml = new MLContext(seed: 1);
        var features = champion.Featurizer.FeaturizeRows(table, split.HoldoutRows);
        var championAuc = RankMetrics.Auc(ProbabilityModels.For(champion, ml).ScoreAll(features), split.HoldoutLabels);
        var sameFooting = champion.Card.RefitOnAllRows && card.RefitOnAllRows && champion.Card.DataSha256 == card.DataSha256;
        var candidateAuc = sameFooting
            ? RankMetrics.Auc(final.Scorer.ScoreAll(final.Featurizer.FeaturizeRows(table, split.HoldoutRows)), split.HoldoutLabels)
            : holdoutAuc;
        var basis = sameFooting ? "both refit on all rows of this file, holdout included" : "the new model fitted without the holdout";
        var better = candidateAuc >= championAuc - tolerance;
        var promoted = better || request.Force;
        var decision = better
            ? $"holdout AUC {candidateAuc:F4} vs current model {championAuc:F4} ({basis}; tolerance {tolerance})"
            : request.Force
                ? $"holdout AUC {candidateAuc:F4} is below the current model's {championAuc:F4} by more than {tolerance} ({basis}); replaced because of --force"
                : $"the new model's holdout AUC {candidateAuc:F4} is below the current model's {championAuc:F4} by more than the tolerance {tolerance} ({basis})";
        return new ChampionComparison(champion.Card.Version, championAuc, candidateAuc, tolerance, promoted, decision);
    }
}
