using LeadPredict.Core.Csv;

namespace LeadPredict.Core;

/// <summary>
/// A CRM export held in memory column by column, with missing-value tokens already turned into null.
/// Repeated values in a column share one string instance, so a million rows of categories stay small.
/// </summary>
public sealed class LeadTable
{
    private readonly string?[][] _columns;
    private readonly long[] _lines;

    public LeadTable(string sourcePath, char separator, IReadOnlyList<string> columnNames, string?[][] columns, long[] lines)
    {
        SourcePath = sourcePath;
        Separator = separator;
        ColumnNames = columnNames;
        _columns = columns;
        _lines = lines;
        RowCount = lines.Length;
    }

    public string SourcePath { get; }
    public char Separator { get; }
    public IReadOnlyList<string> ColumnNames { get; }
    public int RowCount { get; }

    public int IndexOf(string column)
    {
        for (var i = 0; i < ColumnNames.Count; i++)
            if (string.Equals(ColumnNames[i], column, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    public bool HasColumn(string column) => IndexOf(column) >= 0;

    public string?[] Column(string column)
    {
        var i = IndexOf(column);
        if (i < 0)
            throw new InputFileException(SourcePath, 1, column, $"no such column; the file has: {string.Join(", ", ColumnNames)}.");
        return _columns[i];
    }

    public string?[] Column(int index) => _columns[index];

    /// <summary>The line of the file on which a row starts (for error messages).</summary>
    public long LineOf(int row) => _lines[row];

    /// <summary>A new table with the given rows (in that order), sharing the value strings.</summary>
    public LeadTable Select(IReadOnlyList<int> rows)
    {
        var cols = new string?[_columns.Length][];
        for (var c = 0; c < cols.Length; c++)
        {
            var src = _columns[c];
            var dst = new string?[rows.Count];
            for (var r = 0; r < rows.Count; r++) dst[r] = src[rows[r]];
            cols[c] = dst;
        }
        var lines = new long[rows.Count];
        for (var r = 0; r < rows.Count; r++) lines[r] = _lines[rows[r]];
        return new LeadTable(SourcePath, Separator, ColumnNames, cols, lines);
    }

    /// <summary>A copy of the table with one column's values replaced (used for permutation importance).</summary>
    public LeadTable WithColumn(int index, string?[] values)
    {
        var cols = (string?[][])_columns.Clone();
        cols[index] = values;
        return new LeadTable(SourcePath, Separator, ColumnNames, cols, _lines);
    }

    public static LeadTable Load(string path, char? separator = null, IEnumerable<string>? missingTokens = null,
        IProgress<long>? rowsRead = null, CancellationToken cancellationToken = default)
    {
        using var reader = new CsvRecordReader(path, separator);
        reader.InternValues();
        var missing = new MissingTokens(missingTokens ?? MissingTokens.Defaults);
        var n = reader.Header.Count;
        var builders = new List<string?>[n];
        var pools = new Dictionary<string, string>?[n];
        for (var i = 0; i < n; i++) { builders[i] = new List<string?>(1024); pools[i] = new Dictionary<string, string>(StringComparer.Ordinal); }
        var lines = new List<long>(1024);
        var fields = new List<string>(n);
        while (reader.Read(fields))
        {
            for (var i = 0; i < n; i++)
            {
                var value = missing.Normalize(fields[i]);
                // The reader already shares repeated values; only values changed by trimming need pooling here.
                if (value is not null && !ReferenceEquals(value, fields[i]) && pools[i] is { } pool)
                {
                    if (pool.TryGetValue(value, out var shared)) value = shared;
                    else if (pool.Count < 100_000) pool[value] = value;
                    else pools[i] = null; // a near-unique column: interning would only cost memory
                }
                builders[i].Add(value);
            }
            lines.Add(reader.RecordLine);
            if ((lines.Count & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                rowsRead?.Report(lines.Count);
            }
        }
        if (lines.Count == 0)
            throw new InputFileException(path, null, null, "the file has a header but no data rows.");
        rowsRead?.Report(lines.Count);
        return new LeadTable(path, reader.Separator, reader.Header, builders.Select(b => b.ToArray()).ToArray(), lines.ToArray());
    }
}

/// <summary>Values that mean "not known" in a CRM export: empty, NA, N/A, null, and placeholders like "Select".</summary>
public sealed class MissingTokens
{
    public static readonly IReadOnlyList<string> Defaults = ["", "NA", "N/A", "null", "None", "NaN", "Select"];

    private readonly HashSet<string> _tokens;
    // Every value of every lead is checked, so most are let through on their length and first letter without hashing.
    private readonly ulong _lengths;
    private readonly bool[] _firsts = new bool[128];
    private readonly bool _checkAll;

    public MissingTokens(IEnumerable<string> tokens)
    {
        _tokens = new HashSet<string>(tokens.Select(t => t.Trim()), StringComparer.OrdinalIgnoreCase);
        foreach (var t in _tokens)
        {
            if (t.Length == 0) continue;
            if (t.Length >= 64 || t[0] >= 128) { _checkAll = true; continue; }
            _lengths |= 1UL << t.Length;
            _firsts[char.ToLowerInvariant(t[0])] = _firsts[char.ToUpperInvariant(t[0])] = true;
        }
    }

    /// <summary>The trimmed value, or null when it is a missing-value token.</summary>
    public string? Normalize(string? raw)
    {
        if (raw is null) return null;
        var span = raw.AsSpan().Trim();
        if (span.Length == 0) return _tokens.Contains("") ? null : "";
        var value = span.Length == raw.Length ? raw : span.ToString();
        // Case-insensitive equality needs equal lengths; a non-ASCII first letter is left to the hash set's own comparison.
        var maybe = _checkAll || span.Length >= 64 || ((_lengths & (1UL << span.Length)) != 0 && (span[0] >= 128 || _firsts[span[0]]));
        return maybe && _tokens.Contains(value) ? null : value;
    }
}
