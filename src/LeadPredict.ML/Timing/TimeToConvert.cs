using System.Globalization;
using System.Text.Json;
using LeadPredict.Core;
using LeadPredict.ML.Linear;

namespace LeadPredict.ML.Timing;

/// <summary>
/// When a lead converts, given that it converts within the horizon H: a discrete-time hazard over the intervals
/// (0, d₁], (d₁, d₂], …, (dₖ₋₁, H] of <see cref="Days"/>. Interval j's hazard hⱼ(x) = P(T ≤ dⱼ | T > dⱼ₋₁, T ≤ H, x) is a
/// logistic regression on the lead's engagement features and stage at the time, fitted on the training examples that
/// converted within H (the last interval's hazard is 1: every such lead has converted by H). Then
/// <c>P(within dⱼ) = P(within H) × (1 − Πᵢ≤ⱼ (1 − hᵢ))</c>: one consistent curve, monotone in the days by construction and
/// equal to the model's probability at H. Stored in the model file's report extensions (<see cref="ExtraName"/>).
/// </summary>
public sealed record TimeToConvert
{
    public const string ExtraName = "timeToConvert";

    /// <summary>
    /// The L2 strength of every hazard (scikit-learn's C on standardized inputs). Measured on the generated CRM history's
    /// holdout (docs/time-to-convert.md): with the stage history's few inputs, C = 10 ranked and calibrated best (C = 0.1 and 1
    /// a little worse); with every engagement feature the hazards overfit unless held strongly (C = 0.01).
    /// </summary>
    public const double CWithStages = 10;
    public const double CWithEngagement = 0.01;

    /// <summary>What training sets <see cref="StageOnlyUpToDays"/> to with a stage history (measured in docs/time.md).</summary>
    public const int StageOnlyDays = 30;

    /// <summary>Fewer at-risk examples of either outcome than this in an interval: its hazard is the interval's share alone.</summary>
    public const int MinimumPerClass = 5;

    public required int HorizonDays { get; init; }
    /// <summary>Ascending, the last being <see cref="HorizonDays"/>.</summary>
    public required IReadOnlyList<int> Days { get; init; }
    /// <summary>Numeric inputs, by column name: each gives its value (0 when missing) and a missing indicator.</summary>
    public required IReadOnlyList<string> NumericColumns { get; init; }
    /// <summary>A categorical input (the stage at the time), one indicator per value seen in training.</summary>
    public string? CategoryColumn { get; init; }
    public IReadOnlyList<string> Categories { get; init; } = [];
    /// <summary>One per interval below the horizon (<c>Days.Count − 1</c>).</summary>
    public required IReadOnlyList<LinearModel> Hazards { get; init; }
    /// <summary>Measured on the time-based holdout, per number of days (filled by training).</summary>
    public IReadOnlyList<WithinFigures> Holdout { get; init; } = [];
    /// <summary>The L2 strength the hazards were fitted with.</summary>
    public double C { get; init; } = CWithStages;
    /// <summary>
    /// The intervals ending at or before this many days are fitted on the stage alone (<see cref="CategoryColumn"/>), the later
    /// ones on every input; 0: every interval on every input (models before this setting). With a stage history, the first
    /// 30 days turn on where a lead is in the funnel, while days in stage and the lead's age, fitted on the snapshots, ranked
    /// the open leads at the export worse at 30 days and better at 60 (docs/time.md).
    /// </summary>
    public int StageOnlyUpToDays { get; init; }

    public static string Header(int days) => $"p_{days.ToString(CultureInfo.InvariantCulture)}d";

    public IReadOnlyList<string> Headers => Days.Select(Header).ToArray();

    public int Width => 2 * NumericColumns.Count + Categories.Count;

    public string Describe() =>
        $"P(within d days) = P(within {HorizonDays} days) × P(converts by d | converts within {HorizonDays} days), the second from a discrete-time hazard " +
        $"over ({string.Join(", ", Days)}] fitted on the examples that converted (logistic regression per interval on {string.Join(", ", NumericColumns.Concat(CategoryColumn is null ? [] : [CategoryColumn]))}" +
        (StageOnlyUpToDays > 0 && CategoryColumn is not null ? $", up to {StageOnlyUpToDays.ToString(CultureInfo.InvariantCulture)} days on {CategoryColumn} alone" : "") +
        $"; L2 C = {C.ToString(CultureInfo.InvariantCulture)}).";

    /// <summary>The model's inputs bound to a header: reads a record under it into the input vector.</summary>
    public sealed class Inputs
    {
        private readonly int[] _numeric;
        private readonly int _category;
        private readonly Dictionary<string, int> _categories;

        internal Inputs(TimeToConvert model, IReadOnlyList<string> header, string source)
        {
            Width = model.Width;
            int Find(string name)
            {
                for (var i = 0; i < header.Count; i++)
                    if (string.Equals(header[i], name, StringComparison.OrdinalIgnoreCase)) return i;
                throw new LeadPredictException($"{source}: the time-to-convert model reads column '{name}', which is not there; score with the same timeline configuration the model was trained with.");
            }
            _numeric = model.NumericColumns.Select(Find).ToArray();
            _category = model.CategoryColumn is { } c ? Find(c) : -1;
            _categories = model.Categories.Select((v, i) => (v, i)).ToDictionary(x => x.v, x => x.i, StringComparer.Ordinal);
        }

        public int Width { get; }

        /// <summary>The input vector of one record (<see cref="Width"/> long): numbers as the example table writes them (round-trip text), missing = empty.</summary>
        public void Vector(IReadOnlyList<string?> fields, Span<float> x)
        {
            var n = _numeric.Length;
            for (var i = 0; i < n; i++)
            {
                var known = float.TryParse(fields[_numeric[i]], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && !float.IsNaN(v);
                x[2 * i] = known ? v : 0;
                x[2 * i + 1] = known ? 0 : 1;
            }
            x[(2 * n)..].Clear();
            if (_category >= 0 && fields[_category] is { } value && _categories.TryGetValue(value, out var k)) x[2 * n + k] = 1;
        }
    }

    /// <summary>The fitted model bound to a header: the curve of one record.</summary>
    public sealed class Bound
    {
        private readonly Inputs _inputs;
        private readonly LinearScorer[] _hazards;

        internal Bound(TimeToConvert model, IReadOnlyList<string> header, string source)
        {
            if (model.Days.Count != model.Hazards.Count + 1 || model.Days[^1] != model.HorizonDays)
                throw new LeadPredictException($"the time-to-convert model is inconsistent ({model.Days.Count} numbers of days, {model.Hazards.Count} hazards, horizon {model.HorizonDays}).", ProblemKind.BadModel);
            _inputs = new Inputs(model, header, source);
            var groups = Enumerable.Range(0, model.Width).ToArray();
            _hazards = model.Hazards.Select(h => new LinearScorer(h, groups)).ToArray();
        }

        /// <summary>How many probabilities <see cref="Within(double, IReadOnlyList{string?}, Span{double})"/> gives: one per number of days.</summary>
        public int Count => _hazards.Length + 1;

        /// <summary>P(converts within each of <see cref="Days"/>) for a lead of probability <paramref name="probability"/> (within the horizon).</summary>
        public void Within(double probability, IReadOnlyList<string?> fields, Span<double> within)
        {
            Span<float> x = stackalloc float[_inputs.Width];
            _inputs.Vector(fields, x);
            Within(probability, x, within);
        }

        public void Within(double probability, ReadOnlySpan<float> x, Span<double> within)
        {
            var survive = 1.0;
            for (var j = 0; j < _hazards.Length; j++)
            {
                survive *= 1 - Sigmoid(_hazards[j].LogOdds(x));
                within[j] = probability * (1 - survive);
            }
            within[_hazards.Length] = probability;
        }
    }

    public Inputs BindInputs(IReadOnlyList<string> header, string source) => new(this, header, source);

    public Bound Bind(IReadOnlyList<string> header, string source) => new(this, header, source);

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>The time-to-convert document among a model's extension documents, or null when the model has none.</summary>
    public static TimeToConvert? From(IReadOnlyDictionary<string, JsonElement> extensions)
    {
        if (!extensions.TryGetValue(ExtraName, out var json)) return null;
        try
        {
            return json.Deserialize<TimeToConvert>(Options) ?? throw new LeadPredictException("the model's time-to-convert document is empty.", ProblemKind.BadModel);
        }
        catch (JsonException e)
        {
            throw new LeadPredictException($"the model's time-to-convert document cannot be read ({e.Message}).", ProblemKind.BadModel, e);
        }
    }

    /// <summary>
    /// Fits the hazards on the examples that converted within the horizon: <paramref name="inputs"/> are their vectors (see
    /// <see cref="Inputs.Vector"/>), <paramref name="daysToConversion"/> the days from each example's time to its conversion.
    /// </summary>
    public TimeToConvert Fit(IReadOnlyList<float[]> inputs, IReadOnlyList<float> daysToConversion, CancellationToken ct = default)
    {
        var hazards = new List<LinearModel>();
        for (var j = 0; j < Days.Count - 1; j++)
        {
            var from = j == 0 ? 0 : Days[j - 1];
            var rows = new List<float[]>();
            var labels = new List<bool>();
            // A stage-only interval sees the numeric inputs as constants, which the design drops: its hazard reads the stage alone.
            var stageOnly = CategoryColumn is not null && Days[j] <= StageOnlyUpToDays;
            for (var i = 0; i < inputs.Count; i++)
            {
                if (!(daysToConversion[i] > from)) continue;
                rows.Add(stageOnly ? StageOnly(inputs[i]) : inputs[i]);
                labels.Add(daysToConversion[i] <= Days[j]);
            }
            var positives = labels.Count(y => y);
            if (Math.Min(positives, rows.Count - positives) < MinimumPerClass)
            {
                // Too few to learn from: the interval's share (smoothed), the same for every lead.
                var share = (positives + 0.5) / (rows.Count + 1.0);
                hazards.Add(new LinearModel { Intercept = Math.Log(share / (1 - share)), Terms = [], C = C, Binned = false });
                continue;
            }
            hazards.Add(LogisticRegression.FitPath(LinearDesign.Build(rows, binned: false), labels.ToArray(), [C], ct)[0]);
        }
        return this with { Hazards = hazards };
    }

    private float[] StageOnly(float[] x)
    {
        var copy = (float[])x.Clone();
        Array.Clear(copy, 0, 2 * NumericColumns.Count);
        return copy;
    }
}

/// <summary>How P(within d days) did on the time-based holdout: its AUC against "converted within d days", and its calibration.</summary>
/// <param name="AucConstantTiming">The alternative: the same share of P(within H) for every lead (the training examples' share converting by d), so the ranking is the main model's.</param>
public sealed record WithinFigures(int Days, int Examples, int Converted, double Auc, double AucConstantTiming, double MeanPredicted, double ObservedRate,
    double BrierScore, double BrierConstantTiming);
