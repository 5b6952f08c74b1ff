using System.ComponentModel.DataAnnotations;

namespace LeadPredict.PredictionLog;

/// <summary>The "PredictionLog" configuration section.</summary>
public sealed class PredictionLogOptions
{
    public const string Section = "PredictionLog";

    public bool Enabled { get; set; } = true;

    /// <summary>The SQLite file used when no PostgreSQL connection string is given.</summary>
    public string SqlitePath { get; set; } = "predictions.db";

    /// <summary>A PostgreSQL connection string; when set, the log goes to PostgreSQL instead of SQLite.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>Records waiting in the queue; scoring never waits for the database, it drops (and counts) past this.</summary>
    [Range(16, 10_000_000)]
    public int QueueCapacity { get; set; } = 200_000;

    /// <summary>Records written per database round trip.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 2_000;

    /// <summary>Records kept in memory while the database is down; past this the oldest are dropped and counted.</summary>
    [Range(0, 10_000_000)]
    public int MaxPendingDuringOutage { get; set; } = 100_000;

    /// <summary>Wait before retrying a failed write (doubles up to 30 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Where records still unwritten when the host stops (the database being down) are saved, to be written at the next start.
    /// Default: beside the SQLite file, or predictions.pending.jsonl for PostgreSQL.
    /// </summary>
    public string? SpillPath { get; set; }

    public string ResolvedSpillPath =>
        SpillPath is { Length: > 0 } p ? p
        : string.IsNullOrWhiteSpace(PostgresConnectionString) ? SqlitePath + ".pending.jsonl" : "predictions.pending.jsonl";

    public IPredictionStore CreateStore() =>
        string.IsNullOrWhiteSpace(PostgresConnectionString)
            ? new SqlitePredictionStore(SqlitePath)
            : new PostgresPredictionStore(PostgresConnectionString);
}
