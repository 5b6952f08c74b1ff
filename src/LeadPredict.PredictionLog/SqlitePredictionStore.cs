using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace LeadPredict.PredictionLog;

/// <summary>
/// The default log: one SQLite file (WAL mode), written a batch per transaction. It remembers which file it created or
/// opened, so a file deleted or replaced while serving is noticed instead of writing into a deleted inode. The table has no
/// index on the lead id: inserting into one at random places cost more than half of each write (an index earlier versions
/// made is dropped); looking a lead up scans the table, which the log's own reads never need.
/// </summary>
public sealed class SqlitePredictionStore : IPredictionStore
{
    private readonly string _connectionString;
    private readonly string _synchronous;
    private FileIdentity _identity = FileIdentity.Missing;

    public SqlitePredictionStore(string path, SqliteSync synchronous = SqliteSync.Normal)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 }.ToString();
        // WAL with synchronous=NORMAL: a commit is in the file (the OS has it) before it returns, so killing the process loses
        // nothing; only a power cut may lose the last commits. FULL also waits for the disk.
        _synchronous = synchronous == SqliteSync.Full ? "FULL" : "NORMAL";
    }

    public string Path { get; }
    public string Kind => "sqlite";

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(ct);
        return c;
    }

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        // Pooled connections may hold a file that was deleted or replaced: start from the file now at the path.
        using (var stale = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(stale);
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS predictions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                lead_id TEXT NOT NULL,
                model_version TEXT NOT NULL,
                probability REAL NOT NULL,
                grade TEXT NOT NULL,
                suggested_stage TEXT NULL,
                action TEXT NULL,
                scored_at INTEGER NOT NULL,
                input_sha256 TEXT NOT NULL);
            DROP INDEX IF EXISTS predictions_lead;
            CREATE INDEX IF NOT EXISTS predictions_time ON predictions (scored_at);
            CREATE TABLE IF NOT EXISTS outcomes (
                lead_id TEXT PRIMARY KEY,
                converted INTEGER NOT NULL,
                recorded_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS replayed_spills (marker TEXT PRIMARY KEY);
            """;
        await cmd.ExecuteNonQueryAsync(ct);
        _identity = FileIdentity.Of(Path);
    }

    /// <summary>Throws when the file at the path is not the one initialized (deleted, or another file renamed over it).</summary>
    private void CheckFile(bool committed)
    {
        var now = FileIdentity.Of(Path);
        if (now == _identity) return;
        using (var stale = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(stale);
        throw new PredictionStoreMovedException(now.Exists
            ? $"the database file {Path} was replaced by another file while serving"
            : $"the database file {Path} was deleted while serving", committed);
    }

    public async Task WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default)
    {
        if (records.Count == 0) return;
        CheckFile(committed: false);
        await using (var c = await OpenAsync(ct))
        {
            await using var tx = await BeginAsync(c, ct);
            Insert(c, records);
            ct.ThrowIfCancellationRequested();
            await tx.CommitAsync(ct);
        }
        CheckFile(committed: true);
    }

    public async Task<bool> WriteReplayedAsync(string marker, IReadOnlyList<PredictionRecord> records, CancellationToken ct = default)
    {
        CheckFile(committed: false);
        await using (var c = await OpenAsync(ct))
        {
            await using var tx = await BeginAsync(c, ct);
            await using (var mark = c.CreateCommand())
            {
                mark.Transaction = tx;
                mark.CommandText = "INSERT INTO replayed_spills (marker) VALUES ($m) ON CONFLICT (marker) DO NOTHING";
                mark.Parameters.AddWithValue("$m", marker);
                if (await mark.ExecuteNonQueryAsync(ct) == 0) return false;
            }
            Insert(c, records);
            ct.ThrowIfCancellationRequested();
            await tx.CommitAsync(ct);
        }
        CheckFile(committed: true);
        return true;
    }

    public async Task ForgetReplayedAsync(string prefix, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM replayed_spills WHERE substr(marker, 1, length($p)) = $p";
        cmd.Parameters.AddWithValue("$p", prefix);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<SqliteTransaction> BeginAsync(SqliteConnection c, CancellationToken ct)
    {
        await using (var pragma = c.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = " + _synchronous;
            pragma.ExecuteNonQuery();
        }
        return (SqliteTransaction)await c.BeginTransactionAsync(ct);
    }

    private const string InsertSql = "INSERT INTO predictions (lead_id, model_version, probability, grade, suggested_stage, action, scored_at, input_sha256) " +
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

    /// <summary>
    /// Inserts through SQLite's own API, binding by position: the driver's per-row work (parameter objects, a reader per
    /// statement) cost about a third of each row, and every request now waits for its commit.
    /// </summary>
    private static void Insert(SqliteConnection c, IReadOnlyList<PredictionRecord> records)
    {
        var db = c.Handle!;
        Check(db, raw.sqlite3_prepare_v2(db, InsertSql, out var stmt));
        using (stmt)
        {
            foreach (var r in records)
            {
                raw.sqlite3_bind_text(stmt, 1, r.LeadId);
                raw.sqlite3_bind_text(stmt, 2, r.ModelVersion);
                raw.sqlite3_bind_double(stmt, 3, r.Probability);
                raw.sqlite3_bind_text(stmt, 4, r.Grade);
                if (r.SuggestedStage is null) raw.sqlite3_bind_null(stmt, 5); else raw.sqlite3_bind_text(stmt, 5, r.SuggestedStage);
                if (r.Action is null) raw.sqlite3_bind_null(stmt, 6); else raw.sqlite3_bind_text(stmt, 6, r.Action);
                raw.sqlite3_bind_int64(stmt, 7, r.ScoredAt.ToUnixTimeMilliseconds());
                raw.sqlite3_bind_text(stmt, 8, r.InputSha256);
                var rc = raw.sqlite3_step(stmt);
                if (rc != raw.SQLITE_DONE) Check(db, rc);
                raw.sqlite3_reset(stmt);
            }
        }
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE) throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
    }

    public Task CheckAsync(CancellationToken ct = default)
    {
        CheckFile(committed: false);
        return Task.CompletedTask;
    }

    public async Task WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> outcomes, CancellationToken ct = default)
    {
        if (outcomes.Count == 0) return;
        if (_identity.Exists) CheckFile(committed: false);
        await using var c = await OpenAsync(ct);
        await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO outcomes (lead_id, converted, recorded_at) VALUES ($id, $c, $t) " +
                          "ON CONFLICT (lead_id) DO UPDATE SET converted = excluded.converted, recorded_at = excluded.recorded_at";
        var id = cmd.Parameters.Add("$id", SqliteType.Text);
        var conv = cmd.Parameters.Add("$c", SqliteType.Integer);
        var t = cmd.Parameters.Add("$t", SqliteType.Integer);
        foreach (var o in outcomes)
        {
            id.Value = o.LeadId;
            conv.Value = o.Converted ? 1 : 0;
            t.Value = o.RecordedAt.ToUnixTimeMilliseconds();
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<PredictionWithOutcome>> ReadAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT p.model_version, p.probability, p.scored_at, o.converted FROM predictions p " +
                          "LEFT JOIN outcomes o ON o.lead_id = p.lead_id WHERE p.scored_at >= $since ORDER BY p.id";
        cmd.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        var result = new List<PredictionWithOutcome>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result.Add(new PredictionWithOutcome(r.GetString(0), r.GetDouble(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
                r.IsDBNull(3) ? null : r.GetInt64(3) != 0));
        return result;
    }

    public async Task<long> CountPredictionsAsync(CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM predictions";
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
