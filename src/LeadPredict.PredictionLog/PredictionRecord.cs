namespace LeadPredict.PredictionLog;

/// <summary>One scored lead as the log keeps it: enough to audit the decision and to compare it with the outcome later.</summary>
public sealed record PredictionRecord(
    string LeadId,
    string ModelVersion,
    double Probability,
    string Grade,
    string? SuggestedStage,
    string? Action,
    DateTimeOffset ScoredAt,
    string InputSha256);

/// <summary>What became of a lead: converted or not, and when that was learned.</summary>
public sealed record OutcomeRecord(string LeadId, bool Converted, DateTimeOffset RecordedAt);

/// <summary>A scored lead joined with its outcome, when known (the monitor's input).</summary>
public sealed record PredictionWithOutcome(string ModelVersion, double Probability, DateTimeOffset ScoredAt, bool? Converted);

/// <summary>Where predictions and outcomes are stored. Implementations are thread-safe.</summary>
public interface IPredictionStore : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgresql", for logs and health.</summary>
    string Kind { get; }

    /// <summary>Creates the tables if they do not exist.</summary>
    Task InitializeAsync(CancellationToken ct = default);

    /// <summary>
    /// Writes the records in one transaction. Throws <see cref="PredictionStoreMovedException"/> when the database file
    /// was deleted or replaced since <see cref="InitializeAsync"/> (before writing, or after committing to the old file).
    /// </summary>
    Task WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default);

    /// <summary>
    /// Writes records saved to the local spill, in one transaction with <paramref name="marker"/>; false (nothing
    /// written) when a transaction with that marker was already committed, so a replay cut short is never written twice.
    /// </summary>
    Task<bool> WriteReplayedAsync(string marker, IReadOnlyList<PredictionRecord> records, CancellationToken ct = default);

    /// <summary>Forgets the markers starting with <paramref name="prefix"/> once their spill file is gone.</summary>
    Task ForgetReplayedAsync(string prefix, CancellationToken ct = default);

    /// <summary>Records outcomes; a later outcome for the same lead replaces the earlier one.</summary>
    Task WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> outcomes, CancellationToken ct = default);

    /// <summary>Every prediction scored at or after <paramref name="since"/>, with the lead's outcome when one was recorded.</summary>
    Task<IReadOnlyList<PredictionWithOutcome>> ReadAsync(DateTimeOffset since, CancellationToken ct = default);

    Task<long> CountPredictionsAsync(CancellationToken ct = default);

    /// <summary>
    /// A cheap check that the database is still there: throws <see cref="PredictionStoreMovedException"/> when the file
    /// was deleted or replaced, or the database's own error when it cannot be reached.
    /// </summary>
    Task CheckAsync(CancellationToken ct = default);
}

/// <summary>The log's database file is no longer the one the store opened: deleted (with its directory) or replaced.</summary>
public sealed class PredictionStoreMovedException(string message, bool committedToOldFile) : Exception(message)
{
    /// <summary>True when the last transaction was committed to the file that is gone: its records must be written again.</summary>
    public bool CommittedToOldFile { get; } = committedToOldFile;
}
