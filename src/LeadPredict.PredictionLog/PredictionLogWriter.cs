using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeadPredict.PredictionLog;

/// <summary>Where the scoring path hands records; never blocks and never throws.</summary>
public interface IPredictionSink
{
    /// <summary>Queues a record for the log; false (and counted as lost) when the queue is full.</summary>
    bool TryLog(PredictionRecord record);
}

/// <summary>The log's state for /health and the logs: nothing is lost silently.</summary>
public sealed record PredictionLogStatus(string Store, bool DatabaseReachable, long Written, long Queued, long PendingRetry, long Lost, string? LastError);

/// <summary>
/// Drains a bounded queue of predictions into the store in batches, off the request path. When the database fails, records
/// are kept in memory (up to <see cref="PredictionLogOptions.MaxPendingDuringOutage"/>) and retried with back-off; records
/// beyond that bound, or that find the queue full, are counted as lost and reported in the status and the log.
/// </summary>
public sealed class PredictionLogWriter : BackgroundService, IPredictionSink
{
    private readonly IPredictionStore _store;
    private readonly PredictionLogOptions _options;
    private readonly ILogger<PredictionLogWriter> _log;
    private readonly TimeProvider _time;
    private readonly Channel<PredictionRecord> _queue;
    private readonly List<PredictionRecord> _pending = [];
    private long _written, _lost, _pendingCount, _lostReported;
    private volatile bool _reachable = true;
    private volatile string? _lastError;
    private volatile bool _busy;

    public PredictionLogWriter(IPredictionStore store, IOptions<PredictionLogOptions> options, ILogger<PredictionLogWriter> log, TimeProvider time)
    {
        _store = store;
        _options = options.Value;
        _log = log;
        _time = time;
        _queue = Channel.CreateBounded<PredictionRecord>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails (and is counted) instead of dropping silently SingleReader = true, SingleWriter = false,
        });
    }

    public bool TryLog(PredictionRecord record)
    {
        if (_queue.Writer.TryWrite(record)) return true;
        Interlocked.Increment(ref _lost);
        return false;
    }

    public PredictionLogStatus Status => new(_store.Kind, _reachable, Interlocked.Read(ref _written), _queue.Reader.Count,
        Interlocked.Read(ref _pendingCount), Interlocked.Read(ref _lost), _lastError);

    /// <summary>Waits until everything queued so far has been written (or given up on); for tests and shutdown.</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        var until = _time.GetUtcNow() + timeout;
        while ((_queue.Reader.Count > 0 || Interlocked.Read(ref _pendingCount) > 0 || _busy) && _time.GetUtcNow() < until)
            await Task.Delay(10);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Here rather than in ExecuteAsync, which .NET runs later on the thread pool (or not at all when stopped at once).
        RestoreSpilled();
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // ExecuteAsync has finished (or never ran): anything still pending must not vanish.
        while (_queue.Reader.TryRead(out var r)) _pending.Add(r);
        if (_pending.Count > 0) Spill();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = _options.RetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _store.InitializeAsync(stoppingToken);
                _reachable = true;
                _log.LogInformation("Prediction log ready ({Store})", _store.Kind);
                break;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                Fail(e);
                try { await Task.Delay(delay, _time, stoppingToken); } catch (OperationCanceledException) { return; }
                delay = Next(delay);
            }
        }

        delay = _options.RetryDelay;
        while (true)
        {
            try
            {
                if (_pending.Count == 0 && !await _queue.Reader.WaitToReadAsync(stoppingToken)) break;
            }
            catch (OperationCanceledException) { break; }
            _busy = true;
            try
            {
                Drain();
                if (await TryWriteAll(stoppingToken)) delay = _options.RetryDelay;
                else
                {
                    try { await Task.Delay(delay, _time, stoppingToken); } catch (OperationCanceledException) { break; }
                    delay = Next(delay);
                }
            }
            finally { _busy = false; }
        }

        // Shutdown: one last attempt to write what is left.
        Drain();
        using var last = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await TryWriteAll(last.Token);
        if (_pending.Count > 0) Spill();
        else DeleteReplayed();
    }

    private string ReplayPath => _options.ResolvedSpillPath + ".replaying";

    /// <summary>Saves what could not be written to a local file, so a restart picks it up instead of losing it.</summary>
    private void Spill()
    {
        var path = _options.ResolvedSpillPath;
        try
        {
            LeadPredict.Core.AtomicFile.Write(path, stream =>
            {
                using var w = new StreamWriter(stream, leaveOpen: true);
                foreach (var r in _pending) w.WriteLine(JsonSerializer.Serialize(r));
            });
            DeleteReplayed();
            _log.LogWarning("Prediction log: the database is unavailable at shutdown; {Count} records saved to {Path} and written at the next start",
                _pending.Count, path);
            _pending.Clear();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Lose(_pending.Count, $"the host stopped while the database was unavailable and {path} could not be written ({e.Message})");
        }
    }

    /// <summary>Puts records saved at the last shutdown back in the retry buffer (kept on disk until they are written).</summary>
    private void RestoreSpilled()
    {
        try
        {
            var path = _options.ResolvedSpillPath;
            if (File.Exists(path))
            {
                if (File.Exists(ReplayPath)) File.AppendAllLines(ReplayPath, File.ReadLines(path));
                else File.Move(path, ReplayPath);
                File.Delete(path);
            }
            if (!File.Exists(ReplayPath)) return;
            var restored = 0;
            foreach (var line in File.ReadLines(ReplayPath))
            {
                if (line.Length == 0) continue;
                if (JsonSerializer.Deserialize<PredictionRecord>(line) is { } r) { _pending.Add(r); restored++; }
            }
            Interlocked.Exchange(ref _pendingCount, _pending.Count);
            _log.LogInformation("Prediction log: {Count} records saved at the last shutdown will be written now", restored);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            _log.LogError("Prediction log: cannot read the records saved at the last shutdown ({Error}); the file is left in place", e.Message);
        }
    }

    private void DeleteReplayed()
    {
        try { File.Delete(ReplayPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private void Drain()
    {
        // While the database keeps up, take one batch at a time: the backlog stays in the bounded queue (so memory is bounded
        // and overflow is counted). During an outage, move everything into the retry buffer, which keeps the newest records.
        var limit = _reachable ? _options.BatchSize : int.MaxValue;
        while (_pending.Count < limit && _queue.Reader.TryRead(out var r)) _pending.Add(r);
        if (!_reachable && _pending.Count > _options.MaxPendingDuringOutage)
        {
            var excess = _pending.Count - _options.MaxPendingDuringOutage;
            _pending.RemoveRange(0, excess);
            Lose(excess, "the database is unavailable and the in-memory buffer is full");
        }
        Interlocked.Exchange(ref _pendingCount, _pending.Count);
    }

    private async Task<bool> TryWriteAll(CancellationToken ct)
    {
        try
        {
            while (_pending.Count > 0)
            {
                var n = Math.Min(_options.BatchSize, _pending.Count);
                await _store.WritePredictionsAsync(_pending.GetRange(0, n), ct);
                _pending.RemoveRange(0, n);
                Interlocked.Add(ref _written, n);
                Drain();
            }
            if (!_reachable) _log.LogInformation("Prediction log: the {Store} database is reachable again", _store.Kind);
            DeleteReplayed();
            _reachable = true;
            _lastError = null;
            ReportLoss();
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Fail(e);
            Drain();
            return false;
        }
        catch (OperationCanceledException) { return false; }
    }

    private void Fail(Exception e)
    {
        if (_reachable || _lastError != e.Message)
            _log.LogError("Prediction log: writing to the {Store} database failed ({Error}); keeping up to {Max} records in memory and retrying; scoring continues",
                _store.Kind, e.Message, _options.MaxPendingDuringOutage);
        _reachable = false;
        _lastError = e.Message;
    }

    private void Lose(int count, string why)
    {
        Interlocked.Add(ref _lost, count);
        _log.LogWarning("Prediction log: {Count} records lost because {Why} ({Total} lost since start)", count, why, Interlocked.Read(ref _lost));
        _lostReported = Interlocked.Read(ref _lost);
    }

    private void ReportLoss()
    {
        var lost = Interlocked.Read(ref _lost);
        if (lost == _lostReported) return;
        _log.LogWarning("Prediction log: {Count} records lost because the queue was full ({Total} lost since start)", lost - _lostReported, lost);
        _lostReported = lost;
    }

    private static TimeSpan Next(TimeSpan d) => TimeSpan.FromTicks(Math.Min(d.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
}
