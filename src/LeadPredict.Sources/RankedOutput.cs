using DuckDB.NET.Data;
using LeadPredict.Core;
using LeadPredict.Core.Csv;
using LeadPredict.ML.Scoring;

namespace LeadPredict.Sources;

/// <summary>
/// Where batch scoring writes its ranked CSV: the <c>--output</c> file itself, or a private temporary when the output is
/// Parquet (converted by <see cref="Publish"/>) or there is no file output at all (only a scores table).
/// </summary>
public sealed class RankedOutput : IDisposable
{
    private readonly string? _folder;

    private RankedOutput(string csvPath, string? output, string? folder)
    {
        CsvPath = csvPath;
        Output = output;
        _folder = folder;
    }

    /// <summary>The ranked file the user asked for, or null.</summary>
    public string? Output { get; }
    /// <summary>Where the ranked CSV goes.</summary>
    public string CsvPath { get; }

    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    public static RankedOutput For(string? output)
    {
        if (output is not null && !IsParquet(output)) return new RankedOutput(output, output, null);
        var folder = StagedLeads.NewFolder();
        return new RankedOutput(Path.Combine(folder, "ranked.csv"), output, folder);
    }

    /// <summary>Writes the Parquet output from the ranked CSV (atomically, like every output); nothing to do for a CSV output.</summary>
    public void Publish(RankedLayout layout)
    {
        if (Output is null || !IsParquet(Output)) return;
        var parquet = Path.Combine(_folder!, "ranked.parquet");
        ParquetRanked.Write(CsvPath, layout, parquet);
        AtomicFile.Write(Output, stream =>
        {
            using var source = File.OpenRead(parquet);
            source.CopyTo(stream);
        });
    }

    public void Dispose()
    {
        if (_folder is null) return;
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// The ranked leads as Parquet with proper column types: rank BIGINT, probability DOUBLE, score INTEGER, icp_score DOUBLE, the
/// other output columns and the input's columns as text (as they were in the input), in rank order.
/// </summary>
internal static class ParquetRanked
{
    public static void Write(string rankedCsv, RankedLayout layout, string parquet)
    {
        char separator;
        using (var header = new CsvRecordReader(rankedCsv, separator: null)) separator = header.Separator;
        var types = layout.Headers.Select((h, i) => (Name: h, Type: i switch
        {
            0 => "BIGINT",
            2 => "DOUBLE",
            3 => "INTEGER",
            _ when i >= layout.AnnotationsAt && i < layout.TopReasonsAt && h == "icp_score" => "DOUBLE",
            _ => "VARCHAR",
        })).ToArray();
        var columns = string.Join(", ", types.Select(t => $"{ParquetSource.Literal(t.Name)}: '{t.Type}'"));
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var copy = db.CreateCommand();
        copy.CommandText =
            $"COPY (SELECT * FROM read_csv({ParquetSource.Literal(rankedCsv)}, header = true, auto_detect = false, delim = {ParquetSource.Literal(separator.ToString())}, " +
            $"quote = '\"', escape = '\"', columns = {{{columns}}})) TO {ParquetSource.Literal(parquet)} (FORMAT parquet, COMPRESSION zstd)";
        copy.ExecuteNonQuery();
    }
}
