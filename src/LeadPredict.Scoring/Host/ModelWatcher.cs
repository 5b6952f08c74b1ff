using LeadPredict.Core;
using LeadPredict.ML;
using Microsoft.Extensions.Options;

namespace LeadPredict.Scoring.Host;

/// <summary>
/// Loads the model at start and again whenever the file is replaced: a FileSystemWatcher on the folder wakes it, a poll catches
/// what the watcher misses, and a short debounce lets the writer finish. A new file is loaded and verified (checksums and
/// probe predictions) before the swap; a broken file is logged and skipped while the old model keeps serving.
/// </summary>
public sealed class ModelWatcher(ModelHolder holder, IOptions<ScoringHostOptions> options, ILogger<ModelWatcher> log, TimeProvider time) : BackgroundService
{
    private readonly SemaphoreSlim _signal = new(0);
    private ModelFileStamp? _rejected;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var path = Path.GetFullPath(o.ModelPath);
        var dir = Path.GetDirectoryName(path)!;
        var file = Path.GetFileName(path);
        using var watcher = TryWatch(dir, file);
        await Task.Yield();
        if (!File.Exists(path)) log.LogWarning("Model file {Path} does not exist yet; the host is live but not ready until it appears", path);
        while (!stoppingToken.IsCancellationRequested)
        {
            CheckAndLoad(path);
            try
            {
                if (await _signal.WaitAsync(o.ReloadPollInterval, stoppingToken) && o.ReloadDebounce > TimeSpan.Zero)
                {
                    // Debounce: wait until the folder has been quiet for a moment.
                    do await Task.Delay(o.ReloadDebounce, time, stoppingToken);
                    while (await _signal.WaitAsync(0, stoppingToken));
                }
            }
            catch (OperationCanceledException) { return; }
        }
    }

    private FileSystemWatcher? TryWatch(string dir, string file)
    {
        try
        {
            if (!Directory.Exists(dir)) return null;
            var w = new FileSystemWatcher(dir, file)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            w.Changed += (_, _) => _signal.Release();
            w.Created += (_, _) => _signal.Release();
            w.Renamed += (_, _) => _signal.Release();
            w.Error += (_, e) => log.LogWarning("Watching the model folder failed ({Error}); polling continues", e.GetException().Message);
            w.EnableRaisingEvents = true;
            return w;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            log.LogWarning("Cannot watch {Dir} ({Error}); polling every {Interval}", dir, e.Message, options.Value.ReloadPollInterval);
            return null;
        }
    }

    /// <summary>Loads the file when it differs from the served one and from the last rejected one.</summary>
    internal void CheckAndLoad(string path)
    {
        var stamp = ModelFileStamp.Of(path);
        if (stamp is null || stamp == holder.Current?.Stamp || stamp == _rejected) return;
        try
        {
            var bundle = ModelBundle.Load(path);
            // The file may have been replaced again while loading; the next check picks that up.
            var model = new ScoringModel(bundle, path, time.GetUtcNow(), stamp, options.Value.RulesPath);
            var old = holder.Swap(model);
            _rejected = null;
            if (old is null) log.LogInformation("Serving model {Version} from {Path}", model.Version, path);
            else log.LogInformation("Model replaced: now serving {Version} (was {Old}); requests in flight finish on the old model", model.Version, old.Version);
        }
        catch (Exception e) when (e is LeadPredictException or IOException or UnauthorizedAccessException)
        {
            _rejected = stamp;
            holder.RecordFailure(e.Message);
            var current = holder.Current;
            log.LogError("Rejected the model file {Path}: {Error}. {Serving}", path, e.Message,
                current is null ? "No model is loaded; the host stays not-ready." : $"Still serving model {current.Version}.");
        }
    }

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }
}
