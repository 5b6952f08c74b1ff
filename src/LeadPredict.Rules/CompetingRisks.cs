namespace LeadPredict.Rules;

/// <summary>
/// Right-censored times with competing outcomes (kind 0 = still open at the export date, kind 1..K = how it ended),
/// estimated the standard way: Kaplan-Meier for "still in it" and Aalen-Johansen for the chance of each ending by a time.
/// At a tied time, endings count before censoring (the usual convention).
/// </summary>
public sealed class CompetingRisks
{
    private readonly double[] _times;
    private readonly double[] _survival; // S(t) just after each distinct time
    private readonly double[][] _incidence; // per kind 1..K: cumulative incidence just after each distinct time

    public CompetingRisks(IReadOnlyList<(double Time, int Kind)> observations, int kinds)
    {
        if (kinds < 1) throw new ArgumentOutOfRangeException(nameof(kinds), "at least one kind of ending");
        Count = observations.Count;
        var sorted = observations.OrderBy(o => o.Time).ThenByDescending(o => o.Kind > 0).ToArray();
        var times = new List<double>();
        var survival = new List<double>();
        var incidence = Enumerable.Range(0, kinds).Select(_ => new List<double>()).ToArray();
        var cumulative = new double[kinds];
        double s = 1;
        var atRisk = sorted.Length;
        var endings = new int[kinds];
        for (var i = 0; i < sorted.Length;)
        {
            var t = sorted[i].Time;
            Array.Clear(endings);
            var censored = 0;
            for (; i < sorted.Length && sorted[i].Time == t; i++)
            {
                var kind = sorted[i].Kind;
                if (kind < 0 || kind > kinds) throw new ArgumentOutOfRangeException(nameof(observations), $"kind {kind} is not 0..{kinds}");
                if (kind == 0) censored++; else endings[kind - 1]++;
            }
            var ended = endings.Sum();
            if (ended > 0)
            {
                for (var k = 0; k < kinds; k++) cumulative[k] += s * endings[k] / atRisk;
                s *= 1 - (double)ended / atRisk;
                times.Add(t);
                survival.Add(s);
                for (var k = 0; k < kinds; k++) incidence[k].Add(cumulative[k]);
            }
            atRisk -= ended + censored;
        }
        _times = [.. times];
        _survival = [.. survival];
        _incidence = incidence.Select(l => l.ToArray()).ToArray();
    }

    public int Count { get; }

    /// <summary>The chance of ending by kind <paramref name="kind"/> (1..K) at or before <paramref name="time"/>.</summary>
    public double Incidence(int kind, double time = double.PositiveInfinity)
    {
        var i = LastAtOrBefore(time);
        return i < 0 ? 0 : _incidence[kind - 1][i];
    }

    /// <summary>The chance of still being in it after <paramref name="time"/> (Kaplan-Meier).</summary>
    public double Survival(double time)
    {
        var i = LastAtOrBefore(time);
        return i < 0 ? 1 : _survival[i];
    }

    /// <summary>The time by which a share <paramref name="q"/> has ended (any kind); null when the data never get there.</summary>
    public double? Quantile(double q)
    {
        for (var i = 0; i < _times.Length; i++)
            if (_survival[i] <= 1 - q + 1e-12) return _times[i];
        return null;
    }

    private int LastAtOrBefore(double time)
    {
        var i = Array.BinarySearch(_times, time);
        return i >= 0 ? i : ~i - 1;
    }
}
