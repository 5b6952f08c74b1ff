using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Training;

namespace LeadPredict.TestSupport;

/// <summary>
/// Models trained once per test run on the bundled sample and shared by the tests that only read them
/// (training takes seconds; doing it in every test would make the suite slow).
/// </summary>
public static class SampleModels
{
    private static readonly Lazy<(string Path, TrainingOutcome Outcome)> Sample = new(() =>
    {
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "leadpredict-tests", "sample-model-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var path = System.IO.Path.Combine(dir, "sample-model.zip");
        var outcome = new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
        {
            DataPath = TestPaths.Data("leads-history.csv"),
            Config = TrainingConfig.Load(TestPaths.Data("leadpredict.json")),
            ModelPath = path,
            Force = true,
        });
        return (path, outcome);
    });

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<TrainerAlgorithm, Lazy<string>> ByAlgorithm = new();

    /// <summary>
    /// A model of one kind (LightGBM or FastTree trees, linear, blend) trained once per test run on data/leads-history.csv:
    /// 3-fold cross-validation, at most 60 trees (read-only: copy it before changing it).
    /// </summary>
    public static ModelBundle LoadKind(TrainerAlgorithm algorithm) => ModelBundle.Load(ByAlgorithm.GetOrAdd(algorithm, a => new Lazy<string>(() =>
    {
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "leadpredict-tests", $"kind-{a}-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var path = System.IO.Path.Combine(dir, "model.zip");
        var config = TrainingConfig.Load(TestPaths.Data("leadpredict.json"));
        new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
        {
            DataPath = TestPaths.Data("leads-history.csv"),
            Config = config with { Trainer = config.Trainer with { Algorithm = a, Trees = 60 }, Evaluation = config.Evaluation with { Folds = 3 } },
            ModelPath = path,
            Force = true,
            ImportanceRepeats = 0,
        });
        return path;
    })).Value);

    /// <summary>A model trained on data/leads-history.csv with data/leadpredict.json (read-only: copy it before changing it).</summary>
    public static string SamplePath => Sample.Value.Path;

    public static TrainingOutcome SampleOutcome => Sample.Value.Outcome;

    public static ModelBundle LoadSample() => ModelBundle.Load(SamplePath);

    /// <summary>The feature vectors of the first <paramref name="count"/> leads of data/leads-new.csv under <paramref name="bundle"/>.</summary>
    public static float[][] SampleFeatures(ModelBundle bundle, int count)
    {
        var scorer = new LeadPredict.ML.Scoring.LeadScorer(bundle);
        return LeadValues(scorer, TestPaths.Data("leads-new.csv"), count).Select(values =>
        {
            var features = new float[scorer.FeatureWidth];
            scorer.Featurize(values, features);
            return features;
        }).ToArray();
    }

    /// <summary>Each lead's feature values (in the scorer's column order, missing as null), as scoring reads them from a file.</summary>
    public static string?[][] LeadValues(LeadPredict.ML.Scoring.LeadScorer scorer, string file, int count = int.MaxValue)
    {
        using var reader = new LeadPredict.Core.Csv.CsvRecordReader(file);
        var binding = scorer.Bind(reader.Header, file);
        var fields = new List<string>();
        var result = new List<string?[]>();
        while (result.Count < count && reader.Read(fields))
        {
            var values = new string?[scorer.FeatureColumns.Count];
            scorer.Extract(binding, fields, values);
            result.Add(values);
        }
        return [.. result];
    }
}
