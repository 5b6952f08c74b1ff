using System.Diagnostics;
using System.Globalization;

namespace LeadPredict.Core;

/// <summary>
/// Files and folders only their owner can read (0600 and 0700 on Unix), for anything holding lead data before it is
/// published: temporary outputs, uploads, the prediction log's spill. And whether a process that left one behind is gone.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates a new file (never opens an existing one) readable and writable by its owner only.</summary>
    public static FileStream Create(string path, FileAccess access = FileAccess.Write, int bufferSize = 1 << 16, FileShare share = FileShare.None,
        FileOptions options = FileOptions.None)
    {
        var o = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = access, Share = share, BufferSize = bufferSize, Options = options };
        if (!OperatingSystem.IsWindows()) o.UnixCreateMode = FileMode;
        return new FileStream(path, o);
    }

    /// <summary>Creates the folder (and its parents) if missing; a folder it creates is its owner's only.</summary>
    public static DirectoryInfo CreateDirectory(string path) =>
        OperatingSystem.IsWindows() ? Directory.CreateDirectory(path) : Directory.CreateDirectory(path, DirectoryMode);

    /// <summary>The mode a file gets when created the usual way (0666 less the process umask), for files published from a private temporary.</summary>
    public static UnixFileMode DefaultFileMode { get; } = ReadDefaultFileMode();

    private static UnixFileMode ReadDefaultFileMode()
    {
        const UnixFileMode all = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        var umask = 0b000_010_010; // 022, the usual one, when the kernel does not say
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("Umask:", StringComparison.Ordinal))
                    umask = Convert.ToInt32(line["Umask:".Length..].Trim(), 8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return all & ~(UnixFileMode)umask;
    }

    /// <summary>
    /// True when no process with this id runs, or the one that does started after <paramref name="leftAt"/> (the id was
    /// reused): whatever that process left behind at that time is stale.
    /// </summary>
    public static bool IsGone(int processId, DateTime leftAtUtc)
    {
        if (processId == Environment.ProcessId) return false;
        try
        {
            using var p = Process.GetProcessById(processId);
            if (p.HasExited) return true;
            // Start times are rounded to clock ticks: allow a second so a live process is never taken for a reused id.
            return p.StartTime.ToUniversalTime() > leftAtUtc.AddSeconds(1);
        }
        catch (ArgumentException) { return true; }
        catch (InvalidOperationException) { return true; }
        catch (System.ComponentModel.Win32Exception) { return false; }
        catch (NotSupportedException) { return false; }
    }

    /// <summary>Reads the process id in a name made by <c>$"{prefix}{pid}{separator}..."</c>.</summary>
    public static bool TryParseProcessId(ReadOnlySpan<char> s, out int pid) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0;
}
