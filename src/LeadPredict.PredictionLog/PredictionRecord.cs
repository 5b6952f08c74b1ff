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

    Task WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default);

    /// <summary>Records outcomes; a later outcome for the same lead replaces the earlier one.</summary>
    Task WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> outcomes, CancellationToken ct = default);

    /// <summary>Every prediction scored at or after <paramref name="since"/>, with the lead's outcome when one was recorded.</summary>
    Task<IReadOnlyList<PredictionWithOutcome>> ReadAsync(DateTimeOffset since, CancellationToken ct = default);

    Task<long> CountPredictionsAsync(CancellationToken ct = default);
}
