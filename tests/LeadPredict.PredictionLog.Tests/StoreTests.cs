using LeadPredict.TestSupport;

namespace LeadPredict.PredictionLog.Tests;

/// <summary>The same behaviour from both stores: predictions and outcomes round-trip, later outcomes replace earlier ones.</summary>
public abstract class StoreContract
{
    protected abstract IPredictionStore? CreateStore();

    private static readonly DateTimeOffset T0 = new(2026, 6, 25, 9, 0, 0, TimeSpan.Zero);

    protected async Task Predictions_and_outcomes_round_trip_through_the_store()
    {
        await using var store = CreateStore()!;
        await store.InitializeAsync();
        await store.InitializeAsync(); // idempotent
        var before = await store.CountPredictionsAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var records = Enumerable.Range(0, 2500).Select(i => new PredictionRecord($"{tag}-{i}", "v1", i / 2500.0, i % 2 == 0 ? "A" : "D",
            i % 3 == 0 ? null : "mql", i % 5 == 0 ? null : "call", T0.AddSeconds(i), new string('a', 64))).ToArray();
        await store.WritePredictionsAsync(records);
        await store.WriteOutcomesAsync([new OutcomeRecord($"{tag}-1", false, T0), new OutcomeRecord($"{tag}-2", false, T0)]);
        await store.WriteOutcomesAsync([new OutcomeRecord($"{tag}-2", true, T0.AddDays(1))]);

        Assert.Equal(before + 2500, await store.CountPredictionsAsync());
        var rows = (await store.ReadAsync(T0)).Where(r => r.ModelVersion == "v1" && r.ScoredAt >= T0).ToArray();
        Assert.True(rows.Length >= 2500);
        var mine = rows.Where(r => r.ScoredAt <= T0.AddSeconds(2)).Take(3).ToArray();
        Assert.Equal([null, false, true], mine.Select(r => r.Converted).ToArray());
        Assert.Equal(1 / 2500.0, mine[1].Probability, 12);
        Assert.Equal(T0.AddSeconds(2), mine[2].ScoredAt);
    }
}

public sealed class SqliteStoreTests : StoreContract, IDisposable
{
    private readonly TempDir _dir = new();
    protected override IPredictionStore CreateStore() => new SqlitePredictionStore(_dir.File("log.db"));

    [Fact]
    public Task Sqlite_round_trips_predictions_and_outcomes() => Predictions_and_outcomes_round_trip_through_the_store();

    [Fact]
    public async Task A_log_file_of_an_earlier_version_keeps_its_records_and_loses_only_the_slow_lead_index()
    {
        var path = _dir.File("old.db");
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=false"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE predictions (id INTEGER PRIMARY KEY AUTOINCREMENT, lead_id TEXT NOT NULL, model_version TEXT NOT NULL,
                  probability REAL NOT NULL, grade TEXT NOT NULL, suggested_stage TEXT NULL, action TEXT NULL, scored_at INTEGER NOT NULL,
                  input_sha256 TEXT NOT NULL);
                CREATE INDEX predictions_lead ON predictions (lead_id);
                INSERT INTO predictions (lead_id, model_version, probability, grade, scored_at, input_sha256) VALUES ('OLD-1', 'v0', 0.5, 'B', 0, 'x');
                """;
            cmd.ExecuteNonQuery();
        }
        await using var store = new SqlitePredictionStore(path);
        await store.InitializeAsync();
        await store.WritePredictionsAsync([WriterTests.Record(1)]);
        Assert.Equal(2, await store.CountPredictionsAsync());
        using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=false");
        check.Open();
        using var indexes = check.CreateCommand();
        indexes.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'predictions_lead'";
        Assert.Equal(0L, (long)indexes.ExecuteScalar()!);
    }

    public void Dispose() => _dir.Dispose();
}

public sealed class PostgresStoreTests(PostgresFixture pg) : StoreContract, IClassFixture<PostgresFixture>
{
    protected override IPredictionStore? CreateStore() => pg.ConnectionString is { } cs ? new PostgresPredictionStore(cs) : null;

    [SkippableFact]
    public async Task Postgres_round_trips_predictions_and_outcomes()
    {
        Skip.If(pg.SkipReason is not null, pg.SkipReason);
        await Predictions_and_outcomes_round_trip_through_the_store();
    }

    [SkippableFact]
    public async Task The_writer_commits_through_postgres_before_it_answers()
    {
        Skip.If(pg.SkipReason is not null, pg.SkipReason);
        await using var store = new PostgresPredictionStore(pg.ConnectionString!);
        await store.InitializeAsync();
        var before = await store.CountPredictionsAsync();
        using var dir = new TempDir();
        var writer = WriterTests.Writer(store, new PredictionLogOptions { BatchSize = 100, SpillDirectory = dir.File("spill") });
        await writer.StartAsync(CancellationToken.None);
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(r => writer.LogAsync(WriterTests.Records(100, $"W{r}"))));
        Assert.All(results, r => Assert.Equal(LogResult.Logged, r));
        Assert.Equal(before + 1000, await store.CountPredictionsAsync());
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(0, writer.Status.Lost);
    }

    [SkippableFact]
    public async Task Connections_killed_mid_write_lose_no_acknowledged_record()
    {
        Skip.If(pg.SkipReason is not null, pg.SkipReason);
        var tag = "X" + Guid.NewGuid().ToString("N")[..8];
        await using var store = new PostgresPredictionStore(pg.ConnectionString + ";Application Name=lp-writer");
        using var dir = new TempDir();
        var writer = WriterTests.Writer(store, new PredictionLogOptions
        {
            BatchSize = 500, RetryDelay = TimeSpan.FromMilliseconds(50), SpillDirectory = dir.File("spill"),
        });
        await writer.StartAsync(CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var killer = Task.Run(async () =>
        {
            await using var admin = Npgsql.NpgsqlDataSource.Create(pg.ConnectionString!);
            var killed = 0;
            while (!stop.IsCancellationRequested)
            {
                await using var cmd = admin.CreateCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'lp-writer'");
                killed += (int)(long)(await cmd.ExecuteScalarAsync())!;
                await Task.Delay(15);
            }
            return killed;
        });
        var logged = new List<string>();
        for (var r = 0; r < 60; r++)
        {
            var records = WriterTests.Records(250, $"{tag}-{r}");
            var results = await Task.WhenAll(writer.LogAsync(records[..125]), writer.LogAsync(records[125..]));
            Assert.All(results, x => Assert.Equal(LogResult.Logged, x));
            logged.AddRange(records.Select(x => x.LeadId));
        }
        await stop.CancelAsync();
        var kills = await killer;
        await WriterTests.WaitUntil(() => writer.Status is { DatabaseReachable: true, Spilled: 0 }, seconds: 60);
        await writer.StopAsync(CancellationToken.None);

        await using var check = Npgsql.NpgsqlDataSource.Create(pg.ConnectionString!);
        await using var read = check.CreateCommand("SELECT lead_id FROM predictions WHERE starts_with(lead_id, $1)");
        read.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tag });
        var stored = new HashSet<string>();
        await using (var rows = await read.ExecuteReaderAsync())
            while (await rows.ReadAsync()) stored.Add(rows.GetString(0));
        Assert.True(kills > 0, "no connection was killed");
        var missing = logged.Where(id => !stored.Contains(id)).ToArray();
        Assert.True(missing.Length == 0, $"{missing.Length} of {logged.Count} acknowledged records are missing after {kills} killed connections");
        Assert.Equal(0, writer.Status.Lost);
    }

    [SkippableFact]
    public async Task A_table_dropped_while_serving_is_recreated_and_the_records_in_between_are_written()
    {
        Skip.If(pg.SkipReason is not null, pg.SkipReason);
        var tag = "D" + Guid.NewGuid().ToString("N")[..8];
        await using var store = new PostgresPredictionStore(pg.ConnectionString!);
        using var dir = new TempDir();
        var writer = WriterTests.Writer(store, new PredictionLogOptions { RetryDelay = TimeSpan.FromMilliseconds(50), SpillDirectory = dir.File("spill") });
        await writer.StartAsync(CancellationToken.None);
        Assert.Equal(LogResult.Logged, await writer.LogAsync(WriterTests.Records(10, tag)));
        await using (var admin = Npgsql.NpgsqlDataSource.Create(pg.ConnectionString!))
        await using (var drop = admin.CreateCommand("DROP TABLE predictions"))
            await drop.ExecuteNonQueryAsync();
        Assert.Equal(LogResult.Logged, await writer.LogAsync(WriterTests.Records(20, tag, from: 10)));
        await WriterTests.WaitUntil(() => writer.Status is { DatabaseReachable: true, Spilled: 0 }, seconds: 30);
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(20, await store.CountPredictionsAsync());
        Assert.Equal(0, writer.Status.Lost);
    }
}
