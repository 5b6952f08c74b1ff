using LeadPredict.Core;
using LeadPredict.ML.Scoring;

namespace LeadPredict.Sources;

/// <summary>
/// Where batch scoring writes its ranked file, and when it appears. The CSV goes to a private temporary beside the
/// <c>--output</c> file (<see cref="AtomicFile.Pending"/>); a Parquet output is written from the typed rows (<see cref="Sink"/>,
/// a <see cref="ParquetRankedWriter"/>) to such a temporary by <see cref="Finish"/>, and no CSV is built at all (nor when there
/// is no file output, only a scores table). The file appears only on <see cref="Publish"/>, which the command calls after the
/// scores table committed: a failed commit leaves neither the new rows nor the new file.
/// </summary>
public sealed class RankedOutput : IDisposable
{
    private readonly ParquetRankedWriter? _parquet;
    private readonly AtomicFile.PendingFile? _pending;

    private RankedOutput(string? output)
    {
        Output = output;
        if (output is null) return;
        _pending = AtomicFile.Pending(output);
        if (IsParquet(output)) _parquet = new ParquetRankedWriter();
    }

    /// <summary>The ranked file the user asked for, or null.</summary>
    public string? Output { get; }
    /// <summary>Where batch scoring writes the ranked CSV; null when it writes none (a Parquet output, or only a scores table).</summary>
    public string? CsvPath => _parquet is null ? _pending?.Path : null;
    /// <summary>What receives each scored lead for the output (the Parquet writer), or null.</summary>
    public IScoredLeadSink? Sink => _parquet;

    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    public static RankedOutput For(string? output) => new(output);

    /// <summary>Writes the Parquet output to its temporary (nothing to do for a CSV: batch scoring wrote it there).</summary>
    public void Finish() => _parquet?.Finish(_pending!.Path);

    /// <summary>Renames the finished output into place.</summary>
    public void Publish() => _pending?.Publish();

    public void Dispose()
    {
        _parquet?.Dispose();
        _pending?.Dispose();
    }
}
