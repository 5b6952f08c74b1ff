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
    /// <summary>Sections added by training extensions (e.g. "funnel": the ICP backtest and gate thresholds).</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> Extensions { get; init; } = new Dictionary<string, System.Text.Json.JsonElement>();
}
