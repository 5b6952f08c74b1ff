using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeadPredict.Core;

/// <summary>
/// How to read one CRM export: which column is the outcome, which is the lead id, which are dates,
/// which to leave out, and the kind of each column. Written by <c>init</c>, edited by the analyst,
/// and stored inside every model so scoring reads new leads exactly as training did.
/// Not sealed: the configuration file also says how to train (the ML project's <c>TrainingConfig</c> adds the trainer's
/// settings), and one JSON object holds both, so the file's type extends this one rather than containing it.
/// </summary>
public record DatasetConfig
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

    /// <summary>
    /// How numbers are written: "auto" (absent: each column's format is worked out from its values), "plain" (1234.5),
    /// "1,234.5", "1.234,5" or "1 234,5".
    /// </summary>
    public string? NumberFormat { get; init; }

    /// <summary>
    /// How dates are written: "auto" (absent: ISO dates always; for 01/02/2025 each column's order of day and month is worked
    /// out from its values) or a pattern such as "dd/MM/yyyy", "MM/dd/yyyy" or "yyyy-MM-dd HH:mm".
    /// </summary>
    public string? DateFormat { get; init; }

    /// <summary>The number format set for every column, or null to detect it per column.</summary>
    [JsonIgnore]
    public Core.NumberFormat? NumberFormatSetting => NumberFormats.TryParseSetting(NumberFormat, out var format) ? format
        : throw new LeadPredictException($"numberFormat '{NumberFormat}' is not one of {string.Join(", ", NumberFormats.Settings.Select(f => $"\"{f}\""))}.");

    /// <summary>Columns never used as features (leaks, notes filled in after contact, personal data).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Column kinds; columns not listed are inferred from the data.</summary>
    public IReadOnlyDictionary<string, ColumnKind> Columns { get; init; } = new Dictionary<string, ColumnKind>();

    // Written after the columns and a derived configuration's own sections (the trainer's, order 1), as the file has always had them.
    [JsonPropertyOrder(2)]
    public EvaluationOptions Evaluation { get; init; } = new();
    [JsonPropertyOrder(2)]
    public GradeOptions Grades { get; init; } = new();

    /// <summary>The activity log, outcome dates and stage history, for point-in-time examples (none: one flat row per lead).</summary>
    [JsonPropertyOrder(2)]
    public TimelineConfig? Timeline { get; init; }

    [JsonIgnore]
    public char? SeparatorChar => TableSeparator.Problem(Separator, "separator") is { } problem
        ? throw new LeadPredictException(problem)
        : TableSeparator.Parse(Separator);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Metrics can be undefined (AUC of a one-class holdout, the AUC of an unreadable champion) or infinite (the lift of
        // a rule no non-matching lead meets): they are written as "NaN" and "Infinity" and read back, never a failed save.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Reads and validates a configuration file as <typeparamref name="T"/>: a setting <typeparamref name="T"/> does not have
    /// is an error at its line, so a file with the trainer's settings is read as the ML project's <c>TrainingConfig</c>.
    /// </summary>
    public static T Load<T>(string path) where T : DatasetConfig
    {
        if (!File.Exists(path))
            throw new InputFileException(path, null, null, $"configuration file not found (looked for {Path.GetFullPath(path)}).");
        var json = File.ReadAllBytes(path);
        try
        {
            var config = JsonSerializer.Deserialize<T>(json, Json)
                ?? throw new InputFileException(path, 1, null, "the configuration is empty; expected a JSON object.");
            config.Validate(path);
            return config;
        }
        catch (JsonException e)
        {
            var problem = JsonFieldProblem.From(e, json, typeof(T));
            throw new InputFileException(path, e.LineNumber + 1, null,
                $"invalid configuration: {(problem is null ? TrimJsonMessage(e.Message) : problem.Describe() + ".")}", e);
        }
    }

    /// <summary>The configuration as JSON, with every setting of its type (a <c>TrainingConfig</c> writes the trainer's too).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, GetType(), Json);

    /// <summary>Checks values that do not depend on the data; throws with a message naming the setting.</summary>
    public void Validate(string source = "configuration")
    {
        var problem = Problem();
        if (problem is not null) throw new LeadPredictException($"{Path.GetFileName(source)}: {problem}");
    }

    /// <summary>The first setting that is wrong, as a sentence naming it; null when all are valid. Extended by derived configurations.</summary>
    protected virtual string? Problem()
    {
        // With a timeline the label is made from the conversion dates ("converted within H days"), not read from a column.
        if (string.IsNullOrWhiteSpace(Label) && Timeline is null) return "'label' is required: the column that says whether a lead converted (or a 'timeline' section with the conversion dates).";
        _ = SeparatorChar;
        _ = NumberFormatSetting;
        if (DateFormats.Problem(DateFormat) is { } dateProblem) return dateProblem;
        return Evaluation.Validate() ?? Grades.Validate() ?? Timeline?.Validate();
    }

    private static string TrimJsonMessage(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
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
        HoldoutFraction is not (> 0 and < 0.9) ? $"evaluation.holdoutFraction must be in (0, 0.9) (was {HoldoutFraction})."
        : Folds is < 0 or > 20 ? $"evaluation.folds must be between 0 and 20 (was {Folds})."
        : CrossValidationMaxRows < 0 ? $"evaluation.crossValidationMaxRows must be 0 or more (was {CrossValidationMaxRows})."
        : RefitMaxRows < 0 ? $"evaluation.refitMaxRows must be 0 or more (was {RefitMaxRows})."
        : Threshold is not (> 0 and < 1) ? $"evaluation.threshold must be in (0, 1) (was {Threshold})."
        : ChampionTolerance is not (>= 0 and <= 0.5) ? $"evaluation.championTolerance must be in [0, 0.5] (was {ChampionTolerance})."
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
