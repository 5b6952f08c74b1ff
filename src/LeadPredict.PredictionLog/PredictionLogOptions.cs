using System.ComponentModel.DataAnnotations;

namespace LeadPredict.PredictionLog;

/// <summary>The "PredictionLog" configuration section.</summary>
public sealed class PredictionLogOptions : IValidatableObject
{
    public const string Section = "PredictionLog";

    public bool Enabled { get; set; } = true;

    /// <summary>The SQLite file used when no PostgreSQL connection string is given.</summary>
    public string SqlitePath { get; set; } = "predictions.db";

    /// <summary>A PostgreSQL connection string; when set, the log goes to PostgreSQL instead of SQLite.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// Records handed to the log and not yet committed. A request that would go past it waits for room (a big upload is
    /// slowed down, never dropped); this bounds the memory the log holds.
    /// </summary>
    [Range(16, 10_000_000, ErrorMessage = "PredictionLog:QueueCapacity must be between {1} and {2}.")]
    public int QueueCapacity { get; set; } = 50_000;

    /// <summary>Most records in one transaction. Requests arriving while one commits share the next (group commit).</summary>
    [Range(1, 100_000, ErrorMessage = "PredictionLog:BatchSize must be between {1} and {2}.")]
    public int BatchSize { get; set; } = 2_000;

    /// <summary>
    /// SQLite only. <c>Normal</c> (the default): a committed record survives the host being killed (SIGKILL, a crash, an
    /// out-of-memory kill), not a power cut. <c>Full</c>: every commit is also flushed to the disk, so it survives a power
    /// cut; each commit then waits for the disk.
    /// </summary>
    public SqliteSync SqliteSynchronous { get; set; } = SqliteSync.Normal;

    /// <summary>
    /// How long a commit may take before its records are saved to the local spill instead (a hung or unreachable database
    /// must not hold requests).
    /// </summary>
    public TimeSpan CommitTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Wait before retrying the database after a failure (doubles up to 30 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Where records go when the database cannot take them: append-only files, flushed to disk before the request is
    /// answered, written to the database when it is back (also after a restart) and then deleted.
    /// Default: beside the SQLite file (<c>predictions.db.spill</c>), or <c>predictions.spill</c> for PostgreSQL.
    /// </summary>
    public string? SpillDirectory { get; set; }

    public string ResolvedSpillDirectory =>
        SpillDirectory is { Length: > 0 } p ? p
        : string.IsNullOrWhiteSpace(PostgresConnectionString) ? SqlitePath + ".spill" : "predictions.spill";

    /// <summary>The single file earlier versions saved unwritten records to at shutdown; replayed like a spill file.</summary>
    internal string LegacySpillFile =>
        string.IsNullOrWhiteSpace(PostgresConnectionString) ? SqlitePath + ".pending.jsonl" : "predictions.pending.jsonl";

    public IPredictionStore CreateStore() =>
        string.IsNullOrWhiteSpace(PostgresConnectionString)
            ? new SqlitePredictionStore(SqlitePath, SqliteSynchronous)
            : new PostgresPredictionStore(PostgresConnectionString);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CommitTimeout < TimeSpan.FromMilliseconds(100) || CommitTimeout > TimeSpan.FromMinutes(10))
            yield return new ValidationResult($"PredictionLog:CommitTimeout must be between 100 ms and 10 minutes (was {CommitTimeout}).", [nameof(CommitTimeout)]);
        if (RetryDelay < TimeSpan.FromMilliseconds(10) || RetryDelay > TimeSpan.FromMinutes(10))
            yield return new ValidationResult($"PredictionLog:RetryDelay must be between 10 ms and 10 minutes (was {RetryDelay}).", [nameof(RetryDelay)]);
        if (Enabled && string.IsNullOrWhiteSpace(PostgresConnectionString) && string.IsNullOrWhiteSpace(SqlitePath))
            yield return new ValidationResult("PredictionLog:SqlitePath is required when no PostgreSQL connection string is given.", [nameof(SqlitePath)]);
    }
}

/// <summary>SQLite's <c>synchronous</c> setting for the log (in WAL mode).</summary>
public enum SqliteSync
{
    /// <summary>Commits survive the process being killed; the last ones may be lost on a power cut.</summary>
    Normal,

    /// <summary>Commits are flushed to the disk: they survive a power cut.</summary>
    Full,
}
