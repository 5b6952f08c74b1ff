using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LeadPredict.Core;
using LeadPredict.Core.Csv;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;
using LeadPredict.ML.Training;
using LeadPredict.SampleData;

namespace LeadPredict.Benchmarks;

public sealed record BenchOptions
{
    /// <summary>Rows of generated lead history to train on.</summary>
    public int Rows { get; init; } = 1_000_000;
    /// <summary>Sizes of the new-lead files to score (each in its own process, for its peak memory); default a quarter, half and all of <see cref="Rows"/>.</summary>
    public IReadOnlyList<int>? ScoreRows { get; init; }
    /// <summary>Runs of each scoring measurement; the median is reported.</summary>
    public int Repeats { get; init; } = 3;
    /// <summary>Where generated files and models are kept (reused between runs).</summary>
    public string WorkDir { get; init; } = Path.Combine(Path.GetTempPath(), "leadpredict-bench");
    /// <summary>Run scikit-learn / XGBoost on the same split when ../shared/tools/peers.py and python3 are there.</summary>
    public bool Peers { get; init; } = true;
    public string PeerModels { get; init; } = "hgb,xgb";
    /// <summary>Score in child processes (true: peak memory per size); false scores in this process (tests).</summary>
    public bool ChildProcesses { get; init; } = true;
    public TrainerOptions? Trainer { get; init; }
    /// <summary>Stop after training and the peers (for comparing trainers).</summary>
    public bool TrainOnly { get; init; }
    public EvaluationOptions? Evaluation { get; init; }
    public TextWriter Out { get; init; } = Console.Out;
}

public sealed record Phase(string Name, double Seconds);
public sealed record PeerResult(string Name, double Auc, double TrainSeconds, double ScoreSeconds);
public sealed record ScoringResult(int Rows, bool Reasons, double MedianSeconds, double MedianProcessSeconds, double MedianCpuSeconds, long PeakBytes, IReadOnlyList<double> Runs, IReadOnlyList<Phase> Phases);

public sealed record BenchReport
{
    public required string Machine { get; init; }
    public required int Rows { get; init; }
    public required string Trainer { get; init; }
    public required double TrainSeconds { get; init; }
    public double TrainCpuSeconds { get; init; }
    public required IReadOnlyList<Phase> TrainPhases { get; init; }
    public required double HoldoutAuc { get; init; }
    public required double BestPossibleAuc { get; init; }
    public required int TrainingRows { get; init; }
    public required int HoldoutRows { get; init; }
    public required IReadOnlyList<PeerResult> Peers { get; init; }
    public string? PeerNote { get; init; }
    public required IReadOnlyList<ScoringResult> Scoring { get; init; }
    public required double SingleLeadMicros { get; init; }
    public required double SingleLeadMicrosNoReasons { get; init; }
    public required double ScoreFromMemorySeconds { get; init; }
}

/// <summary>
/// The end-to-end benchmark: generates lead history and new leads, trains with the default settings (timing each step),
/// compares the holdout AUC with scikit-learn and XGBoost on the same split, scores files of three sizes in separate
/// processes (time and peak memory, with and without reasons), and times single-lead scoring in-process.
/// </summary>
public static class EndToEnd
{
    private const string Label = "converted";

    public static BenchReport Run(BenchOptions o)
    {
        Directory.CreateDirectory(o.WorkDir);
        var w = o.Out;
        w.WriteLine($"LeadPredict benchmark: {o.Rows:N0} rows of history; work folder {o.WorkDir}");
        w.WriteLine(Machine());

        var history = Generate(o, "history", o.Rows, seed: 7, outcome: true, firstId: 1);
        var sizes = o.ScoreRows ?? [Math.Max(1, o.Rows / 4), Math.Max(1, o.Rows / 2), o.Rows];
        var newFiles = sizes.Distinct().Order().ToDictionary(n => n, n => Generate(o, "new", n, seed: 8, outcome: false, firstId: 50_000_000));

        // Training: the whole ModelTrainer.Train (what `leadpredict-train train` runs), with the default trainer settings.
        var config = TrainingConfig.Load(RepoFile("data/leadpredict.json")) with
        {
            Exclude = ["true_probability"],
            Trainer = o.Trainer ?? new TrainerOptions(),
            Evaluation = o.Evaluation ?? new EvaluationOptions(),
        };
        var model = Path.Combine(o.WorkDir, $"model-{o.Rows}.zip");
        File.Delete(model);
        w.WriteLine($"Training ({config.Trainer.Algorithm}, up to {config.Trainer.Trees} trees, {config.Evaluation.Folds} folds configured) ...");
        var observer = new TimingObserver();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var outcome = new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
        {
            DataPath = history, Config = config, ModelPath = model, Force = true,
        }, observer);
        var trainSeconds = sw.Elapsed.TotalSeconds;
        var trainCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var phases = observer.Finish(trainSeconds);
        var card = outcome.Report.Card;
        w.WriteLine($"  {trainSeconds:F1} s (CPU {trainCpu:F1} s), holdout AUC {card.Holdout.Auc:F4}, {card.Model} ({card.ChosenBy}); " +
                    string.Join(", ", phases.Select(p => $"{p.Name} {p.Seconds:F1} s")));

        // The same split for the peers, and the best possible AUC from the generator's hidden probability.
        var (trainCsv, testCsv, best) = SplitForPeers(o, history, config);
        w.WriteLine($"  best possible holdout AUC (true probabilities): {best:F4}");
        var (peers, peerNote) = o.Peers
            ? RunPeers(o.Out, [trainCsv, testCsv, "--label", Label, "--drop", "lead_id", "company", "created_at", "true_probability", "--models", o.PeerModels])
            : ([], "peers not run (--no-peers)");
        if (peerNote is not null) w.WriteLine($"  {peerNote}");

        if (o.TrainOnly) return new BenchReport
        {
            Machine = Machine(), Rows = o.Rows, Trainer = card.Model,
            TrainSeconds = trainSeconds, TrainCpuSeconds = trainCpu, TrainPhases = phases, HoldoutAuc = card.Holdout.Auc, BestPossibleAuc = best,
            TrainingRows = card.TrainingRows, HoldoutRows = card.HoldoutRows, Peers = peers, PeerNote = peerNote,
            Scoring = [], SingleLeadMicros = double.NaN, SingleLeadMicrosNoReasons = double.NaN, ScoreFromMemorySeconds = double.NaN,
        };

        // Single lead in-process, and all holdout rows from memory.
        var bundle = ModelBundle.Load(model);
        var (single, singleNoReasons, fromMemory) = SingleLead(bundle, newFiles[sizes.Min()]);
        w.WriteLine($"Single lead (LeadScorer.Score, one thread): {single:F2} µs with reasons, {singleNoReasons:F2} µs without; 200k-lead batch from memory {fromMemory:F2} s");

        // Batch scoring, each run in its own process.
        var rules = RepoFile("data/rules.json");
        var scoring = new List<ScoringResult>();
        foreach (var n in sizes.Distinct().Order())
            foreach (var reasons in new[] { true, false })
            {
                var runs = new List<ChildResult>();
                for (var r = 0; r < o.Repeats; r++)
                    runs.Add(ScoreOnce(o, model, newFiles[n], Path.Combine(o.WorkDir, $"ranked-{n}.csv"), rules, reasons));
                var median = runs.OrderBy(x => x.Seconds).ElementAt(runs.Count / 2);
                var result = new ScoringResult(n, reasons, median.Seconds, Median(runs.Select(x => x.ProcessSeconds)), Median(runs.Select(x => x.CpuSeconds)), runs.Max(x => x.PeakBytes),
                    runs.Select(x => x.Seconds).ToArray(), median.Phases);
                scoring.Add(result);
                w.WriteLine($"Scoring {n:N0} leads {(reasons ? "with" : "without")} reasons: median {result.MedianSeconds:F2} s " +
                            $"(process {result.MedianProcessSeconds:F2} s, CPU {result.MedianCpuSeconds:F2} s), peak {result.PeakBytes / 1048576.0:N0} MB; " +
                            string.Join(", ", result.Phases.Select(p => $"{p.Name} {p.Seconds:F2} s")));
            }

        var report = new BenchReport
        {
            Machine = Machine(), Rows = o.Rows, Trainer = card.Model,
            TrainSeconds = trainSeconds, TrainCpuSeconds = trainCpu, TrainPhases = phases, HoldoutAuc = card.Holdout.Auc, BestPossibleAuc = best,
            TrainingRows = card.TrainingRows, HoldoutRows = card.HoldoutRows, Peers = peers, PeerNote = peerNote,
            Scoring = scoring, SingleLeadMicros = single, SingleLeadMicrosNoReasons = singleNoReasons, ScoreFromMemorySeconds = fromMemory,
        };
        var markdown = Markdown(report);
        w.WriteLine();
        w.WriteLine(markdown);
        File.WriteAllText(Path.Combine(o.WorkDir, $"results-{o.Rows}.md"), markdown);
        File.WriteAllText(Path.Combine(o.WorkDir, $"results-{o.Rows}.json"), JsonSerializer.Serialize(report, DatasetConfig.Json));
        return report;
    }

    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0:F0} GB, " +
        $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}, " +
        $"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}";

    /// <summary>The 1-minute load average (Linux), to show how busy a shared machine was; "n/a" elsewhere.</summary>
    public static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    public static string Markdown(BenchReport r)
    {
        var sb = new StringBuilder();
        string F(double v, string f = "F2") => v.ToString(f, CultureInfo.InvariantCulture);
        sb.AppendLine($"Machine: {r.Machine}; load average at the end {LoadAverage()}");
        sb.AppendLine();
        sb.AppendLine("| measure | result |");
        sb.AppendLine("|---|---|");
        sb.AppendLine($"| train {r.Rows:N0} rows, whole `train` (default settings: {r.Trainer}) | {F(r.TrainSeconds, "F1")} s (CPU {F(r.TrainCpuSeconds, "F1")} s) |");
        foreach (var p in r.TrainPhases) sb.AppendLine($"| &nbsp;&nbsp;{p.Name} | {F(p.Seconds, "F1")} s |");
        sb.AppendLine($"| holdout AUC ({r.TrainingRows:N0} train / {r.HoldoutRows:N0} most recent) | {F(r.HoldoutAuc, "F4")} (best possible {F(r.BestPossibleAuc, "F4")}) |");
        foreach (var p in r.Peers)
            sb.AppendLine($"| peer {p.Name} on the same split | AUC {F(p.Auc, "F4")} ({F(p.Auc - r.HoldoutAuc, "+0.0000;-0.0000")} vs ours), train {F(p.TrainSeconds, "F1")} s, predict {r.HoldoutRows:N0} rows {F(p.ScoreSeconds)} s |");
        if (r.PeerNote is not null) sb.AppendLine($"| peers | {r.PeerNote} |");
        foreach (var s in r.Scoring)
            sb.AppendLine($"| score {s.Rows:N0} leads CSV → ranked CSV, {(s.Reasons ? "with reasons" : "no reasons")} | {F(s.MedianSeconds)} s (whole process {F(s.MedianProcessSeconds)} s; CPU {F(s.MedianCpuSeconds)} s), peak {s.PeakBytes / 1048576.0:N0} MB |");
        sb.AppendLine($"| single lead, `LeadScorer.Score`, one thread | {F(r.SingleLeadMicros)} µs with reasons, {F(r.SingleLeadMicrosNoReasons)} µs without |");
        sb.AppendLine($"| 200,000 featurized leads from memory (probability only, all cores) | {F(r.ScoreFromMemorySeconds, "F3")} s |");
        return sb.ToString();
    }

    private static string Generate(BenchOptions o, string kind, int rows, ulong seed, bool outcome, int firstId)
    {
        var path = Path.Combine(o.WorkDir, $"{kind}-{rows}-s{seed}.csv");
        if (File.Exists(path)) return path;
        var sw = Stopwatch.StartNew();
        var temp = path + ".tmp";
        LeadGenerator.WriteCsv(temp, new GeneratorOptions
        {
            Rows = rows, Seed = seed, IncludeOutcome = outcome, IncludeTrueProbability = outcome, FirstId = firstId,
        });
        File.Move(temp, path, overwrite: true);
        o.Out.WriteLine($"  generated {Path.GetFileName(path)} in {sw.Elapsed.TotalSeconds:F1} s");
        return path;
    }

    /// <summary>Writes the trainer's own training and holdout rows as two CSVs; returns the best possible holdout AUC.</summary>
    private static (string Train, string Test, double BestAuc) SplitForPeers(BenchOptions o, string history, TrainingConfig config)
    {
        var table = LeadTable.Load(history, config.SeparatorChar, config.MissingTokens);
        var data = SchemaResolver.Resolve(config, table);
        var split = HoldoutSplit.Create(table, data, config.Evaluation.HoldoutFraction, config.Trainer.Seed);
        var truth = table.Column("true_probability");
        var best = RankMetrics.Auc(split.HoldoutRows.Select(r => double.Parse(truth[r]!, CultureInfo.InvariantCulture)).ToArray(), split.HoldoutLabels);
        var train = Path.Combine(o.WorkDir, $"peer-train-{o.Rows}.csv");
        var test = Path.Combine(o.WorkDir, $"peer-test-{o.Rows}.csv");
        if (o.Peers && !(File.Exists(train) && File.Exists(test)))
        {
            var where = new byte[table.RowCount]; // 1 train, 2 test
            foreach (var r in split.TrainRows) where[r] = 1;
            foreach (var r in split.HoldoutRows) where[r] = 2;
            using var reader = new CsvRecordReader(history, config.SeparatorChar, keepRawRecord: true);
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
        }
        return (train, test, best);
    }

    /// <summary>Runs ../shared/tools/peers.py with <paramref name="args"/> (train file, test file, options), echoing its lines.</summary>
    internal static (IReadOnlyList<PeerResult>, string?) RunPeers(TextWriter output, IEnumerable<string> args)
    {
        // ../shared beside the repository (or beside the folder of worktrees, for a git worktree checkout).
        var script = new[] { "../shared/tools/peers.py", "../../shared/tools/peers.py" }
            .Select(r => Path.GetFullPath(Path.Combine(RepoRoot(), r))).FirstOrDefault(File.Exists);
        if (script is null) return ([], "peers skipped: ../shared/tools/peers.py not found beside the repository");
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        output.WriteLine("Peers on the same split ...");
        try
        {
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var results = new List<PeerResult>();
            while (p.StandardOutput.ReadLine() is { } line)
            {
                output.WriteLine("  " + line);
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                double Get(string key) => Array.IndexOf(parts, key) is var i and >= 0 ? double.Parse(parts[i + 1], CultureInfo.InvariantCulture) : double.NaN;
                if (parts.Length > 2 && parts[1] == "auc") results.Add(new PeerResult(parts[0], Get("auc"), Get("train_s"), Get("score_s")));
            }
            p.WaitForExit();
            if (p.ExitCode != 0)
                return (results, $"peers failed (exit {p.ExitCode}; python3-sklearn, python3-xgboost and python3-pandas needed): {stderr.Result.Trim().Split('\n').LastOrDefault()}");
            return (results, null);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return ([], $"peers skipped: cannot run python3 ({e.Message})");
        }
    }

    private static (double WithReasons, double Without, double FromMemory) SingleLead(ModelBundle bundle, string newLeads)
    {
        var scorer = new LeadScorer(bundle);
        using var reader = new CsvRecordReader(newLeads);
        var binding = scorer.Bind(reader.Header, newLeads);
        var leads = new List<string?[]>();
        var fields = new List<string>();
        while (leads.Count < 20_000 && reader.Read(fields))
        {
            var values = new string?[scorer.FeatureColumns.Count];
            scorer.Extract(binding, fields, values);
            leads.Add(values);
        }
        double Time(int reasons)
        {
            var runs = new List<double>();
            for (var rep = 0; rep < 7; rep++)
            {
                var sw = Stopwatch.StartNew();
                foreach (var values in leads) scorer.Score(values, reasons);
                runs.Add(sw.Elapsed.TotalMilliseconds * 1000 / leads.Count);
            }
            return Median(runs.Skip(2)); // the first runs warm up the JIT
        }
        var with = Time(3);
        var without = Time(0);

        // A 200k-row batch of featurized leads from memory, like the peers' predict_proba: the batch path, on all cores.
        var width = scorer.FeatureWidth;
        const int rows = 200_000;
        var features = new float[rows * width];
        for (var i = 0; i < rows; i++) scorer.Featurize(leads[i % leads.Count], features.AsSpan(i * width, width));
        var probabilities = new double[rows];
        var memory = new List<double>();
        for (var rep = 0; rep < 5; rep++)
        {
            var sw = Stopwatch.StartNew();
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, rows, 4096), range =>
                scorer.ScoreFeatures(features.AsSpan(range.Item1 * width, (range.Item2 - range.Item1) * width), probabilities.AsSpan(range.Item1, range.Item2 - range.Item1)));
            memory.Add(sw.Elapsed.TotalSeconds);
        }
        return (with, without, Median(memory.Skip(1)));
    }

    internal sealed record ChildResult(int Leads, double Seconds, double ProcessSeconds, double CpuSeconds, long PeakBytes, IReadOnlyList<Phase> Phases);

    private static ChildResult ScoreOnce(BenchOptions o, string model, string input, string output, string rules, bool reasons)
    {
        if (!o.ChildProcesses)
        {
            var sw = Stopwatch.StartNew();
            var r = ScoreChild.Score(model, input, output, rules, reasons);
            return r with { ProcessSeconds = sw.Elapsed.TotalSeconds };
        }
        var psi = ChildStart();
        foreach (var arg in new[] { "score-child", model, input, output, rules, reasons ? "reasons" : "no-reasons" }) psi.ArgumentList.Add(arg);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        var wall = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var seconds = wall.Elapsed.TotalSeconds;
        if (p.ExitCode != 0) throw new InvalidOperationException($"scoring child failed (exit {p.ExitCode}): {stderr.Result}{stdout}");
        var json = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'));
        var result = JsonSerializer.Deserialize<ChildResult>(json, DatasetConfig.Json)!;
        return result with { ProcessSeconds = seconds };
    }

    private static ProcessStartInfo ChildStart()
    {
        var dll = typeof(EndToEnd).Assembly.Location;
        var host = Environment.ProcessPath is { } pp && Path.GetFileNameWithoutExtension(pp) == "dotnet" ? pp
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var psi = new ProcessStartInfo(host);
        psi.ArgumentList.Add("exec");
        var runtimeConfig = Path.ChangeExtension(dll, ".runtimeconfig.json");
        if (!File.Exists(runtimeConfig))
        {
            // Loaded as a library (from a test): borrow the host's runtime configuration.
            var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
            var candidates = Directory.GetFiles(Path.GetDirectoryName(dll)!, "*.runtimeconfig.json");
            runtimeConfig = entry is not null && File.Exists(Path.ChangeExtension(entry, ".runtimeconfig.json"))
                ? Path.ChangeExtension(entry, ".runtimeconfig.json") : candidates.First();
            psi.ArgumentList.Add("--runtimeconfig");
            psi.ArgumentList.Add(runtimeConfig);
        }
        psi.ArgumentList.Add(dll);
        // Scored as leadpredict-score runs: its project turns dynamic PGO off (see LeadPredict.Scoring.csproj).
        psi.Environment["DOTNET_TieredPGO"] = "0";
        return psi;
    }

    internal static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    public static string RepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            var dir = new DirectoryInfo(start);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LeadPredict.sln"))) dir = dir.Parent;
            if (dir is not null) return dir.FullName;
        }
        throw new InvalidOperationException("run the benchmark from the repository (cannot find LeadPredict.sln).");
    }

    private static string RepoFile(string relative) => Path.Combine(RepoRoot(), relative);

    /// <summary>Times each training step from one progress report to the next step's first report.</summary>
    private sealed class TimingObserver : ITrainingObserver
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<(string Step, double At)> _steps = [];

        public void Progress(TrainingProgress progress)
        {
            if (_steps.Count == 0 || _steps[^1].Step != progress.Step) _steps.Add((progress.Step, _clock.Elapsed.TotalSeconds));
        }

        public void LeakSuspects(IReadOnlyList<LeakSuspect> suspects) { }
        public void Warning(string message) { }

        public IReadOnlyList<Phase> Finish(double total)
        {
            var phases = new List<Phase>();
            for (var i = 0; i < _steps.Count; i++)
            {
                var end = i + 1 < _steps.Count ? _steps[i + 1].At : total;
                var existing = phases.FindIndex(p => p.Name == _steps[i].Step);
                if (existing >= 0) phases[existing] = phases[existing] with { Seconds = phases[existing].Seconds + end - _steps[i].At };
                else phases.Add(new Phase(_steps[i].Step, end - _steps[i].At));
            }
            return phases;
        }
    }
}
