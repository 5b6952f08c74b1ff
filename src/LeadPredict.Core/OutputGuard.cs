using System.Runtime.InteropServices;

namespace LeadPredict.Core;

/// <summary>A file a command reads or writes, with the words that name it for the user ("--input", "the model's metrics file").</summary>
public sealed record FileRole(string Role, string Path);

/// <summary>
/// Stops a typo from destroying the user's files: every writing command calls <see cref="Check"/> before any work, and an
/// output that is the same file as one of its inputs (the same path, a symbolic link to it, or a hard link: the same device
/// and inode), an existing folder, or (for <paramref name="refuseZip"/> outputs: CSV, HTML, JSON) an existing zip such as a
/// model, is refused with one sentence naming both. Nothing is read, written or moved before that.
/// </summary>
public static class OutputGuard
{
    /// <param name="refuseZip">The outputs are text (ranked CSV, HTML, JSON): an existing zip (a model) there is refused too.</param>
    public static void Check(IEnumerable<FileRole> outputs, IEnumerable<FileRole?> inputs, bool refuseZip = false)
    {
        var readFrom = inputs.OfType<FileRole>().ToArray();
        foreach (var output in outputs)
        {
            var target = System.IO.Path.GetFullPath(output.Path);
            if (Directory.Exists(target))
                throw new LeadPredictException($"{output.Role} {Show(output.Path)} is an existing folder, so nothing was done: give a file name (inside it or elsewhere).");
            foreach (var input in readFrom)
                if (IsSameFile(target, System.IO.Path.GetFullPath(input.Path)))
                    throw new LeadPredictException(
                        $"{output.Role} {Show(output.Path)} is the same file as {input.Role} {Show(input.Path)}{LinkNote(output.Path, input.Path)}; " +
                        "writing there would destroy it, so nothing was done: choose another output file.");
            if (refuseZip && IsZip(target))
                throw new LeadPredictException(
                    $"{output.Role} {Show(output.Path)} holds a zip file (a model?); writing there would replace it, so nothing was done: choose another output file.");
        }
    }

    /// <summary>Whether two paths name the same file: equal full paths, or (both existing) the same device and inode, which also catches symbolic and hard links.</summary>
    public static bool IsSameFile(string a, string b)
    {
        var fa = System.IO.Path.GetFullPath(a);
        var fb = System.IO.Path.GetFullPath(b);
        if (string.Equals(fa, fb, PathComparison)) return true;
        if (!File.Exists(fa) || !File.Exists(fb)) return false;
        if (FileId(fa) is { } ia && FileId(fb) is { } ib) return ia == ib;
        return string.Equals(Resolve(fa), Resolve(fb), PathComparison);
    }

    private static string LinkNote(string output, string input)
    {
        var fo = System.IO.Path.GetFullPath(output);
        var fi = System.IO.Path.GetFullPath(input);
        if (string.Equals(fo, fi, PathComparison)) return "";
        return string.Equals(Resolve(fo), Resolve(fi), PathComparison) ? " (through a symbolic link)" : " (a hard link to it)";
    }

    private static string Show(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var relative = System.IO.Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(relative) ? full : relative;
    }

    private static bool IsZip(string path)
    {
        if (!File.Exists(path)) return false;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Span<byte> magic = stackalloc byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic is [(byte)'P', (byte)'K', 3, 4];
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>The path with every symbolic link along it followed.</summary>
    private static string Resolve(string full)
    {
        var parent = System.IO.Path.GetDirectoryName(full);
        var resolvedParent = parent is null ? null : Resolve(parent);
        var path = resolvedParent is null ? full : System.IO.Path.Combine(resolvedParent, System.IO.Path.GetFileName(full));
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target) return Resolve(target.FullName);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return path;
    }

    /// <summary>Device and inode of a file (following symbolic links) on 64-bit Linux, where both lead struct stat; null elsewhere.</summary>
    private static (ulong Device, ulong Inode)? FileId(string path)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64)) return null;
        var buffer = new byte[256]; // struct stat is 144 (x86-64) or 128 (arm64) bytes
        try
        {
            if (Native.Stat(path, buffer) != 0) return null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
        return (BitConverter.ToUInt64(buffer, 0), BitConverter.ToUInt64(buffer, 8));
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
        public static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
    }
}
