using System.Security.Cryptography;
using System.Text;

namespace LeadPredict.ML.Training;

/// <summary>
/// What data a model was trained on, as one SHA-256: the training file's own hash for a flat file; for a CRM history in time,
/// the hash of the lines "name sha256" of the leads file and then each other table (activity log, outcomes, stage history),
/// so changing any one of them changes the identity. Champion/challenger compares models "on the same footing" only when
/// this is equal.
/// </summary>
public sealed record DataIdentity(string Sha256, IReadOnlyList<string> HistoryFiles)
{
    public static DataIdentity Of(string dataPath, IReadOnlyList<string> historyFiles)
    {
        var data = FileSha256(dataPath);
        if (historyFiles.Count == 0) return new DataIdentity(data, []);
        var lines = new StringBuilder().Append(Path.GetFileName(dataPath)).Append(' ').Append(data).Append('\n');
        var described = new List<string>();
        foreach (var path in historyFiles)
        {
            // A table that is not one file (a Parquet glob, a database table) is identified by its name alone.
            var sha = File.Exists(path) ? FileSha256(path) : "not a file";
            lines.Append(Path.GetFileName(path)).Append(' ').Append(sha).Append('\n');
            described.Add($"{Path.GetFileName(path)} (SHA-256 {(File.Exists(path) ? sha[..12].ToLowerInvariant() + "…" : "not a file: " + path)})");
        }
        return new DataIdentity(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString()))), described);
    }

    private static string FileSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
