using Npgsql;
using NpgsqlTypes;

namespace LeadPredict.PredictionLog;

/// <summary>The log in PostgreSQL: predictions are written with binary COPY (one statement, so one transaction), outcomes upserted.</summary>
public sealed class PostgresPredictionStore(string connectionString) : IPredictionStore
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    public string Kind => "postgresql";

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await using var cmd = _source.CreateCommand("""
            CREATE TABLE IF NOT EXISTS predictions (
                id BIGSERIAL PRIMARY KEY,
                lead_id TEXT NOT NULL,
                model_version TEXT NOT NULL,
                probability DOUBLE PRECISION NOT NULL,
                grade TEXT NOT NULL,
                suggested_stage TEXT NULL,
                action TEXT NULL,
                scored_at TIMESTAMPTZ NOT NULL,
                input_sha256 TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS predictions_lead ON predictions (lead_id);
            CREATE INDEX IF NOT EXISTS predictions_time ON predictions (scored_at);
            CREATE TABLE IF NOT EXISTS outcomes (
                lead_id TEXT PRIMARY KEY,
                converted BOOLEAN NOT NULL,
                recorded_at TIMESTAMPTZ NOT NULL);
            CREATE TABLE IF NOT EXISTS replayed_spills (marker TEXT PRIMARY KEY);
            """);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default)
    {
        if (records.Count == 0) return;
        await using var c = await _source.OpenConnectionAsync(ct);
        await CopyAsync(c, records, ct);
    }

    public async Task<bool> WriteReplayedAsync(string marker, IReadOnlyList<PredictionRecord> records, CancellationToken ct = default)
    {
        await using var c = await _source.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using (var mark = new NpgsqlCommand("INSERT INTO replayed_spills (marker) VALUES ($1) ON CONFLICT (marker) DO NOTHING", c, tx))
        {
            mark.Parameters.Add(new NpgsqlParameter { Value = marker });
            if (await mark.ExecuteNonQueryAsync(ct) == 0) return false;
        }
        await CopyAsync(c, records, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task ForgetReplayedAsync(string prefix, CancellationToken ct = default)
    {
        await using var cmd = _source.CreateCommand("DELETE FROM replayed_spills WHERE starts_with(marker, $1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = prefix });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task CheckAsync(CancellationToken ct = default)
    {
        await using var cmd = _source.CreateCommand("SELECT 1");
        await cmd.ExecuteScalarAsync(ct);
    }

    private static async Task CopyAsync(NpgsqlConnection c, IReadOnlyList<PredictionRecord> records, CancellationToken ct)
    {
        await using var copy = await c.BeginBinaryImportAsync(
            "COPY predictions (lead_id, model_version, probability, grade, suggested_stage, action, scored_at, input_sha256) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var r in records)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(r.LeadId, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(r.ModelVersion, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(r.Probability, NpgsqlDbType.Double, ct);
            await copy.WriteAsync(r.Grade, NpgsqlDbType.Text, ct);
            if (r.SuggestedStage is null) await copy.WriteNullAsync(ct); else await copy.WriteAsync(r.SuggestedStage, NpgsqlDbType.Text, ct);
            if (r.Action is null) await copy.WriteNullAsync(ct); else await copy.WriteAsync(r.Action, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(r.ScoredAt.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(r.InputSha256, NpgsqlDbType.Text, ct);
        }
        await copy.CompleteAsync(ct);
    }

    public async Task WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> outcomes, CancellationToken ct = default)
    {
        if (outcomes.Count == 0) return;
        await using var c = await _source.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var batch = new NpgsqlBatch(c, tx);
        await using (batch)
        {
            foreach (var o in outcomes)
            {
                var cmd = new NpgsqlBatchCommand("INSERT INTO outcomes (lead_id, converted, recorded_at) VALUES ($1, $2, $3) " +
                                                 "ON CONFLICT (lead_id) DO UPDATE SET converted = EXCLUDED.converted, recorded_at = EXCLUDED.recorded_at");
                cmd.Parameters.Add(new NpgsqlParameter { Value = o.LeadId });
                cmd.Parameters.Add(new NpgsqlParameter { Value = o.Converted });
                cmd.Parameters.Add(new NpgsqlParameter { Value = o.RecordedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                batch.BatchCommands.Add(cmd);
            }
            await batch.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<PredictionWithOutcome>> ReadAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        await using var cmd = _source.CreateCommand(
            "SELECT p.model_version, p.probability, p.scored_at, o.converted FROM predictions p " +
            "LEFT JOIN outcomes o ON o.lead_id = p.lead_id WHERE p.scored_at >= $1 ORDER BY p.id");
        cmd.Parameters.Add(new NpgsqlParameter { Value = since.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var result = new List<PredictionWithOutcome>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result.Add(new PredictionWithOutcome(r.GetString(0), r.GetDouble(1), new DateTimeOffset(r.GetDateTime(2), TimeSpan.Zero),
                r.IsDBNull(3) ? null : r.GetBoolean(3)));
        return result;
    }

    public async Task<long> CountPredictionsAsync(CancellationToken ct = default)
    {
        await using var cmd = _source.CreateCommand("SELECT COUNT(*) FROM predictions");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
