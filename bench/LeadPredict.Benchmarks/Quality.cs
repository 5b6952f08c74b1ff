using System.Diagnostics;
using System.Globalization;
using LeadPredict.Core;
using LeadPredict.Core.Csv;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;
using LeadPredict.ML.Training;

namespace LeadPredict.Benchmarks;

public sealed record QualityOptions
{
    public required string Data { get; init; }
    public required string Label { get; init; }
    public IReadOnlyList<string> Exclude { get; init; } = [];
    /// <summary>Columns the peers must not use although LeadPredict may (ids it recognises itself).</summary>
    public IReadOnlyList<string> PeerDrop { get; init; } = [];
    public string? Separator { get; init; }
    public string? Created { get; init; }
    public TrainerAlgorithm Trainer { get; init; } = TrainerAlgorithm.Auto;
    public double TestFraction { get; init; } = 0.2;
    public int Seed { get; init; } = 42;
    public string WorkDir { get; init; } = Path.Combine(Path.GetTempPath(), "leadpredict-quality");
    public bool Peers { get; init; } = true;
    public string PeerModels { get; init; } = "hgb,xgb,logreg";
    /// <summary>A separate labelled test file (then the data is not split).</summary>
    public string? Test { get; init; }
    /// <summary>Overrides evaluation.refitMaxRows (0: never refit), to measure what the refit on all rows brings.</summary>
    public int? RefitMaxRows { get; init; }
    public TextWriter Out { get; init; } = Console.Out;
}

/// <summary>
/// Model quality as a new user meets it: the data is cut into a training file and a test file (stratified random, or the
/// newest leads with --created); LeadPredict trains on the training file as `train` does (its own holdout, model choice by
/// cross-validation, refit), scores the test file, and the test AUC is compared with scikit-learn's and XGBoost's trained
/// on the same training file (../shared/tools/peers.py).
/// </summary>
public static class Quality
{
    public static int Run(QualityOptions o)
    {
        Directory.CreateDirectory(o.WorkDir);
        var w = o.Out;
        var name = Path.GetFileNameWithoutExtension(o.Data);
        var config = new TrainingConfig
        {
            Label = o.Label, Exclude = o.Exclude, Separator = o.Separator, Created = o.Created,
            Trainer = new TrainerOptions { Algorithm = o.Trainer, Seed = o.Seed },
        };
        if (o.RefitMaxRows is { } refit) config = config with { Evaluation = config.Evaluation with { RefitMaxRows = refit } };
        var table = LeadTable.Load(o.Data, config.SeparatorChar, config.MissingTokens);
        var data = SchemaResolver.Resolve(config, table);
        string train, test;
        char sep;
        bool[] testLabels;
        if (o.Test is null)
        {
            var outer = HoldoutSplit.Create(table, data, o.TestFraction, o.Seed + 1000);
            train = Path.Combine(o.WorkDir, $"{name}-train.csv");
            test = Path.Combine(o.WorkDir, $"{name}-test.csv");
            sep = WriteSplit(o.Data, table, config, outer, train, test);
            testLabels = outer.HoldoutLabels;
            w.WriteLine($"{name}: {outer.TrainRows.Length:N0} training leads, {outer.HoldoutRows.Length:N0} test leads ({outer.Method}); work folder {o.WorkDir}");
        }
        else
        {
            (train, test, sep) = (o.Data, o.Test, table.Separator);
            var testTable = LeadTable.Load(test, config.SeparatorChar, config.MissingTokens);
            testLabels = SchemaResolver.Resolve(config, testTable).Labels;
            w.WriteLine($"{name}: {data.Labels.Length:N0} training leads, {testLabels.Length:N0} test leads in {Path.GetFileName(test)}; work folder {o.WorkDir}");
        }

        var model = Path.Combine(o.WorkDir, $"{name}.zip");
        var watch = Stopwatch.StartNew();
        var outcome = new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
        {
            DataPath = train, Config = config with { Separator = sep.ToString() }, ModelPath = model, Force = true, ImportanceRepeats = 0,
        });
        var trainSeconds = watch.Elapsed.TotalSeconds;
        var scorer = new LeadScorer(ModelBundle.Load(model));
        var probabilities = Score(scorer, test, sep);
        var testAuc = RankMetrics.Auc(probabilities, testLabels);

        var card = outcome.Report.Card;
        w.WriteLine();
        w.WriteLine($"| {name} | CV AUC (training file) | |");
        w.WriteLine("|---|---|---|");
        foreach (var c in outcome.Report.Candidates)
            w.WriteLine($"| {c.Name}{(c.Chosen ? " (chosen)" : "")} | {c.Auc.Mean:F4} ± {c.Auc.StdDev:F4} | {c.Settings} |");
        w.WriteLine($"| LeadPredict's holdout (inside the training file) | {card.Holdout.Auc:F4} | {card.HoldoutMethod} |");
        w.WriteLine($"| **LeadPredict on the test file** | **{testAuc:F4}** | {card.Model}; fitted on {card.FittedRows:N0} rows; train {trainSeconds:F1} s |");
        if (card.Signal is { } signal) w.WriteLine($"| signal | {signal.Lower:F3} | {signal.Message} |");
        foreach (var warning in card.Warnings) w.WriteLine($"| warning | | {warning} |");
        if (!o.Peers) return 0;
        var drop = o.Exclude.Concat(o.PeerDrop).Concat(data.Schema.Id is { } id ? [id] : []).Distinct().ToList();
        var args = new List<string> { train, test, "--label", o.Label, "--sep", sep.ToString(), "--models", o.PeerModels };
        if (drop.Count > 0) { args.Add("--drop"); args.AddRange(drop); }
        var (peers, note) = EndToEnd.RunPeers(w, args);
        foreach (var p in peers) w.WriteLine($"| peer {p.Name} on the test file | {p.Auc:F4} ({p.Auc - testAuc:+0.0000;-0.0000} vs LeadPredict) | train {p.TrainSeconds:F1} s |");
        if (note is not null) w.WriteLine($"| peers | | {note} |");
        return 0;
    }

    /// <summary>Copies the source's raw records into a training and a test CSV by the split (the peers read them as they are).</summary>
    internal static char WriteSplit(string source, LeadTable table, DatasetConfig config, HoldoutSplit split, string train, string test)
    {
        var where = new byte[table.RowCount];
        foreach (var r in split.TrainRows) where[r] = 1;
        foreach (var r in split.HoldoutRows) where[r] = 2;
        using var reader = new CsvRecordReader(source, config.SeparatorChar, keepRawRecord: true);
        using var a = new StreamWriter(train);
        using var b = new StreamWriter(test);
        var head = CsvText.JoinRow(reader.Header, reader.Separator);
        a.WriteLine(head);
        b.WriteLine(head);
        var fields = new List<string>();
        var row = 0;
        while (reader.Read(fields))
        {
            if (where[row] == 1) a.WriteLine(reader.RawRecord);
            else if (where[row] == 2) b.WriteLine(reader.RawRecord);
            row++;
        }
        return reader.Separator;
    }

    private static double[] Score(LeadScorer scorer, string file, char sep)
    {
        using var reader = new CsvRecordReader(file, sep);
        var binding = scorer.Bind(reader.Header, file);
        var fields = new List<string>();
        var result = new List<double>();
        var values = new string?[scorer.FeatureColumns.Count];
        while (reader.Read(fields))
        {
            scorer.Extract(binding, fields, values);
            result.Add(scorer.Score(values, reasonsEachWay: 0).Probability);
        }
        return [.. result];
    }

    public static QualityOptions Parse(string[] args)
    {
        string? data = null, label = null;
        var o = new QualityOptions { Data = "", Label = "" };
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--data": data = Next(); break;
                case "--label": label = Next(); break;
                case "--exclude": o = o with { Exclude = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) }; break;
                case "--peer-drop": o = o with { PeerDrop = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) }; break;
                case "--separator": o = o with { Separator = Next() }; break;
                case "--created": o = o with { Created = Next() }; break;
                case "--trainer": o = o with { Trainer = Enum.Parse<TrainerAlgorithm>(Next(), ignoreCase: true) }; break;
                case "--test-fraction": o = o with { TestFraction = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--seed": o = o with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--work": o = o with { WorkDir = Path.GetFullPath(Next()) }; break;
                case "--no-peers": o = o with { Peers = false }; break;
                case "--peer-models": o = o with { PeerModels = Next() }; break;
                case "--test": o = o with { Test = Path.GetFullPath(Next()) }; break;
                case "--refit-max-rows": o = o with { RefitMaxRows = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        if (data is null || label is null) throw new ArgumentException("quality needs --data FILE and --label COLUMN");
        return o with { Data = Path.GetFullPath(data), Label = label };
    }
}
