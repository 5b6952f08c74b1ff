namespace LeadPredict.SampleData.Crm;

/// <summary>
/// The funnel of one intent level and fit class as a continuous-time Markov chain: each ladder stage is a row of Erlang
/// phases, and "entered stage T" (T = customer for conversion) and "lost" absorb. Because a lead moves one stage at a time,
/// reaching stage T first means reaching it from the stages below, so questions about T only need the phases below T.
/// Probabilities within a time use uniformization (a Poisson-weighted sum of powers of the jump matrix; every term is
/// non-negative, and the sum is cut once the Poisson mass left is below 1e-14); "eventually" solves the linear system.
/// </summary>
internal sealed class PhaseChain
{
    private readonly StageRates[] _rates;
    private readonly int[] _offset; // first phase state of each ladder stage; _offset[5] = number of phase states

    public PhaseChain(int level, int fitClass)
    {
        _rates = new StageRates[CrmProcess.LadderStages];
        _offset = new int[CrmProcess.LadderStages + 1];
        for (var s = 0; s < CrmProcess.LadderStages; s++)
        {
            _rates[s] = CrmProcess.Rates(s, level, fitClass);
            _offset[s + 1] = _offset[s] + _rates[s].Phases;
        }
    }

    public StageRates Rates(int stage) => _rates[stage];

    public int State(int stage, int phase) => _offset[stage] + phase;

    /// <summary>The number of phase states (all ladder stages); in <see cref="DistributionAt"/> the next two are customer and lost.</summary>
    public int PhaseStates => _offset[CrmProcess.LadderStages];

    /// <summary>
    /// The chance of being in each state <paramref name="days"/> after creation, for a lead that enters as MQL with probability
    /// <paramref name="startAsMql"/> and as a lead otherwise: phase states, then customer, then lost (uniformization forward).
    /// </summary>
    public double[] DistributionAt(double days, double startAsMql)
    {
        var transitions = Transitions((int)CrmStage.Customer, out var n);
        var v = new double[n + 2];
        v[State(0, 0)] = 1 - startAsMql;
        v[State(1, 0)] = startAsMql;
        return Uniformized(transitions, n, days, v, forward: true);
    }

    /// <summary>The jump rates out of each phase state of stages below <paramref name="target"/>; index n = target, n + 1 = lost.</summary>
    private List<(int From, int To, double Rate)> Transitions(int target, out int n)
    {
        n = _offset[target];
        var lost = n + 1;
        var list = new List<(int, int, double)>();
        for (var s = 0; s < target; s++)
        {
            var r = _rates[s];
            for (var i = 0; i < r.Phases; i++)
            {
                var from = _offset[s] + i;
                list.Add((from, lost, r.LossRate));
                if (i < r.Phases - 1) { list.Add((from, from + 1, r.Rate)); continue; }
                list.Add((from, s + 1 == target ? n : _offset[s + 1], r.Rate * (1 - r.BackShare)));
                if (r.BackShare > 0) list.Add((from, _offset[s - 1], r.Rate * r.BackShare));
            }
        }
        return list;
    }

    /// <summary>For each phase state below <paramref name="target"/>: the chance of entering stage <paramref name="target"/> within <paramref name="days"/>.</summary>
    public double[] ReachWithin(int target, double days)
    {
        var transitions = Transitions(target, out var n);
        var x = new double[n + 2];
        x[n] = 1;
        return Uniformized(transitions, n, days, x, forward: false)[..n];
    }

    /// <summary>
    /// exp(Q t) applied to a vector by uniformization: the sum over k of Poisson(k; lambda t) P^k v, with P = I + Q / lambda.
    /// Forward, v is a distribution (row vector, v P); backward, v holds values per state (column vector, P v).
    /// </summary>
    private static double[] Uniformized(List<(int From, int To, double Rate)> transitions, int n, double days, double[] v, bool forward)
    {
        var outRate = new double[n];
        foreach (var (from, _, rate) in transitions) outRate[from] += rate;
        var lambda = outRate.Max() * 1.0001;
        var result = new double[v.Length];
        var mean = lambda * days;
        var logWeight = -mean;
        var logMean = Math.Log(mean);
        var next = new double[v.Length];
        for (var k = 0; ; k++)
        {
            if (k > 0) logWeight += logMean - Math.Log(k);
            var w = Math.Exp(logWeight);
            for (var i = 0; i < v.Length; i++) result[i] += w * v[i];
            // Past the mean the weights fall faster than a geometric series of ratio mean / (k + 1): that bounds the rest.
            if (k + 1 > mean && w * (k + 1) / (k + 1 - mean) < 1e-14) break;
            Array.Copy(v, next, v.Length);
            foreach (var (from, to, rate) in transitions)
            {
                var p = rate / lambda;
                if (forward)
                {
                    next[from] -= p * v[from];
                    next[to] += p * v[from];
                }
                else next[from] += p * (v[to] - v[from]);
            }
            (v, next) = (next, v);
        }
        return result;
    }

    /// <summary>For each phase state below <paramref name="target"/>: the chance of ever entering stage <paramref name="target"/>.</summary>
    public double[] ReachEventually(int target)
    {
        var transitions = Transitions(target, out var n);
        // For transient i: sum_j q_ij (x_j - x_i) = 0, x_target = 1, x_lost = 0.
        var a = new double[n, n];
        var b = new double[n];
        foreach (var (from, to, rate) in transitions)
        {
            a[from, from] += rate;
            if (to < n) a[from, to] -= rate;
            else if (to == n) b[from] += rate;
        }
        return Solve(a, b);
    }

    internal static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        for (var c = 0; c < n; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < n; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            if (pivot != c)
            {
                for (var k = 0; k < n; k++) (a[c, k], a[pivot, k]) = (a[pivot, k], a[c, k]);
                (b[c], b[pivot]) = (b[pivot], b[c]);
            }
            for (var r = c + 1; r < n; r++)
            {
                var f = a[r, c] / a[c, c];
                if (f == 0) continue;
                for (var k = c; k < n; k++) a[r, k] -= f * a[c, k];
                b[r] -= f * b[c];
            }
        }
        var x = new double[n];
        for (var r = n - 1; r >= 0; r--)
        {
            var sum = b[r];
            for (var k = r + 1; k < n; k++) sum -= a[r, k] * x[k];
            x[r] = sum / a[r, r];
        }
        return x;
    }

    /// <summary>P(Erlang(phases, rate) &gt; days): fewer than <paramref name="phases"/> Poisson events by then.</summary>
    public static double ErlangSurvival(int phases, double rate, double days)
    {
        var x = rate * days;
        var term = Math.Exp(-x);
        var sum = term;
        for (var i = 1; i < phases; i++) sum += term *= x / i;
        return sum;
    }

    /// <summary>The log density of an Erlang(phases, rate) time at <paramref name="days"/> &gt; 0.</summary>
    public static double ErlangLogDensity(int phases, double rate, double days)
    {
        var logFactorial = 0.0;
        for (var i = 2; i < phases; i++) logFactorial += Math.Log(i);
        return phases * Math.Log(rate) + (phases - 1) * Math.Log(days) - rate * days - logFactorial;
    }

    /// <summary>P(a stay in this stage lasts at most <paramref name="days"/>): the Erlang time or the loss, whichever comes first.</summary>
    public static double StayCdf(StageRates r, double days) => 1 - Math.Exp(-r.LossRate * days) * ErlangSurvival(r.Phases, r.Rate, days);

    /// <summary>The chance a stay ends by completing its phases rather than by a loss: (rate / (rate + loss))^phases.</summary>
    public static double Completes(StageRates r) => Math.Pow(r.Rate / (r.Rate + r.LossRate), r.Phases);
}
