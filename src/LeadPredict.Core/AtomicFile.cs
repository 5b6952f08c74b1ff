namespace LeadPredict.Core;

/// <summary>
/// Writes a file so that readers only ever see the old content or the complete new content:
/// the data goes to a temporary file in the same folder, is flushed to disk, then renamed over the target.
/// A crash or Ctrl-C at any moment leaves at most a stray temporary file, never a half-written target.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write) => Replace(path, temp =>
    {
        using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        write(stream);
        stream.Flush(flushToDisk: true);
    });

    /// <summary>
    /// As <see cref="Write(string, Action{Stream})"/>, for writers that write at positions of their own choosing with
    /// <see cref="RandomAccess.Write(Microsoft.Win32.SafeHandles.SafeFileHandle, ReadOnlySpan{byte}, long)"/>, several threads at once.
    /// </summary>
    public static void WriteHandle(string path, Action<Microsoft.Win32.SafeHandles.SafeFileHandle> write) => Replace(path, temp =>
    {
        using var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        write(handle);
        RandomAccess.FlushToDisk(handle);
    });

    private static void Replace(string path, Action<string> writeTemp)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            writeTemp(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void WriteText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(text); });

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
