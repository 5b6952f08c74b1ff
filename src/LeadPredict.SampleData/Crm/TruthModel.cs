using System.Collections.Concurrent;

namespace LeadPredict.SampleData.Crm;

/// <summary>Where a lead stands at an as-of time.</summary>
public enum LeadState { Open, Converted, Lost }

/// <summary>Which tables the best possible answer may look at.</summary>
public enum Evidence
{
    /// <summary>Leads, activity log, outcomes and the stage history.</summary>
    AllTables,
    /// <summary>Leads, activity log and outcomes: the best a model that does not read the stage history can do.</summary>
    WithoutStageHistory,
}

/// <summary>
/// The best possible answer for one lead as of a time: the chance it converts at or after <see cref="AsOf"/> and before
/// <see cref="AsOf"/> + h days, for each horizon h, given what the tables named by <see cref="Evidence"/> show before
/// <see cref="AsOf"/>. <see cref="Stage"/> and <see cref="DaysInStage"/> are the lead's real ones (from the stage history)
/// whatever the evidence.
/// </summary>
public sealed record LeadTruth(
    string LeadId,
    DateTime AsOf,
    Evidence Evidence,
    LeadState State,
    CrmStage Stage,
    double DaysInStage,
    IReadOnlyList<double> LevelPosterior,
    IReadOnlyList<double> HorizonDays,
    IReadOnlyList<double> Probabilities);

/// <summary>
/// Computes <see cref="LeadTruth"/> exactly from what is observable before the as-of time t (docs/sample-data.md). Given the
/// level, the activity log and the stage path are independent, so:
/// <list type="number">
/// <item>the posterior over the hidden level multiplies the prior (source, fit class), the budget's likelihood, per activity
/// type the Poisson likelihood <c>n log r - r E</c> (E is the exposure from creation to t), and the funnel's likelihood: with
/// the stage history, how the lead entered and each finished stay (Erlang density x survival of the loss x the move's
/// probability) and the current stay so far (survival); without it, only the chance of still being open at its age;</item>
/// <item>per level, where the lead is in the funnel: with the stage history, the phase of the current stay,
/// <c>(rate u)^i / i!</c> after u days; without it, the chain's distribution at the lead's age given it is still open;</item>
/// <item>from there, the chance of entering customer within h (<see cref="PhaseChain.ReachWithin"/>).</item>
/// </list>
/// Inputs are the recorded whole-second times, the same ones the files hold, so the answer is a function of the files alone.
/// </summary>
internal sealed class TruthModel(ActivityCalendar calendar, long exportAt)
{
    private readonly PhaseChain[,] _chains = BuildChains();
    private readonly ConcurrentDictionary<(int Level, int Fit, long Seconds), double[]> _reach = new();

    private static PhaseChain[,] BuildChains()
    {
        var chains = new PhaseChain[CrmProcess.Levels, CrmProcess.FitClasses];
        for (var k = 0; k < CrmProcess.Levels; k++)
        for (var c = 0; c < CrmProcess.FitClasses; c++)
            chains[k, c] = new PhaseChain(k, c);
        return chains;
    }

    public PhaseChain Chain(int level, int fitClass) => _chains[level, fitClass];

    private double[] ReachCustomerWithin(int level, int fit, double days) =>
        _reach.GetOrAdd((level, fit, (long)Math.Round(days * ActivityCalendar.SecondsPerDay)),
            key => _chains[key.Level, key.Fit].ReachWithin((int)CrmStage.Customer, key.Seconds / (double)ActivityCalendar.SecondsPerDay));

    public LeadTruth Evaluate(CrmLead lead, long asOf, IReadOnlyList<double> horizonDays, Evidence evidence = Evidence.AllTables)
    {
        if (asOf <= lead.CreatedAtSeconds)
            throw new ArgumentOutOfRangeException(nameof(asOf), $"{lead.LeadId} was created at {lead.CreatedAt:yyyy-MM-dd HH:mm:ss}; ask as of a later time.");
        if (asOf > exportAt)
            throw new ArgumentOutOfRangeException(nameof(asOf), $"the history ends at the export ({CrmTime.ToDateTime(exportAt):yyyy-MM-dd HH:mm:ss}); ask as of that time or earlier.");
        foreach (var h in horizonDays)
            if (!(h > 0)) throw new ArgumentOutOfRangeException(nameof(horizonDays), $"horizons must be positive (was {h}).");

        var stages = lead.Stages;
        var seen = 0;
        while (seen < stages.Count && stages[seen].At < asOf) seen++;
        var current = stages[seen - 1];
        var days = (asOf - current.At) / (double)ActivityCalendar.SecondsPerDay;
        var time = CrmTime.ToDateTime(asOf);
        // A closed lead cannot convert in the horizon; its level posterior is not asked for (it is not a lead to score).
        if (lead.WonAt < asOf)
            return new(lead.LeadId, time, evidence, LeadState.Converted, CrmStage.Customer, days, [], horizonDays, new double[horizonDays.Count]);
        if (lead.LostAt < asOf)
            return new(lead.LeadId, time, evidence, LeadState.Lost, current.Stage, days, [], horizonDays, new double[horizonDays.Count]);

        // Per level: the log-likelihood of the funnel evidence, and where in the chain (as weights over phase states) the lead is.
        var ll = new double[CrmProcess.Levels];
        var where = new double[CrmProcess.Levels][];
        for (var k = 0; k < ll.Length; k++)
        {
            var chain = _chains[k, lead.FitClass];
            if (evidence == Evidence.AllTables)
            {
                ll[k] = StagePathLogLikelihood(lead, k, asOf, seen);
                where[k] = new double[chain.PhaseStates];
                var r = chain.Rates((int)current.Stage);
                var phase = PhasePosterior(r, days);
                for (var i = 0; i < phase.Length; i++) where[k][chain.State((int)current.Stage, i)] = phase[i];
            }
            else
            {
                var age = (asOf - lead.CreatedAtSeconds) / (double)ActivityCalendar.SecondsPerDay;
                var distribution = chain.DistributionAt(age, CrmProcess.StartAsMql[k]);
                var open = 0.0;
                for (var i = 0; i < chain.PhaseStates; i++) open += distribution[i];
                ll[k] = Math.Log(open);
                where[k] = new double[chain.PhaseStates];
                for (var i = 0; i < chain.PhaseStates; i++) where[k][i] = distribution[i] / open;
            }
        }
        var posterior = Posterior(lead, asOf, ll);
        var probabilities = new double[horizonDays.Count];
        for (var k = 0; k < CrmProcess.Levels; k++)
        for (var h = 0; h < horizonDays.Count; h++)
        {
            var reach = ReachCustomerWithin(k, lead.FitClass, horizonDays[h]);
            var p = 0.0;
            for (var i = 0; i < reach.Length; i++) p += where[k][i] * reach[i];
            probabilities[h] += posterior[k] * p;
        }
        return new(lead.LeadId, time, evidence, LeadState.Open, current.Stage, days, posterior, horizonDays, probabilities);
    }

    /// <summary>Which phase a stay of <paramref name="days"/> so far is in: proportional to (rate x days)^i / i! (the loss hazard is the same in every phase).</summary>
    private static double[] PhasePosterior(StageRates r, double days)
    {
        var w = new double[r.Phases];
        var x = r.Rate * days;
        w[0] = 1;
        var sum = 1.0;
        for (var i = 1; i < w.Length; i++) sum += w[i] = w[i - 1] * x / i;
        for (var i = 0; i < w.Length; i++) w[i] /= sum;
        return w;
    }

    /// <summary>The log-likelihood of the stage rows before <paramref name="asOf"/> (<paramref name="seen"/> of them) for a lead of this level, open at <paramref name="asOf"/>.</summary>
    private double StagePathLogLikelihood(CrmLead lead, int level, long asOf, int seen)
    {
        var stages = lead.Stages;
        var chain = _chains[level, lead.FitClass];
        var startedAsMql = seen > 1 && stages[1].At == stages[0].At;
        var ll = Math.Log(startedAsMql ? CrmProcess.StartAsMql[level] : 1 - CrmProcess.StartAsMql[level]);
        for (var i = startedAsMql ? 1 : 0; i < seen; i++)
        {
            var r = chain.Rates((int)stages[i].Stage);
            if (i + 1 < seen)
            {
                var v = (stages[i + 1].At - stages[i].At) / (double)ActivityCalendar.SecondsPerDay;
                var up = stages[i + 1].Stage > stages[i].Stage;
                ll += PhaseChain.ErlangLogDensity(r.Phases, r.Rate, v) - r.LossRate * v + Math.Log(up ? 1 - r.BackShare : r.BackShare);
            }
            else
            {
                var u = (asOf - stages[i].At) / (double)ActivityCalendar.SecondsPerDay;
                ll += -r.LossRate * u + Math.Log(PhaseChain.ErlangSurvival(r.Phases, r.Rate, u));
            }
        }
        return ll;
    }

    /// <summary>The posterior over the levels: prior x budget x activity counts x the funnel's likelihood (<paramref name="funnelLogLikelihood"/>).</summary>
    private double[] Posterior(CrmLead lead, long asOf, double[] funnelLogLikelihood)
    {
        var prior = CrmProcess.LevelPrior(lead.SourceIntent, lead.FitClass);
        var ll = new double[CrmProcess.Levels];
        for (var k = 0; k < ll.Length; k++)
            ll[k] = Math.Log(prior[k]) + Math.Log(lead.Budget is null ? 1 - CrmProcess.BudgetShare[k] : CrmProcess.BudgetShare[k]) + funnelLogLikelihood[k];

        var types = ActivityType.Modeled;
        Span<int> counts = stackalloc int[types.Count];
        foreach (var a in lead.Activities)
        {
            if (a.At >= asOf) break;
            if (a.IsModeled) counts[a.Type]++;
        }
        var createdDay = calendar.DayOf(lead.CreatedAtSeconds);
        for (var j = 0; j < types.Count; j++)
        {
            var exposure = calendar.Exposure(j, lead.CreatedAtSeconds, asOf, createdDay);
            for (var k = 0; k < ll.Length; k++)
            {
                var rate = types[j].Rates[k];
                ll[k] += counts[j] * Math.Log(rate) - rate * exposure;
            }
        }
        return CrmProcess.Softmax(ll);
    }
}
