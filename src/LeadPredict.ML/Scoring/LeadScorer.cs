using System.Globalization;
using LeadPredict.Core;
using Microsoft.ML;

namespace LeadPredict.ML.Scoring;

/// <summary>One factor behind a lead's score: the column, the lead's value, and how much it moved the score (log-odds).</summary>
public sealed record ScoreFactor(string Column, string Value, double Effect)
{
    /// <summary>Whether it raised the probability rather than lowered it.</summary>
    public bool Raised => Effect >= 0;

    /// <summary>"Demo Requested = yes": the column for people and the lead's value, without the arrow.</summary>
    public string Phrase => ColumnNames.Display(Column) + " = " + Value;

    public override string ToString() => Prefix(Column, Raised) + Value;

    /// <summary>"▲ Demo Requested = ": the one format of a reason, up to the lead's value (batch scoring builds it once per column).</summary>
    public static string Prefix(string column, bool raised) => $"{(raised ? '▲' : '▼')} {ColumnNames.Display(column)} = ";
}

public sealed record ScoredLead(double Probability, int Score, string Grade, IReadOnlyList<ScoreFactor> Reasons);

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
    /// <summary>Null only for a model that could not be compiled (scored through ML.NET, without reasons).</summary>
    private readonly CompiledModel? _compiled;
    private readonly MissingTokens _missing;

    /// <param name="bundle">The model.</param>
    /// <param name="ml">The ML.NET context (for models that cannot be compiled).</param>
    /// <param name="prior">
    /// The rules of a small-history model's cold-start prior (<see cref="ModelBundle.ColdStart"/>): with them the prior is
    /// blended in, without them the model scores alone (<see cref="PriorMissing"/> says so).
    /// </param>
    public LeadScorer(ModelBundle bundle, MLContext? ml = null, ILeadPrior? prior = null)
    {
        Bundle = bundle;
        _featurizer = bundle.Featurizer;
        _model = ProbabilityModels.For(bundle, ml ?? new MLContext(seed: 1));
        _missing = new MissingTokens(bundle.Schema.MissingTokens);
        if (bundle.ColdStart is { } coldStart)
        {
            if (prior is not null && !prior.Rules.SequenceEqual(coldStart.Rules, StringComparer.Ordinal))
                throw new LeadPredictException($"the rules file's ICP rules ({string.Join(", ", prior.Rules)}) are not those model {bundle.Card.Version} was trained with ({string.Join(", ", coldStart.Rules)}, from {coldStart.RulesFile}); score with that file.");
            _prior = prior;
        }
        // Contributions are wanted per original column (reasons name columns, not one-hot slots).
        if (bundle.Ensemble is not null || bundle.Mix.Kind == ModelKind.Linear) _compiled = bundle.Compile(withPrior: _prior is not null);
        FeatureWidth = _featurizer.Length + (_prior?.Rules.Count ?? 0);
    }

    private readonly ILeadPrior? _prior;

    /// <summary>The model has a cold-start prior, but no rules were given to apply it: it scores alone.</summary>
    public bool PriorMissing => Bundle.ColdStart is not null && _prior is null;

    public ModelBundle Bundle { get; }
    public IReadOnlyList<ColumnState> FeatureColumns => _featurizer.Columns;
    public bool CanExplain => _compiled is not null;

    /// <summary>The log-odds of the average training lead: a lead's reasons (all its columns' effects) add up to its log-odds minus this.</summary>
    public double BaseLogOdds => _compiled?.BaseLogOdds ?? double.NaN;
    /// <summary>A lead's vector: its features, then (with a cold-start prior) the rules it meets.</summary>
    public int FeatureWidth { get; }

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
        Span<float> features = FeatureWidth <= 512 ? stackalloc float[FeatureWidth] : new float[FeatureWidth];
        Featurize(values, features, issues);
        if (reasonsEachWay > 0 && _compiled is not null)
        {
            // One pass gives both the contributions and the score (the same sums as the probability's alone).
            Span<float> byColumn = _compiled.Stride <= 256 ? stackalloc float[_compiled.Stride] : new float[_compiled.Stride];
            byColumn.Clear();
            var pe = _compiled.ScoreOne(features, byColumn);
            return new ScoredLead(pe, ToScore(pe), Bundle.Card.Grades.GradeOf(pe), Reasons(byColumn[..FeatureColumns.Count], values, reasonsEachWay));
        }
        var p = _compiled?.ScoreOne(features) ?? _model.Probability(features[.._featurizer.Length]);
        return new ScoredLead(p, ToScore(p), Bundle.Card.Grades.GradeOf(p), []);
    }

    /// <summary>
    /// Scores many leads (each as in <see cref="Score"/>: values in <see cref="FeatureColumns"/> order) a batch at a time
    /// through the trees: the same results as one at a time, at a fraction of the cost a lead.
    /// </summary>
    public void ScoreMany(ReadOnlySpan<string?[]> leads, Span<ScoredLead> results, int reasonsEachWay = 3, FeaturizeIssues? issues = null)
    {
        // Eight leads go through the trees together, so a handful is cheaper one at a time (the results are the same either way).
        if (_compiled is null || leads.Length < PackedForest.Lanes / 2)
        {
            for (var i = 0; i < leads.Length; i++) results[i] = Score(leads[i], reasonsEachWay, issues);
            return;
        }
        const int block = 256;
        var width = FeatureWidth;
        var explain = reasonsEachWay > 0;
        var stride = _compiled.Stride;
        var features = System.Buffers.ArrayPool<float>.Shared.Rent(block * width);
        var contributions = explain ? System.Buffers.ArrayPool<float>.Shared.Rent(block * stride) : [];
        Span<double> probabilities = stackalloc double[block];
        try
        {
            for (var at = 0; at < leads.Length; at += block)
            {
                var n = Math.Min(block, leads.Length - at);
                for (var i = 0; i < n; i++) Featurize(leads[at + i], features.AsSpan(i * width, width), issues);
                var rows = explain ? contributions.AsSpan(0, n * stride) : default;
                rows.Clear();
                ScoreFeatures(features.AsSpan(0, n * width), probabilities[..n], rows);
                for (var i = 0; i < n; i++)
                {
                    var p = probabilities[i];
                    var reasons = explain ? Reasons(rows.Slice(i * stride, FeatureColumns.Count), leads[at + i], reasonsEachWay) : [];
                    results[at + i] = new ScoredLead(p, ToScore(p), Bundle.Card.Grades.GradeOf(p), reasons);
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(features);
            if (explain) System.Buffers.ArrayPool<float>.Shared.Return(contributions);
        }
    }

    /// <summary>Writes the features of one lead (<see cref="FeatureWidth"/> of them), for <see cref="ScoreFeatures"/>.</summary>
    public void Featurize(ReadOnlySpan<string?> values, Span<float> destination, FeaturizeIssues? issues = null, long line = 0)
    {
        _featurizer.Featurize(values, destination, issues, line);
        _prior?.Evaluate(values, destination.Slice(_featurizer.Length, _prior.Rules.Count));
    }

    /// <summary>The length of a lead's row of column contributions in <see cref="ScoreFeatures"/> (the columns first, then padding).</summary>
    public int ContributionStride => _compiled?.Stride ?? FeatureColumns.Count;

    /// <summary>
    /// Probabilities of many featurized leads at once (row-major, <see cref="FeatureWidth"/> per lead), several times
    /// faster a lead than one at a time and the same to the last bit. With <paramref name="columnContributions"/> (row-major,
    /// <see cref="ContributionStride"/> per lead; only when <see cref="CanExplain"/>), each lead's contributions per feature
    /// column are added there, for <see cref="TopColumns"/>.
    /// </summary>
    public void ScoreFeatures(ReadOnlySpan<float> features, Span<double> probabilities, Span<float> columnContributions = default)
    {
        if (_compiled is null)
        {
            for (var i = 0; i < probabilities.Length; i++) probabilities[i] = _model.Probability(features.Slice(i * FeatureWidth, _featurizer.Length));
            return;
        }
        _compiled.Score(features, FeatureWidth, probabilities, columnContributions);
    }

    public static int ToScore(double probability) => (int)Math.Round(Math.Clamp(probability, 0, 1) * 100, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The columns that raised the probability most (strongest first, up to <paramref name="each"/>), then those that lowered
    /// it most, into <paramref name="into"/>; returns how many raised it (<paramref name="count"/> is the total).
    /// </summary>
    public static int TopColumns(ReadOnlySpan<float> byColumn, int each, Span<int> into, out int count)
    {
        var raised = Pick(byColumn, each, positive: true, into);
        count = raised + Pick(byColumn, each, positive: false, into[raised..]);
        return raised;
    }

    private ScoreFactor[] Reasons(ReadOnlySpan<float> byColumn, ReadOnlySpan<string?> values, int each)
    {
        Span<int> top = stackalloc int[2 * each];
        TopColumns(byColumn, each, top, out var count);
        return Reasons(byColumn, top[..count], values);
    }

    /// <summary>The reasons of the <paramref name="columns"/> <see cref="TopColumns"/> picked, each with the lead's value.</summary>
    internal ScoreFactor[] Reasons(ReadOnlySpan<float> byColumn, ReadOnlySpan<int> columns, ReadOnlySpan<string?> values)
    {
        var reasons = new ScoreFactor[columns.Length];
        for (var k = 0; k < columns.Length; k++)
            reasons[k] = new ScoreFactor(_featurizer.Columns[columns[k]].Name, Quote(_featurizer.Columns[columns[k]], values[columns[k]]), byColumn[columns[k]]);
        return reasons;
    }

    /// <summary>A lead's value as its reason quotes it (<see cref="ReasonValues"/>): the ranked file, console, API and page all show this.</summary>
    public static string Quote(ColumnState column, string? value) => value is null ? "missing" : ReasonValues.Display(value, column.Kind, column.Number);

    private static int Pick(ReadOnlySpan<float> byColumn, int each, bool positive, Span<int> into)
    {
        // One pass, keeping the strongest so far in order; among equals the earlier column comes first.
        var sign = positive ? 1f : -1f;
        var picked = 0;
        for (var c = 0; c < byColumn.Length && each > 0; c++)
        {
            var v = sign * byColumn[c];
            if (v <= 1e-9 || (picked == each && v <= sign * byColumn[into[picked - 1]])) continue;
            var at = picked < each ? picked++ : each - 1;
            while (at > 0 && v > sign * byColumn[into[at - 1]])
            {
                into[at] = into[at - 1];
                at--;
            }
            into[at] = c;
        }
        return picked;
    }

    public static string FormatProbability(double p) => p.ToString("0.000000", CultureInfo.InvariantCulture);
}
