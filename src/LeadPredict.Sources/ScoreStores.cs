using System.Globalization;
using LeadPredict.Core;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace LeadPredict.Sources;

/// <summary>The scores table's columns, in the order rows are written (docs/operations.md documents them).</summary>
internal static class ScoreColumns
{
    public const string List = "run_id, lead_id, model_version, scored_at, as_of, input_sha256, probability, score, grade, icp_fit, stage, suggested_stage, action, reason, reasons";
}

/// <summary>
/// A PostgreSQL scores table: the run's rows go in by binary COPY inside one transaction that also removes an earlier
/// attempt's rows, so readers see the old scores until the commit and the new ones all at once after it. Runs writing
/// the same table take turns (a transaction-scoped advisory lock).
/// </summary>
internal sealed class PostgresScoreStore : IScoreStore
{
    private readonly PostgresScoreTable _target;
    private readonly string _server;
    private readonly NpgsqlConnection _connection;
    private NpgsqlTransaction? _transaction;
    private NpgsqlBinaryImporter? _import;
    private ScoreRun? _run;

    public PostgresScoreStore(PostgresScoreTable target, CancellationToken ct)
    {
        _target = target;
        _server = PostgresConnections.Describe(target.ConnectionString);
        _connection = PostgresConnections.Open(target.ConnectionString, "leadpredict-score", ct);
    }

    public void Begin(ScoreRun run)
    {
        _run = run;
        var t = _target.Table;
        var bare = _target.BareName;
        Guard(() =>
        {
            _transaction = _connection.BeginTransaction();
            Execute($"SELECT pg_advisory_xact_lock(hashtext('leadpredict:{t}'))");
            Execute($"""
                CREATE TABLE IF NOT EXISTS {t} (
                    run_id text NOT NULL, lead_id text NOT NULL, model_version text NOT NULL, scored_at timestamptz NOT NULL,
                    as_of timestamptz, input_sha256 text NOT NULL, probability double precision NOT NULL, score integer NOT NULL,
                    grade text NOT NULL, icp_fit text, stage text, suggested_stage text, action text, reason text, reasons jsonb NOT NULL);
                CREATE INDEX IF NOT EXISTS {bare}_lead_id ON {t} (lead_id);
                CREATE INDEX IF NOT EXISTS {bare}_scored_at ON {t} (scored_at);
                CREATE INDEX IF NOT EXISTS {bare}_run_id ON {t} (run_id);
                CREATE OR REPLACE VIEW {_target.LatestView} AS
                    SELECT DISTINCT ON (lead_id) {ScoreColumns.List} FROM {t} ORDER BY lead_id, scored_at DESC, run_id;
                DELETE FROM {t} WHERE run_id = '{run.Id}';
                """);
            _import = _connection.BeginBinaryImport($"COPY {t} ({ScoreColumns.List}) FROM STDIN (FORMAT BINARY)");
        }, "preparing");
    }

    public void Write(ScoreRow row) => Guard(() =>
    {
        var import = _import!;
        var run = _run!;
        import.StartRow();
        import.Write(run.Id, NpgsqlDbType.Text);
        import.Write(row.LeadId, NpgsqlDbType.Text);
        import.Write(run.ModelVersion, NpgsqlDbType.Text);
        import.Write(run.ScoredAt.UtcDateTime, NpgsqlDbType.TimestampTz);
        if (run.AsOf is { } asOf) import.Write(asOf.UtcDateTime, NpgsqlDbType.TimestampTz); else import.WriteNull();
        import.Write(run.InputSha256, NpgsqlDbType.Text);
        import.Write(row.Probability, NpgsqlDbType.Double);
        import.Write(row.Score, NpgsqlDbType.Integer);
        import.Write(row.Grade, NpgsqlDbType.Text);
        Text(import, row.IcpFit);
        Text(import, row.Stage);
        Text(import, row.SuggestedStage);
        Text(import, row.Action);
        Text(import, row.Reason);
        import.Write(row.ReasonsJson, NpgsqlDbType.Jsonb);
    }, "writing scores to");

    public void Commit() => Guard(() =>
    {
        _import!.Complete();
        _import.Dispose();
        _import = null;
        _transaction!.Commit();
    }, "committing scores to");

    private static void Text(NpgsqlBinaryImporter import, string? value)
    {
        if (value is null) import.WriteNull(); else import.Write(value, NpgsqlDbType.Text);
    }

    private void Execute(string sql)
    {
        using var command = new NpgsqlCommand(sql, _connection, _transaction);
        command.ExecuteNonQuery();
    }

    private void Guard(Action action, string doing)
    {
        try
        {
            action();
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.DatatypeMismatch or PostgresErrorCodes.WrongObjectType)
        {
            throw new LeadPredictException(
                $"{_target.Name} exists but is not a LeadPredict scores table ({e.MessageText}); name another --output-table or drop it.", ProblemKind.BadInput, e);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
        {
            throw PostgresConnections.Explain(e, _server, $"{doing} {_target.Name}");
        }
    }

    public void Dispose()
    {
        try
        {
            _import?.Dispose(); // cancels the COPY
            _transaction?.Dispose(); // rolls back unless committed
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException) { }
        _connection.Dispose();
    }
}

/// <summary>A SQLite scores table for a local run: one transaction, the same columns, indexes and view.</summary>
internal sealed class SqliteScoreStore : IScoreStore
{
    private readonly SqliteScoreTable _target;
    private readonly SqliteConnection _connection;
    private SqliteTransaction? _transaction;
    private SqliteCommand? _insert;
    private ScoreRun? _run;

    public SqliteScoreStore(SqliteScoreTable target)
    {
        _target = target;
        var folder = Path.GetDirectoryName(target.DatabasePath)!;
        if (!Directory.Exists(folder)) throw new LeadPredictException($"--output-table: the folder of {target.DatabasePath} does not exist.");
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target.DatabasePath, Pooling = false }.ToString());
        _connection.Open();
    }

    public void Begin(ScoreRun run)
    {
        _run = run;
        var t = _target.Table;
        Guard(() =>
        {
            Execute("PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL;");
            _transaction = _connection.BeginTransaction(deferred: false);
            Execute($"""
                CREATE TABLE IF NOT EXISTS {t} (
                    run_id TEXT NOT NULL, lead_id TEXT NOT NULL, model_version TEXT NOT NULL, scored_at TEXT NOT NULL,
                    as_of TEXT, input_sha256 TEXT NOT NULL, probability REAL NOT NULL, score INTEGER NOT NULL,
                    grade TEXT NOT NULL, icp_fit TEXT, stage TEXT, suggested_stage TEXT, action TEXT, reason TEXT, reasons TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS {t}_lead_id ON {t} (lead_id);
                CREATE INDEX IF NOT EXISTS {t}_scored_at ON {t} (scored_at);
                CREATE INDEX IF NOT EXISTS {t}_run_id ON {t} (run_id);
                CREATE VIEW IF NOT EXISTS {_target.LatestView} AS
                    SELECT {ScoreColumns.List} FROM (
                        SELECT *, row_number() OVER (PARTITION BY lead_id ORDER BY scored_at DESC, run_id) AS n FROM {t}) WHERE n = 1;
                DELETE FROM {t} WHERE run_id = '{run.Id}';
                """);
            _insert = _connection.CreateCommand();
            _insert.Transaction = _transaction;
            var names = ScoreColumns.List.Split(", ");
            _insert.CommandText = $"INSERT INTO {t} ({ScoreColumns.List}) VALUES ({string.Join(", ", names.Select(n => "$" + n))})";
            foreach (var n in names) _insert.Parameters.Add(new SqliteParameter("$" + n, null));
            _insert.Prepare();
            Set("run_id", run.Id);
            Set("model_version", run.ModelVersion);
            Set("scored_at", Iso(run.ScoredAt));
            Set("as_of", run.AsOf is { } asOf ? Iso(asOf) : null);
            Set("input_sha256", run.InputSha256);
        });
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private void Set(string name, object? value) => _insert!.Parameters["$" + name].Value = value ?? DBNull.Value;

    public void Write(ScoreRow row) => Guard(() =>
    {
        Set("lead_id", row.LeadId);
        Set("probability", row.Probability);
        Set("score", row.Score);
        Set("grade", row.Grade);
        Set("icp_fit", row.IcpFit);
        Set("stage", row.Stage);
        Set("suggested_stage", row.SuggestedStage);
        Set("action", row.Action);
        Set("reason", row.Reason);
        Set("reasons", row.ReasonsJson);
        _insert!.ExecuteNonQuery();
    });

    public void Commit() => Guard(() => _transaction!.Commit());

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void Guard(Action action)
    {
        try { action(); }
        catch (SqliteException e)
        {
            throw new LeadPredictException($"{_target.Name}: {e.Message.TrimEnd('.')}; nothing was written.",
                e.SqliteErrorCode is 5 or 6 ? ProblemKind.Unavailable : ProblemKind.BadInput, e);
        }
    }

    public void Dispose()
    {
        _insert?.Dispose();
        _transaction?.Dispose();
        _connection.Dispose();
    }
}
