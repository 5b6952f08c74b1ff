using LeadPredict.Core;

namespace LeadPredict.Rules;

/// <summary>
/// How often promoted leads converted: <see cref="Promoted"/> leads (holdout snapshots) of which <see cref="Converted"/> converted
/// within the horizon, with the rate's 95% Wilson interval (<see cref="Low"/>, <see cref="High"/>).
/// </summary>
public sealed record GateBacktest(long Promoted, long Converted)
{
    /// <summary>
    /// How many of the promoted leads would have converted at the rate of the leads already at the stage each was promoted into
    /// (the sum of those rates): what a promotion is compared with when steps of very different rates are pooled.
    /// </summary>
    public double Expected { get; init; }

    public double? Rate => Promoted == 0 ? null : Converted / (double)Promoted;

    /// <summary>Converted over <see cref="Expected"/>: above 1, the promoted leads converted more often than the leads already at the next stage.</summary>
    public double? VersusNextStage => Expected <= 0 ? null : Converted / Expected;
    public double? Low => Promoted == 0 ? null : Wilson(-1);
    public double? High => Promoted == 0 ? null : Wilson(+1);

    public static GateBacktest operator +(GateBacktest a, GateBacktest b) =>
        new(a.Promoted + b.Promoted, a.Converted + b.Converted) { Expected = a.Expected + b.Expected };

    private double Wilson(int side)
    {
        const double z = 1.959963984540054;
        var n = (double)Promoted;
        var p = Converted / n;
        var centre = p + z * z / (2 * n);
        var spread = z * Math.Sqrt(p * (1 - p) / n + z * z / (4 * n * n));
        return Math.Clamp((centre + side * spread) / (1 + z * z / n), 0, 1);
    }
}

/// <summary>The rules a gate can be learned by (<see cref="LearnedGates.RuleTexts"/> says each in words).</summary>
public enum GateRule
{
    /// <summary>The lowest probability above which the leads at the stage, together, converted as often as the next stage's.</summary>
    Parity,
    /// <summary>The lowest probability at which a lead's own (isotonic-calibrated) chance reaches the next stage's rate.</summary>
    Marginal,
    /// <summary>The probability that promotes as many leads as the hand-set gates do (the top ones by probability).</summary>
    Matched,
}

/// <summary>One step's gate under one rule: its threshold (null: it promotes none) and its cross-fitted backtest.</summary>
public sealed record RuleGate(GateRule Rule, double? MinProbability, GateBacktest Backtest);

/// <summary>One rule over all steps: the pooled backtest of the leads it promotes.</summary>
public sealed record GateRuleSummary(GateRule Rule, string Text, GateBacktest Pooled);

/// <summary>
/// The gate into <see cref="Stage"/> learned from data by the chosen rule (<see cref="LearnedGates.Chosen"/>):
/// <see cref="MinProbability"/>, null when no cut-off got there. <see cref="NextStageRate"/> is how often the leads already at
/// <see cref="Stage"/> converted; <see cref="HandSetMinProbability"/> is the rules' own floor (for comparison).
/// </summary>
public sealed record LearnedGate(string From, string Stage, double? MinProbability, double NextStageRate, long AtFrom, long AtStage, double? HandSetMinProbability)
{
    /// <summary>Out of sample (cross-fitted): the leads at <see cref="From"/> that the learned gate promotes, and how many converted.</summary>
    public GateBacktest Learned { get; init; } = new(0, 0);
    /// <summary>The same leads as the rules' hand-set gates promote them (what the advisor suggests).</summary>
    public GateBacktest HandSet { get; init; } = new(0, 0);
    /// <summary>Every rule's threshold and backtest for this step, the chosen one included.</summary>
    public IReadOnlyList<RuleGate> Rules { get; init; } = [];
}

/// <summary>
/// Gates learned from the holdout, with a backtest: thresholds learned on one half of the leads (by id) and followed on the
/// other, and the other way round; following the learned gates vs following the rules' hand-set gates (what the advisor
/// suggests), the conversion of the leads each promotes, per step and pooled over all steps, for every rule of
/// <see cref="GateRule"/> (<see cref="Rules"/>); <see cref="Gates"/> and <see cref="Learned"/> are the chosen rule's.
/// </summary>
public sealed record LearnedGates(IReadOnlyList<LearnedGate> Gates, GateBacktest Learned, GateBacktest HandSet, string Rule)
{
    public const int MinLeads = 20;

    /// <summary>
    /// The rule gates are learned by. Marginal, measured (docs/rules.md): on the CRM sample and two generated histories of
    /// 20,000 leads its promoted leads convert at or above the next stage's rate at every step (parity's sit at it by design)
    /// while it still promotes many times what the hand-set sample gates do.
    /// </summary>
    public const GateRule DefaultRule = GateRule.Marginal;

    public static string RuleText(GateRule rule) => rule switch
    {
        GateRule.Parity => "the lowest probability above which the leads at a stage, together, converted at least as often as the leads already at the next stage (at least 20 leads on each side)",
        GateRule.Marginal => "the lowest probability at which a lead's own chance of converting (the holdout's conversion by probability at that stage, isotonic) reaches the rate of the leads already at the next stage (at least 20 leads on each side)",
        GateRule.Matched => "the probability that promotes as many leads at each stage as the hand-set gates do (the top ones by probability)",
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    public GateRule Chosen { get; init; } = DefaultRule;

    /// <summary>Every rule's pooled backtest.</summary>
    public IReadOnlyList<GateRuleSummary> Rules { get; init; } = [];

    public LearnedGate? For(string stage) => Gates.FirstOrDefault(g => string.Equals(g.Stage, stage, StringComparison.OrdinalIgnoreCase));

    /// <param name="stage">Each holdout example's ladder index (-1 when unknown).</param>
    /// <param name="handSetPromotes">Whether following the hand-set gates promotes the example (the advisor suggests a later stage).</param>
    /// <param name="half">Which half of the leads each example belongs to (0 or 1), for the cross-fitted backtest.</param>
    public static LearnedGates Learn(Funnel funnel, int[] stage, double[] probability, bool[] converted, bool[] handSetPromotes, int[] half,
        GateRule chosen = DefaultRule)
    {
        var all = Enumerable.Range(0, stage.Length).ToArray();
        var rules = Enum.GetValues<GateRule>();
        var n = funnel.Stages.Count;
        var gates = Thresholds(funnel, all, stage, probability, converted, handSetPromotes);
        var learned = new GateBacktest[rules.Length, n];
        var handSet = new GateBacktest[n];
        for (var to = 0; to < n; to++)
        {
            handSet[to] = new(0, 0);
            for (var r = 0; r < rules.Length; r++) learned[r, to] = new(0, 0);
        }
        for (var h = 0; h < 2; h++)
        {
            var fit = all.Where(i => half[i] != h).ToArray();
            var thresholds = Thresholds(funnel, fit, stage, probability, converted, handSetPromotes);
            foreach (var i in all.Where(i => half[i] == h))
            {
                var to = stage[i] + 1;
                if (stage[i] < 0 || to >= n - 1) continue;
                if (thresholds[to] is not { } gate) continue;
                var one = new GateBacktest(1, converted[i] ? 1 : 0) { Expected = gate.NextStageRate };
                for (var r = 0; r < rules.Length; r++)
                    if (gate.Rules[r].MinProbability is { } t && probability[i] >= t) learned[r, to] += one;
                if (handSetPromotes[i]) handSet[to] += one;
            }
        }
        var c = Array.IndexOf(rules, chosen);
        var steps = gates.Select((g, to) => g is null ? null : g with
        {
            MinProbability = g.Rules[c].MinProbability,
            Learned = learned[c, to],
            HandSet = handSet[to],
            Rules = g.Rules.Select((x, r) => x with { Backtest = learned[r, to] }).ToArray(),
        }).Where(g => g is not null).Select(g => g!).ToArray();
        // Pooled over the steps that have a learned gate, so the learned and hand-set totals count the same steps.
        GateBacktest Pool(Func<LearnedGate, GateBacktest> of) => steps.Aggregate(new GateBacktest(0, 0), (sum, g) => sum + of(g));
        return new LearnedGates(steps, Pool(g => g.Learned), Pool(g => g.HandSet), RuleText(chosen))
        {
            Chosen = chosen,
            Rules = rules.Select((r, k) => new GateRuleSummary(r, RuleText(r), Pool(g => g.Rules[k].Backtest))).ToArray(),
        };
    }

    /// <summary>Per ladder index (the stage gated into), every rule's gate; null where either side has too few leads.</summary>
    private static LearnedGate?[] Thresholds(Funnel funnel, int[] rows, int[] stage, double[] probability, bool[] converted, bool[] handSetPromotes)
    {
        var n = funnel.Stages.Count;
        var gates = new LearnedGate?[n];
        // The last stage is conversion itself: its leads all converted, so no gate into it is learned.
        for (var to = 1; to < n - 1; to++)
        {
            var from = rows.Where(i => stage[i] == to - 1).ToArray();
            var at = rows.Where(i => stage[i] == to).ToArray();
            if (from.Length < MinLeads || at.Length < MinLeads) continue;
            var rate = at.Count(i => converted[i]) / (double)at.Length;
            var p = from.Select(i => probability[i]).ToArray();
            var y = from.Select(i => converted[i]).ToArray();
            double? parity = rate <= 0 ? 0 : ConversionThreshold.LowestProbabilityReaching(p, y, rate);
            double? marginal = rate <= 0 ? 0 : IsotonicReaching(p, y, rate);
            var handSetCount = from.Count(i => handSetPromotes[i]);
            double? matched = handSetCount == 0 ? null : p.OrderDescending().ElementAt(handSetCount - 1);
            var handSet = funnel.Stages[to].Gate?.MinProbability;
            gates[to] = new LearnedGate(funnel.Stages[to - 1].Name, funnel.Stages[to].Name, null, rate, from.Length, at.Length, handSet)
            {
                Rules = [new(GateRule.Parity, parity, new(0, 0)), new(GateRule.Marginal, marginal, new(0, 0)), new(GateRule.Matched, matched, new(0, 0))],
            };
        }
        return gates;
    }

    /// <summary>
    /// The lowest probability whose isotonic (pool-adjacent-violators) conversion estimate reaches <paramref name="rate"/>: the
    /// calibrated chance of the marginal lead, not of everyone above it; null when no probability gets there. Ties are one block.
    /// </summary>
    public static double? IsotonicReaching(ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> converted, double rate)
    {
        var n = probabilities.Length;
        if (n == 0) return null;
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        var keys = probabilities.ToArray();
        Array.Sort(keys, order);
        // Blocks of equal probability first, then merged while a block converts more often than the one after it.
        var start = new List<int>();
        var sum = new List<double>();
        var count = new List<double>();
        for (var i = 0; i < n;)
        {
            var j = i;
            double s = 0;
            while (j < n && keys[j] == keys[i]) { if (converted[order[j]]) s++; j++; }
            start.Add(i);
            sum.Add(s);
            count.Add(j - i);
            while (sum.Count > 1 && sum[^2] / count[^2] >= sum[^1] / count[^1])
            {
                sum[^2] += sum[^1];
                count[^2] += count[^1];
                sum.RemoveAt(sum.Count - 1);
                count.RemoveAt(count.Count - 1);
                start.RemoveAt(start.Count - 1);
            }
            i = j;
        }
        for (var b = 0; b < sum.Count; b++)
            if (sum[b] >= rate * count[b]) return keys[start[b]];
        return null;
    }

    /// <summary>A stable half (0 or 1) for a lead id, the same in every run (FNV-1a of its characters).</summary>
    public static int HalfOf(string? id)
    {
        if (id is null) return 0;
        var hash = 2166136261u;
        foreach (var c in id) hash = (hash ^ c) * 16777619u;
        return (int)(hash >> 31);
    }
}
