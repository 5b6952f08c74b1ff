using DuckDB.NET.Data;
using LeadPredict.Core;

namespace LeadPredict.Timeline;

/// <summary>
/// Reads a leads table from CSV (as <see cref="LeadTable.Load"/> always has) or Parquet (through DuckDB: every column as
/// text, missing-value tokens turned into null as for CSV), so the static attributes flow through the usual featurizer either way.
/// A Parquet table's "line" of a row (in messages) is its row number, counting from 1.
/// </summary>
public static class LeadTableReader
{
    public static LeadTable Load(string path, char? separator = null, IEnumerable<string>? missingTokens = null)
    {
        if (!SourceFile.LooksLikeParquet(path)) return LeadTable.Load(path, separator, missingTokens);
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        var file = SourceFile.Open(db, path, null);
        var missing = new MissingTokens(missingTokens ?? MissingTokens.Defaults);
        var columns = file.Header.Select(_ => new List<string?>()).ToArray();
        var pools = file.Header.Select(_ => new Dictionary<string, string>(StringComparer.Ordinal)).ToArray();
        using (var command = db.CreateCommand())
        {
            command.CommandText = $"SELECT {string.Join(", ", file.Header.Select(h => $"CAST({Sql.Ident(h)} AS VARCHAR)"))} FROM {file.From} ORDER BY file_row_number";
            try
            {
                using var reader = command.ExecuteReader();
                while (reader.Read())
                    for (var c = 0; c < columns.Length; c++)
                    {
                        var value = reader.IsDBNull(c) ? null : missing.Normalize(reader.GetString(c));
                        if (value is not null && pools[c].Count < 100_000)
                        {
                            if (pools[c].TryGetValue(value, out var shared)) value = shared;
                            else pools[c][value] = value;
                        }
                        columns[c].Add(value);
                    }
            }
            catch (DuckDBException e)
            {
                throw file.Explain(e);
            }
        }
        if (columns.Length == 0 || columns[0].Count == 0)
            throw new InputFileException(path, null, null, "the file has no rows.");
        var lines = Enumerable.Range(1, columns[0].Count).Select(i => (long)i).ToArray();
        return new LeadTable(path, ',', file.Header, columns.Select(c => c.ToArray()).ToArray(), lines);
    }
}
