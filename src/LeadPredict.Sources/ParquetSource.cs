using DuckDB.NET.Data;
using LeadPredict.Core;

namespace LeadPredict.Sources;

/// <summary>
/// Parquet leads: one file, a folder (every <c>*.parquet</c> under it) or a glob (<c>data/2026-*.parquet</c>), read by DuckDB's
/// <c>read_parquet</c> and streamed into the staged CSV by one <c>COPY</c> (DuckDB reads the row groups a few at a time, so
/// memory does not grow with the files). Values are written as text the way PostgreSQL would print them, so the same leads
/// give the same staged file from either.
/// </summary>
public sealed record ParquetSource(string Location) : LeadSource
{
    public override string Name => "Parquet " + Location;
    public override IReadOnlyList<string> Files => File.Exists(Location) ? [Path.GetFullPath(Location)] : [];

    public static bool IsParquet(string location) =>
        Directory.Exists(location)
        || location.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || location.EndsWith(".pq", StringComparison.OrdinalIgnoreCase);

    private string Pattern => Directory.Exists(Location) ? Path.Combine(Location, "**", "*.parquet") : Location;

    public override StagedLeads Stage(IProgress<long>? rows = null, CancellationToken ct = default)
    {
        if (Location.IndexOfAny(['*', '?', '[']) < 0 && !Directory.Exists(Location) && !File.Exists(Location))
            throw new InputFileException(Location, null, null, $"file not found (looked for {Path.GetFullPath(Location)}).");
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        var from = $"read_parquet({Literal(Pattern)})";
        var columns = new List<(string Name, string Type)>();
        try
        {
            using var describe = db.CreateCommand();
            describe.CommandText = $"DESCRIBE SELECT * FROM {from}";
            using var reader = describe.ExecuteReader();
            while (reader.Read()) columns.Add((reader.GetString(0), reader.GetString(1)));
        }
        catch (DuckDBException e)
        {
            throw new InputFileException(Location, null, null, e.Message.Contains("No files found", StringComparison.OrdinalIgnoreCase)
                ? $"no Parquet files match (looked for {Path.GetFullPath(Pattern)})."
                : $"is not readable as Parquet ({FirstLine(e.Message)}).", e);
        }
        var kinds = new Dictionary<string, ColumnKind>(StringComparer.OrdinalIgnoreCase);
        var select = new List<string>();
        foreach (var (name, type) in columns)
        {
            var upper = type.ToUpperInvariant();
            if (Unsupported(upper) is { } cast)
                throw new InputFileException(Location, null, name,
                    $"has Parquet type {type}, which is not a lead attribute LeadPredict can read; convert it to {cast} when writing the file.");
            if (upper == "BOOLEAN") kinds[name] = ColumnKind.Boolean;
            if (upper == "DATE" || upper.StartsWith("TIMESTAMP", StringComparison.Ordinal)) kinds[name] = ColumnKind.Date;
            var c = Ident(name);
            // PostgreSQL prints a whole double as "3", DuckDB as "3.0": print it the PostgreSQL way.
            var text = upper is "DOUBLE" or "FLOAT"
                ? $"CASE WHEN isfinite({c}) AND {c} = trunc({c}) AND abs({c}) < 1e15 THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) ELSE CAST({c} AS VARCHAR) END"
                : $"CAST({c} AS VARCHAR)";
            select.Add($"{text} AS {c}");
        }
        if (columns.Count == 0) throw new InputFileException(Location, null, null, "has no columns.");
        var folder = StagedLeads.NewFolder();
        var staged = Path.Combine(folder, StagedFileName());
        try
        {
            ct.ThrowIfCancellationRequested();
            using var copy = db.CreateCommand();
            copy.CommandText = "SET TimeZone = 'UTC'";
            try { copy.ExecuteNonQuery(); } catch (DuckDBException) { } // without the ICU extension there are no zones to set
            copy.CommandText = $"COPY (SELECT {string.Join(", ", select)} FROM {from}) TO {Literal(staged)} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"')";
            try { copy.ExecuteNonQuery(); }
            catch (DuckDBException e) { throw new InputFileException(Location, null, null, $"could not be read as Parquet ({FirstLine(e.Message)}).", e); }
            return new StagedLeads(staged, Name, folder, kinds);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>What to convert a column of a type that is not one value per lead (lists, structs, bytes) to; null when it is readable.</summary>
    private static string? Unsupported(string type) =>
        type.EndsWith(']') || type.StartsWith("STRUCT", StringComparison.Ordinal) || type.StartsWith("MAP", StringComparison.Ordinal)
            || type.StartsWith("UNION", StringComparison.Ordinal) ? "one text value per lead (e.g. the list joined with ', ')"
        : type is "BLOB" or "BIT" ? "text (e.g. hex)"
        : type == "INTERVAL" ? "a number (e.g. days)"
        : null;

    internal static string Ident(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    internal static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    internal static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
