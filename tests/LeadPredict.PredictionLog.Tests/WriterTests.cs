using LeadPredict.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LeadPredict.PredictionLog.Tests;

public sealed class WriterTests : IDisposable
{
    private readonly TempDir _dir = new();

    internal static PredictionRecord Record(int i) =>
        new($"L-{i}", "v1", 0.5, "B", null, null, DateTimeOffset.UtcNow, new string('0', 64));

    internal static PredictionLogWriter Writer(IPredictionStore store, PredictionLogOptions options, ILogger<PredictionLogWriter>? log = null) =>
        new(store, Options.Create(options), log ?? NullLogger<PredictionLogWriter>.Instance, TimeProvider.System);

    [Fact]
    public async Task Every_queued_record_reaches_the_sqlite_file()
    {
        await using var store = new SqlitePredictionStore(_dir.File("log.db"));
        var writer = Writer(store, new PredictionLogOptions { BatchSize = 64 });
        await writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 5000; i++) writer.TryLog(Record(i));
        await writer.FlushAsync(TimeSpan.FromSeconds(20));
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(5000, await store.CountPredictionsAsync());
        Assert.Equal(5000, writer.Status.Written);
    }

    [Fact]
    public async Task A_database_outage_keeps_records_in_memory_and_writes_them_when_it_recovers()
    {
        var store = new FlakyStore { Down = true };
        var log = new ListLogger();
        var writer = Writer(store, new PredictionLogOptions { BatchSize = 10, RetryDelay = TimeSpan.FromMilliseconds(20), MaxPendingDuringOutage = 1000 }, log);
        await writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 300; i++) Assert.True(writer.TryLog(Record(i)));
        await WaitUntil(() => writer.Status is { DatabaseReachable: false, PendingRetry: 300 });
        Assert.Contains(log.Lines, l => l.Contains("failed") && l.Contains("retrying"));

        store.Down = false;
        await WaitUntil(() => writer.Status.Written == 300);
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(300, store.Written);
        Assert.Equal(0, writer.Status.Lost);
        Assert.True(writer.Status.DatabaseReachable);
    }

    [Fact]
    public async Task Records_beyond_the_outage_bound_are_counted_as_lost_and_logged()
    {
        var store = new FlakyStore { Down = true };
        var log = new ListLogger();
        var writer = Writer(store, new PredictionLogOptions { BatchSize = 10, RetryDelay = TimeSpan.FromMilliseconds(20), MaxPendingDuringOutage = 100 }, log);
        await writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 250; i++) writer.TryLog(Record(i));
        await WaitUntil(() => writer.Status.Lost == 150);
        Assert.Equal(100, writer.Status.PendingRetry);
        Assert.Contains(log.Lines, l => l.Contains("150 records lost") || l.Contains("lost because the database is unavailable"));
        store.Down = false;
        await WaitUntil(() => writer.Status.Written == 100);
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void A_full_queue_drops_and_counts_instead_of_blocking_the_caller()
    {
        var store = new FlakyStore { Down = true };
        var writer = Writer(store, new PredictionLogOptions { QueueCapacity = 16 }); // not started: nothing drains
        var accepted = Enumerable.Range(0, 40).Count(i => writer.TryLog(Record(i)));
        Assert.Equal(16, accepted);
        Assert.Equal(24, writer.Status.Lost);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting for the writer");
            await Task.Delay(10);
        }
    }

    public void Dispose() => _dir.Dispose();

    private sealed class FlakyStore : IPredictionStore
    {
        public volatile bool Down;
        public int Written;
        public string Kind => "flaky";
        public Task InitializeAsync(CancellationToken ct = default) => Task.CompletedTask;

        public Task WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default)
        {
            if (Down) throw new IOException("connection refused");
            Interlocked.Add(ref Written, records.Count);
            return Task.CompletedTask;
        }

        public Task WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> outcomes, CancellationToken ct = default) => Task.CompletedTask;
        public Task<IReadOnlyList<PredictionWithOutcome>> ReadAsync(DateTimeOffset since, CancellationToken ct = default) => Task.FromResult<IReadOnlyList<PredictionWithOutcome>>([]);
        public Task<long> CountPredictionsAsync(CancellationToken ct = default) => Task.FromResult((long)Written);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class ListLogger : ILogger<PredictionLogWriter>
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add(formatter(state, exception));
        }
    }
}

public sealed class WriterRestartTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Records_unwritten_at_shutdown_are_saved_and_written_after_a_restart()
    {
        var options = new PredictionLogOptions { BatchSize = 10, RetryDelay = TimeSpan.FromMilliseconds(20), SpillPath = _dir.File("pending.jsonl") };
        var down = new SwitchableStore { Down = true };
        var first = WriterTests.Writer(down, options);
        await first.StartAsync(CancellationToken.None);
        for (var i = 0; i < 50; i++) first.TryLog(WriterTests.Record(i));
        var until = DateTime.UtcNow.AddSeconds(10);
        while (first.Status.PendingRetry < 50 && DateTime.UtcNow < until) await Task.Delay(10);
        await first.StopAsync(CancellationToken.None);
        Assert.Equal(0, first.Status.Lost);
        Assert.Equal(50, File.ReadAllLines(options.SpillPath).Length);

        var up = new SwitchableStore();
        var second = WriterTests.Writer(up, options);
        await second.StartAsync(CancellationToken.None);
        await second.FlushAsync(TimeSpan.FromSeconds(10));
        await second.StopAsync(CancellationToken.None);
        Assert.True(50 == up.Ids.Count, $"ids {up.Ids.Count}, spill exists {File.Exists(options.SpillPath)}, replay exists {File.Exists(options.SpillPath + ".replaying")}, pending {second.Status.PendingRetry}, written {second.Status.Written}, lost {second.Status.Lost}, err {second.Status.LastError}");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"L-{i}").Order(), up.Ids.Order());
        Assert.False(File.Exists(options.SpillPath));
        Assert.False(File.Exists(options.SpillPath + ".replaying"));
    }

    private sealed class SwitchableStore : IPredictionStore
    {
        public volatile bool Down;
        public System.Collections.Concurrent.ConcurrentBag<string> Ids { get; } = [];
        public string Kind => "test";
        public Task InitializeAsync(CancellationToken ct = default) => Task.CompletedTask;

        public Task WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default)
        {
            if (Down) throw new IOException("connection refused");
            foreach (var r in records) Ids.Add(r.LeadId);
            return Task.CompletedTask;
        }

        public Task WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> outcomes, CancellationToken ct = default) => Task.CompletedTask;
        public Task<IReadOnlyList<PredictionWithOutcome>> ReadAsync(DateTimeOffset since, CancellationToken ct = default) => Task.FromResult<IReadOnlyList<PredictionWithOutcome>>([]);
        public Task<long> CountPredictionsAsync(CancellationToken ct = default) => Task.FromResult((long)Ids.Count);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
