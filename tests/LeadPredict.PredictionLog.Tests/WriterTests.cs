using System.Collections.Concurrent;
using LeadPredict.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LeadPredict.PredictionLog.Tests;

public sealed class WriterTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static PredictionRecord Record(int i, string tag = "L") =>
        new($"{tag}-{i}", "v1", 0.5, "B", null, null, DateTimeOffset.UtcNow, new string('0', 64));

    internal static PredictionRecord[] Records(int n, string tag = "L", int from = 0) => Enumerable.Range(from, n).Select(i => Record(i, tag)).ToArray();

    internal static PredictionLogWriter Writer(IPredictionStore store, PredictionLogOptions options, ILogger<PredictionLogWriter>? log = null) =>
        new(store, Options.Create(options), log ?? NullLogger<PredictionLogWriter>.Instance, TimeProvider.System);

    private PredictionLogOptions Options_(int batchSize = 2000, int queueCapacity = 50_000) => new()
    {
        BatchSize = batchSize, QueueCapacity = queueCapacity, RetryDelay = TimeSpan.FromMilliseconds(20), SpillDirectory = _dir.File("spill"),
    };

    [Fact]
    public async Task Every_record_is_in_the_sqlite_file_once_its_task_completes()
    {
        await using var store = new SqlitePredictionStore(_dir.File("log.db"));
        var writer = Writer(store, Options_(batchSize: 64));
        await writer.StartAsync(CancellationToken.None);
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(r => writer.LogAsync(Records(100, $"R{r}"))));
        Assert.All(results, r => Assert.Equal(LogResult.Logged, r));
        Assert.Equal(5000, await store.CountPredictionsAsync()); // no flush: the answer waited for the commit
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(5000, writer.Status.Written);
    }

    [Fact]
    public async Task Concurrent_requests_share_one_transaction_instead_of_one_each()
    {
        var store = new FakeStore { Delay = TimeSpan.FromMilliseconds(5) };
        var writer = Writer(store, Options_());
        await writer.StartAsync(CancellationToken.None);
        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() => writer.LogAsync([Record(i)]))));
        await writer.StopAsync(CancellationToken.None);
        Assert.All(results, r => Assert.Equal(LogResult.Logged, r));
        Assert.Equal(400, store.Ids.Count);
        Assert.True(store.Transactions < 200, $"{store.Transactions} transactions for 400 concurrent records");
    }

    [Fact]
    public async Task A_database_outage_spills_records_to_private_files_and_writes_them_when_it_is_back()
    {
        var store = new FakeStore { Down = true };
        var log = new ListLogger();
        var writer = Writer(store, Options_(batchSize: 10), log);
        await writer.StartAsync(CancellationToken.None);
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(r => writer.LogAsync(Records(10, $"O{r}"))));
        Assert.All(results, r => Assert.Equal(LogResult.Logged, r));
        Assert.Equal(new { Reachable = false, Spilled = 300L, Lost = 0L }, new { Reachable = writer.Status.DatabaseReachable, writer.Status.Spilled, writer.Status.Lost });
        Assert.Contains(log.Lines, l => l.Contains("failed") && l.Contains("saved to"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(LeadPredict.Core.PrivateFiles.DirectoryMode, File.GetUnixFileMode(_dir.File("spill")));
            foreach (var f in Directory.GetFiles(_dir.File("spill"))) Assert.Equal(LeadPredict.Core.PrivateFiles.FileMode, File.GetUnixFileMode(f));
        }

        store.Down = false;
        await WaitUntil(() => writer.Status is { DatabaseReachable: true, Spilled: 0 });
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(300, store.Ids.Distinct().Count());
        Assert.Equal(300, store.Ids.Count);
        Assert.Empty(Directory.GetFiles(_dir.File("spill")));
    }

    [Fact]
    public async Task Records_neither_the_database_nor_the_spill_can_take_are_counted_and_the_caller_is_told()
    {
        var store = new FakeStore { Down = true };
        var options = Options_();
        options.SpillDirectory = Path.Combine(_dir.Write("a-file", "x"), "spill"); // a folder cannot be made under a file
        var writer = Writer(store, options);
        await writer.StartAsync(CancellationToken.None);
        Assert.Equal(LogResult.NotLogged, await writer.LogAsync(Records(25)));
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(25, writer.Status.Lost);
    }

    [Fact]
    public async Task A_batch_bigger_than_the_queue_waits_for_room_and_is_written_in_full()
    {
        var store = new FakeStore { Delay = TimeSpan.FromMilliseconds(2) };
        var writer = Writer(store, Options_(batchSize: 2000, queueCapacity: 16));
        await writer.StartAsync(CancellationToken.None);
        Assert.Equal(LogResult.Logged, await writer.LogAsync(Records(1000)));
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(1000, store.Ids.Count);
        Assert.Equal(0, writer.Status.Lost);
        Assert.True(store.LargestTransaction <= 16, $"a transaction held {store.LargestTransaction} records with room for 16");
    }

    [Fact]
    public async Task Records_spilled_by_a_killed_host_are_written_after_the_restart_exactly_once()
    {
        var down = new FakeStore { Down = true };
        var killed = Writer(down, Options_());
        await killed.StartAsync(CancellationToken.None);
        Assert.Equal(LogResult.Logged, await killed.LogAsync(Records(2500)));
        // No StopAsync: the process is gone. The next one finds the spill file.

        var db = _dir.File("log.db");
        await using (var sqlite = new SqlitePredictionStore(db))
        {
            var failing = new FailAfterFirstReplay(sqlite);
            var cut = Writer(failing, Options_());
            await cut.StartAsync(CancellationToken.None);
            await WaitUntil(() => failing.Replays >= 2);
            await cut.StopAsync(CancellationToken.None);
            Assert.Equal(PredictionLogWriter.ReplayChunk, await sqlite.CountPredictionsAsync());

            var next = Writer(sqlite, Options_());
            await next.StartAsync(CancellationToken.None);
            await WaitUntil(() => next.Status.Spilled == 0);
            await next.StopAsync(CancellationToken.None);
            Assert.Equal(2500, await sqlite.CountPredictionsAsync());
        }
        await killed.StopAsync(CancellationToken.None);
        Assert.Empty(Directory.GetFiles(_dir.File("spill")));
    }

    [Fact]
    public async Task A_spill_line_cut_short_by_a_kill_is_skipped_and_an_unreadable_line_is_counted()
    {
        var spill = Directory.CreateDirectory(_dir.File("spill")).FullName;
        var lines = Records(3).Select(r => System.Text.Json.JsonSerializer.Serialize(r, PredictionLogJson.Default.PredictionRecord)).ToList();
        File.WriteAllText(Path.Combine(spill, "20260101T000000000-999999999-a.jsonl"), string.Join("\n", lines) + "\n{\"LeadId\": \"L-9\", \"Mod");
        File.WriteAllText(Path.Combine(spill, "20260101T000000000-999999999-b.jsonl"), lines[0] + "\nnot json\n");
        var store = new FakeStore();
        var writer = Writer(store, Options_());
        await writer.StartAsync(CancellationToken.None);
        Assert.Equal(6, writer.Status.Spilled);
        await WaitUntil(() => writer.Status.Spilled == 0);
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(4, store.Ids.Count);
        Assert.Equal(1, writer.Status.Lost);
    }

    [Fact]
    public async Task Records_saved_by_an_earlier_version_at_shutdown_are_written_too()
    {
        var options = Options_();
        options.SqlitePath = _dir.File("log.db");
        File.WriteAllLines(options.LegacySpillFile, Records(5).Select(r => System.Text.Json.JsonSerializer.Serialize(r)));
        var store = new FakeStore();
        var writer = Writer(store, options);
        await writer.StartAsync(CancellationToken.None);
        await WaitUntil(() => store.Ids.Count == 5);
        await writer.StopAsync(CancellationToken.None);
        Assert.False(File.Exists(options.LegacySpillFile));
    }

    [Fact]
    public async Task Records_queued_when_the_host_stops_are_committed_or_spilled_never_left_waiting()
    {
        var store = new FakeStore { Down = true };
        var writer = Writer(store, Options_());
        // Never started, as when the host stops at once: StopAsync must still settle what was queued.
        var pending = await writer.QueueAsync(Records(7));
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(LogResult.Logged, await pending.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(7, writer.Status.Spilled);
        Assert.Equal(LogResult.NotLogged, await writer.LogAsync(Records(1)));
        Assert.Equal(1, writer.Status.Lost);
    }

    [Fact]
    public async Task A_database_file_deleted_while_serving_is_reported_recreated_and_gets_every_later_record()
    {
        var db = Path.Combine(_dir.File("logs"), "log.db");
        await using var store = new SqlitePredictionStore(db);
        var log = new ListLogger();
        var writer = Writer(store, Options_(), log);
        await writer.StartAsync(CancellationToken.None);
        Assert.Equal(LogResult.Logged, await writer.LogAsync(Records(10, "before")));
        Directory.Delete(_dir.File("logs"), recursive: true);
        Assert.Equal(LogResult.Logged, await writer.LogAsync(Records(20, "after")));
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(1, writer.Status.DatabaseIncidents);
        Assert.Contains("deleted", writer.Status.LastIncident);
        Assert.Contains("10 records", writer.Status.LastIncident);
        Assert.Contains(log.Lines, l => l.Contains("deleted while serving"));
        Assert.Equal(20, await store.CountPredictionsAsync());
    }

    [Fact]
    public async Task A_database_file_deleted_while_idle_is_noticed_by_the_periodic_check()
    {
        var db = Path.Combine(_dir.File("logs"), "log.db");
        await using var store = new SqlitePredictionStore(db);
        var writer = Writer(store, Options_());
        await writer.StartAsync(CancellationToken.None);
        Assert.Equal(LogResult.Logged, await writer.LogAsync(Records(3)));
        Directory.Delete(_dir.File("logs"), recursive: true);
        await WaitUntil(() => writer.Status.DatabaseIncidents == 1);
        await writer.StopAsync(CancellationToken.None);
        Assert.True(File.Exists(db));
    }

    internal static async Task WaitUntil(Func<bool> condition, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting for the writer");
            await Task.Delay(10);
        }
    }

    /// <summary>A store in memory that can be down or slow, and counts its transactions.</summary>
    internal sealed class FakeStore : IPredictionStore
    {
        public volatile bool Down;
        public TimeSpan Delay;
        public ConcurrentQueue<string> Ids { get; } = new();
        private readonly HashSet<string> _markers = [];
        private int _transactions, _largest;
        public int Transactions => _transactions;
        public int LargestTransaction => _largest;
        public string Kind => "fake";

        public Task InitializeAsync(CancellationToken ct = default) => Down ? throw new IOException("connection refused") : Task.CompletedTask;
        public Task CheckAsync(CancellationToken ct = default) => InitializeAsync(ct);

        public async Task WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default)
        {
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, ct);
            if (Down) throw new IOException("connection refused");
            Interlocked.Increment(ref _transactions);
            lock (this) _largest = Math.Max(_largest, records.Count);
            foreach (var r in records) Ids.Enqueue(r.LeadId);
        }

        public async Task<bool> WriteReplayedAsync(string marker, IReadOnlyList<PredictionRecord> records, CancellationToken ct = default)
        {
            lock (_markers) if (_markers.Contains(marker)) return false;
            await WritePredictionsAsync(records, ct);
            lock (_markers) _markers.Add(marker);
            return true;
        }

        public Task ForgetReplayedAsync(string prefix, CancellationToken ct = default)
        {
            lock (_markers) _markers.RemoveWhere(m => m.StartsWith(prefix, StringComparison.Ordinal));
            return Task.CompletedTask;
        }

        public Task WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> outcomes, CancellationToken ct = default) => Task.CompletedTask;
        public Task<IReadOnlyList<PredictionWithOutcome>> ReadAsync(DateTimeOffset since, CancellationToken ct = default) => Task.FromResult<IReadOnlyList<PredictionWithOutcome>>([]);
        public Task<long> CountPredictionsAsync(CancellationToken ct = default) => Task.FromResult((long)Ids.Count);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Commits the first replayed chunk, then fails as if the host were killed mid-replay.</summary>
    private sealed class FailAfterFirstReplay(IPredictionStore inner) : IPredictionStore
    {
        public int Replays;
        public string Kind => inner.Kind;
        public Task InitializeAsync(CancellationToken ct = default) => inner.InitializeAsync(ct);
        public Task CheckAsync(CancellationToken ct = default) => inner.CheckAsync(ct);
        public Task WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default) => inner.WritePredictionsAsync(records, ct);

        public async Task<bool> WriteReplayedAsync(string marker, IReadOnlyList<PredictionRecord> records, CancellationToken ct = default)
        {
            if (Interlocked.Increment(ref Replays) > 1) throw new IOException("the connection was closed");
            return await inner.WriteReplayedAsync(marker, records, ct);
        }

        public Task ForgetReplayedAsync(string prefix, CancellationToken ct = default) => inner.ForgetReplayedAsync(prefix, ct);
        public Task WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> outcomes, CancellationToken ct = default) => inner.WriteOutcomesAsync(outcomes, ct);
        public Task<IReadOnlyList<PredictionWithOutcome>> ReadAsync(DateTimeOffset since, CancellationToken ct = default) => inner.ReadAsync(since, ct);
        public Task<long> CountPredictionsAsync(CancellationToken ct = default) => inner.CountPredictionsAsync(ct);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    internal sealed class ListLogger : ILogger<PredictionLogWriter>
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

public sealed class PredictionLogOptionsTests
{
    private static IReadOnlyList<string> Problems(PredictionLogOptions o)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(o, new(o), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage!).ToArray();
    }

    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(Problems(new PredictionLogOptions()));

    [Theory]
    [InlineData("QueueCapacity", "PredictionLog:QueueCapacity must be between 16 and 10000000.")]
    [InlineData("BatchSize", "PredictionLog:BatchSize must be between 1 and 100000.")]
    [InlineData("CommitTimeout", "PredictionLog:CommitTimeout must be between 100 ms and 10 minutes (was 00:00:00).")]
    [InlineData("RetryDelay", "PredictionLog:RetryDelay must be between 10 ms and 10 minutes (was 00:00:00).")]
    [InlineData("SqlitePath", "PredictionLog:SqlitePath is required when no PostgreSQL connection string is given.")]
    public void A_bad_setting_is_refused_with_a_sentence_naming_it(string setting, string message)
    {
        var o = new PredictionLogOptions();
        switch (setting)
        {
            case "QueueCapacity": o.QueueCapacity = 0; break;
            case "BatchSize": o.BatchSize = 0; break;
            case "CommitTimeout": o.CommitTimeout = TimeSpan.Zero; break;
            case "RetryDelay": o.RetryDelay = TimeSpan.Zero; break;
            default: o.SqlitePath = " "; break;
        }
        Assert.Equal([message], Problems(o));
    }

    [Fact]
    public void The_spill_folder_is_beside_the_sqlite_file_unless_set()
    {
        Assert.Equal("logs/p.db.spill", new PredictionLogOptions { SqlitePath = "logs/p.db" }.ResolvedSpillDirectory);
        Assert.Equal("predictions.spill", new PredictionLogOptions { PostgresConnectionString = "Host=x" }.ResolvedSpillDirectory);
        Assert.Equal("/var/spill", new PredictionLogOptions { SpillDirectory = "/var/spill" }.ResolvedSpillDirectory);
    }
}
