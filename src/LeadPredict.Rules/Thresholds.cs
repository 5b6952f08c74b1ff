using LeadPredict.Core;

namespace LeadPredict.Rules;

/// <summary>A gate's <c>minConversionRate</c> turned into a probability on the holdout; stored with the model.</summary>
/// <param name="Stage">The stage the gate leads into.</param>
/// <param name="MinConversionRate">The rate asked for in the rules file (checked again at scoring, so an edited file is noticed).</param>
/// <param name="MinProbability">The lowest cut-off reaching that rate; null when no cut-off did (the gate is then never met).</param>
public sealed record ResolvedGate(string Stage, double MinConversionRate, double? MinProbability);

/// <summary>Everything training resolved for the funnel gates; serialise it into the model as it is.</summary>
public sealed record GateThresholds(IReadOnlyList<ResolvedGate> Gates)
{
    public static readonly GateThresholds None = new([]);

    public ResolvedGate? For(string stage) =>
        Gates.FirstOrDefault(g => string.Equals(g.Stage, stage, StringComparison.OrdinalIgnoreCase));

    /// <summary>Resolves every gate of <paramref name="funnel"/> that is given as a conversion rate.</summary>
    public static GateThresholds Resolve(Funnel funnel, ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> converted)
    {
        var gates = new List<ResolvedGate>();
        foreach (var stage in funnel.Stages)
            if (stage.Gate?.MinConversionRate is { } rate)
                gates.Add(new ResolvedGate(stage.Name, rate, ConversionThreshold.LowestProbabilityReaching(probabilities, converted, rate)));
        return new GateThresholds(gates);
    }
}

public static class ConversionThreshold
{
    /// <summary>
    /// The lowest probability cut-off t such that, of the leads scored at or above t, at least <paramref name="rate"/> converted;
    /// null when no cut-off reaches the rate (or there are no leads). Leads with equal probabilities are never split.
    /// </summary>
    public static double? LowestProbabilityReaching(ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> converted, double rate)
    {
        if (probabilities.Length != converted.Length)
            throw new ArgumentException($"{probabilities.Length} probabilities but {converted.Length} outcomes.", nameof(converted));
        if (rate is <= 0 or > 1 || double.IsNaN(rate)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "must be in (0, 1].");
        var n = probabilities.Length;
        if (n == 0) return null;
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        var keys = probabilities.ToArray();
        Array.Sort(keys, order);

        // Walk from the lowest cut-off up; the share converted above the cut-off is known from the suffix counts.
        var positivesAbove = 0;
        foreach (var c in converted) if (c) positivesAbove++;
        var above = n;
        for (var i = 0; i < n;)
        {
            if (positivesAbove >= rate * above) return keys[i];
            var j = i;
            while (j < n && keys[j] == keys[i])
            {
                if (converted[order[j]]) positivesAbove--;
                above--;
                j++;
            }
            i = j;
        }
        return null;
    }
}

/// <summary>
/// Where the model's holdout scores put the top and bottom deciles; <c>review</c> flags the leads on which the rules and the model disagree.
/// </summary>
public sealed record DecileCuts(double TopDecileFrom, double BottomDecileBelow)
{
    /// <summary>No review for disagreement (for scoring without a holdout).</summary>
    public static readonly DecileCuts None = new(double.PositiveInfinity, double.NegativeInfinity);

    /// <summary>The top and bottom decile cut points of the holdout probabilities (<see cref="DecileCutPoints"/>).</summary>
    public static DecileCuts FromHoldout(ReadOnlySpan<double> probabilities)
    {
        var cuts = DecileCutPoints.Of(probabilities);
        return new DecileCuts(cuts[^1], cuts[0]);
    }
}
