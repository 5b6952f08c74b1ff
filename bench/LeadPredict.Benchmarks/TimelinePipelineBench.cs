using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeadPredict.Core;

namespace LeadPredict.Benchmarks;

/// <summary>
/// One side's run of the whole job: point-in-time features of the training snapshots, training with its time-based holdout,
/// then the open leads featurized as of the export date and ranked into a file. Seconds are wall time; CPU and peak resident
/// memory are per process (ours: the train and the score processes; theirs: one Python process).
/// </summary>
public sealed record PipelineRun(double FeaturesSeconds, double TrainSeconds, double ScoreSeconds, double TotalSeconds,
    double TrainCpuSeconds, double ScoreCpuSeconds, long TrainPeakBytes, long ScorePeakBytes, double HoldoutAuc, long Examples, long Scored)
{
    public double CpuSeconds => TrainCpuSeconds + ScoreCpuSeconds;
    public long PeakBytes => Math.Max(TrainPeakBytes, ScorePeakBytes);
}

public sealed record TimelinePipelineReport(IReadOnlyList<PipelineRun> Ours, IReadOnlyList<PipelineRun> Theirs, string Table);

/// <summary>
/// <c>timeline-e2e</c>: the whole point-in-time job at scale on the generated Parquet history of <see cref="TimelineBench"/>.
/// Ours is what a user runs: <c>leadpredict-train train</c> with a timeline configuration, then <c>leadpredict-score score</c>
/// of the leads table as of the export date (the configuration's tables), each a process of its own timed whole by GNU time
/// (wall, CPU, peak resident memory); the steps inside come from the commands' own step lines. Theirs is
/// bench/timeline_pandas.py --pipeline: the same snapshots, label, horizon, censoring and holdout with pandas + NumPy, and
/// scikit-learn's HistGradientBoostingClassifier, then the open leads scored and written ranked. Runs alternate.
/// </summary>
public static class TimelinePipelineBench
{
    public static TimelinePipelineReport Run(TimelineBenchOptions o)
    {
        if (!File.Exists(Time)) throw new InvalidOperationException($"timeline-e2e needs GNU time at {Time} (apt-get install time) for each process's peak memory.");
        var dir = Path.Combine(o.WorkDir, $"timeline-{o.Leads}x{o.ActivitiesPerLead}");
        Console.WriteLine($"LeadPredict timeline pipeline benchmark: {o.Leads:N0} leads, ~{(long)o.Leads * o.ActivitiesPerLead:N0} activities (Parquet); work folder {dir}");
        Console.WriteLine($"{EndToEnd.Machine()}; load average at the start {EndToEnd.LoadAverage()}");
        TimelineBench.Generate(dir, o.Leads, o.ActivitiesPerLead);
        var config = Path.Combine(dir, "leadpredict-e2e.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new DatasetConfig { Id = "lead_id", Created = "created_at", Timeline = TimelineBench.Config }, DatasetConfig.Json));

        var script = Path.Combine(EndToEnd.RepoRoot(), "bench", "timeline_pandas.py");
        var peers = o.Peers && File.Exists(o.Python) && File.Exists(script);
        if (o.Peers && !peers) Console.WriteLine($"pandas + HistGradientBoosting skipped: needs {o.Python} and {script}");
        if (peers) Process(o.Python, [script, dir, "--prepare"], "pandas cache of the CSV tables (not timed)");

        var ours = new List<PipelineRun>();
        var theirs = new List<PipelineRun>();
        var loads = new List<string>();
        for (var r = 0; r < o.Repeats; r++)
        {
            // Alternate who goes first, so neither always meets the same neighbours on a shared machine.
            var order = r % 2 == 0 ? new[] { true, false } : [false, true];
            foreach (var mine in order)
            {
                if (mine)
                {
                    var run = Ours(dir, config, r, o.TrainArguments);
                    ours.Add(run);
                    Console.WriteLine($"  run {r + 1}: LeadPredict {run.TotalSeconds:F1} s (features {run.FeaturesSeconds:F1} s, training {run.TrainSeconds:F1} s, scoring as of {run.ScoreSeconds:F1} s; " +
                                      $"CPU {run.CpuSeconds:F1} s), peak {Mb(run.PeakBytes)} MB, holdout AUC {run.HoldoutAuc:F4}, {run.Scored:N0} open leads ranked");
                }
                else if (peers)
                {
                    var run = Theirs(o.Python, script, dir);
                    theirs.Add(run);
                    Console.WriteLine($"  run {r + 1}: pandas + HGB {run.TotalSeconds:F1} s (features {run.FeaturesSeconds:F1} s, training {run.TrainSeconds:F1} s, scoring as of {run.ScoreSeconds:F1} s; " +
                                      $"CPU {run.CpuSeconds:F1} s), peak {Mb(run.PeakBytes)} MB, holdout AUC {run.HoldoutAuc:F4}, {run.Scored:N0} open leads ranked");
                }
            }
            loads.Add(EndToEnd.LoadAverage());
        }
        var table = Markdown(o, ours, theirs, loads);
        Console.WriteLine();
        Console.WriteLine(table);
        File.WriteAllText(Path.Combine(o.WorkDir, $"results-timeline-e2e-{o.Leads}.md"), table);
        return new TimelinePipelineReport(ours, theirs, table);
    }

    private const string Time = "/usr/bin/time";

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The commands' finished steps: "✓ Reading the history (...) 10.5 s".</summary>
    private static readonly Regex StepLine = new(@"^✓ (?<name>[^(]+?)(?: \(.*\))? (?<s>[0-9]+(?:\.[0-9]+)?) s$", RegexOptions.Multiline | RegexOptions.CultureInvariant);

    /// <summary>Steps of <c>train</c> that read the history and make the examples (the trainer's table included); the rest is training.</summary>
    private static readonly string[] FeatureSteps = ["Reading Parquet", "Reading the leads", "Reading the history", "Making point-in-time examples", "Reading data"];

    private static PipelineRun Ours(string dir, string config, int run, IReadOnlyList<string> trainArguments)
    {
        var work = Path.Combine(dir, $"ours-{run}");
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        try
        {
            var bin = AppContext.BaseDirectory;
            var model = Path.Combine(work, "model.zip");
            var leads = Path.Combine(dir, "leads.parquet");
            var train = Process("dotnet", [Path.Combine(bin, "leadpredict-train.dll"), "train", "--data", leads, "--config", config, "--model", model, "--force", .. trainArguments], "leadpredict-train train");
            var features = StepLine.Matches(train.Stdout).Where(m => FeatureSteps.Contains(m.Groups["name"].Value.Trim()))
                .Sum(m => double.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture));
            using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, "model.metrics.json")));
            var card = metrics.RootElement.GetProperty("card");
            var auc = card.GetProperty("holdout").GetProperty("auc").GetDouble();
            var examples = card.GetProperty("trainingRows").GetInt64() + card.GetProperty("holdoutRows").GetInt64();
            var ranked = Path.Combine(work, "ranked.csv");
            var score = Process("dotnet", [Path.Combine(bin, "leadpredict-score.dll"), "score", "--model", model, "--input", leads, "--config", config, "--output", ranked, "--top", "0"],
                "leadpredict-score score");
            var scored = File.ReadLines(ranked).LongCount() - 1;
            return new PipelineRun(features, train.Seconds - features, score.Seconds, train.Seconds + score.Seconds, train.Cpu, score.Cpu, train.Peak, score.Peak, auc, examples, scored);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static PipelineRun Theirs(string python, string script, string dir)
    {
        var ranked = Path.Combine(dir, "pandas-ranked.csv");
        var p = Process(python, [script, dir, "--pipeline", ranked], "pandas + HistGradientBoosting");
        using var json = JsonDocument.Parse(p.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{')));
        var j = json.RootElement;
        double D(string name) => j.GetProperty(name).GetDouble();
        var features = D("read_seconds") + D("snapshot_seconds");
        var scoring = D("asof_seconds") + D("score_seconds");
        File.Delete(ranked);
        // The whole process (Python's start-up included, as .NET's is in ours): what is not features or scoring is training.
        return new PipelineRun(features, p.Seconds - features - scoring, scoring, p.Seconds, p.Cpu, 0, p.Peak, 0, D("holdout_auc"),
            j.GetProperty("training_examples").GetInt64() + j.GetProperty("holdout_examples").GetInt64(), j.GetProperty("scored").GetInt64());
    }

    private sealed record Measured(double Seconds, double Cpu, long Peak, string Stdout);

    /// <summary>Runs a process under GNU time to its end: wall seconds, user + system CPU seconds, peak resident memory, its output.</summary>
    private static Measured Process(string file, IEnumerable<string> args, string what)
    {
        var timeFile = Path.GetTempFileName();
        try
        {
            var psi = new ProcessStartInfo(Time) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-o", timeFile, "-f", "%e %U %S %M", file }.Concat(args)) psi.ArgumentList.Add(a);
            // No colours or live progress from the commands: plain step lines to parse.
            psi.Environment["NO_COLOR"] = "1";
            if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
            using var p = System.Diagnostics.Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{what} failed (exit {p.ExitCode}): {stderr.Result}{stdout}");
            var parts = File.ReadAllLines(timeFile).Last().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            double At(int i) => double.Parse(parts[i], CultureInfo.InvariantCulture);
            return new Measured(At(0), At(1) + At(2), (long)At(3) * 1024, stdout);
        }
        finally
        {
            File.Delete(timeFile);
        }
    }

    private static string Markdown(TimelineBenchOptions o, List<PipelineRun> ours, List<PipelineRun> theirs, List<string> loads)
    {
        static double Median(IEnumerable<double> v) => EndToEnd.Median(v);
        static string S(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        var first = ours[0];
        sb.AppendLine($"Machine: {EndToEnd.Machine()}; load average after each round {string.Join(", ", loads)}");
        sb.AppendLine();
        sb.AppendLine($"| {o.Leads:N0} leads, ~{(long)o.Leads * o.ActivitiesPerLead:N0} activities (Parquet); {first.Examples:N0} snapshots on the two sides of the holdout, {first.Scored:N0} open leads; median of {ours.Count} | LeadPredict (`train` + `score`, processes) | pandas + HistGradientBoosting | theirs / ours |");
        sb.AppendLine("|---|---|---|---|");
        string Row(string name, Func<PipelineRun, double> f, string unit = " s")
        {
            var a = Median(ours.Select(f));
            if (theirs.Count == 0) return $"| {name} | {S(a)}{unit} | | |";
            var b = Median(theirs.Select(f));
            return $"| {name} | {S(a)}{unit} | {S(b)}{unit} | {(b / a).ToString("F2", CultureInfo.InvariantCulture)}× |";
        }
        sb.AppendLine(Row("features of the training snapshots (read, validate, point-in-time engagement)", r => r.FeaturesSeconds));
        sb.AppendLine(Row("training (ours: the rest of `train`: leak checks, fit, holdout, importance, time-to-convert, saving)", r => r.TrainSeconds));
        sb.AppendLine(Row("scoring the open leads as of the export date (features as of then, model, ranked CSV)", r => r.ScoreSeconds));
        sb.AppendLine(Row("**whole job, wall**", r => r.TotalSeconds));
        sb.AppendLine(Row("**whole job, CPU** (user + system, every thread; the fair figure on a busy machine)", r => r.CpuSeconds));
        sb.AppendLine($"| … ours per process: `train`, `score` | CPU {S(Median(ours.Select(r => r.TrainCpuSeconds)))} s, {S(Median(ours.Select(r => r.ScoreCpuSeconds)))} s | | |");
        var ourPeak = $"train {Mb(ours.Max(r => r.TrainPeakBytes))} MB, score {Mb(ours.Max(r => r.ScorePeakBytes))} MB";
        sb.AppendLine($"| peak resident memory (largest run) | {ourPeak} | {(theirs.Count == 0 ? "" : Mb(theirs.Max(r => r.PeakBytes)) + " MB")} | |");
        sb.AppendLine($"| holdout AUC (time-based, gap = horizon) | {Median(ours.Select(r => r.HoldoutAuc)):F4} | {(theirs.Count == 0 ? "" : Median(theirs.Select(r => r.HoldoutAuc)).ToString("F4", CultureInfo.InvariantCulture))} | " +
                      $"{(theirs.Count == 0 ? "" : (Median(theirs.Select(r => r.HoldoutAuc)) - Median(ours.Select(r => r.HoldoutAuc))).ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture))} |");
        sb.AppendLine($"| open leads ranked | {first.Scored:N0} | {(theirs.Count == 0 ? "" : theirs[0].Scored.ToString("N0", CultureInfo.InvariantCulture))} | |");
        return sb.ToString();
    }
}
