using System.Diagnostics;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Trainers.LightGbm;

namespace LeadPredict.Benchmarks;

/// <summary>
/// Where the 1M-row training time goes, and what LightGBM's settings change: reads the file both ways, featurizes the training
/// part once, then fits LightGBM with each variant in turn (time, CPU time, holdout AUC).
/// Usage: fit-probe FILE [--trees N] [--variants default,threads1,...] [--repeats N]
/// </summary>
public static class FitProbe
{
    private static readonly Dictionary<string, Action<LightGbmBinaryTrainer.Options>> Variants = new()
    {
        ["default"] = _ => { },
        ["threads1"] = o => o.NumberOfThreads = 1,
        ["threads2"] = o => o.NumberOfThreads = 2,
        ["bins63"] = o => o.MaximumBinCountPerFeature = 63,
        ["bins127"] = o => o.MaximumBinCountPerFeature = 127,
        ["colwise"] = o => o.ForceColumnWise = true,
        ["rowwise"] = o => o.ForceRowWise = true,
        ["bag50"] = o => o.Booster = new GradientBooster.Options { SubsampleFraction = 0.5, SubsampleFrequency = 1 },
        ["goss"] = o => o.Booster = new GossBooster.Options(),
        ["batch"] = o => o.BatchSize = 1 << 22,
        ["lr10"] = o => o.LearningRate = 0.1,
        ["lr15"] = o => o.LearningRate = 0.15,
        ["lr20"] = o => o.LearningRate = 0.2,
        ["leaves63"] = o => o.NumberOfLeaves = 63,
        ["lr10leaves63"] = o => { o.LearningRate = 0.1; o.NumberOfLeaves = 63; },
    };

    public static int Run(string[] args)
    {
        var file = args[0];
        var trees = 300;
        var repeats = 1;
        var names = new[] { "default" };
        for (var i = 1; i < args.Length; i++)
            switch (args[i])
            {
                case "--trees": trees = int.Parse(args[++i]); break;
                case "--repeats": repeats = int.Parse(args[++i]); break;
                case "--variants": names = args[++i].Split(','); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        var config = TrainingConfig.Load(Path.Combine(EndToEnd.RepoRoot(), "data/leadpredict.json")) with { Exclude = ["true_probability"] };
        var clock = Stopwatch.StartNew();
        var sequential = LeadTable.LoadSequential(file, config.SeparatorChar, config.MissingTokens);
        Console.WriteLine($"read, one thread: {clock.Elapsed.TotalSeconds:F2} s");
        sequential = null;
        GC.Collect();
        clock.Restart();
        var table = LeadTable.Load(file, config.SeparatorChar, config.MissingTokens);
        Console.WriteLine($"read, LeadTable.Load: {clock.Elapsed.TotalSeconds:F2} s");
        clock.Restart();
        var data = SchemaResolver.Resolve(config, table);
        var split = HoldoutSplit.Create(table, data, config.Evaluation.HoldoutFraction, config.Trainer.Seed);
        Console.WriteLine($"resolve + split: {clock.Elapsed.TotalSeconds:F2} s");
        clock.Restart();
        var featurizer = LeadFeaturizer.Fit(table, data.Schema, split.TrainRows);
        Console.WriteLine($"featurizer fit: {clock.Elapsed.TotalSeconds:F2} s; {featurizer.Length} slots from {featurizer.Columns.Count} columns");
        clock.Restart();
        var x = featurizer.FeaturizeRows(table, split.TrainRows);
        var xh = featurizer.FeaturizeRows(table, split.HoldoutRows);
        Console.WriteLine($"featurize train + holdout: {clock.Elapsed.TotalSeconds:F2} s");
        var options = config.Trainer with { Trees = trees, Algorithm = TrainerAlgorithm.LightGbm };
        for (var r = 0; r < repeats; r++)
            foreach (var name in names)
            {
                var lgb = LeadPipeline.LightGbmOptions(options);
                Variants[name](lgb);
                var ml = new MLContext(seed: options.Seed);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                clock.Restart();
                var view = LeadPipeline.ToDataView(ml, x, split.TrainLabels, featurizer.Length);
                var model = ml.BinaryClassification.Trainers.LightGbm(lgb).Fit(view);
                var fit = clock.Elapsed.TotalSeconds;
                var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                var ensemble = CompiledEnsemble.TryCreate(model, x)!;
                var auc = RankMetrics.Auc(xh.Select(f => ensemble.Probability(f)).ToArray(), split.HoldoutLabels);
                // The holdout AUC of the first 50, 100, ... trees: what fewer iterations would have given.
                var byCount = xh.Select(f => ensemble.RawScoresByTreeCount(f, 50)).ToArray();
                var partial = string.Join(", ", Enumerable.Range(0, byCount.Min(s => s.Length))
                    .Select(c => $"{(c + 1) * 50}: {RankMetrics.Auc(byCount.Select(s => s[c]).ToArray(), split.HoldoutLabels):F4}"));
                Console.WriteLine($"{name,-10} fit {fit,6:F2} s (CPU {cpuSeconds,6:F2} s), AUC {auc:F4} (by trees {partial}); load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            }
        return 0;
    }
}
