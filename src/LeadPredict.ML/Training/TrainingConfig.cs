using LeadPredict.Core;

namespace LeadPredict.ML.Training;

/// <summary>
/// The configuration file (<c>leadpredict.json</c>): how to read the CRM export (<see cref="DatasetConfig"/>) and how to
/// train on it (<see cref="Trainer"/>). The trainer's settings live here, with the trainer, rather than in Core; the file
/// stays one JSON object, so this type extends the dataset configuration.
/// </summary>
public sealed record TrainingConfig : DatasetConfig
{
    [System.Text.Json.Serialization.JsonPropertyOrder(1)]
    public TrainerOptions Trainer { get; init; } = new();

    /// <summary>Reads and validates a configuration file; a misspelt or unknown setting is an error at its line.</summary>
    public static TrainingConfig Load(string path) => Load<TrainingConfig>(path);

    protected override string? Problem() => base.Problem() ?? Trainer.Validate();
}

/// <summary>
/// Which model to train: <c>Auto</c> lets cross-validation choose among LightGBM, FastTree (on smaller files), a logistic
/// regression and a blend of trees and regression; the others force one.
/// </summary>
public enum TrainerAlgorithm { FastTree, LightGbm, Linear, Auto, Blend }

/// <summary>
/// The model choice and the settings an analyst may want to tune. By default (<see cref="TrainerAlgorithm.Auto"/>)
/// cross-validation picks the model; LightGBM is what is trained when there is no cross-validation (it trains a million
/// leads several times faster than FastTree at the same AUC, docs/benchmarks.md).
/// </summary>
public sealed record TrainerOptions
{
    public TrainerAlgorithm Algorithm { get; init; } = TrainerAlgorithm.Auto;
    /// <summary>Number of trees; with <see cref="ChooseTreesByCrossValidation"/>, the most that will be used.</summary>
    public int Trees { get; init; } = 300;
    public int Leaves { get; init; } = 31;
    public double LearningRate { get; init; } = 0.05;
    public int MinExamplesPerLeaf { get; init; } = 50;
    /// <summary>Pick the number of trees with the best cross-validated AUC (up to <see cref="Trees"/>), so small files do not overfit.</summary>
    public bool ChooseTreesByCrossValidation { get; init; } = true;
    public int Seed { get; init; } = 42;
    /// <summary>
    /// Above <c>evaluation.crossValidationMaxRows</c> training rows cross-validation does not choose the number of trees: LightGBM
    /// then learns at this rate and stops when the log-loss on a tenth of the training rows has not improved for
    /// <see cref="ModelFit.EarlyStoppingRounds"/> trees (at most <see cref="Trees"/>; off with
    /// <see cref="ChooseTreesByCrossValidation"/> = false). On the generated 1M-row export (fit-probe, docs/benchmarks.md) 0.15
    /// stops at 82 trees with holdout AUC 0.8827, 0.1 at 151 trees with 0.8829, and 0.05 runs all 300 for 0.8830: 0.15 gives up
    /// 0.0002 AUC for a third less LightGBM time. It is meant for large histories only: on 12,000 rows (with the limit lowered)
    /// it stopped too soon (AUC 0.8612, 0.1: 0.8678), so lower it when lowering <c>crossValidationMaxRows</c>.
    /// </summary>
    public double EarlyStoppingLearningRate { get; init; } = 0.15;
    /// <summary>
    /// Above this many fitting rows the featurizer learns its medians and its category and word lists on a seeded sample of
    /// this many of them (0: always on every row). A category or word is kept from a share of the rows up, which a sample of
    /// this size sees as surely as all the rows do; a median only fills in missing values, beside a missing indicator. At
    /// 800,000 rows it saves about 3 s of CPU (docs/benchmarks.md); the training output says when it was done.
    /// </summary>
    public int FeaturizerSampleRows { get; init; } = 200_000;

    public string? Validate() =>
        Trees is < 1 or > 20_000 ? $"trainer.trees must be between 1 and 20000 (was {Trees})."
        : Leaves is < 2 or > 1024 ? $"trainer.leaves must be between 2 and 1024 (was {Leaves})."
        : LearningRate is not (> 0 and <= 1) ? $"trainer.learningRate must be in (0, 1] (was {LearningRate})."
        : EarlyStoppingLearningRate is not (> 0 and <= 1) ? $"trainer.earlyStoppingLearningRate must be in (0, 1] (was {EarlyStoppingLearningRate})."
        : MinExamplesPerLeaf < 1 ? $"trainer.minExamplesPerLeaf must be at least 1 (was {MinExamplesPerLeaf})."
        : FeaturizerSampleRows is not 0 and < 1_000 ? $"trainer.featurizerSampleRows must be 0 (every row) or at least 1000 (was {FeaturizerSampleRows})."
        : null;
}

