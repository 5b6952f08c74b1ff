using LeadPredict.Core;

namespace LeadPredict.Scoring.Host;

/// <summary>
/// Where the host keeps uploaded CSVs and their ranked output while a request runs: a folder of its own,
/// <c>$TMPDIR/leadpredict-host.PID.RANDOM</c>, that only its user can enter (0700), with one sub-folder per request removed
/// when the request ends, however it ends. The folder goes when the host stops; folders of hosts that were killed are
/// removed at the next start.
/// </summary>
public sealed class UploadFolder(ILogger<UploadFolder> log) : IHostedService, IDisposable
{
    public const string Prefix = "leadpredict-host.";

    /// <summary>Uploads older than this in the shared folder earlier versions used are from hosts that were killed.</summary>
    private static readonly TimeSpan LegacyAge = TimeSpan.FromHours(1);

    private readonly Lazy<string> _root = new(() =>
        Directory.CreateTempSubdirectory($"{Prefix}{Environment.ProcessId}.").FullName); // mkdtemp: 0700, a fresh name

    public string Root => _root.Value;

    /// <summary>A private sub-folder for one request, deleted with everything in it when disposed.</summary>
    public RequestFolder ForRequest() => new(PrivateFiles.CreateDirectory(Path.Combine(Root, Guid.NewGuid().ToString("N"))).FullName);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var removed = RemoveStale(Path.GetTempPath());
        if (removed > 0) log.LogWarning("Removed {Count} upload folders left in {Temp} by hosts that were stopped abruptly", removed, Path.GetTempPath());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (_root.IsValueCreated) TryDelete(_root.Value);
    }

    /// <summary>Removes the upload folders of hosts that are no longer running; returns how many.</summary>
    /// <param name="tempRoot">The folder holding them.</param>
    /// <param name="time">The clock that legacy folders' ages are measured against (default: the system's).</param>
    public static int RemoveStale(string tempRoot, TimeProvider? time = null)
    {
        var removed = 0;
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(tempRoot, Prefix + "*"))
            {
                var name = Path.GetFileName(dir);
                if (!name.StartsWith(Prefix, StringComparison.Ordinal)) continue; // the pattern also matches "leadpredict-host"
                var parts = name[Prefix.Length..].Split('.');
                if (parts.Length != 2 || !PrivateFiles.TryParseProcessId(parts[0], out var pid)) continue;
                if (PrivateFiles.IsGone(pid, Directory.GetLastWriteTimeUtc(dir)) && TryDelete(dir)) removed++;
            }
            var legacy = Path.Combine(tempRoot, "leadpredict-host");
            if (Directory.Exists(legacy))
            {
                foreach (var dir in Directory.EnumerateDirectories(legacy))
                    if ((time ?? TimeProvider.System).GetUtcNow().UtcDateTime - Directory.GetLastWriteTimeUtc(dir) > LegacyAge && TryDelete(dir)) removed++;
                if (!Directory.EnumerateFileSystemEntries(legacy).Any()) TryDelete(legacy);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return removed;
    }

    private static bool TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
            return true;
        }
        catch (DirectoryNotFoundException) { return false; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public sealed class RequestFolder(string path) : IDisposable
    {
        public string Path { get; } = path;

        public void Dispose() => TryDelete(Path);
    }
}
