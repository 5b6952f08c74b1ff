using Microsoft.Data.Sqlite;

namespace LeadPredict.PredictionLog;

/// <summary>The default log: one SQLite file (WAL mode), written a batch per transaction.</summary>
public sealed class SqlitePredictionStore : IPredictionStore
{
    private readonly string _connectionString;

    public SqlitePredictionStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 }.ToString();
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
            """;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default)
    {
        if (records.Count == 0) return;
        await using var c = await OpenAsync(ct);
        // WAL with synchronous=NORMAL: a power cut may lose the last batches, never corrupt the file; much faster commits.
        await using (var pragma = c.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = NORMAL";
            pragma.ExecuteNonQuery();
        }
        await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(ct);
        await using var cmd = c.CreateCommand();
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
        ct.ThrowIfCancellationRequested();
        await tx.CommitAsync(ct);
    }

    public async Task WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> outcomes, CancellationToken ct = default)
    {
        if (outcomes.Count == 0) return;
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
