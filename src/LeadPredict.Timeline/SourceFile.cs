using DuckDB.NET.Data;
using LeadPredict.Core;
using LeadPredict.Core.Csv;

namespace LeadPredict.Timeline;

/// <summary>
/// One input table (CSV or Parquet, told apart by the extension) as DuckDB reads it, with the project's error standard:
/// configured columns are checked against the header, CSV columns are read as text and parsed in SQL, and a value that does
/// not parse is located exactly (CSV: its line, found again with <see cref="CsvRecordReader"/> only on that error path;
/// Parquet: its row). DuckDB's own CSV errors (bad quotes, wrong field counts) are replaced by the reader's message.
/// </summary>
internal sealed class SourceFile
{
    private readonly Dictionary<string, string> _types;

    private SourceFile(string path, bool parquet, IReadOnlyList<string> header, char separator, Dictionary<string, string> types, string? standsFor = null)
    {
        Path = path;
        IsParquet = parquet;
        Header = header;
        Separator = separator;
        _types = types;
        _standsFor = standsFor;
    }

    /// <summary>The source a staged copy stands for ("PostgreSQL table crm.activities"): messages name it and its rows, never the copy.</summary>
    private readonly string? _standsFor;

    /// <summary>A table already in the database, read like a CSV file (all columns text); errors name <paramref name="name"/>.</summary>
    public static SourceFile ForTable(string table, string name, IReadOnlyList<string> columns) =>
        new(name, false, columns, ',', new(StringComparer.OrdinalIgnoreCase)) { _table = table };

    private string? _table;

    public string Path { get; }
    public bool IsParquet { get; }
    public IReadOnlyList<string> Header { get; }
    public char Separator { get; }
    public string Name => _standsFor ?? System.IO.Path.GetFileName(Path);

    public static bool LooksLikeParquet(string path) =>
        path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pq", StringComparison.OrdinalIgnoreCase);

    private static bool IsGlob(string path) => path.IndexOfAny(['*', '?', '[']) >= 0;

    /// <summary>
    /// Opens a CSV file, a Parquet file, a folder of Parquet files (every <c>*.parquet</c> under it) or a glob of them.
    /// <paramref name="standsFor"/> names the source a staged CSV copy was made from (a database table): messages then name it
    /// and count its rows instead of the copy's lines.
    /// </summary>
    public static SourceFile Open(DuckDBConnection connection, string path, string? separator, string? standsFor = null)
    {
        var folder = Directory.Exists(path);
        if (!folder && !IsGlob(path) && !File.Exists(path))
            throw new InputFileException(path, null, null, $"file not found (looked for {System.IO.Path.GetFullPath(path)}).");
        if (folder || LooksLikeParquet(path))
        {
            var pattern = folder ? System.IO.Path.Combine(path, "**", "*.parquet") : path;
            List<(string Name, string Type)> columns;
            try
            {
                columns = connection.Rows($"DESCRIBE SELECT * FROM read_parquet({Sql.Literal(pattern)})", r => (r.GetString(0), r.GetString(1)));
            }
            catch (DuckDBException e)
            {
                throw new InputFileException(path, null, null, e.Message.Contains("No files found", StringComparison.OrdinalIgnoreCase)
                    ? $"no Parquet files match (looked for {System.IO.Path.GetFullPath(pattern)})."
                    : $"is not a readable Parquet file ({FirstLine(e.Message)}).", e);
            }
            return new SourceFile(pattern, true, columns.Select(c => c.Name).ToArray(), ',',
                columns.ToDictionary(c => c.Name, c => c.Type, StringComparer.OrdinalIgnoreCase), standsFor: folder ? System.IO.Path.GetFileName(path.TrimEnd('/', '\\')) : standsFor);
        }
        if (IsGlob(path)) throw new InputFileException(path, null, null, "is a pattern; only Parquet files can be read as a folder or a glob (*.parquet).");
        using var reader = new CsvRecordReader(path, TableSeparator.Parse(separator));
        return new SourceFile(path, false, reader.Header, reader.Separator, new(StringComparer.OrdinalIgnoreCase), standsFor);
    }

    /// <summary>A problem with this file at a place (line, column): about the file, or about the source a staged copy stands for.</summary>
    private LeadPredictException Problem(long? line, string? column, string problem, Exception? inner = null)
    {
        if (_standsFor is null) return new InputFileException(Path, line, column, problem, inner);
        var where = _standsFor + (column is null ? "" : $", column '{column}'");
        return new LeadPredictException($"{where}: {problem}", ProblemKind.BadInput, inner);
    }

    /// <summary>The table function reading the file; CSV columns all as text under the header's own (trimmed) names.</summary>
    public string From
    {
        get
        {
            if (_table is not null) return _table;
            if (IsParquet) return $"read_parquet({Sql.Literal(Path)}, file_row_number = true)";
            return $"read_csv({Sql.Literal(Path)}, header = true, all_varchar = true, delim = {Sql.Literal(Separator.ToString())}, " +
                   $"quote = '\"', escape = '\"', strict_mode = true, null_padding = false, auto_detect = false, " +
                   $"columns = {{{string.Join(", ", Header.Select(h => $"{Sql.Literal(h)}: 'VARCHAR'"))}}})";
        }
    }

    /// <summary>The header's own spelling of a column, or null.</summary>
    public string? Find(string name) => Header.FirstOrDefault(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>A configured column, which must exist; the message names the setting.</summary>
    public string Require(string name, string setting) => Find(name)
        ?? throw Problem(IsParquet || _standsFor is not null ? null : 1, name,
            $"no such column (set as {setting}); {(_standsFor is null ? "the file has" : "it has")}: {string.Join(", ", Header)}.");

    /// <summary>
    /// A column that was not configured: the one whose name reads as one of <paramref name="candidates"/> (words, e.g.
    /// "lead id", "activity type"), or the only one for which <paramref name="matches"/> holds; otherwise a message saying which setting to give.
    /// </summary>
    public string Infer(string setting, string role, IReadOnlyList<string> candidates, Func<IReadOnlyList<string>, bool>? matches = null)
    {
        foreach (var candidate in candidates)
        {
            var hit = Header.FirstOrDefault(h => string.Join(' ', SchemaInference.Words(h)) == candidate);
            if (hit is not null) return hit;
        }
        if (matches is not null)
        {
            var hits = Header.Where(h => matches(SchemaInference.Words(h))).ToArray();
            if (hits.Length == 1) return hits[0];
        }
        throw Problem(IsParquet || _standsFor is not null ? null : 1, null,
            $"cannot tell which column is the {role}; set {setting} to one of: {string.Join(", ", Header)}.");
    }

    /// <summary>The column as trimmed text, NULL when empty or a missing-value token.</summary>
    public string Text(string column, IReadOnlyList<string> missingTokens)
    {
        var text = $"trim(CAST({Sql.Ident(column)} AS VARCHAR))";
        var tokens = missingTokens.Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).Distinct().ToArray();
        // The length test first spares lower() on nearly every value (ids, timestamps are longer than any token).
        var missing = tokens.Length == 0 ? "" : $" OR (length({text}) <= {tokens.Max(t => t.Length)} AND lower({text}) IN ({string.Join(", ", tokens.Select(Sql.Literal))}))";
        return $"(CASE WHEN {text} = ''{missing} THEN NULL ELSE {text} END)";
    }

    /// <summary>
    /// A typed Parquet timestamp column as microseconds since 1970-01-01 UTC (BIGINT): with a time zone, that instant; without
    /// one (or a DATE), read in the session's zone, which for UTC needs no conversion (and costs nothing); null for a text column.
    /// </summary>
    public string? TypedTimestamp(string column, bool zoneIsUtc)
    {
        var type = IsParquet && _types.TryGetValue(column, out var t) ? t.ToUpperInvariant() : "VARCHAR";
        var c = Sql.Ident(column);
        if (type.StartsWith("TIMESTAMP WITH TIME ZONE", StringComparison.Ordinal)) return $"epoch_us({c})";
        if (type.StartsWith("TIMESTAMP", StringComparison.Ordinal) || type == "DATE")
            return zoneIsUtc ? $"epoch_us(CAST({c} AS TIMESTAMP))" : $"epoch_us(CAST({c} AS TIMESTAMP)::TIMESTAMPTZ)";
        return null;
    }

    /// <summary>
    /// The column as microseconds since 1970-01-01 UTC (BIGINT), NULL when missing or unreadable (<see cref="TimeSql.Parse"/>).
    /// </summary>
    public string Timestamp(string column, IReadOnlyList<string> missingTokens, bool zoneIsUtc) =>
        TypedTimestamp(column, zoneIsUtc) ?? TimeSql.Parse(Text(column, missingTokens));

    /// <summary>The column as a number (DOUBLE), NULL when missing or not a number.</summary>
    public string Number(string column, IReadOnlyList<string> missingTokens) => $"TRY_CAST({Text(column, missingTokens)} AS DOUBLE)";

    /// <summary>
    /// Runs a statement that reads this file; DuckDB's CSV errors become the CSV reader's one-sentence message naming the line.
    /// </summary>
    public void Run(DuckDBConnection connection, string sql)
    {
        try
        {
            connection.Execute(sql);
        }
        catch (DuckDBException e)
        {
            throw Explain(e);
        }
    }

    public Exception Explain(DuckDBException e)
    {
        // Only errors about the file's content are the user's; anything else (a bad query) is a bug and stays as it is.
        if (!IsAboutTheFile(e.Message)) return e;
        if (IsParquet) return Problem(null, null, $"could not be read as Parquet ({FirstLine(e.Message)}).", e);
        // The CSV reader names the exact line of a bad quote, a wrong number of fields or invalid UTF-8.
        using (var reader = new CsvRecordReader(Path, Separator))
        {
            var fields = new List<string>(Header.Count);
            while (reader.Read(fields)) { }
        }
        return Problem(null, null, $"could not be read as CSV ({FirstLine(e.Message)}).", e);
    }

    /// <summary>
    /// Where the first value of <paramref name="column"/> for which <paramref name="isBad"/> (a SQL condition on <c>v</c>, the
    /// trimmed text) holds is: "line N" (CSV) or "row N" (Parquet), with the value and how many such values there are.
    /// </summary>
    public (string Where, string Value, long Count)? FirstBad(DuckDBConnection connection, string column, string isBad, IReadOnlyList<string> missingTokens)
    {
        var text = Text(column, missingTokens);
        if (IsParquet)
        {
            var row = connection.Rows(
                $"SELECT count(*), arg_min(v, file_row_number), min(file_row_number) FROM (SELECT {text} AS v, file_row_number FROM {From}) WHERE v IS NOT NULL AND ({isBad})",
                r => (Count: r.GetInt64(0), Value: r.NullableString(1), Row: r.NullableLong(2))).Single();
            return row.Count == 0 ? null : ($"row {row.Row + 1}", row.Value!, row.Count);
        }
        List<string> bad;
        try
        {
            bad = connection.Rows($"SELECT v FROM (SELECT {text} AS v FROM {From}) WHERE v IS NOT NULL AND ({isBad}) GROUP BY v LIMIT 10000", r => r.GetString(0));
        }
        catch (DuckDBException e)
        {
            throw Explain(e);
        }
        if (bad.Count == 0) return null;
        var values = bad.ToHashSet(StringComparer.Ordinal);
        var total = connection.Scalar<long>($"SELECT count(*) FROM (SELECT {text} AS v FROM {From}) WHERE v IS NOT NULL AND ({isBad})");
        using var reader = new CsvRecordReader(Path, Separator);
        var index = reader.Header.ToList().FindIndex(h => string.Equals(h, column, StringComparison.OrdinalIgnoreCase));
        var fields = new List<string>(Header.Count);
        long record = 0;
        while (reader.Read(fields))
        {
            record++;
            var value = fields[index].Trim();
            if (values.Contains(value)) return (_standsFor is null ? $"line {reader.RecordLine}" : $"row {record}", value, total);
        }
        return ("a line the CSV reader could not tell", bad[0], total);
    }

    /// <summary>An error naming this file, the place, the column and what was expected.</summary>
    public LeadPredictException BadValue((string Where, string Value, long Count) bad, string column, string expected)
    {
        var others = bad.Count > 1 ? $" ({bad.Count:N0} values in this column fail the same way)" : "";
        return new LeadPredictException($"{Name}, {bad.Where}, column '{column}': '{Shorten(bad.Value)}' is not {expected}{others}.");
    }

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..57] + "...";

    private static bool IsAboutTheFile(string message) =>
        message.Contains("CSV", StringComparison.OrdinalIgnoreCase) || message.Contains("Parquet", StringComparison.OrdinalIgnoreCase)
        || message.Contains("UTF", StringComparison.OrdinalIgnoreCase) || message.StartsWith("Invalid Input", StringComparison.Ordinal)
        || message.StartsWith("IO Error", StringComparison.Ordinal);

    internal static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
