using LeadPredict.Core;
using LeadPredict.ML.Scoring;

namespace LeadPredict.Sources;

/// <summary>
/// Where batch scoring writes its ranked CSV: the <c>--output</c> file itself, or a private temporary when the output is
/// Parquet or there is no file output at all (only a scores table). A Parquet output is written from the typed rows
/// (<see cref="Sink"/>, a <see cref="ParquetRankedWriter"/>) by <see cref="Publish"/>.
/// </summary>
public sealed class RankedOutput : IDisposable
{
    private readonly string? _folder;
    private readonly ParquetRankedWriter? _parquet;

    private RankedOutput(string csvPath, string? output, string? folder)
    {
        CsvPath = csvPath;
        Output = output;
        _folder = folder;
        if (output is not null && IsParquet(output)) _parquet = new ParquetRankedWriter(folder!);
    }

    /// <summary>The ranked file the user asked for, or null.</summary>
    public string? Output { get; }
    /// <summary>Where the ranked CSV goes.</summary>
    public string CsvPath { get; }
    /// <summary>What receives each scored lead for the output (the Parquet writer), or null.</summary>
    public IScoredLeadSink? Sink => _parquet;

    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    public static RankedOutput For(string? output)
    {
        if (output is not null && !IsParquet(output)) return new RankedOutput(output, output, null);
        var folder = StagedLeads.NewFolder();
        try
        {
            return new RankedOutput(Path.Combine(folder, "ranked.csv"), output, folder);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>Writes the Parquet output (atomically, like every output); nothing to do for a CSV output.</summary>
    public void Publish()
    {
        if (_parquet is null) return;
        var parquet = Path.Combine(_folder!, "ranked.parquet");
        _parquet.Finish(parquet);
        AtomicFile.Write(Output!, stream =>
        {
            using var source = File.OpenRead(parquet);
            source.CopyTo(stream);
        });
    }

    public void Dispose()
    {
        _parquet?.Dispose();
        if (_folder is null) return;
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
