using LeadPredict.Core;
using LeadPredict.ML.Evaluation;
using LeadPredict.ML.Training;

namespace LeadPredict.ML;

/// <summary>What a model is, what it was trained on and how good it is: shown by the scoring host and stored in the model file.</summary>
public sealed record ModelCard
{
    public required string Version { get; init; }
    public required DateTimeOffset TrainedAt { get; init; }
    public required string DataFile { get; init; }
    /// <summary>
    /// SHA-256 of the training file's bytes; for a CRM history in time, of every table's name and SHA-256 (the leads file, then
    /// <see cref="HistoryFiles"/>), so a retrain on a changed activity log is not on "the same data" (<see cref="DataIdentity"/>).
    /// </summary>
    public required string DataSha256 { get; init; }
    /// <summary>The other tables the examples were made from (activity log, outcomes, stage history), each with its SHA-256; empty for a flat file.</summary>
    public IReadOnlyList<string> HistoryFiles { get; init; } = [];
    public required int Rows { get; init; }
    public required int Positives { get; init; }
    public required string Label { get; init; }
    public required string PositiveLabel { get; init; }
    public required string HoldoutMethod { get; init; }
    public required int TrainingRows { get; init; }
    public required int HoldoutRows { get; init; }
    public required int FeatureColumns { get; init; }
    public required int FeatureSlots { get; init; }
    public required TrainerOptions Trainer { get; init; }
    /// <summary>The saved model in words: trees, linear model or blend, with the settings chosen and any calibration.</summary>
    public string Model { get; init; } = "";
    /// <summary>How the model was chosen (cross-validation among candidates, or forced by trainer.algorithm).</summary>
    public string ChosenBy { get; init; } = "";
    /// <summary>Whether Platt scaling was applied, and what it did to the cross-validated log-loss and calibration error.</summary>
    public string? Calibration { get; init; }
    /// <summary>How many labelled rows the saved model was fitted on.</summary>
    public int FittedRows { get; init; }
    /// <summary>Whether the saved model was refit on all labelled rows after the holdout measured the recipe.</summary>
    public bool RefitOnAllRows { get; init; }
    /// <summary>Which model the holdout and cross-validation figures describe, in words.</summary>
    public string Figures { get; init; } = "";
    /// <summary>Whether the model ranks better than chance, by a stated rule.</summary>
    public SignalCheck? Signal { get; init; }
    /// <summary>What a user should know before trusting the model (no signal, small history, cold start).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    public required CardMetrics Holdout { get; init; }
    public IReadOnlyList<FoldSummary> CrossValidation { get; init; } = [];
    /// <summary>Holdout probability cut points between score deciles, highest first (9 values).</summary>
    public required IReadOnlyList<double> DecileCutPoints { get; init; }
    public required GradeOptions Grades { get; init; }
    public required IReadOnlyDictionary<string, string> Versions { get; init; }
    /// <summary>For a model trained on point-in-time snapshots: what its probability means, the horizon, export date, cut-off and counts.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public TimeFacts? Time { get; init; }
}

/// <summary>
/// The facts of training on point-in-time snapshots, stated in the output, metrics, model card and report: each example is a
/// lead as of a time t, labelled "converted within <see cref="HorizonDays"/> days after t"; the holdout is the examples from
/// <see cref="Cutoff"/> on, and training uses only examples at least <see cref="GapDays"/> before it, so no label crosses it.
/// </summary>
public sealed record TimeFacts
{
    public required string Meaning { get; init; }
    public required int HorizonDays { get; init; }
    public required DateTime ExportDate { get; init; }
    public string ExportDateSource { get; init; } = "";
    public DateTime? Cutoff { get; init; }
    public double GapDays { get; init; }
    public long Examples { get; init; }
    public long Leads { get; init; }
    public long Positives { get; init; }
    /// <summary>Snapshot times left out because their horizon runs past the export date (outcome not known yet).</summary>
    public long Censored { get; init; }
    /// <summary>Snapshot times at or after the lead's conversion (not examples).</summary>
    public long ConvertedBefore { get; init; }
    public long ClosedBefore { get; init; }
    public int TrainingExamples { get; init; }
    public int TrainingLeads { get; init; }
    public int HoldoutExamples { get; init; }
    public int HoldoutLeads { get; init; }
    /// <summary>Examples in neither side: in the gap, or of leads with an example in the holdout.</summary>
    public int LeftOut { get; init; }
    /// <summary>Activity types that occur mostly after conversion, with their share (likely leaks), and whether they were excluded.</summary>
    public IReadOnlyList<string> PostConversionTypes { get; init; } = [];
}

/// <summary>The headline holdout metrics.</summary>
public sealed record CardMetrics(double Auc, double PrAuc, double LogLossNats, double Brier, double Ece, double BaseRate)
{
    public static CardMetrics From(BinaryMetrics m) => new(m.Auc, m.PrAuc, m.LogLossNats, m.Brier, m.Ece, m.BaseRate);
}

/// <summary>A column suspected of leaking the outcome.</summary>
public sealed record LeakSuspect(string Column, double SingleColumnAuc, bool NameSuggestsAfterContact, bool Excluded)
{
    public string Why => (SingleColumnAuc >= LeakGuard.AucThreshold, NameSuggestsAfterContact) switch
    {
        (true, true) => "predicts the outcome almost alone, and its name suggests it is filled in after contact",
        (true, false) => "predicts the outcome almost alone",
        _ => "its name suggests it is filled in after contact",
    };
}
