using System.Runtime.InteropServices;

namespace LeadPredict.PredictionLog;

/// <summary>
/// Which file a path names right now: device and inode on Linux (so a file deleted, or replaced by a rename, is told apart
/// from the one opened), its creation time elsewhere. <see cref="Missing"/> when nothing is at the path.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long CreatedTicks)
{
    public static readonly FileIdentity Missing = new(0, 0, 0);

    public bool Exists => this != Missing;

    public static FileIdentity Of(string path)
    {
        if (OperatingSystem.IsLinux() && (RuntimeInformation.OSArchitecture is Architecture.X64 or Architecture.Arm64) && !_statUnavailable)
        {
            try
            {
                // struct stat starts with st_dev and st_ino (8 bytes each) on Linux x86-64 and arm64.
                var buffer = new byte[256];
                if (stat(path, buffer) != 0) return Missing;
                return new(BitConverter.ToUInt64(buffer, 0), BitConverter.ToUInt64(buffer, 8), 0);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                _statUnavailable = true;
            }
        }
        var info = new FileInfo(path);
        return info.Exists ? new(0, 0, info.CreationTimeUtc.Ticks) : Missing;
    }

    private static bool _statUnavailable;

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int stat(string path, byte[] buffer);
}
