using BenchmarkDotNet.Attributes;
using LeadPredict.Core;
using LeadPredict.Core.Csv;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;
using LeadPredict.ML.Training;
using LeadPredict.SampleData;

namespace LeadPredict.Benchmarks.Micro;

/// <summary>The hot paths of scoring: featurize, the trees one lead and many leads at a time, and the whole LeadScorer.Score.</summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private LeadScorer _scorer = null!;
    private CompiledEnsemble _ensemble = null!;
    private LeadFeaturizer _featurizer = null!;
    private string?[][] _leads = null!;
    private float[][] _features = null!;
    private float[] _batch = null!;
    private double[] _batchScores = null!;
    private float[] _batchContributions = null!;
    private int _next;
    private const int BatchSize = 1024;

    [GlobalSetup]
    public void Setup()
    {
        var model = MicroModel.Path();
        var bundle = ModelBundle.Load(model);
        _scorer = new LeadScorer(bundle);
        _ensemble = bundle.Ensemble!;
        _featurizer = bundle.Featurizer;
        var newLeads = MicroModel.NewLeads();
        using var reader = new CsvRecordReader(newLeads);
        var binding = _scorer.Bind(reader.Header, newLeads);
        var leads = new List<string?[]>();
        var fields = new List<string>();
        while (reader.Read(fields))
        {
            var values = new string?[_scorer.FeatureColumns.Count];
            _scorer.Extract(binding, fields, values);
            leads.Add(values);
        }
        _leads = leads.ToArray();
        _features = _leads.Select(v => { var f = new float[_featurizer.Length]; _featurizer.Featurize(v, f); return f; }).ToArray();
        _batch = _features.Take(BatchSize).SelectMany(f => f).ToArray();
        _batchScores = new double[BatchSize];
        _batchContributions = new float[BatchSize * _scorer.ContributionStride];
    }

    private int Next() => _next = (_next + 1) % _leads.Length;

    [Benchmark(Description = "LeadScorer.Score with 3+3 reasons")]
    public ScoredLead ScoreWithReasons() => _scorer.Score(_leads[Next()], 3);

    [Benchmark(Description = "LeadScorer.Score, no reasons")]
    public ScoredLead ScoreNoReasons() => _scorer.Score(_leads[Next()], 0);

    [Benchmark(Description = "Featurize")]
    public float Featurize()
    {
        Span<float> f = stackalloc float[_featurizer.Length];
        _featurizer.Featurize(_leads[Next()], f);
        return f[0];
    }

    [Benchmark(Description = "Ensemble probability")]
    public double Probability() => _ensemble.Probability(_features[Next()]);

    [Benchmark(Description = "LeadScorer.ScoreFeatures, 1,024 leads at once (per lead)", OperationsPerInvoke = BatchSize)]
    public double BatchProbability()
    {
        _scorer.ScoreFeatures(_batch, _batchScores);
        return _batchScores[0];
    }

    [Benchmark(Description = "LeadScorer.ScoreFeatures with contributions per column, 1,024 leads at once (per lead)", OperationsPerInvoke = BatchSize)]
    public double BatchContributions()
    {
        Array.Clear(_batchContributions);
        _scorer.ScoreFeatures(_batch, _batchScores, _batchContributions);
        return _batchScores[0];
    }
}

/// <summary>CSV parsing of a 20,000-lead file.</summary>
[MemoryDiagnoser]
public class CsvBenchmarks
{
    private string _file = null!;

    [GlobalSetup]
    public void Setup() => _file = MicroModel.NewLeads();

    [Benchmark(Description = "CsvRecordReader, 20k leads")]
    public int Read()
    {
        using var reader = new CsvRecordReader(_file);
        var fields = new List<string>();
        var n = 0;
        while (reader.Read(fields)) n++;
        return n;
    }

    [Benchmark(Description = "LeadTable.Load, 20k leads")]
    public int Load() => LeadTable.Load(_file).RowCount;
}

/// <summary>A model trained once on 20,000 generated leads (default settings) and kept in the temp folder between benchmark processes.</summary>
internal static class MicroModel
{
    private static readonly string Dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "leadpredict-bench", "micro");

    public static string NewLeads()
    {
        Directory.CreateDirectory(Dir);
        var path = System.IO.Path.Combine(Dir, "new-20000.csv");
        if (!File.Exists(path))
            LeadGenerator.WriteCsv(path, new GeneratorOptions { Rows = 20_000, Seed = 8, IncludeOutcome = false, FirstId = 50_000_000 });
        return path;
    }

    /// <summary>The model to benchmark: LEADPREDICT_BENCH_MODEL (e.g. the e2e run's 1M-row model), else one trained on 20,000 leads.</summary>
    public static string Path()
    {
        if (Environment.GetEnvironmentVariable("LEADPREDICT_BENCH_MODEL") is { Length: > 0 } given) return given;
        Directory.CreateDirectory(Dir);
        var model = System.IO.Path.Combine(Dir, $"model-{typeof(ModelTrainer).Assembly.ManifestModule.ModuleVersionId:N}.zip");
        if (File.Exists(model)) return model;
        var history = System.IO.Path.Combine(Dir, "history-20000.csv");
        if (!File.Exists(history)) LeadGenerator.WriteCsv(history, new GeneratorOptions { Rows = 20_000, Seed = 7 });
        var config = TrainingConfig.Load(System.IO.Path.Combine(EndToEnd.RepoRoot(), "data", "leadpredict.json")) with { Trainer = new TrainerOptions() };
        new ModelTrainer(TimeProvider.System).Train(new TrainingRequest { DataPath = history, Config = config, ModelPath = model, Force = true });
        return model;
    }
}
