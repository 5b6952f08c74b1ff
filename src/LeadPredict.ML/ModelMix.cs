using System.Runtime.Intrinsics;
using LeadPredict.ML.Linear;

namespace LeadPredict.ML;

/// <summary>What a saved model is made of.</summary>
public enum ModelKind { Trees, Linear, Blend }

/// <summary>
/// How a model's parts make its log-odds, stored in the model file:
/// <c>log-odds = CalibrationSlope × (TreeWeight × trees' log-odds + LinearWeight × linear log-odds) + CalibrationOffset</c>,
/// where the trees' log-odds are −(PlattSlope × raw score + PlattOffset) of the compiled ensemble. A model without this
/// entry (written before it existed) is the trees alone.
/// </summary>
public sealed record ModelMix
{
    public ModelKind Kind { get; init; } = ModelKind.Trees;
    public double TreeWeight { get; init; } = 1;
    public double LinearWeight { get; init; }
    /// <summary>Platt scaling fitted on out-of-fold scores (1 and 0 when the scores needed none).</summary>
    public double CalibrationSlope { get; init; } = 1;
    public double CalibrationOffset { get; init; }

    public static readonly ModelMix Trees = new();
    public static readonly ModelMix Linear = new() { Kind = ModelKind.Linear, TreeWeight = 0, LinearWeight = 1 };

    public bool Calibrated => CalibrationSlope != 1 || CalibrationOffset != 0;

    public string? Validate() => Kind switch
    {
        _ when !double.IsFinite(TreeWeight) || !double.IsFinite(LinearWeight) || !double.IsFinite(CalibrationSlope) || !double.IsFinite(CalibrationOffset)
            => "its mix has a weight that is not a finite number",
        ModelKind.Trees when LinearWeight != 0 => "its mix gives a linear part to a trees-only model",
        ModelKind.Linear when TreeWeight != 0 => "its mix gives a tree part to a linear model",
        _ => null,
    };
}

/// <summary>
/// A model ready to score: trees (<see cref="PackedForest"/>), a linear model (<see cref="LinearScorer"/>) or both, mixed and
/// calibrated as <see cref="ModelMix"/> says. Gives a lead's probability and each column's contribution in log-odds of that
/// probability (the contributions plus <see cref="BaseLogOdds"/> are its log-odds), for one lead or many at once, the
/// latter the same to the last bit: both do the same operations in the same order on each lead.
/// </summary>
internal sealed class CompiledModel
{
    private readonly PackedForest? _forest;
    private readonly CompiledEnsemble? _ensemble;
    private readonly LinearScorer? _linear;
    // Contributions in log-odds: the trees' raw ones times _treeScale, the linear ones times _linearScale.
    private readonly double _treeScale, _linearScale, _slope, _offset;
    private readonly double _treeWeight, _linearWeight;
    private readonly ColdStartPrior? _prior;
    private readonly int _priorOffset;
    private readonly double _priorWeight;

    /// <param name="ensemble">The trees, when the model has them.</param>
    /// <param name="linear">The linear model, when the model has one.</param>
    /// <param name="mix">How they combine.</param>
    /// <param name="slotGroups">The group (original column) of each feature slot: contributions are per group.</param>
    /// <param name="prior">A cold-start prior to blend in; its rules' 0/1 values follow the features, from <paramref name="priorOffset"/>.</param>
    /// <param name="priorOffset">Where the rules' values start in a lead's vector.</param>
    public CompiledModel(CompiledEnsemble? ensemble, LinearModel? linear, ModelMix mix, IReadOnlyList<int> slotGroups, ColdStartPrior? prior = null, int priorOffset = 0)
    {
        if (mix.Kind != ModelKind.Linear && ensemble is null) throw new ArgumentException($"a {mix.Kind} model needs its trees.");
        if (mix.Kind != ModelKind.Trees && linear is null) throw new ArgumentException($"a {mix.Kind} model needs its linear part.");
        Mix = mix;
        if (mix.Kind != ModelKind.Linear)
        {
            _ensemble = ensemble;
            _forest = new PackedForest(ensemble!, slotGroups);
        }
        if (mix.Kind != ModelKind.Trees) _linear = new LinearScorer(linear!, slotGroups);
        _treeWeight = mix.TreeWeight;
        _linearWeight = mix.LinearWeight;
        _slope = mix.CalibrationSlope;
        _offset = mix.CalibrationOffset;
        _treeScale = ensemble is null ? 0 : -ensemble.PlattSlope * mix.TreeWeight * mix.CalibrationSlope;
        _linearScale = mix.LinearWeight * mix.CalibrationSlope;
        if (prior is not null)
        {
            _prior = prior;
            _priorOffset = priorOffset;
            _priorWeight = prior.PriorWeight;
            _treeScale *= 1 - _priorWeight;
            _linearScale *= 1 - _priorWeight;
        }
        var groups = slotGroups.Count == 0 ? 0 : slotGroups.Max() + 1;
        Stride = _forest?.Stride ?? Math.Max(1, (groups + Vector256<float>.Count - 1) / Vector256<float>.Count) * Vector256<float>.Count;
        FeaturesNeeded = Math.Max(Math.Max(_forest?.FeaturesNeeded ?? 0, _linear?.FeaturesNeeded ?? 0), prior is null ? 0 : priorOffset + prior.Rules.Count);
        var modelBase = LogOdds(_ensemble?.BaseScore ?? 0, _linear?.Intercept ?? 0);
        BaseLogOdds = prior is null ? modelBase : (1 - _priorWeight) * modelBase + _priorWeight * prior.Intercept;
    }

    public ModelMix Mix { get; }

    /// <summary>The feature slots the model reads: those a tree splits on and those a linear term weighs (all of them with a cold-start prior).</summary>
    public IEnumerable<int> SlotsRead()
    {
        if (_prior is not null) return Enumerable.Range(0, FeaturesNeeded);
        var slots = new HashSet<int>();
        if (_ensemble is not null)
            foreach (var tree in _ensemble.Trees)
                for (var i = 0; i < tree.SplitFeature.Length; i++) slots.Add(tree.SplitFeature[i]);
        if (_linear is not null) slots.UnionWith(_linear.Slots);
        return slots;
    }

    /// <summary>
    /// Rough nanoseconds to score one lead of a batch on one core: about 0.12 ns a split (QuickScorer looks at every split for
    /// eight leads at once; 300 trees of 31 leaves take about 1.1 µs) and 1 ns a linear term, plus a fixed part. Used to
    /// budget permutation importance on wide files; measured on the bench machine, docs/benchmarks.md.
    /// </summary>
    public double CostPerLead => 50 + 0.12 * (_ensemble?.Trees.Sum(t => t.SplitFeature.Length) ?? 0) + (_linear?.Slots.Count ?? 0);

    /// <summary>The length of a lead's row of contributions (the groups first, then zero padding).</summary>
    public int Stride { get; }

    public int FeaturesNeeded { get; }

    /// <summary>The log-odds of the average training lead: a lead's contributions add up to its log-odds minus this.</summary>
    public double BaseLogOdds { get; }

    /// <summary>The model's log-odds from the trees' raw score and the linear log-odds (either ignored when absent).</summary>
    private double LogOdds(double raw, double linear)
    {
        if (_linear is null) return _slope * (_treeWeight * -(_ensemble!.PlattSlope * raw + _ensemble.PlattOffset)) + _offset;
        if (_forest is null) return _slope * (_linearWeight * linear) + _offset;
        return _slope * (_treeWeight * -(_ensemble!.PlattSlope * raw + _ensemble.PlattOffset) + _linearWeight * linear) + _offset;
    }

    private static double Probability(double logOdds) => 1.0 / (1.0 + Math.Exp(-logOdds));

    /// <summary>One lead's probability; with <paramref name="contributions"/> (<see cref="Stride"/> long, zeroed), its contributions in log-odds are added there.</summary>
    public double ScoreOne(ReadOnlySpan<float> features, Span<float> contributions = default)
    {
        var raw = _forest?.ScoreOne(features, contributions) ?? 0;
        return Finish(features, raw, contributions);
    }

    /// <summary>
    /// Probabilities of many leads (features row-major, <paramref name="width"/> per lead) into <paramref name="probabilities"/>;
    /// with <paramref name="contributions"/> (row-major, <see cref="Stride"/> per lead, zeroed), their contributions too.
    /// </summary>
    public void Score(ReadOnlySpan<float> features, int width, Span<double> probabilities, Span<float> contributions = default)
    {
        var explain = !contributions.IsEmpty;
        if (_forest is not null) _forest.Score(features, width, probabilities, contributions);
        for (var i = 0; i < probabilities.Length; i++)
            probabilities[i] = Finish(features.Slice(i * width, width), _forest is null ? 0 : probabilities[i], explain ? contributions.Slice(i * Stride, Stride) : default);
    }

    /// <summary>The probability of a lead whose trees gave <paramref name="raw"/> (and their raw contributions in <paramref name="row"/>).</summary>
    private double Finish(ReadOnlySpan<float> features, double raw, Span<float> row)
    {
        var explain = !row.IsEmpty;
        if (explain && _forest is not null)
            for (var c = 0; c < row.Length; c++) row[c] = (float)(row[c] * _treeScale);
        double linear = 0;
        if (_linear is not null)
        {
            if (explain)
            {
                Span<double> byGroup = _linear.Groups <= 256 ? stackalloc double[_linear.Groups] : new double[_linear.Groups];
                byGroup.Clear();
                linear = _linear.LogOdds(features, byGroup);
                for (var c = 0; c < byGroup.Length; c++) row[c] += (float)(byGroup[c] * _linearScale);
            }
            else linear = _linear.LogOdds(features);
        }
        var logOdds = LogOdds(raw, linear);
        if (_prior is null) return Probability(logOdds);
        // The cold-start prior: each rule met (or not) moves its log-odds from the average lead's, on the rule's column.
        var prior = _prior.Intercept;
        for (var r = 0; r < _prior.Rules.Count; r++)
        {
            var part = _prior.Coefficients[r] * (features[_priorOffset + r] - _prior.Means[r]);
            prior += part;
            if (explain) row[_prior.Columns[r]] += (float)(_priorWeight * part);
        }
        return Probability((1 - _priorWeight) * logOdds + _priorWeight * prior);
    }
}
