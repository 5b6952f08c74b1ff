using DuckDB.NET.Data;
using LeadPredict.Core;
using LeadPredict.ML.Scoring;

namespace LeadPredict.Sources;

/// <summary>
/// The ranked leads as Parquet, written from the typed rows batch scoring hands its sink (<see cref="IScoredLeadSink"/>), not
/// from the ranked CSV. Each scoring thread appends its leads to a table of a private in-memory DuckDB database through an
/// appender of its own (the table spills to a private folder past 1 GB, so memory stays bounded whatever the
/// number of leads); <see cref="Finish"/> then ranks them the ranked file's way (probability, highest first, ties in input order: <see cref="RankOrder"/>) into Parquet:
/// <c>rank</c> BIGINT, the id, <c>probability</c> DOUBLE, <c>score</c> INTEGER, <c>grade</c>, the annotators' columns (DOUBLE
/// when every value is a number, as <c>icp_score</c>; text otherwise), <c>top_reasons</c> worded as in the ranked CSV,
/// <c>top_reasons_json</c> (JSON: column, value and effect of each reason), then the input's columns as they were read (text;
/// empty values are NULL). Column names are the ranked CSV's.
/// </summary>
public sealed class ParquetRankedWriter : IScoredLeadSink, IDisposable
{
    public const string ReasonsJsonColumn = "top_reasons_json";

    private readonly DuckDBConnection _db;
    private readonly Lock _create = new();
    // One connection and appender per scoring thread: DuckDB takes their rows side by side, no thread waits for another.
    private readonly ThreadLocal<(DuckDBConnection Connection, DuckDBAppender Appender)> _appenders;
    private RankedLayout? _layout;

    /// <param name="folder">A private folder of the caller's where the table spills past its memory limit (removed by the caller).</param>
    public ParquetRankedWriter(string folder)
    {
        _db = new DuckDBConnection("DataSource=:memory:");
        _db.Open();
        Execute($"SET temp_directory = {ParquetSource.Literal(Path.Combine(folder, "spill"))}; SET memory_limit = '1GB'");
        _appenders = new ThreadLocal<(DuckDBConnection, DuckDBAppender)>(() =>
        {
            var connection = _db.Duplicate();
            connection.Open();
            return (connection, connection.CreateAppender("ranked"));
        }, trackAllValues: true);
    }

    public bool WantsReasons => true;

    public void Scored(RankedLayout layout, in ScoredRow lead)
    {
        if (_layout is null) Create(layout);
        var reasons = lead.Reasons ?? [];
        var row = _appenders.Value.Appender.CreateRow().AppendValue(lead.Position).AppendValue(lead.Id).AppendValue(lead.Probability)
            .AppendValue(LeadScorer.ToScore(lead.Probability)).AppendValue(lead.Grade);
        foreach (var annotation in lead.Annotations)
            foreach (var cell in annotation.Cells) row = Text(row, cell);
        row = Text(row, reasons.Count == 0 ? null : string.Join(" | ", reasons.Select(r => r.ToString())))
            .AppendValue(ScoreTableWriter.ReasonsJson(reasons));
        foreach (var field in lead.Fields) row = Text(row, field);
        row.EndRow();
    }

    /// <summary>The table, made when the first lead arrives (the layout comes with it).</summary>
    private void Create(RankedLayout layout)
    {
        lock (_create)
        {
            if (_layout is not null) return;
            var columns = new List<string> { "position BIGINT", "id VARCHAR", "probability DOUBLE", "score INTEGER", "grade VARCHAR" };
            columns.AddRange(layout.AnnotationHeaders.Select((_, i) => $"a{i} VARCHAR"));
            columns.Add("reasons VARCHAR");
            columns.Add("reasons_json VARCHAR");
            columns.AddRange(layout.InputHeader.Select((_, i) => $"f{i} VARCHAR"));
            Execute($"CREATE TABLE ranked ({string.Join(", ", columns)})");
            _layout = layout;
        }
    }

    private static IDuckDBAppenderRow Text(IDuckDBAppenderRow row, string? value) => string.IsNullOrEmpty(value) ? row.AppendNullValue() : row.AppendValue(value);

    /// <summary>Takes every thread's rows, then writes the ranked Parquet file to <paramref name="parquet"/> (a private path of the caller's).</summary>
    public void Finish(string parquet)
    {
        CloseAppenders();
        var layout = _layout ?? throw new LeadPredictException("there were no leads to write to the Parquet file.");
        // An annotators' column is a number column when every value it has is a number (icp_score; a horizon's probabilities).
        var annotations = layout.AnnotationHeaders.Count;
        var numeric = new bool[annotations];
        if (annotations > 0)
        {
            using var check = _db.CreateCommand();
            check.CommandText = "SELECT " + string.Join(", ", Enumerable.Range(0, annotations).Select(i =>
                $"count(a{i}) > 0 AND count(a{i}) = count(TRY_CAST(a{i} AS DOUBLE))")) + " FROM ranked";
            using var reader = check.ExecuteReader();
            reader.Read();
            for (var i = 0; i < annotations; i++) numeric[i] = reader.GetBoolean(i);
        }
        var inputNames = layout.RankedInputHeader.Select(h => string.Equals(h, ReasonsJsonColumn, StringComparison.OrdinalIgnoreCase) ? h + RankedLayout.InputSuffix : h).ToArray();
        var select = new List<string>
        {
            $"rank AS {ParquetSource.Ident(RankedLayout.Rank)}",
            $"id AS {ParquetSource.Ident(layout.IdHeader)}",
            $"probability AS {ParquetSource.Ident(RankedLayout.Probability)}",
            $"score AS {ParquetSource.Ident(RankedLayout.Score)}",
            $"grade AS {ParquetSource.Ident(RankedLayout.Grade)}",
        };
        select.AddRange(layout.AnnotationHeaders.Select((h, i) => (numeric[i] ? $"CAST(a{i} AS DOUBLE)" : $"a{i}") + $" AS {ParquetSource.Ident(h)}"));
        select.Add($"reasons AS {ParquetSource.Ident(RankedLayout.TopReasons)}");
        select.Add($"CAST(reasons_json AS JSON) AS {ParquetSource.Ident(ReasonsJsonColumn)}");
        select.AddRange(inputNames.Select((h, i) => $"f{i} AS {ParquetSource.Ident(h)}"));
        // The ranks from a narrow sort (probability, position), then the wide rows in rank order; COPY keeps that order
        // (insertion order is preserved, DuckDB's default).
        Execute("CREATE TABLE ranks AS SELECT position, row_number() OVER (ORDER BY probability DESC, position) AS rank FROM ranked");
        Execute($"COPY (SELECT {string.Join(", ", select)} FROM ranked JOIN ranks USING (position) ORDER BY rank) TO {ParquetSource.Literal(parquet)} (FORMAT parquet, COMPRESSION zstd)");
    }

    private bool _closed;

    private void CloseAppenders()
    {
        if (_closed) return;
        _closed = true;
        foreach (var (connection, appender) in _appenders.Values)
        {
            appender.Dispose(); // flushes its rows into the table
            connection.Dispose();
        }
    }

    private void Execute(string sql)
    {
        using var command = _db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        try { CloseAppenders(); }
        catch (DuckDBException) { } // the run failed already; its rows go with the database
        _appenders.Dispose();
        _db.Dispose();
    }
}

/// <summary>Several sinks fed with the same leads (a scores table and a Parquet file).</summary>
public sealed class ScoredLeadSinks(IReadOnlyList<IScoredLeadSink> sinks) : IScoredLeadSink
{
    public bool WantsReasons => sinks.Any(s => s.WantsReasons);

    public void Scored(RankedLayout layout, in ScoredRow lead)
    {
        foreach (var sink in sinks) sink.Scored(layout, lead);
    }

    /// <summary>The one sink, the sinks together, or null when there is none.</summary>
    public static IScoredLeadSink? Of(params IScoredLeadSink?[] sinks)
    {
        var given = sinks.OfType<IScoredLeadSink>().ToArray();
        return given.Length switch { 0 => null, 1 => given[0], _ => new ScoredLeadSinks(given) };
    }
}
