using LeadPredict.Core;
using LeadPredict.ML.Evaluation;
using LeadPredict.ML.Training;

namespace LeadPredict.ML;

/// <summary>Importance of one original column: how much holdout AUC drops when its values are shuffled.</summary>
public sealed record ColumnImportance(string Column, double AucDrop, double StdDev);

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
    public ChampionComparison? Champion { get; init; }
    public int MissingLabels { get; init; }
    /// <summary>Holdout probabilities and outcomes (for score-distribution charts).</summary>
    public IReadOnlyList<double> HoldoutProbabilities { get; init; } = [];
    public IReadOnlyList<bool> HoldoutLabels { get; init; } = [];
    /// <summary>Every model cross-validation compared, with its scores; the chosen one is marked.</summary>
    public IReadOnlyList<Training.CandidateResult> Candidates { get; init; } = [];
    /// <summary>The calibration check on out-of-fold scores (null without cross-validation).</summary>
    public Training.CalibrationCheck? CalibrationCheck { get; init; }
    /// <summary>
    /// Sections added by training extensions, stored only here (the model file's report and the metrics JSON); each is read
    /// as its owner's record (e.g. "funnel": <c>LeadPredict.Advice.TrainedRules.From</c>, the ICP backtest and gate thresholds).
    /// </summary>
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
