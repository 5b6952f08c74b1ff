using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeadPredict.Core;

/// <summary>
/// How to read one CRM export: which column is the outcome, which is the lead id, which are dates,
/// which to leave out, and the kind of each column. Written by <c>init</c>, edited by the analyst,
/// and stored inside every model so scoring reads new leads exactly as training did.
/// </summary>
public sealed record DatasetConfig
{
    /// <summary>The outcome column (converted or not).</summary>
    public string Label { get; init; } = "";

    /// <summary>The label value that means "converted"; inferred (1, yes, true, won, ...) when absent.</summary>
    public string? PositiveLabel { get; init; }

    /// <summary>The lead id column, copied to the ranked output; inferred from names like "id" when absent.</summary>
    public string? Id { get; init; }

    /// <summary>The date the lead was created; when set, the holdout is the most recent leads.</summary>
    public string? Created { get; init; }

    /// <summary>Field separator; detected from the header when absent.</summary>
    public string? Separator { get; init; }

    public IReadOnlyList<string> MissingTokens { get; init; } = Core.MissingTokens.Defaults;

    /// <summary>Columns never used as features (leaks, notes filled in after contact, personal data).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Column kinds; columns not listed are inferred from the data.</summary>
    public IReadOnlyDictionary<string, ColumnKind> Columns { get; init; } = new Dictionary<string, ColumnKind>();

    public TrainerOptions Trainer { get; init; } = new();
    public EvaluationOptions Evaluation { get; init; } = new();
    public GradeOptions Grades { get; init; } = new();

    [JsonIgnore]
    public char? SeparatorChar => Separator switch
    {
        null or "" => null,
        "\\t" or "tab" or "\t" => '\t',
        { Length: 1 } s => s[0],
        var s => throw new LeadPredictException($"separator '{s}' must be a single character (or \"tab\")."),
    };

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static DatasetConfig Load(string path)
    {
        if (!File.Exists(path))
            throw new InputFileException(path, null, null, $"configuration file not found (looked for {Path.GetFullPath(path)}).");
        try
        {
            var config = JsonSerializer.Deserialize<DatasetConfig>(File.ReadAllText(path), Json)
                ?? throw new InputFileException(path, 1, null, "the configuration is empty; expected a JSON object.");
            config.Validate(path);
            return config;
        }
        catch (JsonException e)
        {
            throw new InputFileException(path, e.LineNumber + 1, null, $"invalid configuration: {TrimJsonMessage(e.Message)}", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Checks values that do not depend on the data; throws with a message naming the setting.</summary>
    public void Validate(string source = "configuration")
    {
        string? Problem()
        {
            if (string.IsNullOrWhiteSpace(Label)) return "'label' is required: the column that says whether a lead converted.";
            _ = SeparatorChar;
            return Trainer.Validate() ?? Evaluation.Validate() ?? Grades.Validate();
        }
        var problem = Problem();
        if (problem is not null) throw new LeadPredictException($"{Path.GetFileName(source)}: {problem}");
    }

    private static string TrimJsonMessage(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
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

    public string? Validate() =>
        Trees is < 1 or > 20_000 ? $"trainer.trees must be between 1 and 20000 (was {Trees})."
        : Leaves is < 2 or > 1024 ? $"trainer.leaves must be between 2 and 1024 (was {Leaves})."
        : LearningRate is <= 0 or > 1 ? $"trainer.learningRate must be in (0, 1] (was {LearningRate})."
        : MinExamplesPerLeaf < 1 ? $"trainer.minExamplesPerLeaf must be at least 1 (was {MinExamplesPerLeaf})."
        : null;
}

public sealed record EvaluationOptions
{
    /// <summary>Share of rows held out for the final evaluation.</summary>
    public double HoldoutFraction { get; init; } = 0.2;
    /// <summary>Folds of cross-validation on the training part (0 or 1 turns it off).</summary>
    public int Folds { get; init; } = 5;
    /// <summary>
    /// Above this many training rows, cross-validation (and with it the choice of the number of trees) is skipped and the
    /// configured number of trees is used: k + 1 fits on a million rows cost minutes, and at that size the trees do not overfit.
    /// 0 = always cross-validate.
    /// </summary>
    public int CrossValidationMaxRows { get; init; } = 200_000;
    /// <summary>
    /// Up to this many labelled rows, the saved model is refit on all of them (holdout included) with the settings chosen,
    /// after the holdout has measured the same recipe trained without it. Above it the holdout's model is saved: refitting
    /// costs a second full training and changes the AUC little at that size (docs/model-choice.md). 0 = never refit.
    /// </summary>
    public int RefitMaxRows { get; init; } = 250_000;
    /// <summary>Probability at or above which a lead counts as predicted to convert (accuracy, precision, recall).</summary>
    public double Threshold { get; init; } = 0.5;
    /// <summary>A new model replaces the champion unless its holdout AUC is lower by more than this.</summary>
    public double ChampionTolerance { get; init; } = 0.005;

    public string? Validate() =>
        HoldoutFraction is <= 0 or >= 0.9 ? $"evaluation.holdoutFraction must be in (0, 0.9) (was {HoldoutFraction})."
        : Folds is < 0 or > 20 ? $"evaluation.folds must be between 0 and 20 (was {Folds})."
        : CrossValidationMaxRows < 0 ? $"evaluation.crossValidationMaxRows must be 0 or more (was {CrossValidationMaxRows})."
        : RefitMaxRows < 0 ? $"evaluation.refitMaxRows must be 0 or more (was {RefitMaxRows})."
        : Threshold is <= 0 or >= 1 ? $"evaluation.threshold must be in (0, 1) (was {Threshold})."
        : ChampionTolerance is < 0 or > 0.5 ? $"evaluation.championTolerance must be in [0, 0.5] (was {ChampionTolerance})."
        : null;
}

/// <summary>Probability floors for grades A, B and C; everything below C is D.</summary>
public sealed record GradeOptions
{
    public double A { get; init; } = 0.6;
    public double B { get; init; } = 0.35;
    public double C { get; init; } = 0.15;

    public string? Validate() =>
        !(A <= 1 && A > B && B > C && C > 0) ? $"grades must satisfy 1 >= a > b > c > 0 (were a={A}, b={B}, c={C})." : null;

    public string GradeOf(double probability) =>
        probability >= A ? "A" : probability >= B ? "B" : probability >= C ? "C" : "D";
}
