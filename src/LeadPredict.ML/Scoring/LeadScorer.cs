using System.Globalization;
using LeadPredict.Core;
using Microsoft.ML;

namespace LeadPredict.ML.Scoring;

/// <summary>One factor behind a lead's score: the column, the lead's value, and how much it moved the score (log-odds).</summary>
public sealed record Reason(string Column, string Value, double Effect)
{
    public override string ToString() => AppendTo(new System.Text.StringBuilder(48)).ToString();

    /// <summary>"▲ Demo Requested = yes": the one format of a reason, appended without building a string (batch scoring's hot path).</summary>
    public System.Text.StringBuilder AppendTo(System.Text.StringBuilder sb) =>
        sb.Append(Effect >= 0 ? '▲' : '▼').Append(' ').Append(ColumnNames.Display(Column)).Append(" = ").Append(Value);
}

public sealed record ScoredLead(double Probability, int Score, string Grade, IReadOnlyList<Reason> Reasons);

/// <summary>Where each feature column sits in an input file's header.</summary>
public sealed record ColumnBinding(int[] FeatureIndex, int IdIndex, IReadOnlyList<string> MissingFeatures);

/// <summary>
/// Scores single leads with a loaded model: featurize, probability, score 0-100, grade, and the top factors each way.
/// Thread-safe; the scoring host and the batch scorer share it.
/// </summary>
public sealed class LeadScorer
{
    private readonly LeadFeaturizer _featurizer;
    private readonly IProbabilityModel _model;
    private readonly CompiledEnsemble? _ensemble;
    private readonly MissingTokens _missing;
    private readonly int[] _slotColumn;

    public LeadScorer(ModelBundle bundle, MLContext? ml = null)
    {
        Bundle = bundle;
        _featurizer = bundle.Featurizer;
        _model = ProbabilityModels.For(bundle, ml ?? new MLContext(seed: 1));
        _ensemble = bundle.Ensemble;
        _missing = new MissingTokens(bundle.Schema.MissingTokens);
        _slotColumn = _featurizer.Slots.Select(s => s.Column).ToArray();
    }

    public ModelBundle Bundle { get; }
    public IReadOnlyList<ColumnState> FeatureColumns => _featurizer.Columns;
    public bool CanExplain => _model.CanExplain;
    public int FeatureWidth => _featurizer.Length;

    /// <summary>Maps an input header to the model's columns; rejects files that lack the id column or most features.</summary>
    public ColumnBinding Bind(IReadOnlyList<string> header, string source)
    {
        int Find(string name)
        {
            for (var i = 0; i < header.Count; i++)
                if (string.Equals(header[i], name, StringComparison.OrdinalIgnoreCase)) return i;
            return -1;
        }
        var featureIndex = _featurizer.Columns.Select(c => Find(c.Name)).ToArray();
        var missing = _featurizer.Columns.Where((c, i) => featureIndex[i] < 0).Select(c => c.Name).ToArray();
        var idIndex = Bundle.Schema.Id is { } id ? Find(id) : -1;
        var file = Path.GetFileName(source);
        if (Bundle.Schema.Id is { } idName && idIndex < 0)
            throw new InputFileException(source, 1, idName, $"the id column '{idName}' the model was trained with is missing; the file has: {string.Join(", ", header)}.");
        if (missing.Length * 2 > featureIndex.Length)
            throw new InputFileException(source, 1, null,
                $"{missing.Length} of the model's {featureIndex.Length} feature columns are missing ({string.Join(", ", missing)}); is this the right file for model {Bundle.Card.Version}?");
        return new ColumnBinding(featureIndex, idIndex, missing);
    }

    /// <summary>Reads the model's feature values out of one input record, turning missing tokens into null.</summary>
    public void Extract(ColumnBinding binding, IReadOnlyList<string> fields, Span<string?> values)
    {
        for (var c = 0; c < binding.FeatureIndex.Length; c++)
            values[c] = binding.FeatureIndex[c] < 0 ? null : _missing.Normalize(fields[binding.FeatureIndex[c]]);
    }

    public string? NormalizeValue(string? raw) => _missing.Normalize(raw);

    /// <summary>Scores one lead from its feature values (in <see cref="FeatureColumns"/> order).</summary>
    public ScoredLead Score(ReadOnlySpan<string?> values, int reasonsEachWay = 3, FeaturizeIssues? issues = null)
    {
        Span<float> features = _featurizer.Length <= 512 ? stackalloc float[_featurizer.Length] : new float[_featurizer.Length];
        _featurizer.Featurize(values, features, issues);
        if (reasonsEachWay > 0 && _model.CanExplain)
        {
            // One walk of the trees gives both the contributions and the raw score (the same sum as the probability's).
            var reasons = Explain(values, features, reasonsEachWay, out var raw);
            var pe = _ensemble is not null ? _ensemble.ToProbability(raw) : _model.Probability(features);
            return new ScoredLead(pe, ToScore(pe), Bundle.Card.Grades.GradeOf(pe), reasons);
        }
        var p = _model.Probability(features);
        return new ScoredLead(p, ToScore(p), Bundle.Card.Grades.GradeOf(p), []);
    }

    public static int ToScore(double probability) => (int)Math.Round(Math.Clamp(probability, 0, 1) * 100, MidpointRounding.AwayFromZero);

    private Reason[] Explain(ReadOnlySpan<string?> values, ReadOnlySpan<float> features, int each, out double raw)
    {
        Span<double> slots = _featurizer.Length <= 512 ? stackalloc double[_featurizer.Length] : new double[_featurizer.Length];
        slots.Clear();
        raw = 0;
        if (_ensemble is not null) raw = _ensemble.Contributions(features, slots);
        else _model.Contributions(features, slots);
        var columns = _featurizer.Columns.Count;
        Span<double> byColumn = columns <= 256 ? stackalloc double[columns] : new double[columns];
        byColumn.Clear();
        for (var s = 0; s < slots.Length; s++) byColumn[_slotColumn[s]] += slots[s];
        var reasons = new List<Reason>(each * 2);
        Pick(byColumn, values, each, positive: true, reasons);
        Pick(byColumn, values, each, positive: false, reasons);
        return reasons.ToArray();
    }

    private void Pick(ReadOnlySpan<double> byColumn, ReadOnlySpan<string?> values, int each, bool positive, List<Reason> into)
    {
        Span<bool> used = stackalloc bool[Math.Min(byColumn.Length, 256)];
        for (var k = 0; k < each; k++)
        {
            var best = -1;
            for (var c = 0; c < byColumn.Length && c < used.Length; c++)
            {
                if (used[c]) continue;
                var v = byColumn[c];
                if (positive ? v <= 1e-9 : v >= -1e-9) continue;
                if (best < 0 || (positive ? v > byColumn[best] : v < byColumn[best])) best = c;
            }
            if (best < 0) return;
            used[best] = true;
            into.Add(new Reason(_featurizer.Columns[best].Name, values[best] ?? "missing", byColumn[best]));
        }
    }

    public static string FormatProbability(double p) => p.ToString("0.000000", CultureInfo.InvariantCulture);
}

/// <summary>Column names for people: "days_since_last_activity" becomes "Days Since Last Activity".</summary>
public static class ColumnNames
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    /// <summary>The display name, worked out once per column name (reasons name columns for every scored lead).</summary>
    public static string Display(string column) => Cache.Count < 10_000 ? Cache.GetOrAdd(column, Compute) : Compute(column);

    private static string Compute(string column)
    {
        var words = SchemaInference.Words(column);
        if (words.Count == 0) return column;
        return string.Join(' ', words.Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
    }
}
