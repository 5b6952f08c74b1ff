namespace LeadPredict.ML;

/// <summary>
/// Rules that say, from a lead's feature values alone, which of them it meets: the ICP, supplied by the rules layer, which
/// this library does not know. Used as the prior of a small-history model (<see cref="ColdStartPrior"/>).
/// </summary>
public interface ILeadPrior
{
    /// <summary>Where the rules come from (a file name), for messages.</summary>
    string Source { get; }

    /// <summary>The rules' names, in the order <see cref="Evaluate"/> writes them.</summary>
    IReadOnlyList<string> Rules { get; }

    /// <summary>Each rule's weight in the fit score (the weighted share of rules met).</summary>
    IReadOnlyList<double> Weights { get; }

    /// <summary>The feature column (index in the model's feature columns) each rule reads.</summary>
    IReadOnlyList<int> Columns { get; }

    /// <summary>Writes 1 for each rule the lead meets, else 0; <paramref name="values"/> are in the model's feature column order, null = missing.</summary>
    void Evaluate(ReadOnlySpan<string?> values, Span<float> met);
}

/// <summary>
/// The cold start of a small-history model: its log-odds are blended with an ICP prior, weighted by the evidence,
/// <c>(1 − PriorWeight) × model + PriorWeight × prior</c>. The prior is <c>a + b × ICP fit score</c> (the weighted share of
/// ICP rules met) fitted on the history, so each rule met adds a fixed amount to the log-odds of the lead and is a reason on
/// its column. <see cref="PriorWeight"/> = 40 / (N + 40) × (1 − N / 120) for N conversions: the ICP counts as much as 40
/// conversions (Dynamics 365's minimum) and fades out at 120 (Salesforce's), where the history is trusted alone.
/// </summary>
public sealed record ColdStartPrior
{
    public const int PriorEvidence = 40;
    public const int TrustedEvidence = 120;

    /// <summary>The rules file the prior came from (the same rules are needed to score).</summary>
    public required string RulesFile { get; init; }
    public required IReadOnlyList<string> Rules { get; init; }
    /// <summary>The feature column (index) each rule reads, for its reason.</summary>
    public required IReadOnlyList<int> Columns { get; init; }
    /// <summary>What meeting each rule adds to the prior's log-odds.</summary>
    public required IReadOnlyList<double> Coefficients { get; init; }
    /// <summary>The share of training leads meeting each rule.</summary>
    public required IReadOnlyList<double> Means { get; init; }
    /// <summary>The prior's log-odds for the average training lead.</summary>
    public required double Intercept { get; init; }
    public required double PriorWeight { get; init; }
    /// <summary>The conversions (or non-conversions, the rarer) the history had: the evidence.</summary>
    public required int Evidence { get; init; }

    public static double WeightFor(int evidence) =>
        evidence >= TrustedEvidence ? 0 : (double)PriorEvidence / (evidence + PriorEvidence) * (1 - (double)evidence / TrustedEvidence);

    public string Describe() =>
        $"cold start: {Evidence} leads of the rarer outcome is a small history, so each lead's log-odds are {1 - PriorWeight:0.00} × the model's + {PriorWeight:0.00} × " +
        $"an ICP prior from {RulesFile} ({Rules.Count} rules, fitted on the history); the ICP's weight fades to 0 at {TrustedEvidence}. Score with the same --icp file to apply it.";

    public string? Validate(int featureColumns) =>
        Rules.Count == 0 || Columns.Count != Rules.Count || Coefficients.Count != Rules.Count || Means.Count != Rules.Count ? "its cold-start prior's rules, columns and weights do not match"
        : Columns.Any(c => c < 0 || c >= featureColumns) ? "its cold-start prior reads a column the model does not have"
        : !(PriorWeight is >= 0 and < 1) || !double.IsFinite(Intercept) || Coefficients.Any(c => !double.IsFinite(c)) ? "its cold-start prior has a weight that is not a finite number in range"
        : null;
}
