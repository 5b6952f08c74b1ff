namespace LeadPredict.SampleData.Crm;

/// <summary>
/// What the stage history says about one ladder stage, over a whole population of leads followed to the end of their stories.
/// <see cref="Leads"/> entered the stage at least once; of those, <see cref="PromotedWithinHorizon"/> entered the next stage
/// within the horizon of first entering this one (0 days for the pair an MQL entry writes with "lead"), and
/// <see cref="EventuallyConverted"/> became customers. A stay runs from entering the stage to the next stage row or the loss;
/// the zero-length "lead" stay of leads that entered as MQL is not a stay. <see cref="MedianDays"/>, <see cref="P25Days"/> and
/// <see cref="P75Days"/> describe stay lengths; <see cref="BackwardShare"/> and <see cref="LostShare"/> are shares of stays
/// that ended with a move back or a loss.
/// </summary>
public sealed record FunnelStageTruth(
    CrmStage Stage,
    double Leads,
    double PromotedWithinHorizon,
    double EventuallyConverted,
    double Stays,
    double MedianDays,
    double P25Days,
    double P75Days,
    double BackwardShare,
    double LostShare);

/// <summary>
/// The funnel's true numbers per ladder stage: <see cref="Expected"/> from the stated process (<see cref="CrmProcess"/>, mixed
/// over the population's levels and fit classes), <see cref="Observed"/> counted on the same leads' complete stories,
/// including what happens after the export. A learner on the censored tables should recover these.
/// </summary>
public sealed record FunnelTruth(int HorizonDays, long Population, IReadOnlyList<FunnelStageTruth> Expected, IReadOnlyList<FunnelStageTruth> Observed);

/// <summary>Counts the funnel over complete stories in constant memory (stay lengths go to log-spaced histograms).</summary>
internal sealed class FunnelObserver(int horizonDays)
{
    private const int Stages = CrmProcess.LadderStages;
    private readonly long[,] _population = new long[CrmProcess.Levels, CrmProcess.FitClasses];
    private readonly long[] _leads = new long[Stages];
    private readonly long[] _promoted = new long[Stages];
    private readonly long[] _converted = new long[Stages];
    private readonly long[] _stays = new long[Stages];
    private readonly long[] _back = new long[Stages];
    private readonly long[] _lost = new long[Stages];
    private readonly DurationHistogram[] _lengths = [.. Enumerable.Range(0, Stages).Select(_ => new DurationHistogram())];

    public void Add(CrmLead lead)
    {
        _population[(int)lead.Level, lead.FitClass]++;
        Span<long> first = stackalloc long[Stages + 1];
        first.Fill(long.MinValue);
        foreach (var e in lead.Stages)
            if (first[(int)e.Stage] == long.MinValue) first[(int)e.Stage] = e.At;
        var horizon = horizonDays * ActivityCalendar.SecondsPerDay;
        for (var s = 0; s < Stages; s++)
        {
            if (first[s] == long.MinValue) continue;
            _leads[s]++;
            if (first[s + 1] != long.MinValue && first[s + 1] - first[s] < horizon) _promoted[s]++;
            if (lead.WonAt is not null) _converted[s]++;
        }
        var stages = lead.Stages;
        for (var i = lead.StartedAsMql ? 1 : 0; i < stages.Count; i++)
        {
            var s = (int)stages[i].Stage;
            if (s == (int)CrmStage.Customer) break;
            var end = i + 1 < stages.Count ? stages[i + 1].At : lead.LostAt!.Value;
            _stays[s]++;
            _lengths[s].Add((end - stages[i].At) / (double)ActivityCalendar.SecondsPerDay);
            if (i + 1 == stages.Count) _lost[s]++;
            else if (stages[i + 1].Stage < stages[i].Stage) _back[s]++;
        }
    }

    public void Merge(FunnelObserver other)
    {
        for (var k = 0; k < CrmProcess.Levels; k++)
        for (var c = 0; c < CrmProcess.FitClasses; c++)
            _population[k, c] += other._population[k, c];
        for (var s = 0; s < Stages; s++)
        {
            _leads[s] += other._leads[s];
            _promoted[s] += other._promoted[s];
            _converted[s] += other._converted[s];
            _stays[s] += other._stays[s];
            _back[s] += other._back[s];
            _lost[s] += other._lost[s];
            _lengths[s].Merge(other._lengths[s]);
        }
    }

    public FunnelTruth Result()
    {
        var observed = new FunnelStageTruth[Stages];
        for (var s = 0; s < Stages; s++)
        {
            observed[s] = new((CrmStage)s, _leads[s], Share(_promoted[s], _leads[s]), Share(_converted[s], _leads[s]), _stays[s],
                _lengths[s].Quantile(0.5), _lengths[s].Quantile(0.25), _lengths[s].Quantile(0.75),
                Share(_back[s], _stays[s]), Share(_lost[s], _stays[s]));
        }
        long population = 0;
        foreach (var n in _population) population += n;
        return new(horizonDays, population, Expected(), observed);
    }

    private static double Share(long part, long whole) => whole == 0 ? double.NaN : part / (double)whole;

    /// <summary>The same numbers from the process itself, for this population's mix of levels and fit classes.</summary>
    private FunnelStageTruth[] Expected()
    {
        var leads = new double[Stages];
        var promoted = new double[Stages];
        var converted = new double[Stages];
        var stays = new double[Stages];
        var back = new double[Stages];
        var lost = new double[Stages];
        var mixture = new List<(double Weight, StageRates Rates)>[Stages];
        for (var s = 0; s < Stages; s++) mixture[s] = [];
        for (var k = 0; k < CrmProcess.Levels; k++)
        for (var c = 0; c < CrmProcess.FitClasses; c++)
        {
            var n = (double)_population[k, c];
            if (n == 0) continue;
            var chain = new PhaseChain(k, c);
            var q = CrmProcess.StartAsMql[k];
            var convert = chain.ReachEventually((int)CrmStage.Customer);
            double FromStart(double[] fromState, int target) =>
                (1 - q) * fromState[chain.State(0, 0)] + q * (target == 1 ? 1 : fromState[chain.State(1, 0)]);
            var visits = ExpectedStays(chain, q);
            for (var s = 0; s < Stages; s++)
            {
                var reach = s == 0 ? 1 : FromStart(chain.ReachEventually(s), s);
                var within = chain.ReachWithin(s + 1, horizonDays);
                var promote = s == 0 ? q + (1 - q) * within[chain.State(0, 0)] : within[chain.State(s, 0)];
                var conversion = s == 0 ? (1 - q) * convert[chain.State(0, 0)] + q * convert[chain.State(1, 0)] : convert[chain.State(s, 0)];
                leads[s] += n * reach;
                promoted[s] += n * reach * promote;
                converted[s] += n * reach * conversion;
                var r = chain.Rates(s);
                var w = n * visits[s];
                stays[s] += w;
                back[s] += w * PhaseChain.Completes(r) * r.BackShare;
                lost[s] += w * (1 - PhaseChain.Completes(r));
                mixture[s].Add((w, r));
            }
        }
        var expected = new FunnelStageTruth[Stages];
        for (var s = 0; s < Stages; s++)
        {
            var m = mixture[s];
            expected[s] = new((CrmStage)s, leads[s], promoted[s] / leads[s], converted[s] / leads[s], stays[s],
                Quantile(m, 0.5), Quantile(m, 0.25), Quantile(m, 0.75), back[s] / stays[s], lost[s] / stays[s]);
        }
        return expected;
    }

    /// <summary>Expected stays per ladder stage for one lead: the embedded jump chain's visits, V = start (I - P)^-1.</summary>
    private static double[] ExpectedStays(PhaseChain chain, double startAsMql)
    {
        // Solve (I - P)^T v = start, with P[s, s+1] = C (1 - b), P[s, s-1] = C b (C = chance the stay completes).
        var a = new double[Stages, Stages];
        for (var s = 0; s < Stages; s++)
        {
            a[s, s] = 1;
            var r = chain.Rates(s);
            var complete = PhaseChain.Completes(r);
            if (s + 1 < Stages) a[s + 1, s] -= complete * (1 - r.BackShare);
            if (s > 0) a[s - 1, s] -= complete * r.BackShare;
        }
        var start = new double[Stages];
        start[0] = 1 - startAsMql;
        start[1] = startAsMql;
        return PhaseChain.Solve(a, start);
    }

    private static double Quantile(List<(double Weight, StageRates Rates)> mixture, double q)
    {
        var total = mixture.Sum(m => m.Weight);
        if (total == 0) return double.NaN;
        double Cdf(double days) => mixture.Sum(m => m.Weight * PhaseChain.StayCdf(m.Rates, days)) / total;
        double lo = 0, hi = 1;
        while (Cdf(hi) < q) hi *= 2;
        for (var i = 0; i < 80; i++)
        {
            var mid = (lo + hi) / 2;
            if (Cdf(mid) < q) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }
}

/// <summary>
/// Stay lengths in log-spaced bins of width 0.001 in ln(1 + minutes), so quantiles are exact to about 0.1% at any length,
/// in constant memory whatever the population.
/// </summary>
internal sealed class DurationHistogram
{
    private const double Width = 0.001;
    private const int Bins = 18_000; // up to e^18 minutes, about 125 years
    private readonly long[] _counts = new long[Bins];
    private long _total;

    public void Add(double days)
    {
        var bin = (int)(Math.Log(1 + days * 1440) / Width);
        _counts[Math.Clamp(bin, 0, Bins - 1)]++;
        _total++;
    }

    public void Merge(DurationHistogram other)
    {
        for (var i = 0; i < Bins; i++) _counts[i] += other._counts[i];
        _total += other._total;
    }

    public double Quantile(double q)
    {
        if (_total == 0) return double.NaN;
        var target = q * _total;
        double cumulative = 0;
        for (var i = 0; i < Bins; i++)
        {
            if (_counts[i] == 0) continue;
            if (cumulative + _counts[i] >= target)
            {
                var x = (i + (target - cumulative) / _counts[i]) * Width;
                return (Math.Exp(x) - 1) / 1440;
            }
            cumulative += _counts[i];
        }
        return (Math.Exp(Bins * Width) - 1) / 1440;
    }
}
