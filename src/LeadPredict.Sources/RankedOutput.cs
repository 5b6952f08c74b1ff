using LeadPredict.Core;
using LeadPredict.ML.Scoring;

namespace LeadPredict.Sources;

/// <summary>
/// Where batch scoring writes its ranked file, and when it appears. The CSV goes to a private temporary beside the
/// <c>--output</c> file (<see cref="AtomicFile.Pending"/>), or into a private folder when the output is Parquet or there is
/// no file output at all (only a scores table); a Parquet output is written from the typed rows (<see cref="Sink"/>, a
/// <see cref="ParquetRankedWriter"/>) by <see cref="Finish"/>. The file appears only on <see cref="Publish"/>, which the
/// command calls after the scores table committed: a failed commit leaves neither the new rows nor the new file.
/// </summary>
public sealed class RankedOutput : IDisposable
{
    private readonly string? _folder;
    private readonly ParquetRankedWriter? _parquet;
    private readonly AtomicFile.PendingFile? _pending;

    private RankedOutput(string? output, string? folder)
    {
        Output = output;
        _folder = folder;
        try
        {
            if (output is not null) _pending = AtomicFile.Pending(output);
            if (output is not null && IsParquet(output)) _parquet = new ParquetRankedWriter(folder!);
            CsvPath = folder is null ? _pending!.Path : System.IO.Path.Combine(folder, "ranked.csv");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The ranked file the user asked for, or null.</summary>
    public string? Output { get; }
    /// <summary>Where batch scoring writes the ranked CSV.</summary>
    public string CsvPath { get; } = "";
    /// <summary>What receives each scored lead for the output (the Parquet writer), or null.</summary>
    public IScoredLeadSink? Sink => _parquet;

    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    public static RankedOutput For(string? output) =>
        new(output, output is not null && !IsParquet(output) ? null : StagedLeads.NewFolder());

    /// <summary>Writes the Parquet output to its temporary (nothing to do for a CSV: batch scoring wrote it there).</summary>
    public void Finish()
    {
        if (_parquet is null) return;
        var parquet = System.IO.Path.Combine(_folder!, "ranked.parquet");
        _parquet.Finish(parquet);
        using var source = File.OpenRead(parquet);
        using var target = new FileStream(_pending!.Path, FileMode.Truncate, FileAccess.Write);
        source.CopyTo(target);
        target.Flush(flushToDisk: true);
    }

    /// <summary>Renames the finished output into place.</summary>
    public void Publish() => _pending?.Publish();

    public void Dispose()
    {
        _parquet?.Dispose();
        _pending?.Dispose();
        if (_folder is null) return;
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
