using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeadPredict.PredictionLog;

/// <summary>What became of records handed to the log.</summary>
public enum LogResult
{
    /// <summary>Committed to the database, or flushed to the local spill that is written to the database later.</summary>
    Logged,

    /// <summary>Neither the database nor the spill could take them; counted in the log's status.</summary>
    NotLogged,

    /// <summary>The prediction log is turned off.</summary>
    Off,
}

/// <summary>Where the scoring path hands records.</summary>
public interface IPredictionSink
{
    /// <summary>
    /// Waits for room in the log's queue (so a big upload is slowed down, never dropped), queues the records, and returns a
    /// task that completes once they are durable (<see cref="LogResult.Logged"/>) or could not be (<see cref="LogResult.NotLogged"/>).
    /// Answer a request only after that task: then every answered lead is in the log.
    /// </summary>
    ValueTask<Task<LogResult>> QueueAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default);
}

public static class PredictionSink
{
    /// <summary>Queues the records and waits until they are durable.</summary>
    public static async Task<LogResult> LogAsync(this IPredictionSink sink, IReadOnlyList<PredictionRecord> records, CancellationToken ct = default) =>
        await (await sink.QueueAsync(records, ct));

    /// <summary>The result of several parts of one answer: not logged if any part was not.</summary>
    public static LogResult Combine(LogResult a, LogResult b) =>
        a == LogResult.NotLogged || b == LogResult.NotLogged ? LogResult.NotLogged : a == LogResult.Logged || b == LogResult.Logged ? LogResult.Logged : LogResult.Off;

    /// <summary>The value of the X-Prediction-Log header and the answers' predictionLog field.</summary>
    public static string Text(this LogResult result) => result switch
    {
        LogResult.Logged => "logged",
        LogResult.NotLogged => "not-logged",
        _ => "off",
    };
}

/// <summary>The log's state for /health and the logs: nothing is lost silently.</summary>
/// <param name="Spilled">Records saved to the local spill and not yet in the database.</param>
/// <param name="Lost">Records that could be neither committed nor spilled (their answers said "not-logged").</param>
/// <param name="DatabaseIncidents">Times the database file was found deleted or replaced while serving (and recreated).</param>
public sealed record PredictionLogStatus(
    string Store, bool DatabaseReachable, long Written, long Queued, long Spilled, long Lost, string? LastError,
    long DatabaseIncidents, string? LastIncident);

/// <summary>
/// Commits predictions before they are answered. Requests queue their records and wait; one loop takes everything queued
/// (up to <see cref="PredictionLogOptions.BatchSize"/>) into one transaction, so requests arriving while a transaction
/// commits share the next one (group commit). When the database fails or takes longer than
/// <see cref="PredictionLogOptions.CommitTimeout"/>, the records are flushed to a local spill instead and written to the
/// database when it is back, also after a restart. Only records neither could take are lost: counted, logged, and the
/// request is told. A database file deleted or replaced while serving is detected, reported and recreated.
/// </summary>
public sealed class PredictionLogWriter : BackgroundService, IPredictionSink
{
    /// <summary>Spilled records are replayed in fixed chunks, so a replay cut short resumes on the same chunk boundaries.</summary>
    internal const int ReplayChunk = 1000;

    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    private readonly IPredictionStore _store;
    private readonly PredictionLogOptions _options;
    private readonly ILogger<PredictionLogWriter> _log;
    private readonly TimeProvider _time;
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly RecordBudget _budget;
    private readonly SpillJournal _spill;
    private readonly SemaphoreSlim _recreating = new(1, 1);
    private readonly TaskCompletionSource _firstCheck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written, _lost, _queued, _incidents, _writtenToFile;
    private DateTimeOffset _fileSince;
    private volatile bool _reachable;
    private volatile string? _lastError, _lastIncident;

    public PredictionLogWriter(IPredictionStore store, IOptions<PredictionLogOptions> options, ILogger<PredictionLogWriter> log, TimeProvider time)
    {
        _store = store;
        _options = options.Value;
        _log = log;
        _time = time;
        _budget = new RecordBudget(_options.QueueCapacity);
        _spill = new SpillJournal(_options.ResolvedSpillDirectory, [_options.LegacySpillFile, _options.LegacySpillFile + ".replaying"], time);
        _fileSince = time.GetUtcNow();
    }

    public PredictionLogStatus Status => new(_store.Kind, _reachable, Interlocked.Read(ref _written), Interlocked.Read(ref _queued),
        _spill.Pending, Interlocked.Read(ref _lost), _lastError, Interlocked.Read(ref _incidents), _lastIncident);

    public async ValueTask<Task<LogResult>> QueueAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default)
    {
        if (records.Count == 0) return Task.FromResult(LogResult.Logged);
        var chunk = Math.Min(_options.BatchSize, _budget.Capacity);
        Task<LogResult>? only = null;
        List<Task<LogResult>>? all = null;
        for (var from = 0; from < records.Count; from += chunk)
        {
            var n = Math.Min(chunk, records.Count - from);
            await _budget.TakeAsync(n, ct);
            var item = new Item(Slice(records, from, n));
            Interlocked.Add(ref _queued, n);
            if (!_queue.Writer.TryWrite(item))
            {
                Interlocked.Add(ref _queued, -n);
                _budget.Release(n);
                Lose(n, "the host is stopping");
                item.Done.SetResult(LogResult.NotLogged);
            }
            if (only is null) only = item.Done.Task;
            else (all ??= [only]).Add(item.Done.Task);
        }
        return all is null ? only! : CombineAllAsync(all);
    }

    private static async Task<LogResult> CombineAllAsync(List<Task<LogResult>> parts)
    {
        var result = LogResult.Logged;
        foreach (var p in parts) result = PredictionSink.Combine(result, await p);
        return result;
    }

    private static ArraySegment<PredictionRecord> Slice(IReadOnlyList<PredictionRecord> records, int from, int n)
    {
        if (records is PredictionRecord[] array) return new ArraySegment<PredictionRecord>(array, from, n);
        var copy = new PredictionRecord[n];
        for (var i = 0; i < n; i++) copy[i] = records[from + i];
        return copy;
    }

    /// <summary>Waits until everything queued so far is committed or spilled, and what was spilled is written (for tests and tools).</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        var until = _time.GetUtcNow() + timeout;
        while ((Interlocked.Read(ref _queued) > 0 || (_spill.Pending > 0 && _reachable)) && _time.GetUtcNow() < until)
            await Task.Delay(10);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _spill.Open();
            if (_spill.Pending > 0)
                _log.LogInformation("Prediction log: {Count} records saved to {Directory} by an earlier run will be written to the database", _spill.Pending, _spill.Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogError("Prediction log: cannot read the spill folder {Directory} ({Error}); its files are left in place", _spill.Directory, e.Message);
        }
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // ExecuteAsync has finished, or never ran when the host stopped at once: no queued record may wait forever.
        _queue.Writer.TryComplete();
        var left = new List<PredictionRecord>();
        var items = new List<Item>();
        while (_queue.Reader.TryRead(out var item))
        {
            items.Add(item);
            left.AddRange(item.Records);
        }
        if (items.Count == 0) return;
        var result = LogResult.Logged;
        try { _spill.Append(left); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Lose(left.Count, $"the host stopped before they were written and the spill folder {_spill.Directory} could not take them ({e.Message})");
            result = LogResult.NotLogged;
        }
        _spill.Seal();
        Interlocked.Add(ref _queued, -left.Count);
        foreach (var item in items) item.Done.TrySetResult(result);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recovery = Task.Run(() => RecoverAsync(stoppingToken), CancellationToken.None);
        // Let the first check reach the database before the first commit, so early requests are not spilled needlessly.
        try { await _firstCheck.Task.WaitAsync(_options.CommitTimeout, _time, stoppingToken); }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException) { }

        var group = new List<Item>();
        var records = new List<PredictionRecord>(_options.BatchSize * 2);
        while (true)
        {
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(stoppingToken)) break;
            }
            catch (OperationCanceledException) { break; }
            await CommitQueuedAsync(group, records);
        }

        // Stopping (the server has finished its requests): refuse new records, commit or spill what is queued.
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryPeek(out _)) await CommitQueuedAsync(group, records);
        _spill.Seal();
        await recovery;
        if (_spill.Pending > 0)
            _log.LogWarning("Prediction log: {Count} records are in {Directory} and will be written to the database at the next start", _spill.Pending, _spill.Directory);
    }

    private async Task CommitQueuedAsync(List<Item> group, List<PredictionRecord> records)
    {
        group.Clear();
        records.Clear();
        while (records.Count < _options.BatchSize && _queue.Reader.TryRead(out var item))
        {
            group.Add(item);
            records.AddRange(item.Records);
        }
        if (group.Count == 0) return;
        var result = await CommitAsync(records);
        Interlocked.Add(ref _queued, -records.Count);
        _budget.Release(records.Count);
        foreach (var item in group) item.Done.TrySetResult(result);
    }

    private async Task<LogResult> CommitAsync(List<PredictionRecord> records)
    {
        if (_reachable)
        {
            for (var attempt = 0; attempt < 2; attempt++)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(_options.CommitTimeout, _time);
                    await _store.WritePredictionsAsync(records, timeout.Token);
                    Interlocked.Add(ref _written, records.Count);
                    Interlocked.Add(ref _writtenToFile, records.Count);
                    return LogResult.Logged;
                }
                catch (PredictionStoreMovedException e) when (attempt == 0)
                {
                    if (!await RecreateAsync(e)) break;
                }
                catch (Exception e)
                {
                    Fail(e is OperationCanceledException ? new TimeoutException($"a commit took more than {_options.CommitTimeout.TotalSeconds:0.#} s") : e);
                    break;
                }
            }
        }
        try
        {
            _spill.Append(records);
            return LogResult.Logged;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Lose(records.Count, $"the database could not take them ({_lastError ?? "unavailable"}) and neither could the spill folder {_spill.Directory} ({e.Message})");
            return LogResult.NotLogged;
        }
    }

    /// <summary>
    /// The database file was deleted or replaced: report it, count what was written to the old file, and start a new one
    /// (or use the file now at the path). False when that fails too.
    /// </summary>
    private async Task<bool> RecreateAsync(PredictionStoreMovedException e)
    {
        await _recreating.WaitAsync();
        try
        {
            using var timeout = new CancellationTokenSource(_options.CommitTimeout, _time);
            try
            {
                await _store.CheckAsync(timeout.Token);
                return true; // the other loop recreated it already
            }
            catch (PredictionStoreMovedException) { }
            var before = Interlocked.Exchange(ref _writtenToFile, 0);
            var since = _fileSince;
            _fileSince = _time.GetUtcNow();
            await _store.InitializeAsync(timeout.Token);
            Interlocked.Increment(ref _incidents);
            _lastIncident = $"{_fileSince:u}: {e.Message}; the {before:N0} records written to it since {since:u} are not in the file now used";
            _log.LogError("Prediction log: {Message}. A new log file was started there; the {Count} records written to the old file since {Since} are not in it",
                e.Message, before, since);
            return true;
        }
        catch (Exception failure) when (failure is not PredictionStoreMovedException)
        {
            Fail(failure);
            return false;
        }
        finally { _recreating.Release(); }
    }

    /// <summary>
    /// Reaches the database after a failure (with back-off), writes what was spilled, and checks every few seconds that the
    /// database (or its file) is still there, so health tells the truth even when no lead is being scored.
    /// </summary>
    private async Task RecoverAsync(CancellationToken stop)
    {
        var delay = _options.RetryDelay;
        while (!stop.IsCancellationRequested)
        {
            var healthy = await CheckAndReplayAsync(stop);
            _firstCheck.TrySetResult();
            delay = healthy ? _options.RetryDelay : Next(delay);
            try { await Task.Delay(healthy ? CheckInterval : delay, _time, stop); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task<bool> CheckAndReplayAsync(CancellationToken stop)
    {
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                timeout.CancelAfter(_options.CommitTimeout);
                if (_reachable) await _store.CheckAsync(timeout.Token);
                else
                {
                    await _store.InitializeAsync(timeout.Token);
                    if (_lastError is not null) _log.LogInformation("Prediction log: the {Store} database is reachable again", _store.Kind);
                    else _log.LogInformation("Prediction log ready ({Store})", _store.Kind);
                    _lastError = null;
                    _reachable = true;
                }
            }
            _spill.Seal();
            foreach (var file in _spill.Sealed())
            {
                if (stop.IsCancellationRequested) return false;
                await ReplayAsync(file, stop);
            }
            return true;
        }
        catch (PredictionStoreMovedException e)
        {
            return await RecreateAsync(e);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { return false; }
        catch (Exception e)
        {
            Fail(e is OperationCanceledException ? new TimeoutException($"the database did not answer within {_options.CommitTimeout.TotalSeconds:0.#} s") : e);
            return false;
        }
    }

    private async Task ReplayAsync(string file, CancellationToken stop)
    {
        var name = Path.GetFileName(file);
        long written = 0, unreadable = 0;
        using var chunks = SpillJournal.Read(file, ReplayChunk).GetEnumerator();
        while (true)
        {
            SpillChunk chunk;
            try
            {
                if (!chunks.MoveNext()) break;
                chunk = chunks.Current;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogError("Prediction log: cannot read the spill file {File} ({Error}); it is left in place", file, e.Message);
                return;
            }
            if (chunk.Records.Count > 0)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(_options.CommitTimeout);
                if (await _store.WriteReplayedAsync($"{name}:{chunk.FirstLine}", chunk.Records, timeout.Token))
                {
                    Interlocked.Add(ref _written, chunk.Records.Count);
                    Interlocked.Add(ref _writtenToFile, chunk.Records.Count);
                    written += chunk.Records.Count;
                }
            }
            unreadable += chunk.Unreadable;
            _spill.Replayed(chunk.Lines);
        }
        SpillJournal.Delete(file);
        await _store.ForgetReplayedAsync(name + ":", stop);
        if (unreadable > 0) Lose((int)unreadable, $"{unreadable} lines of the spill file {name} could not be read");
        _log.LogInformation("Prediction log: wrote {Count} spilled records from {File} to the database", written, name);
    }

    private void Fail(Exception e)
    {
        if (_reachable || _lastError != e.Message)
            _log.LogError("Prediction log: the {Store} database failed ({Error}); records are saved to {Directory} until it is back, and scoring continues",
                _store.Kind, e.Message, _spill.Directory);
        _reachable = false;
        _lastError = e.Message;
    }

    private void Lose(int count, string why)
    {
        var total = Interlocked.Add(ref _lost, count);
        _log.LogError("Prediction log: {Count} records lost because {Why} ({Total} lost since start)", count, why, total);
    }

    private static TimeSpan Next(TimeSpan d) => TimeSpan.FromTicks(Math.Min(d.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));

    private sealed class Item(ArraySegment<PredictionRecord> records)
    {
        public ArraySegment<PredictionRecord> Records { get; } = records;
        public TaskCompletionSource<LogResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
