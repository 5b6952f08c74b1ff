using System.Diagnostics;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace LeadPredict.Benchmarks;

/// <summary>
/// Where the 1M-row training time goes, and what LightGBM's settings change: reads the file both ways, featurizes the training
/// part once, then fits LightGBM with each variant in turn (time, CPU time, holdout AUC).
/// Variants starting with "cat" give LightGBM the categorical columns' one-hot ranges (native categorical splits, scored through
/// ML.NET as the compiled ensemble does not read them); "es..." variants stop early on a seeded tenth of the rows (patience 20, or
/// 10 for "...p10"), as training does above the cross-validation size.
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
        ["cat"] = o => o.UseCategoricalSplit = true,
        ["catlr10"] = o => { o.UseCategoricalSplit = true; o.LearningRate = 0.1; },
        ["es05"] = o => o.LearningRate = 0.05,
        ["es10"] = o => o.LearningRate = 0.1,
        ["es10p10"] = o => o.LearningRate = 0.1,
        ["es15p10"] = o => o.LearningRate = 0.15,
        ["es15"] = o => o.LearningRate = 0.15,
        ["catEs05"] = o => { o.UseCategoricalSplit = true; o.LearningRate = 0.05; },
        ["catEs10"] = o => { o.UseCategoricalSplit = true; o.LearningRate = 0.1; },
        ["catEs10s"] = o => { o.UseCategoricalSplit = true; o.LearningRate = 0.1; o.CategoricalSmoothing = 1; o.MaximumCategoricalSplitPointCount = 64; },
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
        double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var cpu0 = Cpu();
        clock.Restart();
        var featurizer = LeadFeaturizer.Fit(table, data.Schema, split.TrainRows);
        Console.WriteLine($"featurizer fit, every training row: {clock.Elapsed.TotalSeconds:F2} s (CPU {Cpu() - cpu0:F2} s); {featurizer.Length} slots from {featurizer.Columns.Count} columns");
        cpu0 = Cpu();
        clock.Restart();
        // The rows training's featurizer learns from above trainer.featurizerSampleRows (ModelFit.FeaturizerRows).
        var pick = Enumerable.Range(0, split.TrainRows.Length).ToArray();
        new Random(config.Trainer.Seed).Shuffle(pick);
        var sample = pick[..Math.Min(pick.Length, config.Trainer.FeaturizerSampleRows)].Order().Select(i => split.TrainRows[i]).ToArray();
        var sampled = LeadFeaturizer.Fit(table, data.Schema, sample);
        Console.WriteLine($"featurizer fit, sample of {sample.Length:N0}: {clock.Elapsed.TotalSeconds:F2} s (CPU {Cpu() - cpu0:F2} s); {sampled.Length} slots");
        cpu0 = Cpu();
        clock.Restart();
        var x = featurizer.FeaturizeRows(table, split.TrainRows);
        var xh = featurizer.FeaturizeRows(table, split.HoldoutRows);
        Console.WriteLine($"featurize train + holdout: {clock.Elapsed.TotalSeconds:F2} s (CPU {Cpu() - cpu0:F2} s)");
        var options = config.Trainer with { Trees = trees, Algorithm = TrainerAlgorithm.LightGbm };
        for (var r = 0; r < repeats; r++)
            foreach (var name in names)
            {
                var lgb = LeadPipeline.LightGbmOptions(options);
                Variants[name](lgb);
                var ml = new MLContext(seed: options.Seed);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                clock.Restart();
                var ranges = lgb.UseCategoricalSplit == true ? CategoryRanges(featurizer) : null;
                ITransformer model;
                if (name.StartsWith("es", StringComparison.Ordinal) || name.StartsWith("catEs", StringComparison.Ordinal))
                {
                    var order = Enumerable.Range(0, x.Length).ToArray();
                    new Random(options.Seed).Shuffle(order);
                    var held = x.Length / 10;
                    var valid = order[..held];
                    var fitRows = order[held..];
                    Array.Sort(valid);
                    Array.Sort(fitRows);
                    lgb.EarlyStoppingRound = name.EndsWith("p10", StringComparison.Ordinal) ? 10 : 20;
                    lgb.EvaluationMetric = LightGbmBinaryTrainer.Options.EvaluateMetricType.Logloss;
                    model = ml.BinaryClassification.Trainers.LightGbm(lgb).Fit(
                        View(ml, fitRows.Select(i => x[i]).ToArray(), fitRows.Select(i => split.TrainLabels[i]).ToArray(), featurizer.Length, ranges),
                        View(ml, valid.Select(i => x[i]).ToArray(), valid.Select(i => split.TrainLabels[i]).ToArray(), featurizer.Length, ranges));
                }
                else model = ml.BinaryClassification.Trainers.LightGbm(lgb).Fit(View(ml, x, split.TrainLabels, featurizer.Length, ranges));
                var fit = clock.Elapsed.TotalSeconds;
                var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                var scored = model.Transform(View(ml, xh, split.HoldoutLabels, featurizer.Length, ranges));
                var mlAuc = RankMetrics.Auc(scored.GetColumn<float>("Probability").Select(p => (double)p).ToArray(), split.HoldoutLabels);
                var ensemble = CompiledEnsemble.TryCreate(model, x);
                if (ensemble is null) { Console.WriteLine($"{name,-10} fit {fit,6:F2} s (CPU {cpuSeconds,6:F2} s), ML.NET AUC {mlAuc:F4} (not compiled)"); continue; }
                var auc = RankMetrics.Auc(xh.Select(f => ensemble.Probability(f)).ToArray(), split.HoldoutLabels);
                // The holdout AUC of the first 50, 100, ... trees: what fewer iterations would have given.
                var byCount = xh.Select(f => ensemble.RawScoresByTreeCount(f, 50)).ToArray();
                var partial = string.Join(", ", Enumerable.Range(0, byCount.Min(s => s.Length))
                    .Select(c => $"{(c + 1) * 50}: {RankMetrics.Auc(byCount.Select(s => s[c]).ToArray(), split.HoldoutLabels):F4}"));
                Console.WriteLine($"{name,-10} fit {fit,6:F2} s (CPU {cpuSeconds,6:F2} s), {ensemble.Trees.Length} trees, ML.NET AUC {mlAuc:F4}, AUC {auc:F4} (by trees {partial}); load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            }
        return 0;
    }

    private static int[] CategoryRanges(LeadFeaturizer featurizer) =>
        featurizer.Slots.Select((s, i) => (s.Column, i)).Where(p => featurizer.Columns[p.Column].Kind == ColumnKind.Categorical)
            .GroupBy(p => p.Column).SelectMany(g => new[] { g.Min(p => p.i), g.Max(p => p.i) }).ToArray();

    private static IDataView View(MLContext ml, float[][] x, bool[] y, int width, int[]? ranges)
    {
        var definition = LeadPipeline.InputSchema(width);
        if (ranges is not null)
            definition[LeadPipeline.FeaturesColumn].AddAnnotation("CategoricalSlotRanges",
                new Microsoft.ML.Data.VBuffer<int>(ranges.Length, ranges), new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Int32, ranges.Length));
        return ml.Data.LoadFromEnumerable(Enumerable.Range(0, x.Length).Select(i => new FeatureRow { Features = x[i], Label = y[i] }), definition);
    }
}
