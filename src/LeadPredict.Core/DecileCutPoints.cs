namespace LeadPredict.Core;

/// <summary>
/// The one convention for cutting probabilities into deciles: the d-th cut point (d = 1..9) is the probability at
/// position ⌊n·d/10⌋ of the ascending sort. The model card's cut points and the funnel's top and bottom deciles (review of
/// hidden gems and of ICP passes scored low) both come from here.
/// </summary>
public static class DecileCutPoints
{
    /// <summary>The 9 cut points, lowest first: [0] starts the second decile from the bottom, [8] starts the top decile.</summary>
    public static double[] Of(ReadOnlySpan<double> probabilities)
    {
        if (probabilities.Length == 0) throw new LeadPredictException("no probabilities to take decile cut points from.");
        var sorted = probabilities.ToArray();
        Array.Sort(sorted);
        var cuts = new double[9];
        for (var d = 1; d <= 9; d++) cuts[d - 1] = sorted[Math.Min(sorted.Length - 1, (int)((long)sorted.Length * d / 10))];
        return cuts;
    }
}
