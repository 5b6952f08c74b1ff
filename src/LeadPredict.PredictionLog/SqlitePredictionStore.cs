using Microsoft.Data.Sqlite;

namespace LeadPredict.PredictionLog;

/// <summary>
/// The default log: one SQLite file (WAL mode), written a batch per transaction. It remembers which file it created or
/// opened, so a file deleted or replaced while serving is noticed instead of writing into a deleted inode.
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
            CREATE INDEX IF NOT EXISTS predictions_lead ON predictions (lead_id);
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
            Insert(c, tx, records);
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
            Insert(c, tx, records);
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

    private static void Insert(SqliteConnection c, SqliteTransaction tx, IReadOnlyList<PredictionRecord> records)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO predictions (lead_id, model_version, probability, grade, suggested_stage, action, scored_at, input_sha256) " +
                          "VALUES ($id, $v, $p, $g, $s, $a, $t, $h)";
        var id = cmd.Parameters.Add("$id", SqliteType.Text);
        var v = cmd.Parameters.Add("$v", SqliteType.Text);
        var p = cmd.Parameters.Add("$p", SqliteType.Real);
        var g = cmd.Parameters.Add("$g", SqliteType.Text);
        var s = cmd.Parameters.Add("$s", SqliteType.Text);
        var a = cmd.Parameters.Add("$a", SqliteType.Text);
        var t = cmd.Parameters.Add("$t", SqliteType.Integer);
        var h = cmd.Parameters.Add("$h", SqliteType.Text);
        cmd.Prepare();
        foreach (var r in records)
        {
            id.Value = r.LeadId;
            v.Value = r.ModelVersion;
            p.Value = r.Probability;
            g.Value = r.Grade;
            s.Value = (object?)r.SuggestedStage ?? DBNull.Value;
            a.Value = (object?)r.Action ?? DBNull.Value;
            t.Value = r.ScoredAt.ToUnixTimeMilliseconds();
            h.Value = r.InputSha256;
            cmd.ExecuteNonQuery(); // Microsoft.Data.Sqlite is synchronous underneath; skip the Task per row
        }
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
