namespace LeadPredict.Core;

/// <summary>
/// Writes a file so that readers only ever see the old content or the complete new content:
/// the data goes to a temporary file in the same folder, is flushed to disk, then renamed over the target.
/// The temporary is private (0600) while it is written and removed on any error or cancellation; one left by a killed
/// process (<c>.NAME.PID.GUID.tmp</c>, the PID no longer running) is removed the next time the same target is written.
/// </summary>
public static class AtomicFile
{
    /// <summary>One file of a group published together (see <see cref="WriteTogether"/>).</summary>
    public sealed record Part(string Path, Action<Stream> Write);

    public static void Write(string path, Action<Stream> write) => WriteTogether(path, write, []);

    /// <summary>
    /// As <see cref="Write(string, Action{Stream})"/>, for writers that write at positions of their own choosing with
    /// <see cref="RandomAccess.Write(Microsoft.Win32.SafeHandles.SafeFileHandle, ReadOnlySpan{byte}, long)"/>, several threads at once.
    /// </summary>
    public static void WriteHandle(string path, Action<Microsoft.Win32.SafeHandles.SafeFileHandle> write)
    {
        var full = Prepare(path);
        var temp = TempName(full);
        try
        {
            using (var stream = PrivateFiles.Create(temp, bufferSize: 0))
            {
                write(stream.SafeFileHandle);
                RandomAccess.FlushToDisk(stream.SafeFileHandle);
            }
            Publish(temp, full);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> and the files that describe it (a report, metrics) so that a reader never finds one
    /// describing another version of it: everything is written to temporaries first; then the old companions are
    /// removed, the main file is renamed into place, and the new companions after it. A crash in between leaves the main
    /// file (old or new) without companions, never beside ones of another version.
    /// </summary>
    public static void WriteTogether(string path, Action<Stream> write, IReadOnlyList<Part> companions)
    {
        var full = Prepare(path);
        var parts = companions.Select(c => (Full: Prepare(c.Path), c.Write)).ToArray();
        var temps = new List<string>();
        try
        {
            foreach (var (target, writePart) in parts) temps.Add(WriteTemp(target, writePart));
            var main = WriteTemp(full, write);
            temps.Add(main);
            foreach (var (target, _) in parts) File.Delete(target);
            Publish(main, full);
            for (var i = 0; i < parts.Length; i++) Publish(temps[i], parts[i].Full);
        }
        catch
        {
            foreach (var temp in temps) TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// A file written now and published later, once something else has committed (a scores table): the content goes to
    /// <see cref="PendingFile.Path"/>, a private temporary beside the target (removed like any other if the process dies);
    /// <see cref="PendingFile.Publish"/> renames it into place, and disposing it unpublished removes it.
    /// </summary>
    public static PendingFile Pending(string path)
    {
        var full = Prepare(path);
        var temp = TempName(full);
        using (PrivateFiles.Create(temp)) { }
        return new PendingFile(full, temp);
    }

    /// <summary>See <see cref="Pending"/>.</summary>
    public sealed class PendingFile : IDisposable
    {
        private bool _published;

        internal PendingFile(string target, string temp)
        {
            Target = target;
            Path = temp;
        }

        /// <summary>The file that appears on <see cref="Publish"/>.</summary>
        public string Target { get; }
        /// <summary>Where the content goes until then (write it with <see cref="AtomicFile"/> or over it; flush it to disk).</summary>
        public string Path { get; }

        public void Publish()
        {
            AtomicFile.Publish(Path, Target);
            _published = true;
        }

        public void Dispose()
        {
            if (!_published) TryDelete(Path);
        }
    }

    public static void WriteText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(text); });

    /// <summary>
    /// Removes temporaries of <paramref name="path"/> left by processes that are gone (killed before they could clean up).
    /// Those of running processes are left alone. Returns how many were removed.
    /// </summary>
    public static int RemoveStaleTemporaries(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var prefix = $".{Path.GetFileName(full)}.";
        if (!Directory.Exists(dir)) return 0;
        var removed = 0;
        try
        {
            foreach (var temp in Directory.EnumerateFiles(dir, prefix + "*.tmp"))
            {
                // .NAME.PID.GUID.tmp: the part between the prefix and ".tmp" is "PID.GUID".
                var rest = Path.GetFileName(temp).AsSpan(prefix.Length, Path.GetFileName(temp).Length - prefix.Length - ".tmp".Length);
                var dot = rest.IndexOf('.');
                if (dot <= 0 || rest.Length - dot - 1 != 32 || !PrivateFiles.TryParseProcessId(rest[..dot], out var pid)) continue;
                if (!PrivateFiles.IsGone(pid, File.GetLastWriteTimeUtc(temp))) continue;
                if (TryDelete(temp)) removed++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return removed;
    }

    private static string Prepare(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        RemoveStaleTemporaries(full);
        return full;
    }

    private static string TempName(string full) =>
        Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    private static string WriteTemp(string full, Action<Stream> write)
    {
        var temp = TempName(full);
        try
        {
            using var stream = PrivateFiles.Create(temp);
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        return temp;
    }

    /// <summary>Renames the private temporary over the target, with the target's mode (or the usual one for a new file).</summary>
    private static void Publish(string temp, string full)
    {
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, File.Exists(full) ? File.GetUnixFileMode(full) : PrivateFiles.DefaultFileMode);
        File.Move(temp, full, overwrite: true);
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
