using System.Collections.Concurrent;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;

namespace LeadPredict.Scoring.Host;

/// <summary>What identifies one version of the model file on disk.</summary>
public sealed record ModelFileStamp(long Length, DateTime LastWriteUtc)
{
    public static ModelFileStamp? Of(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new ModelFileStamp(info.Length, info.LastWriteTimeUtc) : null;
    }
}

/// <summary>
/// The model currently served. Requests read <see cref="Current"/> once and keep that instance to the end, so a swap
/// never changes the model under a request in flight; the swap itself is one atomic reference exchange.
/// </summary>
public sealed class ModelHolder
{
    private ScoringModel? _current;
    private long _failures;
    private volatile string? _lastError;

    public ScoringModel? Current => Volatile.Read(ref _current);
    public long FailedLoads => Interlocked.Read(ref _failures);
    public string? LastLoadError => _lastError;

    /// <summary>Makes <paramref name="model"/> the served model and returns the previous one.</summary>
    public ScoringModel? Swap(ScoringModel model)
    {
        _lastError = null;
        return Interlocked.Exchange(ref _current, model);
    }

    public void RecordFailure(string message)
    {
        Interlocked.Increment(ref _failures);
        _lastError = message;
    }
}
