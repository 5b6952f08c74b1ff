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
    /// <summary>SHA-256 of the training file's bytes.</summary>
    public required string DataSha256 { get; init; }
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

/// <summary>
/// Importance of one original column: how much holdout AUC drops when its values are shuffled (permutation), or, when the
/// report's <see cref="TrainingReport.ImportanceBasis"/> says <c>contributions</c>, its mean absolute contribution to the
/// log-odds (<see cref="Contribution"/>; the AUC drop is then not measured and left at 0).
/// </summary>
public sealed record ColumnImportance(string Column, double AucDrop, double StdDev)
{
    public double Contribution { get; init; }
}

/// <summary>The champion (previous model) measured on the new holdout next to the candidate.</summary>
/// <see cref="ChampionUnreadable"/>: the model file could not be read (corrupt or not a model) and was replaced with --force.
public sealed record ChampionComparison(string ChampionVersion, double ChampionAuc, double CandidateAuc, double Tolerance, bool Promoted, string Decision,
    bool ChampionUnreadable = false);

/// <summary>Everything training learned, saved as JSON next to the model and used for the HTML report.</summary>
public sealed record TrainingReport
{
    public required ModelCard Card { get; init; }
    public required BinaryMetrics HoldoutMetrics { get; init; }
    public required IReadOnlyList<ColumnProfile> Columns { get; init; }
    public required IReadOnlyList<LeakSuspect> LeakSuspects { get; init; }
    public IReadOnlyList<ColumnImportance> Importance { get; init; } = [];
    /// <summary>How <see cref="Importance"/> was measured (null in reports written before it was recorded: permutation).</summary>
    public ImportanceBasis? ImportanceBasis { get; init; }
    public ChampionComparison? Champion { get; init; }
    public int MissingLabels { get; init; }
    /// <summary>Holdout probabilities and outcomes (for score-distribution charts).</summary>
    public IReadOnlyList<double> HoldoutProbabilities { get; init; } = [];
    public IReadOnlyList<bool> HoldoutLabels { get; init; } = [];
    /// <summary>Every model cross-validation compared, with its scores; the chosen one is marked.</summary>
    public IReadOnlyList<Training.CandidateResult> Candidates { get; init; } = [];
    /// <summary>The calibration check on out-of-fold scores (null without cross-validation).</summary>
    public Training.CalibrationCheck? CalibrationCheck { get; init; }
    /// <summary>Sections added by training extensions (e.g. "funnel": the ICP backtest and gate thresholds).</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> Extensions { get; init; } = new Dictionary<string, System.Text.Json.JsonElement>();
}

/// <summary>
/// Whether the model ranks leads better than chance. The rule: the lower end of the AUC's plausible range, mean − 2 standard
/// deviations over the cross-validation folds (or, without cross-validation, holdout AUC − 2 standard errors, Hanley and
/// McNeil), must reach <see cref="Threshold"/>.
/// </summary>
public sealed record SignalCheck(bool NoSignal, double Auc, double Spread, double Lower, string Basis, string Message)
{
    public const double Threshold = 0.55;

    public const string Rule = "the AUC's lower end (cross-validation mean − 2 sd, or holdout AUC − 2 standard errors without it) must reach 0.55";

    public static SignalCheck Of(Training.SelectionOutcome selection, BinaryMetrics holdout)
    {
        double auc, spread;
        string basis;
        if (selection.CrossValidation.FirstOrDefault(s => s.Metric == "AUC") is { Folds.Count: > 1 } cv)
            (auc, spread, basis) = (cv.Mean, cv.StdDev, $"CV AUC {cv.Mean:0.000} ± {cv.StdDev:0.000} over {cv.Folds.Count} folds; mean − 2 sd");
        else
            (auc, spread, basis) = (holdout.Auc, StandardError(holdout.Auc, holdout.Conversions, holdout.Leads - holdout.Conversions),
                $"holdout AUC {holdout.Auc:0.000} on {holdout.Leads:N0} leads; AUC − 2 standard errors");
        var lower = auc - 2 * spread;
        var none = !(lower >= Threshold);
        var message = none
            ? $"This history does not predict conversion better than chance: ranking by it is close to random ({basis} = {lower:0.000}, below {Threshold})."
            : $"The model ranks better than chance ({basis} = {lower:0.000} ≥ {Threshold}).";
        return new SignalCheck(none, auc, spread, lower, basis, message);
    }

    /// <summary>
    /// The standard error of an AUC from the numbers of positives and negatives: Hanley and McNeil's (1982), but never below
    /// the AUC's spread under chance (the Mann-Whitney statistic's, √((P + N + 1) / (12·P·N))), since Hanley and McNeil's
    /// falls to 0 at an AUC of 1 however few the leads.
    /// </summary>
    public static double StandardError(double auc, int positives, int negatives)
    {
        if (positives == 0 || negatives == 0 || double.IsNaN(auc)) return double.NaN;
        var q1 = auc / (2 - auc);
        var q2 = 2 * auc * auc / (1 + auc);
        var variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / ((double)positives * negatives);
        var chance = (positives + negatives + 1.0) / (12.0 * positives * negatives);
        return Math.Sqrt(Math.Max(chance, variance));
    }
}
