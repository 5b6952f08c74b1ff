namespace LeadPredict.ML.Linear;

/// <summary>
/// A logistic regression over the featurized lead vector, as stored in the model file. Each term reads one feature slot:
/// a weight on its distance from the training mean and, for numeric slots when binning was chosen, a weight per
/// quantile bin (taken relative to the training lead's average bin weight). The log-odds of a lead are
/// <see cref="Intercept"/> plus every term's part, so a term's part is exactly its contribution and the intercept is the
/// log-odds of the average training lead.
/// </summary>
public sealed record LinearModel
{
    /// <summary>The log-odds of the average training lead: the start of the contributions.</summary>
    public required double Intercept { get; init; }
    public required IReadOnlyList<LinearTerm> Terms { get; init; }
    /// <summary>Inverse L2 strength as scikit-learn's C: the loss summed over rows, plus half the squared standardized weights.</summary>
    public required double C { get; init; }
    /// <summary>Whether numeric slots also got one-hot quantile bins.</summary>
    public required bool Binned { get; init; }

    public string Describe() => $"logistic regression (L2, C = {C:0.###}{(Binned ? ", binned numerics" : "")})";
}

/// <summary>One feature slot's part of a <see cref="LinearModel"/>: Weight × (x − Mean) + BinWeights[bin(x)] − BinMean.</summary>
/// <param name="Thresholds">Ascending; a value's bin is the number of thresholds below it (a value equal to one stays left).</param>
public sealed record LinearTerm(int Slot, double Weight, double Mean, float[]? Thresholds = null, double[]? BinWeights = null, double BinMean = 0);

/// <summary>
/// A <see cref="LinearModel"/> in flat arrays for scoring: the log-odds of a lead and, when asked, the contribution of each
/// column (terms grouped by the column their slot came from). The log-odds are summed the same way whether or not the
/// contributions are wanted, so both give the same probability to the last bit.
/// </summary>
internal sealed class LinearScorer
{
    private readonly int[] _slot;
    private readonly double[] _weight;
    private readonly double[] _mean;
    private readonly int[] _group;
    // Term t's thresholds are _thresholds[_thresholdStart[t] ..][.._binCount[t]], its bin weights _binWeights[_weightStart[t] ..][..(_binCount[t] + 1)];
    // a term without bins has _binCount 0 and reads no bin weight.
    private readonly int[] _thresholdStart;
    private readonly int[] _weightStart;
    private readonly int[] _binCount;
    private readonly float[] _thresholds;
    private readonly double[] _binWeights;
    private readonly double[] _binMean;

    /// <param name="model">The model.</param>
    /// <param name="slotGroups">The group (original column) of each feature slot.</param>
    public LinearScorer(LinearModel model, IReadOnlyList<int> slotGroups)
    {
        Intercept = model.Intercept;
        var terms = model.Terms;
        var n = terms.Count;
        (_slot, _weight, _mean, _group) = (new int[n], new double[n], new double[n], new int[n]);
        (_thresholdStart, _weightStart, _binCount, _binMean) = (new int[n], new int[n], new int[n], new double[n]);
        var thresholds = new List<float>();
        var binWeights = new List<double>();
        for (var t = 0; t < n; t++)
        {
            var term = terms[t];
            if (term.Slot < 0 || term.Slot >= slotGroups.Count)
                throw new ArgumentException($"linear term {t} reads feature {term.Slot}, but the vector has {slotGroups.Count} features.");
            _slot[t] = term.Slot;
            _weight[t] = term.Weight;
            _mean[t] = term.Mean;
            _group[t] = slotGroups[term.Slot];
            FeaturesNeeded = Math.Max(FeaturesNeeded, term.Slot + 1);
            Groups = Math.Max(Groups, _group[t] + 1);
            _thresholdStart[t] = thresholds.Count;
            _weightStart[t] = binWeights.Count;
            if (term.Thresholds is not { Length: > 0 } th) continue;
            if (term.BinWeights is null || term.BinWeights.Length != th.Length + 1)
                throw new ArgumentException($"linear term {t} has {th.Length} thresholds but {term.BinWeights?.Length ?? 0} bin weights.");
            _binCount[t] = th.Length;
            _binMean[t] = term.BinMean;
            thresholds.AddRange(th);
            binWeights.AddRange(term.BinWeights);
        }
        _thresholds = [.. thresholds];
        _binWeights = [.. binWeights];
    }

    public double Intercept { get; }

    /// <summary>The feature slot each term reads.</summary>
    public IReadOnlyList<int> Slots => _slot;

    /// <summary>One more than the highest feature slot a term reads.</summary>
    public int FeaturesNeeded { get; }

    /// <summary>One more than the highest group a term belongs to.</summary>
    public int Groups { get; }

    /// <summary>
    /// The log-odds of one lead. With <paramref name="byGroup"/> (at least <see cref="Groups"/> long, zeroed by the caller),
    /// each term's part is added to its group there.
    /// </summary>
    public double LogOdds(ReadOnlySpan<float> features, Span<double> byGroup = default)
    {
        if (features.Length < FeaturesNeeded)
            throw new ArgumentException($"the linear model reads feature {FeaturesNeeded - 1} but the vector has {features.Length} features.");
        var explain = !byGroup.IsEmpty;
        if (explain && byGroup.Length < Groups) throw new ArgumentException($"{byGroup.Length} contribution slots is fewer than {Groups}.");
        var sum = Intercept;
        for (var t = 0; t < _slot.Length; t++)
        {
            var x = features[_slot[t]];
            var part = _weight[t] * (x - _mean[t]);
            if (_binCount[t] > 0)
                part += _binWeights[_weightStart[t] + Bin(_thresholds.AsSpan(_thresholdStart[t], _binCount[t]), x)] - _binMean[t];
            sum += part;
            if (explain) byGroup[_group[t]] += part;
        }
        return sum;
    }

    /// <summary>The bin of a value: how many of the ascending thresholds lie below it (a value equal to a threshold stays left; NaN goes right).</summary>
    public static int Bin(ReadOnlySpan<float> thresholds, float x)
    {
        if (float.IsNaN(x)) return thresholds.Length;
        int lo = 0, hi = thresholds.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (x <= thresholds[mid]) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }
}
