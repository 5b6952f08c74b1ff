using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeadPredict.Advice;
using LeadPredict.Core;
using LeadPredict.ML.Scoring;

namespace LeadPredict.Sources;

/// <summary>
/// Where <c>score --output-table</c> writes: a PostgreSQL table (<c>lead_scores</c> or <c>postgres:crm.lead_scores</c>, with the
/// connection of the sources) or a SQLite one (<c>sqlite:PATH</c> or <c>sqlite:PATH:TABLE</c>, table <c>lead_scores</c> by default).
/// </summary>
public abstract partial record ScoreTableTarget(string Table)
{
    public const string DefaultTable = "lead_scores";

    public abstract string Name { get; }

    /// <summary>The view of each lead's latest score: the table's name with <c>_latest</c>.</summary>
    public string LatestView => Table + "_latest";

    /// <summary>The table's own name, without its schema (indexes are named after it).</summary>
    internal string BareName => Table[(Table.LastIndexOf('.') + 1)..];

    public static ScoreTableTarget Parse(string spec, SourceSettings settings)
    {
        spec = spec.Trim();
        if (spec.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var rest = spec["sqlite:".Length..];
            var colon = rest.LastIndexOf(':');
            // "sqlite:C:\x.db" has a drive letter, not a table: a table name follows a colon that is not the second character.
            var (path, table) = colon > 1 ? (rest[..colon], rest[(colon + 1)..]) : (rest, DefaultTable);
            if (path.Length == 0) throw new LeadPredictException("--output-table sqlite: needs a database file: sqlite:PATH or sqlite:PATH:TABLE.");
            return new SqliteScoreTable(Path.GetFullPath(path), Check(table, allowSchema: false));
        }
        var name = spec.StartsWith(PostgresSource.Prefix, StringComparison.OrdinalIgnoreCase) ? spec[PostgresSource.Prefix.Length..] : spec;
        return new PostgresScoreTable(PostgresSource.Connection(settings), Check(name, allowSchema: true));
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,50}(\\.[A-Za-z_][A-Za-z0-9_]{0,50})?$")]
    private static partial Regex Identifier();

    private static string Check(string table, bool allowSchema)
    {
        if (!Identifier().IsMatch(table) || (!allowSchema && table.Contains('.', StringComparison.Ordinal)))
            throw new LeadPredictException($"--output-table: '{table}' is not a table name (letters, digits and _, starting with a letter{(allowSchema ? "; SCHEMA.TABLE for another schema" : "")}).");
        return table.ToLowerInvariant();
    }

    internal abstract IScoreStore Open(CancellationToken ct);
}

public sealed record PostgresScoreTable(string ConnectionString, string Table) : ScoreTableTarget(Table)
{
    public override string Name => $"PostgreSQL table {Table}";
    internal override IScoreStore Open(CancellationToken ct) => new PostgresScoreStore(this, ct);
}

public sealed record SqliteScoreTable(string DatabasePath, string Table) : ScoreTableTarget(Table)
{
    public override string Name => $"SQLite table {Table} in {DatabasePath}";
    internal override IScoreStore Open(CancellationToken ct) => new SqliteScoreStore(this);
}

/// <summary>
/// One scoring run as the table knows it. Its id is made of the model version, the input's SHA-256 and the as-of time, so the
/// same run done again replaces its rows instead of adding them; <see cref="ScoredAt"/> is when this attempt ran.
/// </summary>
public sealed record ScoreRun(string ModelVersion, string InputSha256, DateTimeOffset ScoredAt, DateTimeOffset? AsOf = null)
{
    public string Id => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{ModelVersion}\n{InputSha256}\n{AsOf?.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}")))[..20].ToLowerInvariant();

    public static string Sha256Of(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}

/// <summary>One row of the scores table.</summary>
internal sealed record ScoreRow(
    string LeadId, double Probability, int Score, string Grade, string? IcpFit, string? Stage, string? SuggestedStage,
    string? Action, string? Reason, string ReasonsJson);

/// <summary>A scores table during one run: everything written in one transaction, committed only at the end.</summary>
internal interface IScoreStore : IDisposable
{
    /// <summary>Creates the table, its indexes and view if missing, and removes an earlier attempt's rows of this run (not yet visible).</summary>
    void Begin(ScoreRun run);
    void Write(ScoreRow row);
    void Commit();
}

/// <summary>
/// Writes each scored lead to a scores table as batch scoring produces it (<see cref="IScoredLeadSink"/>): the workers hand
/// rows to one writer thread through a bounded queue (so memory stays flat and the database sets the pace), which streams
/// them into the open transaction. <see cref="Commit"/> makes the run visible at once; anything else (an error, Ctrl-C,
/// a lost connection, a killed process) leaves the table as it was.
/// </summary>
public sealed class ScoreTableWriter : IScoredLeadSink, IDisposable
{
    private readonly ScoreTableTarget _target;
    private readonly IScoreStore _store;
    private readonly BlockingCollection<ScoreRow> _queue = new(8192);
    private readonly CancellationTokenSource _failed = new();
    private readonly Thread _thread;
    private Exception? _error;
    private long _rows;
    private bool _done;

    private ScoreTableWriter(ScoreTableTarget target, IScoreStore store)
    {
        _target = target;
        _store = store;
        _thread = new Thread(Drain) { IsBackground = true, Name = "score table writer" };
        _thread.Start();
    }

    public static ScoreTableWriter Begin(ScoreTableTarget target, ScoreRun run, CancellationToken ct = default)
    {
        var store = target.Open(ct);
        try
        {
            store.Begin(run);
            return new ScoreTableWriter(target, store);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public bool WantsReasons => true;

    public long Rows => Interlocked.Read(ref _rows);

    public void Scored(RankedLayout layout, in ScoredRow lead)
    {
        var funnel = lead.Annotations.OfType<FunnelAnnotation>().FirstOrDefault();
        var row = new ScoreRow(lead.Id, lead.Probability, LeadScorer.ToScore(lead.Probability), lead.Grade,
            NullIfEmpty(funnel?.IcpFit), NullIfEmpty(funnel?.Stage), NullIfEmpty(funnel?.SuggestedStage), NullIfEmpty(funnel?.Action),
            NullIfEmpty(funnel?.Reason), ReasonsJson(lead.Reasons ?? []));
        try { _queue.Add(row, _failed.Token); }
        catch (OperationCanceledException) { throw Failure(); }
    }

    /// <summary>Waits for every row to reach the database, then commits; returns how many rows the run wrote.</summary>
    public long Commit()
    {
        _queue.CompleteAdding();
        _thread.Join();
        if (_error is not null) throw Failure();
        _store.Commit();
        _done = true;
        return Rows;
    }

    private void Drain()
    {
        try
        {
            foreach (var row in _queue.GetConsumingEnumerable(_failed.Token))
            {
                _store.Write(row);
                Interlocked.Increment(ref _rows);
            }
        }
        catch (OperationCanceledException) when (_failed.IsCancellationRequested) { }
        catch (Exception e)
        {
            _error = e;
            _failed.Cancel();
        }
    }

    private Exception Failure() => _error is LeadPredictException ? _error : new LeadPredictException(
        $"writing scores to {_target.Name} failed ({_error?.Message}); nothing was written.", ProblemKind.Unavailable, _error);

    public void Dispose()
    {
        if (!_done)
        {
            _failed.Cancel();
            _queue.CompleteAdding();
            _thread.Join();
        }
        _store.Dispose(); // an uncommitted transaction is rolled back
        _queue.Dispose();
        _failed.Dispose();
    }

    /// <summary>[{"column": "Demo Requested", "value": "yes", "effect": 0.41}, ...]: the lead's reasons, strongest first each way.</summary>
    internal static string ReasonsJson(IReadOnlyList<ScoreFactor> reasons)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var r in reasons)
            {
                json.WriteStartObject();
                json.WriteString("column", r.Column);
                json.WriteString("value", r.Value);
                json.WriteNumber("effect", Math.Round(r.Effect, 6));
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
