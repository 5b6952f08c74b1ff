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
    public async Task The_writer_logs_through_postgres_in_batches()
    {
        Skip.If(pg.SkipReason is not null, pg.SkipReason);
        await using var store = new PostgresPredictionStore(pg.ConnectionString!);
        await store.InitializeAsync();
        var before = await store.CountPredictionsAsync();
        var writer = WriterTests.Writer(store, new PredictionLogOptions { BatchSize = 100 });
        await writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 1000; i++) Assert.True(writer.TryLog(WriterTests.Record(i)));
        await writer.FlushAsync(TimeSpan.FromSeconds(20));
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(before + 1000, await store.CountPredictionsAsync());
        Assert.Equal(0, writer.Status.Lost);
    }
}
