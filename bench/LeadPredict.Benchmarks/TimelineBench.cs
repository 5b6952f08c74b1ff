using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using LeadPredict.Core;
using LeadPredict.Timeline;

namespace LeadPredict.Benchmarks;

public sealed record TimelineBenchOptions
{
    public int Leads { get; init; } = 1_000_000;
    /// <summary>Activities per lead on average (50M for 1M leads).</summary>
    public int ActivitiesPerLead { get; init; } = 50;
    public int Repeats { get; init; } = 3;
    public string WorkDir { get; init; } = Path.Combine(Path.GetTempPath(), "leadpredict-bench");
    /// <summary>Run the pandas implementation (bench/timeline_pandas.py) alternately with ours.</summary>
    public bool Peers { get; init; } = true;
    public string Python { get; init; } = "/usr/bin/python3";
    /// <summary>Build the features in this process rather than in a child (tests; no peak memory of its own).</summary>
    public bool InProcess { get; init; }
    /// <summary>Calls of the single-lead path timed (after 20 to warm up).</summary>
    public int SingleLeadCalls { get; init; } = 300;
    /// <summary>Measure only the single lead's latency (both paths), on the generated history.</summary>
    public bool SingleOnly { get; init; }
    /// <summary>The whole job instead (<c>timeline-e2e</c>, <see cref="TimelinePipelineBench"/>): real train and score next to pandas + HGB.</summary>
    public bool Pipeline { get; init; }
    /// <summary>More arguments for <c>leadpredict-train train</c> in the whole job (tests: <c>--folds 0</c>, to be quick).</summary>
    public IReadOnlyList<string> TrainArguments { get; init; } = [];
}

/// <summary>What a run measured; <see cref="ChecksumsAgree"/> is null without the pandas peer.</summary>
public sealed record TimelineBenchReport(double MedianSeconds, long PeakBytes, double? PandasMedianSeconds, bool? ChecksumsAgree, double SingleLeadMedianMs, double SingleLeadSqlMedianMs, string Table);

/// <summary>
/// Feature building at scale: a generated CRM history (leads, activity log, won outcomes) as Parquet, read into DuckDB,
/// validated, cut into point-in-time snapshots with engagement features, and the open leads as of the export date; each
/// run in a process of its own (time and peak memory), alternating with a pandas implementation of the same point-in-time
/// work (bench/timeline_pandas.py); then the single-lead path's latency. Checksums of both sides' features must agree.
/// </summary>
public static class TimelineBench
{
    internal sealed record ChildResult(double LoadSeconds, double SnapshotSeconds, double AsOfSeconds, double TotalSeconds, double CpuSeconds,
        long PeakBytes, Dictionary<string, double> Checksums, long Activities, int Features);

    internal static TimelineConfig Config => new()
    {
        Activities = new ActivityLogConfig { Path = "activities.parquet", LeadId = "lead_id", Timestamp = "occurred_at", Type = "activity_type" },
        Outcomes = new OutcomeTableConfig { Path = "outcomes.parquet", LeadId = "lead_id", Date = "won_at" },
        HorizonDays = 90,
        Snapshots = new SnapshotOptions { FirstAfterDays = 7, EveryDays = 30, MaxPerLead = 4 },
        Windows = [7, 30, 90],
    };

    public static TimelineBenchReport Run(TimelineBenchOptions o)
    {
        var dir = Path.Combine(o.WorkDir, $"timeline-{o.Leads}x{o.ActivitiesPerLead}");
        Console.WriteLine($"LeadPredict timeline benchmark: {o.Leads:N0} leads, ~{(long)o.Leads * o.ActivitiesPerLead:N0} activities (Parquet); work folder {dir}");
        Console.WriteLine($"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
        Generate(dir, o.Leads, o.ActivitiesPerLead);
        var peerScript = Path.Combine(EndToEnd.RepoRoot(), "bench", "timeline_pandas.py");
        var peers = o.Peers && File.Exists(o.Python) && File.Exists(peerScript);
        if (o.Peers && !peers) Console.WriteLine($"pandas peer skipped: needs {o.Python} and {peerScript}");

        var ours = new List<ChildResult>();
        var theirs = new List<JsonElement>();
        for (var r = 0; r < o.Repeats; r++)
        {
            var mine = o.InProcess ? Measure(dir, progress: false) : RunChild(dir);
            ours.Add(mine);
            Console.WriteLine($"  run {r + 1}: LeadPredict.Timeline {mine.TotalSeconds:F1} s (read + validate {mine.LoadSeconds:F1} s, snapshots {mine.SnapshotSeconds:F1} s, as-of set {mine.AsOfSeconds:F1} s; CPU {mine.CpuSeconds:F1} s), peak {mine.PeakBytes / 1048576.0:N0} MB");
            if (!peers) continue;
            var peer = RunPandas(o.Python, peerScript, dir);
            theirs.Add(peer);
            Console.WriteLine($"  run {r + 1}: pandas {peer.GetProperty("total_seconds").GetDouble():F1} s (read {peer.GetProperty("read_seconds").GetDouble():F1} s, snapshots {peer.GetProperty("snapshot_seconds").GetDouble():F1} s, as-of set {peer.GetProperty("asof_seconds").GetDouble():F1} s; CPU {peer.GetProperty("cpu_seconds").GetDouble():F1} s), peak {peer.GetProperty("peak_bytes").GetInt64() / 1048576.0:N0} MB");
        }

        var (csharp, sql, singleLeads) = SingleLeadLatency(dir, o.SingleLeadCalls);
        var sb = new StringBuilder();
        bool? agree = null;
        var m = Median(ours.Select(x => x.TotalSeconds));
        sb.AppendLine($"| measure ({o.Leads:N0} leads, {ours[0].Activities:N0} activities before conversion, {ours[0].Features} engagement features; medians of {o.Repeats}) | result |");
        sb.AppendLine("|---|---|");
        sb.AppendLine($"| LeadPredict.Timeline: Parquet → validated DuckDB tables | {Median(ours.Select(x => x.LoadSeconds)):F1} s |");
        sb.AppendLine($"| LeadPredict.Timeline: training snapshots with features | {Median(ours.Select(x => x.SnapshotSeconds)):F1} s ({ours[0].Checksums["examples"]:N0} examples) |");
        sb.AppendLine($"| LeadPredict.Timeline: open leads as of the export date | {Median(ours.Select(x => x.AsOfSeconds)):F1} s ({ours[0].Checksums["open"]:N0} leads) |");
        sb.AppendLine($"| LeadPredict.Timeline: total (process), peak memory | {m:F1} s, {ours.Max(x => x.PeakBytes) / 1048576.0:N0} MB |");
        if (theirs.Count > 0)
        {
            var p = Median(theirs.Select(x => x.GetProperty("total_seconds").GetDouble()));
            var pc = Median(theirs.Select(x => x.GetProperty("snapshot_seconds").GetDouble() + x.GetProperty("asof_seconds").GetDouble()));
            var oc = Median(ours.Select(x => x.SnapshotSeconds + x.AsOfSeconds));
            var pcpu = Median(theirs.Select(x => x.GetProperty("cpu_seconds").GetDouble()));
            var ocpu = Median(ours.Select(x => x.CpuSeconds));
            sb.AppendLine($"| pandas + NumPy, same work (from its pickle of the same tables; making the pickle from CSV not timed): total, CPU, peak | {p:F1} s, CPU {pcpu:F1} s, peak {theirs.Max(x => x.GetProperty("peak_bytes").GetInt64()) / 1048576.0:N0} MB |");
            sb.AppendLine($"| ratio pandas / ours: whole run {p / m:F2}× (CPU {pcpu / ocpu:F2}×); snapshots + as-of set alone {pc / oc:F2}× | ours CPU {ocpu:F1} s |");
            agree = ours[0].Checksums.All(kv => theirs[0].GetProperty("checksums").TryGetProperty(kv.Key, out var v) && Math.Abs(v.GetDouble() - kv.Value) <= 1e-6 * Math.Max(1, Math.Abs(kv.Value)));
            sb.AppendLine($"| checksums of the two sides' features (examples, positives, counts, active days, recency sums) | {(agree == true ? "agree" : "DIFFER")} |");
            if (agree != true)
                foreach (var kv in ours[0].Checksums)
                    sb.AppendLine($"|   {kv.Key} | ours {kv.Value.ToString(CultureInfo.InvariantCulture)}, pandas {(theirs[0].GetProperty("checksums").TryGetProperty(kv.Key, out var v) ? v.GetDouble().ToString(CultureInfo.InvariantCulture) : "-")} |");
        }
        sb.AppendLine(SingleLeadRows(o, csharp, sql, singleLeads));
        Console.WriteLine();
        Console.WriteLine(sb.ToString());
        return new TimelineBenchReport(m, ours.Max(x => x.PeakBytes), theirs.Count == 0 ? null : Median(theirs.Select(x => x.GetProperty("total_seconds").GetDouble())),
            agree, csharp.Median, sql.Median, sb.ToString());
    }

    /// <summary>The generated history: deterministic (hash-based), written by DuckDB as Parquet, and as CSV for the pandas peer.</summary>
    internal static void Generate(string dir, int leads, int perLead)
    {
        if (File.Exists(Path.Combine(dir, "done"))) return;
        Directory.CreateDirectory(dir);
        var sw = Stopwatch.StartNew();
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        void Exec(string sql) { using var c = db.CreateCommand(); c.CommandText = sql; c.ExecuteNonQuery(); }
        string P(string name) => Path.Combine(dir, name).Replace("'", "''", StringComparison.Ordinal);
        Exec("SET TimeZone = 'UTC'");
        Exec($"""
            CREATE TABLE gl AS SELECT i,
              'L' || lpad(CAST(i AS VARCHAR), 8, '0') AS lead_id,
              TIMESTAMP '2023-01-01 00:00:00' + to_seconds(CAST(hash(i, 'created') % (540 * 86400) AS BIGINT)) AS created_at,
              (['1-10', '11-50', '51-200', '201-1000', '1000+'])[1 + CAST(hash(i, 'size') % 5 AS INTEGER)] AS company_size,
              (['web', 'referral', 'event', 'paid', 'partner'])[1 + CAST(hash(i, 'source') % 5 AS INTEGER)] AS source,
              CAST(hash(i, 'engaged') % 1000 AS DOUBLE) / 1000 AS engaged
            FROM range({leads}) t(i)
            """);
        Exec("""
            CREATE TABLE gw AS SELECT i, lead_id, created_at + to_seconds(CAST(10 * 86400 + hash(i, 'wait') % (150 * 86400) AS BIGINT)) AS won_at
            FROM gl WHERE CAST(hash(i, 'won') % 10000 AS DOUBLE) / 10000 < 0.04 + 0.3 * engaged
            """);
        Exec($"""
            CREATE TABLE ga AS
            WITH a AS (
              SELECT j, CAST(hash(j, 'lead') % {leads} AS BIGINT) AS i,
                -- engaged leads see more pricing views and demo requests
                CAST(hash(j, 'type') % 100 AS INTEGER) AS roll,
                -ln((CAST(hash(j, 'when') % 1000000 AS DOUBLE) + 1) / 1000001) * 45 * 86400 AS offset_seconds
              FROM range({(long)leads * perLead}) t(j))
            SELECT gl.lead_id, gl.created_at + to_seconds(CAST(a.offset_seconds AS BIGINT)) - INTERVAL 3 DAY AS occurred_at,
              CASE WHEN gw.won_at IS NOT NULL AND gl.created_at + to_seconds(CAST(a.offset_seconds AS BIGINT)) - INTERVAL 3 DAY >= gw.won_at AND a.roll % 2 = 0 THEN 'onboarding_call'
                   WHEN a.roll < 30 THEN 'email_open' WHEN a.roll < 50 THEN 'page_view' WHEN a.roll < 60 THEN 'email_click'
                   WHEN a.roll < 60 + 10 * gl.engaged THEN 'pricing_view' WHEN a.roll < 78 THEN 'webinar' WHEN a.roll < 85 THEN 'form_submit'
                   WHEN a.roll < 85 + 6 * gl.engaged THEN 'demo_request' WHEN a.roll < 95 THEN 'call' ELSE 'meeting' END AS activity_type
            FROM a JOIN gl USING (i) LEFT JOIN gw USING (i)
            """);
        Exec($"COPY (SELECT lead_id, strftime(created_at, '%Y-%m-%d %H:%M:%S') AS created_at, company_size, source FROM gl ORDER BY i) TO '{P("leads.parquet")}' (FORMAT parquet)");
        Exec($"COPY (SELECT lead_id, won_at FROM gw ORDER BY i) TO '{P("outcomes.parquet")}' (FORMAT parquet)");
        Exec($"COPY (SELECT lead_id, occurred_at, activity_type FROM ga) TO '{P("activities.parquet")}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)");
        // The same tables as CSV, for the pandas peer (Debian's pandas has no Parquet engine).
        Exec($"COPY (SELECT lead_id, strftime(created_at, '%Y-%m-%d %H:%M:%S') AS created_at, company_size, source FROM gl ORDER BY i) TO '{P("leads.csv")}' (HEADER)");
        Exec($"COPY (SELECT lead_id, strftime(won_at, '%Y-%m-%d %H:%M:%S') AS won_at FROM gw ORDER BY i) TO '{P("outcomes.csv")}' (HEADER)");
        Exec($"COPY (SELECT lead_id, strftime(occurred_at, '%Y-%m-%d %H:%M:%S') AS occurred_at, activity_type FROM ga) TO '{P("activities.csv")}' (HEADER)");
        File.WriteAllText(Path.Combine(dir, "done"), "");
        Console.WriteLine($"generated in {sw.Elapsed.TotalSeconds:F0} s: {new FileInfo(Path.Combine(dir, "activities.parquet")).Length / 1048576.0:N0} MB of activities as Parquet");
    }

    /// <summary>One run in this process (the child): read, validate, snapshots, as-of set; prints one JSON line.</summary>
    public static int Child(string dir)
    {
        Console.WriteLine(JsonSerializer.Serialize(Measure(dir, progress: true), new JsonSerializerOptions(DatasetConfig.Json) { WriteIndented = false }));
        return 0;
    }

    private static ChildResult Measure(string dir, bool progress)
    {
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var total = Stopwatch.StartNew();
        var sw = Stopwatch.StartNew();
        var leads = LeadTableReader.Load(Path.Combine(dir, "leads.parquet"));
        var dataset = new DatasetConfig { Label = "converted", Id = "lead_id", Created = "created_at", Timeline = Config };
        double Cpu() { self.Refresh(); return (self.TotalProcessorTime - cpu).TotalSeconds; }
        using var data = TimelineData.Load(leads, dataset, dir,
            progress ? new Progress<string>(m => Console.Error.WriteLine($"  [{total.Elapsed.TotalSeconds,6:F1} s, CPU {Cpu():F1} s] {m}")) : null);
        var load = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var set = data.Snapshots();
        var snapshots = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var open = data.OpenLeadsAsOf();
        var asOf = sw.Elapsed.TotalSeconds;
        var seconds = total.Elapsed.TotalSeconds;
        self.Refresh();
        var checksums = Checksums(set, open);
        return new ChildResult(load, snapshots, asOf, seconds, (self.TotalProcessorTime - cpu).TotalSeconds, self.PeakWorkingSet64,
            checksums, data.Report.Activities, set.FeatureCount);
    }

    /// <summary>Sums the pandas script computes the same way: if they agree, both sides did the same work.</summary>
    internal static Dictionary<string, double> Checksums(SnapshotSet set, SnapshotSet open)
    {
        var sums = new Dictionary<string, double>
        {
            ["examples"] = set.Count,
            ["positives"] = set.Labels!.Count(l => l),
            ["open"] = open.Count,
        };
        foreach (var (name, s) in new[] { ("train", set), ("open", open) })
        {
            for (var f = 0; f < s.FeatureCount; f++)
            {
                var def = s.FeatureDefinitions[f];
                if (def.ActivityType is not null || def.Kind is EngagementKind.LeadAge or EngagementKind.DaysInStage or EngagementKind.ValueSum) continue;
                double sum = 0;
                for (var i = 0; i < s.Count; i++)
                {
                    var v = s.Features[(long)i * s.FeatureCount + f];
                    if (!float.IsNaN(v)) sum += def.Kind is EngagementKind.DaysSinceFirst or EngagementKind.DaysSinceLast or EngagementKind.Trend ? Math.Round(v, 3) : v;
                }
                sums[$"{name}_{def.Name}"] = Math.Round(sum, 0);
            }
        }
        return sums;
    }

    private static ChildResult RunChild(string dir)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet");
        if (Path.GetFileNameWithoutExtension(psi.FileName) == "dotnet") psi.ArgumentList.Add(typeof(TimelineBench).Assembly.Location);
        psi.ArgumentList.Add("timeline-child");
        psi.ArgumentList.Add(dir);
        var stdout = RunProcess(psi, "timeline child");
        return JsonSerializer.Deserialize<ChildResult>(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{')), DatasetConfig.Json)!;
    }

    private static JsonElement RunPandas(string python, string script, string dir)
    {
        var psi = new ProcessStartInfo(python);
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(dir);
        var stdout = RunProcess(psi, "pandas peer");
        return JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'))).RootElement.Clone();
    }

    private static string RunProcess(ProcessStartInfo psi, string what)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{what} failed (exit {p.ExitCode}): {stderr.Result}{stdout}");
        return stdout;
    }

    /// <summary>Latency of one path of the single lead: median, p99, and process CPU per call.</summary>
    internal sealed record Latency(double Median, double P99, double CpuMs);

    /// <summary>
    /// The API's path: one lead's ~50 activities in memory, features as of the export date, by the C# path and by the in-memory
    /// DuckDB (its reference), each timed after 20 calls to warm up; the two must agree bit for bit on every lead.
    /// </summary>
    internal static (Latency CSharp, Latency Sql, int Leads) SingleLeadLatency(string dir, int calls)
    {
        var leads = LeadTableReader.Load(Path.Combine(dir, "leads.parquet"));
        var dataset = new DatasetConfig { Label = "converted", Id = "lead_id", Created = "created_at", Timeline = Config };
        EngagementSchema schema;
        DateTime asOf;
        using (var data = TimelineData.Load(leads, dataset, dir)) { schema = data.Schema; asOf = data.AsOf; }
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        var rows = new List<(string Lead, string At, string Type)>();
        using (var c = db.CreateCommand())
        {
            c.CommandText = $"SELECT lead_id, strftime(occurred_at, '%Y-%m-%d %H:%M:%S'), activity_type FROM read_parquet('{Path.Combine(dir, "activities.parquet")}') WHERE lead_id IN (SELECT lead_id FROM read_parquet('{Path.Combine(dir, "leads.parquet")}') LIMIT 320)";
            using var r = c.ExecuteReader();
            while (r.Read()) rows.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        }
        var byLead = rows.GroupBy(x => x.Lead).Select(g => g.Select(x => new ActivityInput(x.At, x.Type)).ToArray()).ToArray();
        using var single = new SingleLeadFeatures(Config, schema);
        foreach (var lead in byLead)
        {
            var fast = single.Compute("2023-06-01 00:00:00", lead, asOf);
            if (single.LastPath != "C#") throw new InvalidOperationException("the benchmark's leads should take the C# path.");
            var reference = single.ComputeWithSql("2023-06-01 00:00:00", lead, asOf);
            if (!fast.Select(BitConverter.SingleToInt32Bits).SequenceEqual(reference.Select(BitConverter.SingleToInt32Bits)))
                throw new InvalidOperationException("the C# single-lead path differs from the DuckDB one.");
        }
        Latency Time(Func<ActivityInput[], float[]> compute)
        {
            var times = new List<double>();
            using var self = Process.GetCurrentProcess();
            var cpu = TimeSpan.Zero;
            for (var k = 0; k < calls + 20; k++)
            {
                if (k == 20) { self.Refresh(); cpu = self.TotalProcessorTime; }
                var started = Stopwatch.GetTimestamp();
                compute(byLead[k % byLead.Length]);
                if (k >= 20) times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            self.Refresh();
            times.Sort();
            return new Latency(times[times.Count / 2], times[Math.Min(times.Count - 1, (int)(times.Count * 0.99))], (self.TotalProcessorTime - cpu).TotalMilliseconds / calls);
        }
        var sql = Time(a => single.ComputeWithSql("2023-06-01 00:00:00", a, asOf));
        var csharp = Time(a => single.Compute("2023-06-01 00:00:00", a, asOf));
        return (csharp, sql, byLead.Length);
    }

    /// <summary>Only the single lead's latency (the <c>--single-only</c> option): both paths, as a table.</summary>
    public static string SingleOnly(TimelineBenchOptions o)
    {
        var dir = Path.Combine(o.WorkDir, $"timeline-{o.Leads}x{o.ActivitiesPerLead}");
        Generate(dir, o.Leads, o.ActivitiesPerLead);
        var (csharp, sql, leads) = SingleLeadLatency(dir, o.SingleLeadCalls);
        var table = SingleLeadRows(o, csharp, sql, leads);
        Console.WriteLine(table);
        return table;
    }

    private static string SingleLeadRows(TimelineBenchOptions o, Latency csharp, Latency sql, int leads) =>
        $"| single lead, engagement features (API path, ~{o.ActivitiesPerLead} activities; {o.SingleLeadCalls} calls over {leads} leads, bit for bit equal): C#, median / p99; CPU per call | {csharp.Median * 1000:F0} µs / {csharp.P99 * 1000:F0} µs; {csharp.CpuMs * 1000:F0} µs |\n" +
        $"| the same by the in-memory DuckDB (the reference, and what every request paid before) | {sql.Median:F2} ms / {sql.P99:F2} ms; {sql.CpuMs:F2} ms |";

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
