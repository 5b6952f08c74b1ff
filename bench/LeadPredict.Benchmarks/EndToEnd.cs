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
    /// <summary>Training runs, alternated with each peer's (ours, HGB, XGBoost, ours, ...); medians are reported.</summary>
    public int TrainRepeats { get; init; } = 1;
    public TextWriter Out { get; init; } = Console.Out;
}

/// <param name="CpuSeconds">The process's CPU time (user + system, all threads) during the phase; NaN where not measured.</param>
public sealed record Phase(string Name, double Seconds, double CpuSeconds = double.NaN);
/// <param name="ReadFitSeconds">The peer's whole process (Python start, reading both CSVs, preparing, fitting) minus its prediction of the test file.</param>
public sealed record PeerResult(string Name, double Auc, double TrainSeconds, double ScoreSeconds)
{
    public double ReadFitSeconds { get; init; } = double.NaN;
    /// <summary>The peer's whole process CPU time (user + system, from /usr/bin/time), prediction included: a busy machine slows wall time, not this.</summary>
    public double CpuSeconds { get; init; } = double.NaN;
    public IReadOnlyList<double> CpuRuns { get; init; } = [];
    public long PeakBytes { get; init; }
    public IReadOnlyList<double> ReadFitRuns { get; init; } = [];
}
/// <summary>One training run in a process of its own: the whole ModelTrainer.Train, and the process around it.</summary>
/// <param name="CpuSeconds">CPU time (user + system) inside ModelTrainer.Train.</param>
public sealed record TrainRun(double Seconds, double ProcessSeconds, double CpuSeconds, long PeakBytes, IReadOnlyList<Phase> Phases, double Auc,
    string Model, string ChosenBy, int TrainingRows, int HoldoutRows, string? Importance)
{
    /// <summary>The whole training process's CPU time (start-up, reading, training, saving): what compares with a peer's process.</summary>
    public double ProcessCpuSeconds { get; init; } = double.NaN;
}
public sealed record ScoringResult(int Rows, bool Reasons, double MedianSeconds, double MedianProcessSeconds, double MedianCpuSeconds, long PeakBytes, IReadOnlyList<double> Runs, IReadOnlyList<Phase> Phases);

public sealed record BenchReport
{
    public required string Machine { get; init; }
    public required int Rows { get; init; }
    public required string Trainer { get; init; }
    public required double TrainSeconds { get; init; }
    public double TrainCpuSeconds { get; init; }
    public required IReadOnlyList<Phase> TrainPhases { get; init; }
    /// <summary>Why this model: cross-validation's choice, or why there was none.</summary>
    public string ChosenBy { get; init; } = "";
    public string? ImportanceBasis { get; init; }
    /// <summary>Each training run's whole process (start-up, reading, training, saving), in the order run.</summary>
    public IReadOnlyList<double> TrainRuns { get; init; } = [];
    public double TrainProcessSeconds { get; init; } = double.NaN;
    public double TrainProcessCpuSeconds { get; init; } = double.NaN;
    public IReadOnlyList<double> TrainCpuRuns { get; init; } = [];
    public long TrainPeakBytes { get; init; }
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
        var (trainCsv, testCsv, best) = SplitForPeers(o, history, config);
        w.WriteLine($"Training ({config.Trainer.Algorithm}, up to {config.Trainer.Trees} trees, {config.Evaluation.Folds} folds configured), " +
                    (o.Peers ? $"alternating with the peers ({o.PeerModels}), {o.TrainRepeats} round(s) ..." : $"{o.TrainRepeats} run(s) ..."));
        var trainRuns = new List<TrainRun>();
        var peerRuns = new Dictionary<string, List<PeerResult>>();
        string? peerNote = o.Peers ? null : "peers not run (--no-peers)";
        for (var round = 0; round < Math.Max(1, o.TrainRepeats); round++)
        {
            File.Delete(model);
            var run = o.ChildProcesses ? TrainInChild(history, model, config) : TrainChild.Train(history, model, config);
            trainRuns.Add(run);
            w.WriteLine($"  ours: {run.ProcessSeconds:F1} s whole process, CPU {run.ProcessCpuSeconds:F1} s (train {run.Seconds:F1} s, CPU {run.CpuSeconds:F1} s, peak {run.PeakBytes / 1048576.0:N0} MB), " +
                        $"holdout AUC {run.Auc:F4}, {run.Model}; " + string.Join(", ", run.Phases.Select(p => $"{p.Name} {p.Seconds:F1} s (CPU {p.CpuSeconds:F1} s)")) + $"; load {LoadAverage()}");
            if (!o.Peers || peerNote is not null) continue;
            foreach (var name in o.PeerModels.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var (result, note) = RunPeerTimed(w, [trainCsv, testCsv, "--label", Label, "--drop", "lead_id", "company", "created_at", "true_probability", "--models", name]);
                if (note is not null) { peerNote = note; break; }
                foreach (var r in result) (peerRuns.TryGetValue(r.Name, out var list) ? list : peerRuns[r.Name] = []).Add(r);
            }
        }
        var typical = trainRuns.OrderBy(r => r.ProcessSeconds).ElementAt(trainRuns.Count / 2);
        var peers = peerRuns.Select(kv => kv.Value.OrderBy(r => r.ReadFitSeconds).ElementAt(kv.Value.Count / 2) with
        {
            ReadFitRuns = kv.Value.Select(r => r.ReadFitSeconds).ToArray(), PeakBytes = kv.Value.Max(r => r.PeakBytes),
            CpuSeconds = Median(kv.Value.Select(r => r.CpuSeconds)), CpuRuns = kv.Value.Select(r => r.CpuSeconds).ToArray(),
        }).ToArray();
        var oursCpu = Median(trainRuns.Select(r => r.ProcessCpuSeconds));
        var trainSeconds = typical.Seconds;
        var trainCpu = typical.CpuSeconds;
        var phases = typical.Phases;
        var card = (Auc: typical.Auc, Model: typical.Model, TrainingRows: typical.TrainingRows, HoldoutRows: typical.HoldoutRows);
        w.WriteLine($"  median: {typical.ProcessSeconds:F1} s, holdout AUC {typical.Auc:F4}, {typical.Model} ({typical.ChosenBy})");
        foreach (var p in peers)
            w.WriteLine($"  {p.Name}: read + fit median {p.ReadFitSeconds:F1} s, CPU {p.CpuSeconds:F1} s (ours / theirs: wall {typical.ProcessSeconds / p.ReadFitSeconds:F2}, CPU {oursCpu / p.CpuSeconds:F2}), AUC {p.Auc:F4} ({p.Auc - typical.Auc:+0.0000;-0.0000} vs ours), peak {p.PeakBytes / 1048576.0:N0} MB");
        w.WriteLine($"  best possible holdout AUC (true probabilities): {best:F4}");
        if (peerNote is not null) w.WriteLine($"  {peerNote}");
        var trained = new BenchReport
        {
            Machine = Machine(), Rows = o.Rows, Trainer = card.Model, ChosenBy = typical.ChosenBy, ImportanceBasis = typical.Importance,
            TrainSeconds = trainSeconds, TrainCpuSeconds = trainCpu, TrainPhases = phases, HoldoutAuc = card.Auc, BestPossibleAuc = best,
            TrainRuns = trainRuns.Select(r => r.ProcessSeconds).ToArray(), TrainProcessSeconds = typical.ProcessSeconds, TrainPeakBytes = typical.PeakBytes,
            TrainProcessCpuSeconds = oursCpu, TrainCpuRuns = trainRuns.Select(r => r.ProcessCpuSeconds).ToArray(),
            TrainingRows = card.TrainingRows, HoldoutRows = card.HoldoutRows, Peers = peers, PeerNote = peerNote,
            Scoring = [], SingleLeadMicros = double.NaN, SingleLeadMicrosNoReasons = double.NaN, ScoreFromMemorySeconds = double.NaN,
        };
        if (!File.Exists(model)) TrainChild.Train(history, model, config); // the last run is the model scored below

        if (o.TrainOnly) return Publish(trained, w, o, $"results-{o.Rows}-train");

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

        var report = trained with { Scoring = scoring, SingleLeadMicros = single, SingleLeadMicrosNoReasons = singleNoReasons, ScoreFromMemorySeconds = fromMemory };
        return Publish(report, w, o, $"results-{o.Rows}");
    }

    /// <summary>Prints the results table and keeps it, with the figures as JSON, in the work folder (NAME.md, NAME.json).</summary>
    private static BenchReport Publish(BenchReport report, TextWriter w, BenchOptions o, string name)
    {
        var markdown = Markdown(report);
        w.WriteLine();
        w.WriteLine(markdown);
        File.WriteAllText(Path.Combine(o.WorkDir, name + ".md"), markdown);
        File.WriteAllText(Path.Combine(o.WorkDir, name + ".json"), JsonSerializer.Serialize(report, DatasetConfig.Json));
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
        var rounds = r.TrainRuns.Count > 1 ? $", median of {r.TrainRuns.Count} runs alternated with the peers' ({string.Join(" / ", r.TrainRuns.Select(t => F(t, "F1")))} s)" : "";
        var cpuRuns = r.TrainCpuRuns.Count > 1 ? $" (runs {string.Join(" / ", r.TrainCpuRuns.Select(t => F(t, "F1")))} s)" : "";
        sb.AppendLine($"| train {r.Rows:N0} rows, whole `train` in a process of its own (default settings: {r.Trainer}){rounds} | {F(r.TrainProcessSeconds, "F1")} s, process CPU {F(r.TrainProcessCpuSeconds, "F1")} s{cpuRuns}; in `ModelTrainer.Train` {F(r.TrainSeconds, "F1")} s (CPU {F(r.TrainCpuSeconds, "F1")} s), peak {r.TrainPeakBytes / 1048576.0:N0} MB |");
        foreach (var p in r.TrainPhases) sb.AppendLine($"| &nbsp;&nbsp;{p.Name} | {F(p.Seconds, "F1")} s (CPU {F(p.CpuSeconds, "F1")} s) |");
        sb.AppendLine($"| model chosen | {r.Trainer}: {r.ChosenBy} |");
        if (r.ImportanceBasis is not null) sb.AppendLine($"| importance | {r.ImportanceBasis} |");
        sb.AppendLine($"| holdout AUC ({r.TrainingRows:N0} train / {r.HoldoutRows:N0} most recent) | {F(r.HoldoutAuc, "F4")} (best possible {F(r.BestPossibleAuc, "F4")}) |");
        foreach (var p in r.Peers)
        {
            var runs = p.ReadFitRuns.Count > 1 ? $" (runs {string.Join(" / ", p.ReadFitRuns.Select(t => F(t, "F1")))} s)" : "";
            var peerCpuRuns = p.CpuRuns.Count > 1 ? $" (runs {string.Join(" / ", p.CpuRuns.Select(t => F(t, "F1")))} s)" : "";
            sb.AppendLine($"| peer {p.Name} on the same split | AUC {F(p.Auc, "F4")} ({F(p.Auc - r.HoldoutAuc, "+0.0000;-0.0000")} vs ours); read + fit {F(p.ReadFitSeconds, "F1")} s{runs}, of which fit {F(p.TrainSeconds, "F1")} s; " +
                          $"process CPU {F(p.CpuSeconds, "F1")} s{peerCpuRuns} (prediction included); peak {p.PeakBytes / 1048576.0:N0} MB; " +
                          $"**ours / theirs: wall {F(r.TrainProcessSeconds / p.ReadFitSeconds)}, CPU {F(r.TrainProcessCpuSeconds / p.CpuSeconds)}**; predict {r.HoldoutRows:N0} rows {F(p.ScoreSeconds)} s |");
        }
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
            Quality.WriteSplit(history, table, config, split, train, test);
        return (train, test, best);
    }

    /// <summary>Trains in a child process (`train-child`), so its time includes start-up and its peak memory is its own.</summary>
    internal static TrainRun TrainProcess(string history, string model, TrainingConfig config) => TrainInChild(history, model, config);

    private static TrainRun TrainInChild(string history, string model, TrainingConfig config)
    {
        var psi = ChildStart();
        psi.Environment.Remove("DOTNET_TieredPGO"); // training runs as leadpredict-train does, with the runtime's defaults
        var configFile = model + ".config.json";
        File.WriteAllText(configFile, JsonSerializer.Serialize(config, DatasetConfig.Json));
        foreach (var arg in new[] { "train-child", history, model, configFile }) psi.ArgumentList.Add(arg);
        var (run, seconds) = RunChild<TrainRun>(psi, "training");
        return run with { ProcessSeconds = seconds };
    }

    /// <summary>
    /// One peer model in a process of its own, timed from outside: its whole run minus its prediction time is what it takes to
    /// read the data and fit (Python's start-up included, as .NET's is in ours); peak memory from /usr/bin/time when present.
    /// </summary>
    private static (IReadOnlyList<PeerResult>, string?) RunPeerTimed(TextWriter output, string[] args)
    {
        var wall = Stopwatch.StartNew();
        var timed = File.Exists("/usr/bin/time");
        var peak = Path.Combine(Path.GetTempPath(), $"leadpredict-peer-{Environment.ProcessId}.peak");
        // Peak resident memory in kB, then user and system CPU seconds.
        var (results, note) = RunPeers(output, args, timed ? ["/usr/bin/time", "-f", "%M %U %S", "-o", peak] : []);
        var seconds = wall.Elapsed.TotalSeconds;
        long peakBytes = 0;
        var cpu = double.NaN;
        if (timed && File.Exists(peak) && File.ReadAllLines(peak).LastOrDefault()?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var kb, var user, var sys])
        {
            peakBytes = long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            cpu = double.Parse(user, CultureInfo.InvariantCulture) + double.Parse(sys, CultureInfo.InvariantCulture);
        }
        File.Delete(peak);
        return (results.Select(r => r with { ReadFitSeconds = seconds - r.ScoreSeconds, PeakBytes = peakBytes, CpuSeconds = cpu }).ToArray(), note);
    }

    /// <summary>Runs ../shared/tools/peers.py with <paramref name="args"/> (train file, test file, options), echoing its lines.</summary>
    internal static (IReadOnlyList<PeerResult>, string?) RunPeers(TextWriter output, IEnumerable<string> args, IReadOnlyList<string>? wrapper = null)
    {
        // ../shared beside the repository (or beside the folder of worktrees, for a git worktree checkout).
        var script = new[] { "../shared/tools/peers.py", "../../shared/tools/peers.py" }
            .Select(r => Path.GetFullPath(Path.Combine(RepoRoot(), r))).FirstOrDefault(File.Exists);
        if (script is null) return ([], "peers skipped: ../shared/tools/peers.py not found beside the repository");
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var psi = new ProcessStartInfo(wrapper is { Count: > 0 } ? wrapper[0] : python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (wrapper is { Count: > 0 })
        {
            foreach (var a in wrapper.Skip(1)) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add(python);
        }
        psi.ArgumentList.Add(script);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        // Their OpenMP threads wait passively, as ours do (OpenMp.PreferPassiveWaiting): spinning threads on a busy machine
        // would count CPU time that does no work, and slow both. An explicit setting of the caller's is kept.
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
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
        var (result, seconds) = RunChild<ChildResult>(psi, "scoring");
        return result with { ProcessSeconds = seconds };
    }

    /// <summary>Runs a bench child process to its end; its last JSON line and its wall time.</summary>
    private static (T Result, double Seconds) RunChild<T>(ProcessStartInfo psi, string what)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        var wall = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var seconds = wall.Elapsed.TotalSeconds;
        if (p.ExitCode != 0) throw new InvalidOperationException($"{what} child failed (exit {p.ExitCode}): {stderr.Result}{stdout}");
        var json = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'));
        return (JsonSerializer.Deserialize<T>(json, DatasetConfig.Json)!, seconds);
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
    internal sealed class TimingObserver : ITrainingObserver
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<(string Step, double At, double Cpu)> _steps = [];

        private static double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

        public void Progress(TrainingProgress progress)
        {
            if (_steps.Count == 0 || _steps[^1].Step != progress.Step) _steps.Add((progress.Step, _clock.Elapsed.TotalSeconds, Cpu()));
        }

        public void LeakSuspects(IReadOnlyList<LeakSuspect> suspects) { }
        public void Warning(string message) { }

        public IReadOnlyList<Phase> Finish(double total)
        {
            var phases = new List<Phase>();
            var cpuNow = Cpu();
            for (var i = 0; i < _steps.Count; i++)
            {
                var end = i + 1 < _steps.Count ? _steps[i + 1].At : total;
                var cpu = (i + 1 < _steps.Count ? _steps[i + 1].Cpu : cpuNow) - _steps[i].Cpu;
                var existing = phases.FindIndex(p => p.Name == _steps[i].Step);
                if (existing >= 0) phases[existing] = phases[existing] with { Seconds = phases[existing].Seconds + end - _steps[i].At, CpuSeconds = phases[existing].CpuSeconds + cpu };
                else phases.Add(new Phase(_steps[i].Step, end - _steps[i].At, cpu));
            }
            return phases;
        }
    }
}
