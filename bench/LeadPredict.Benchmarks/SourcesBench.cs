using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using LeadPredict.ML.Training;
using LeadPredict.SampleData;
using LeadPredict.SampleData.Crm;
using Npgsql;

namespace LeadPredict.Benchmarks;

/// <summary>
/// `sources`: the same generated leads scored by the real <c>leadpredict-score</c> from a CSV file, a Parquet file and a
/// PostgreSQL table, into a ranked CSV and into a PostgreSQL scores table; each run a process of its own, timed whole with
/// its peak resident memory (GNU time), the cases alternated within each repeat, medians reported. PostgreSQL is the one
/// in LEADPREDICT_SOURCE_POSTGRES, or a throwaway one started by scripts/start-postgres.sh (fsync off: a lower bound on
/// the database's share). Then, unless <c>--crm-leads 0</c>, the timeline case: a generated CRM history (leads, activity log,
/// outcomes, stage history; about 30 activities a lead) scored as of its export date by a model trained on it, with the
/// history's tables read from CSV files and from PostgreSQL tables (streamed by COPY into private copies).
/// </summary>
internal static class SourcesBench
{
    private sealed record Case(string Name, Func<string[]> Args);

    public static int Run(string[] args)
    {
        int rows = 1_000_000, history = 100_000, repeats = 3, crmLeads = 100_000;
        var work = Path.Combine(Path.GetTempPath(), "leadpredict-bench");
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int(string s) => int.Parse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--rows": rows = Int(Next()); break;
                case "--history": history = Int(Next()); break;
                case "--repeats": repeats = Int(Next()); break;
                case "--crm-leads": crmLeads = Int(Next()); break;
                case "--work": work = Path.GetFullPath(Next()); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        Directory.CreateDirectory(work);
        Console.WriteLine($"LeadPredict sources benchmark: {rows:N0} new leads; work folder {work}");
        Console.WriteLine(EndToEnd.Machine());

        var historyCsv = Generate(work, "history", history, 7, outcome: true, firstId: 1);
        var leadsCsv = Generate(work, "new", rows, 8, outcome: false, firstId: 50_000_000);
        var model = Path.Combine(work, $"sources-model-{history}.zip");
        if (!File.Exists(model))
        {
            var config = TrainingConfig.Load(Path.Combine(EndToEnd.RepoRoot(), "data", "leadpredict.json")) with { Exclude = ["true_probability"] };
            new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
            {
                DataPath = historyCsv, Config = config with { Evaluation = config.Evaluation with { Folds = 0 } }, ModelPath = model, Force = true, ImportanceRepeats = 0,
            });
        }
        var parquet = Path.ChangeExtension(leadsCsv, ".parquet");
        var sw = Stopwatch.StartNew();
        if (!File.Exists(parquet)) ToParquet(leadsCsv, parquet);
        Console.WriteLine($"  Parquet file ready ({new FileInfo(parquet).Length / 1048576.0:F0} MB; CSV {new FileInfo(leadsCsv).Length / 1048576.0:F0} MB)");

        string? startedDir = null;
        var connection = Environment.GetEnvironmentVariable("LEADPREDICT_SOURCE_POSTGRES");
        if (string.IsNullOrEmpty(connection)) (connection, startedDir) = StartPostgres();
        try
        {
            sw.Restart();
            ToPostgres(connection, leadsCsv, "bench_leads");
            Console.WriteLine($"  PostgreSQL table bench_leads loaded in {sw.Elapsed.TotalSeconds:F1} s");
            var output = Path.Combine(work, "sources-ranked.csv");
            var parquetOutput = Path.Combine(work, "sources-ranked.parquet");
            string[] Common(string input) => ["score", "--model", model, "--input", input, "--top", "0"];
            Case[] cases =
            [
                new("CSV → ranked CSV", () => [.. Common(leadsCsv), "--output", output]),
                new("CSV → ranked Parquet (typed rows)", () => [.. Common(leadsCsv), "--output", parquetOutput]),
                new("Parquet → ranked CSV", () => [.. Common(parquet), "--output", output]),
                new("PostgreSQL table → ranked CSV", () => [.. Common("postgres:bench_leads"), "--output", output]),
                new("CSV → PostgreSQL table", () => [.. Common(leadsCsv), "--output-table", "bench_scores"]),
                new("Parquet → PostgreSQL table", () => [.. Common(parquet), "--output-table", "bench_scores"]),
                new("PostgreSQL table → PostgreSQL table", () => [.. Common("postgres:bench_leads"), "--output-table", "bench_scores"]),
                new("CSV → PostgreSQL table + ranked CSV (published after the commit)", () => [.. Common(leadsCsv), "--output-table", "bench_scores", "--output", output]),
            ];
            if (crmLeads > 0) cases = [.. cases, .. TimelineCases(work, connection, crmLeads, output)];
            var results = cases.ToDictionary(c => c.Name, _ => new List<(double Seconds, double PeakMb)>());
            for (var r = 0; r < repeats; r++)
                foreach (var c in cases)
                {
                    var result = Once(c.Args(), connection);
                    results[c.Name].Add(result);
                    Console.WriteLine($"  run {r + 1}: {c.Name}: {result.Seconds:F2} s, peak {result.PeakMb:N0} MB");
                }
            var md = new StringBuilder();
            md.AppendLine($"Machine: {EndToEnd.Machine()}; load average at the end {EndToEnd.LoadAverage()}; {rows:N0} leads, whole `leadpredict-score score` process, median of {repeats}" +
                          (crmLeads > 0 ? $"; as-of cases: a CRM history of {crmLeads:N0} leads" : ""));
            md.AppendLine();
            md.AppendLine("| source → sink | median | runs | peak memory (median) | vs CSV → CSV |");
            md.AppendLine("|---|---|---|---|---|");
            var baseline = EndToEnd.Median(results[cases[0].Name].Select(x => x.Seconds));
            foreach (var c in cases)
            {
                var median = EndToEnd.Median(results[c.Name].Select(x => x.Seconds));
                md.AppendLine(CultureInfo.InvariantCulture, $"| {c.Name} | {median:F2} s | {string.Join(", ", results[c.Name].Select(x => x.Seconds.ToString("F2", CultureInfo.InvariantCulture)))} | {EndToEnd.Median(results[c.Name].Select(x => x.PeakMb)):N0} MB | {median / baseline:F2}× |");
            }
            Console.WriteLine();
            Console.WriteLine(md);
            File.WriteAllText(Path.Combine(work, "sources-bench.md"), md.ToString());
            return 0;
        }
        finally
        {
            if (startedDir is not null)
                using (var stop = Process.Start("bash", [Path.Combine(EndToEnd.RepoRoot(), "scripts", "start-postgres.sh"), "stop", startedDir])) stop.WaitForExit();
        }
    }

    /// <summary>
    /// A CRM history of <paramref name="leads"/> leads as CSV files and as PostgreSQL tables, a model trained on it (once), and
    /// the two as-of cases: its tables from the files and from the database.
    /// </summary>
    private static Case[] TimelineCases(string work, string connection, int leads, string output)
    {
        var dir = Path.Combine(work, $"crm-{leads}");
        var sw = Stopwatch.StartNew();
        if (!File.Exists(Path.Combine(dir, "stage-history.csv")))
            new CrmHistory(new CrmOptions { Leads = leads, Seed = 11 }).Write(dir);
        var csvConfig = Path.Combine(dir, "leadpredict.json");
        var pgConfig = Path.Combine(dir, "leadpredict-postgres.json");
        var config = File.ReadAllText(Path.Combine(EndToEnd.RepoRoot(), "data", "crm", "leadpredict.json"));
        File.WriteAllText(csvConfig, config);
        File.WriteAllText(pgConfig, config.Replace("\"activities.csv\"", "\"postgres:bench_crm_activities\"", StringComparison.Ordinal)
            .Replace("\"outcomes.csv\"", "\"postgres:bench_crm_outcomes\"", StringComparison.Ordinal)
            .Replace("\"stage-history.csv\"", "\"postgres:bench_crm_stages\"", StringComparison.Ordinal));
        Console.WriteLine($"  CRM history of {leads:N0} leads ready ({new FileInfo(Path.Combine(dir, "activities.csv")).Length / 1048576.0:F0} MB of activities) in {sw.Elapsed.TotalSeconds:F1} s");
        sw.Restart();
        ToPostgres(connection, Path.Combine(dir, "leads.csv"), "bench_crm_leads");
        ToPostgres(connection, Path.Combine(dir, "activities.csv"), "bench_crm_activities");
        ToPostgres(connection, Path.Combine(dir, "outcomes.csv"), "bench_crm_outcomes");
        ToPostgres(connection, Path.Combine(dir, "stage-history.csv"), "bench_crm_stages");
        Console.WriteLine($"  its tables loaded into PostgreSQL in {sw.Elapsed.TotalSeconds:F1} s");
        var model = Path.Combine(dir, "model.zip");
        if (!File.Exists(model))
        {
            sw.Restart();
            Once(["train", "--data", Path.Combine(dir, "leads.csv"), "--config", csvConfig, "--model", model, "--folds", "0", "--trees", "100", "--force"], connection, "leadpredict-train.dll");
            Console.WriteLine($"  timeline model trained in {sw.Elapsed.TotalSeconds:F1} s");
        }
        string[] Common(string input, string cfg) => ["score", "--model", model, "--input", input, "--config", cfg, "--top", "0", "--output", output];
        return
        [
            new("as of: leads + history CSV files → ranked CSV", () => Common(Path.Combine(dir, "leads.csv"), csvConfig)),
            new("as of: leads + history PostgreSQL tables → ranked CSV", () => Common("postgres:bench_crm_leads", pgConfig)),
        ];
    }

    private static (double Seconds, double PeakMb) Once(string[] args, string connection, string tool = "leadpredict-score.dll")
    {
        var timeFile = Path.GetTempFileName();
        var psi = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-o", timeFile, "-f", "%e %M", "dotnet", Path.Combine(AppContext.BaseDirectory, tool) }.Concat(args))
            psi.ArgumentList.Add(a);
        psi.Environment["LEADPREDICT_SOURCE_POSTGRES"] = connection;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed (exit {p.ExitCode}): {stderr.Result}{stdout.Result}");
        var parts = File.ReadAllLines(timeFile).Last().Split(' ');
        File.Delete(timeFile);
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture) / 1024);
    }

    private static string Generate(string work, string kind, int rows, ulong seed, bool outcome, int firstId)
    {
        var path = Path.Combine(work, $"{kind}-{rows}-s{seed}.csv");
        if (File.Exists(path)) return path;
        LeadGenerator.WriteCsv(path + ".tmp", new GeneratorOptions { Rows = rows, Seed = seed, IncludeOutcome = outcome, IncludeTrueProbability = outcome, FirstId = firstId });
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    // yes/no columns stay text, as a CRM that stores "yes" has them.
    private const string ReadCsv = "read_csv('{0}', header = true, auto_type_candidates = ['BIGINT', 'DOUBLE', 'DATE', 'TIMESTAMP', 'VARCHAR'])";

    private static void ToParquet(string csv, string parquet)
    {
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var c = db.CreateCommand();
        c.CommandText = $"COPY (SELECT * FROM {string.Format(CultureInfo.InvariantCulture, ReadCsv, csv)}) TO '{parquet}' (FORMAT parquet)";
        c.ExecuteNonQuery();
    }

    private static void ToPostgres(string connection, string csv, string table)
    {
        var columns = new List<string>();
        using (var db = new DuckDBConnection("DataSource=:memory:"))
        {
            db.Open();
            using var c = db.CreateCommand();
            c.CommandText = $"DESCRIBE SELECT * FROM {string.Format(CultureInfo.InvariantCulture, ReadCsv, csv)}";
            using var r = c.ExecuteReader();
            while (r.Read())
                columns.Add($"\"{r.GetString(0)}\" " + r.GetString(1) switch { "BIGINT" => "bigint", "DOUBLE" => "double precision", "DATE" => "date", "TIMESTAMP" => "timestamp", _ => "text" });
        }
        using var pg = new NpgsqlConnection(connection);
        pg.Open();
        using (var create = new NpgsqlCommand($"DROP TABLE IF EXISTS {table}; {(table == "bench_leads" ? "DROP TABLE IF EXISTS bench_scores CASCADE; " : "")}CREATE TABLE {table} ({string.Join(", ", columns)})", pg))
            create.ExecuteNonQuery();
        using var import = pg.BeginTextImport($"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)");
        using var reader = new StreamReader(csv);
        var buffer = new char[1 << 16];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0) import.Write(buffer, 0, n);
    }

    private static (string Connection, string Dir) StartPostgres()
    {
        var psi = new ProcessStartInfo("bash", [Path.Combine(EndToEnd.RepoRoot(), "scripts", "start-postgres.sh")]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var lines = p.StandardOutput.ReadToEnd().Split('\n');
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException("scripts/start-postgres.sh failed; set LEADPREDICT_SOURCE_POSTGRES to a server instead.");
        string Value(string prefix) => lines.First(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Trim('\'');
        return (Value("export LEADPREDICT_TEST_POSTGRES="), Value("export LEADPREDICT_TEST_POSTGRES_DIR="));
    }
}
