using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using LeadPredict.Core;
using Microsoft.ML;

namespace LeadPredict.ML;

/// <summary>
/// The model file: a zip holding the ML.NET model and the compiled ensemble (when the model has trees), the linear model
/// (when it has one), how they mix, the dataset schema, the fitted featurizer, the model card and the training report,
/// plus a manifest with a SHA-256 of every entry so a truncated or bit-flipped file is refused instead of scoring nonsense.
/// </summary>
public sealed record ModelBundle
{
    public const string Format = "leadpredict-model";
    public const int FormatVersion = 1;

    public required DatasetSchema Schema { get; init; }
    public required LeadFeaturizer Featurizer { get; init; }
    /// <summary>The ML.NET model of the trees (null for a linear model, which ML.NET does not train here).</summary>
    public required ITransformer? Model { get; init; }
    public required DataViewSchema? ModelInputSchema { get; init; }
    public CompiledEnsemble? Ensemble { get; init; }
    public Linear.LinearModel? Linear { get; init; }
    public ModelMix Mix { get; init; } = ModelMix.Trees;
    /// <summary>The ICP prior of a small-history model (applied when scoring with the same rules file).</summary>
    public ColdStartPrior? ColdStart { get; init; }
    public required ModelCard Card { get; init; }
    public required TrainingReport Report { get; init; }
    /// <summary>A few featurized leads with the probabilities the model gave them at training time, re-checked on load.</summary>
    public required IReadOnlyList<ProbeRow> Probes { get; init; }

    private sealed record Manifest(string Format, int FormatVersion, IReadOnlyDictionary<string, string> Sha256);

    public void Save(string path, MLContext ml) => AtomicFile.Write(path, stream => Write(stream, ml));

    /// <summary>Writes the model file's bytes (for callers that publish it with other files, see <see cref="AtomicFile.WriteTogether"/>).</summary>
    public void Write(Stream stream, MLContext ml)
    {
        var hashes = new Dictionary<string, string>();
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        void Add(string name, byte[] bytes)
        {
            var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
            using (var s = entry.Open()) s.Write(bytes);
            hashes[name] = Convert.ToHexString(SHA256.HashData(bytes));
        }
        byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, DatasetConfig.Json);
        if (Model is not null)
            using (var ms = new MemoryStream())
            {
                ml.Model.Save(Model, ModelInputSchema, ms);
                Add("mlnet.zip", ms.ToArray());
            }
        Add("schema.json", Json(Schema));
        Add("featurizer.json", Json(Featurizer.State));
        if (Ensemble is not null) Add("ensemble.json", Json(Ensemble));
        if (Linear is not null) Add("linear.json", Json(Linear));
        Add("mix.json", Json(Mix));
        if (ColdStart is not null) Add("coldstart.json", Json(ColdStart));
        Add("card.json", Json(Card));
        Add("report.json", Json(Report));
        Add("probes.json", Json(Probes));
        Add("manifest.json", Json(new Manifest(Format, FormatVersion, hashes)));
    }

    public static ModelBundle Load(string path, MLContext? ml = null)
    {
        ml ??= new MLContext(seed: 1);
        var name = Path.GetFileName(path);
        if (!File.Exists(path))
            throw new LeadPredictException($"model file {name} not found (looked for {Path.GetFullPath(path)}); train one with 'leadpredict-train train'.", ProblemKind.BadModel);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var entries = new Dictionary<string, byte[]>();
            foreach (var e in zip.Entries)
            {
                using var s = e.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                entries[e.FullName] = ms.ToArray();
            }
            if (!entries.TryGetValue("manifest.json", out var manifestBytes))
                throw Bad(name, "is not a LeadPredict model (it has no manifest)");
            var manifest = JsonSerializer.Deserialize<Manifest>(manifestBytes, DatasetConfig.Json)!;
            if (manifest.Format != Format) throw Bad(name, "is not a LeadPredict model");
            if (manifest.FormatVersion > FormatVersion)
                throw Bad(name, $"was written by a newer LeadPredict (model format {manifest.FormatVersion}, this version reads up to {FormatVersion})");
            foreach (var (entry, sha) in manifest.Sha256)
            {
                if (!entries.TryGetValue(entry, out var bytes) || Convert.ToHexString(SHA256.HashData(bytes)) != sha)
                    throw Bad(name, $"is corrupt (entry '{entry}' is missing or does not match its checksum); restore it from a backup or retrain");
            }
            T Read<T>(string entry) => JsonSerializer.Deserialize<T>(entries[entry], DatasetConfig.Json)
                ?? throw Bad(name, $"is corrupt (entry '{entry}' is empty)");
            ITransformer? model = null;
            DataViewSchema? inputSchema = null;
            if (entries.TryGetValue("mlnet.zip", out var mlnet))
                using (var ms = new MemoryStream(mlnet)) model = ml.Model.Load(ms, out inputSchema);
            var bundle = new ModelBundle
            {
                Schema = Read<DatasetSchema>("schema.json"),
                Featurizer = LeadFeaturizer.FromState(Read<FeaturizerState>("featurizer.json")),
                Model = model,
                ModelInputSchema = inputSchema,
                Ensemble = entries.ContainsKey("ensemble.json") ? Read<CompiledEnsemble>("ensemble.json") : null,
                Linear = entries.ContainsKey("linear.json") ? Read<Linear.LinearModel>("linear.json") : null,
                Mix = entries.ContainsKey("mix.json") ? Read<ModelMix>("mix.json") : ModelMix.Trees,
                ColdStart = entries.ContainsKey("coldstart.json") ? Read<ColdStartPrior>("coldstart.json") : null,
                Card = Read<ModelCard>("card.json"),
                Report = Read<TrainingReport>("report.json"),
                // Older files also hold extras/*.json, a copy of the report's Extensions: checked by the manifest, otherwise ignored.
                Probes = Read<List<ProbeRow>>("probes.json"),
            };
            bundle.Verify(ml, name);
            return bundle;
        }
        catch (LeadPredictException) { throw; }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException or FormatException or InvalidOperationException or ArgumentException or KeyNotFoundException or NotSupportedException)
        {
            throw new LeadPredictException($"model file {name} is not a LeadPredict model or is corrupt ({e.GetType().Name}: {e.Message.Split('\n')[0]})", ProblemKind.BadModel, e);
        }
    }

    /// <summary>
    /// Checks that the parts fit together and that the model reproduces the probabilities it gave at training time; when it has
    /// trees, also that the compiled ensemble agrees with ML.NET's model on those leads.
    /// </summary>
    public void Verify(MLContext ml, string name)
    {
        if (Mix.Validate() is { } problem) throw Bad(name, $"is inconsistent ({problem})");
        if (Mix.Kind != ModelKind.Linear && Ensemble is null) throw Bad(name, "is inconsistent (its mix needs trees, and it has none)");
        if (Mix.Kind != ModelKind.Trees && Linear is null) throw Bad(name, "is inconsistent (its mix needs a linear model, and it has none)");
        if (ColdStart?.Validate(Featurizer.Columns.Count) is { } prior) throw Bad(name, $"is inconsistent ({prior})");
        if (Probes.Count == 0) return;
        var compiled = Compile();
        using var engine = Model is null ? null : ml.Model.CreatePredictionEngine<FeatureRow, ScoreRow>(Model, inputSchemaDefinition: LeadPipeline.InputSchema(Featurizer.Length));
        foreach (var probe in Probes)
        {
            if (probe.Features.Length != Featurizer.Length) throw Bad(name, "is inconsistent (featurizer and model disagree on the number of features)");
            if (Math.Abs(compiled.ScoreOne(probe.Features) - probe.Probability) > 1e-5) throw Bad(name, "does not reproduce its training-time predictions");
            if (engine is not null && Ensemble is not null &&
                Math.Abs(engine.Predict(new FeatureRow { Features = probe.Features }).Probability - Ensemble.Probability(probe.Features)) > 1e-5)
                throw Bad(name, "has a compiled ensemble that disagrees with the ML.NET model");
        }
    }

    /// <summary>The model ready to score, contributions per original column; with <paramref name="withPrior"/>, its cold-start prior blended in (rules' values after the features).</summary>
    internal CompiledModel Compile(bool withPrior = false) =>
        new(Ensemble, Linear, Mix, Featurizer.Slots.Select(s => s.Column).ToArray(), withPrior ? ColdStart : null, Featurizer.Length);

    private static LeadPredictException Bad(string name, string problem) => new($"model file {name} {problem}.", ProblemKind.BadModel);
}

public sealed record ProbeRow(float[] Features, double Probability);
