using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LeadPredict.TestSupport;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>
/// The prediction log is as durable as the answer: every lead answered with a 200 is in the log, whatever happens to the
/// host after it answered (SIGKILL under batch load) or to the database file while serving (deleted, replaced).
/// </summary>
public sealed class PredictionLogDurabilityTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Every_lead_answered_before_the_host_is_killed_under_batch_load_is_in_the_sqlite_log()
    {
        using var dir = new TempDir();
        var db = dir.File("predictions.db");
        var (answered, tag) = await AnswerUntilKilledAsync(["--model", SampleModels.SamplePath, "--log-db", db], null);

        // The restart writes whatever the killed host had saved to its local spill but not yet to the database.
        await ReplayAfterRestartAsync(["--model", SampleModels.SamplePath, "--log-db", db], null);
        var logged = SqliteIds(db, tag);
        var missing = answered.Where(id => !logged.Contains(id)).ToArray();
        Assert.True(missing.Length == 0, $"{missing.Length:N0} of {answered.Count:N0} answered leads are not in the log (e.g. {string.Join(", ", missing.Take(3))})");
    }

    [SkippableFact]
    public async Task Every_lead_answered_before_the_host_is_killed_under_batch_load_is_in_the_postgres_log()
    {
        Skip.If(pg.SkipReason is not null, pg.SkipReason);
        using var dir = new TempDir();
        var env = new Dictionary<string, string> { ["PredictionLog__SpillDirectory"] = dir.File("spill") };
        string[] args = ["--model", SampleModels.SamplePath, "--postgres", pg.ConnectionString!];
        var (answered, tag) = await AnswerUntilKilledAsync(args, env);
        await ReplayAfterRestartAsync(args, env);
        var logged = await PostgresIdsAsync(pg.ConnectionString!, tag);
        var missing = answered.Where(id => !logged.Contains(id)).ToArray();
        Assert.True(missing.Length == 0, $"{missing.Length:N0} of {answered.Count:N0} answered leads are not in the log (e.g. {string.Join(", ", missing.Take(3))})");
    }

    [Fact]
    public async Task Deleting_the_log_directory_while_serving_is_reported_and_the_log_is_recreated_with_every_later_lead()
    {
        using var logs = new TempDir();
        var logDir = logs.File("logs");
        var db = Path.Combine(logDir, "predictions.db");
        await using var served = await RunningHost.StartAsync(settings: new Dictionary<string, string?> { ["PredictionLog:SqlitePath"] = db });
        await served.WaitUntilReadyAsync();
        Assert.Equal(HttpStatusCode.OK, (await served.Client.PostAsync("/api/v1/score", Json(Batch("before", 10)))).StatusCode);

        Directory.Delete(logDir, recursive: true);
        var after = await served.Client.PostAsync("/api/v1/score", Json(Batch("after", 20)));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);

        using (var health = JsonDocument.Parse(await served.Client.GetStringAsync("/health/ready")))
            Assert.Equal("degraded", health.RootElement.GetProperty("status").GetString());
        var status = await LogStatusAsync(served.Client);
        Assert.True(status.GetProperty("databaseIncidents").GetInt64() >= 1, status.ToString());
        Assert.Contains("deleted", status.GetProperty("lastIncident").GetString());
        Assert.True(File.Exists(db), "the log was not recreated");
        var logged = SqliteIds(db, "after");
        Assert.Equal(20, logged.Count);
    }

    [Fact]
    public async Task A_log_file_replaced_while_serving_is_reported_and_later_leads_go_to_the_file_now_at_that_path()
    {
        await using var host = await RunningHost.StartAsync();
        await host.WaitUntilReadyAsync();
        var db = host.Dir.File("predictions.db");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/api/v1/score", Json(Batch("before", 5)))).StatusCode);

        // An operator restores another log file over it (a rename, as `mv` does).
        var other = host.Dir.File("other.db");
        using (var c = new SqliteConnection($"Data Source={other};Pooling=false"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE unrelated (x INTEGER)";
            cmd.ExecuteNonQuery();
        }
        File.Move(other, db, overwrite: true);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/api/v1/score", Json(Batch("after", 7)))).StatusCode);

        var status = await LogStatusAsync(host.Client);
        Assert.Contains("replaced", status.GetProperty("lastIncident").GetString());
        Assert.Equal(7, SqliteIds(db, "after").Count);
    }

    [Fact]
    public async Task When_neither_the_database_nor_the_spill_can_take_the_leads_the_answer_says_they_were_not_logged()
    {
        using var dir = new TempDir();
        var file = dir.Write("not-a-folder", "x"); // nothing can be created under a file, whoever runs the test
        await using var host = await RunningHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["PredictionLog:SqlitePath"] = Path.Combine(file, "predictions.db"),
            ["PredictionLog:SpillDirectory"] = Path.Combine(file, "spill"),
            ["PredictionLog:CommitTimeout"] = "00:00:01",
        });
        await host.WaitUntilReadyAsync();
        using var response = await host.Client.PostAsync("/api/v1/score", Json(Batch("N", 3)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("not-logged", response.Headers.GetValues("X-Prediction-Log").Single());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("not-logged", body.RootElement.GetProperty("predictionLog").GetString());

        using var health = JsonDocument.Parse(await host.Client.GetStringAsync("/health/ready"));
        Assert.Equal("degraded", health.RootElement.GetProperty("status").GetString());
        Assert.Equal(3, health.RootElement.GetProperty("predictionLog").GetProperty("lost").GetInt64());
    }

    [Fact]
    public async Task A_460k_lead_csv_upload_is_logged_in_full_and_health_stays_ready()
    {
        using var data = new TempDir();
        var csv = data.File("leads-460k.csv");
        var generated = Cli.Train("generate", "--rows", "460000", "--new", "--output", csv);
        Assert.True(generated.ExitCode == 0, generated.All);
        Assert.True(new FileInfo(csv).Length < 64L << 20, "the upload must be legal under the default 64 MiB limit");
        await using var host = await RunningHost.StartAsync();
        await host.WaitUntilReadyAsync();

        await using var file = File.OpenRead(csv);
        var content = new StreamContent(file);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        using var response = await host.Client.PostAsync("/api/v1/score/csv?reasons=false", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("logged", response.Headers.GetValues("X-Prediction-Log").Single());

        var status = await LogStatusAsync(host.Client);
        Assert.Equal(0, status.GetProperty("lost").GetInt64());
        using var c = new SqliteConnection($"Data Source={host.Dir.File("predictions.db")};Mode=ReadOnly;Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(DISTINCT lead_id) FROM predictions";
        Assert.Equal(460_000L, (long)cmd.ExecuteScalar()!);
        using var health = JsonDocument.Parse(await host.Client.GetStringAsync("/health/ready"));
        Assert.Equal("ready", health.RootElement.GetProperty("status").GetString());
    }

    /// <summary>
    /// Six clients post 1,000-lead batches without reasons (the fastest scoring, so the log is the bottleneck) until the host
    /// is SIGKILLed; returns the ids of every lead answered with a 200.
    /// </summary>
    private static async Task<(IReadOnlyCollection<string> Answered, string Tag)> AnswerUntilKilledAsync(string[] args, IReadOnlyDictionary<string, string>? env)
    {
        var tag = "K" + Guid.NewGuid().ToString("N")[..8];
        var answered = new ConcurrentBag<string>();
        using var host = await HostProcess.StartAsync(args, env);
        var batches = 0;
        var clients = Enumerable.Range(0, 6).Select(c => Task.Run(async () =>
        {
            var batch = Leads.Batch(1000);
            for (var n = 0; ; n++)
            {
                var ids = new string[batch.Count];
                for (var i = 0; i < batch.Count; i++) batch[i]!["lead_id"] = ids[i] = $"{tag}-{c}-{n}-{i}";
                try
                {
                    using var response = await host.Client.PostAsync("/api/v1/score?reasons=false", Json(batch.ToJsonString()));
                    if (response.StatusCode != HttpStatusCode.OK) continue;
                    await response.Content.ReadAsByteArrayAsync();
                    foreach (var id in ids) answered.Add(id);
                    Interlocked.Increment(ref batches);
                }
                catch (HttpRequestException) { return; }
                catch (TaskCanceledException) { return; }
            }
        })).ToArray();
        var until = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref batches) < 60 && DateTime.UtcNow < until) await Task.Delay(50);
        host.Kill();
        await Task.WhenAll(clients);
        Assert.True(answered.Count >= 50_000, $"only {answered.Count} leads were answered before the kill:\n{host.Output}");
        return (answered.ToArray(), tag);
    }

    private static async Task ReplayAfterRestartAsync(string[] args, IReadOnlyDictionary<string, string>? env)
    {
        using var restarted = await HostProcess.StartAsync(args, env);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = await restarted.LogStatusAsync();
            var spilled = status.TryGetProperty("spilled", out var s) ? s.GetInt64() : 0;
            if (spilled == 0 && status.GetProperty("queued").GetInt64() == 0) break;
            Assert.True(DateTime.UtcNow < until, $"the restarted host did not write what was spilled: {status}");
            await Task.Delay(100);
        }
        Assert.True(restarted.Stop(TimeSpan.FromSeconds(30)), "the host did not stop on SIGTERM");
    }

    private static string Batch(string tag, int n)
    {
        var batch = Leads.Batch(n);
        for (var i = 0; i < n; i++) batch[i]!["lead_id"] = $"{tag}-{i}";
        return batch.ToJsonString();
    }

    private static async Task<JsonElement> LogStatusAsync(HttpClient client)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/health/ready"));
        return doc.RootElement.GetProperty("predictionLog").Clone();
    }

    private static HashSet<string> SqliteIds(string db, string tag)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT lead_id FROM predictions WHERE lead_id LIKE $tag || '-%'";
        cmd.Parameters.AddWithValue("$tag", tag);
        using var r = cmd.ExecuteReader();
        var ids = new HashSet<string>();
        while (r.Read()) ids.Add(r.GetString(0));
        return ids;
    }

    private static async Task<HashSet<string>> PostgresIdsAsync(string connectionString, string tag)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using var cmd = source.CreateCommand("SELECT lead_id FROM predictions WHERE lead_id LIKE $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = tag + "-%" });
        await using var r = await cmd.ExecuteReaderAsync();
        var ids = new HashSet<string>();
        while (await r.ReadAsync()) ids.Add(r.GetString(0));
        return ids;
    }
}
