using LeadPredict.Core;

namespace LeadPredict.Rules;

/// <summary>How often promoted leads converted: <see cref="Promoted"/> leads (holdout snapshots) of which <see cref="Converted"/> converted within the horizon.</summary>
public sealed record GateBacktest(long Promoted, long Converted)
{
    public double? Rate => Promoted == 0 ? null : Converted / (double)Promoted;
}

/// <summary>
/// The gate into <see cref="Stage"/> learned from data: the lowest probability <see cref="MinProbability"/> above which the leads
/// at <see cref="From"/> converted at least as often as the leads already at <see cref="Stage"/> (<see cref="NextStageRate"/>) on
/// the holdout; null when no cut-off got there. <see cref="HandSetMinProbability"/> is the rules' own floor (for comparison).
/// </summary>
public sealed record LearnedGate(string From, string Stage, double? MinProbability, double NextStageRate, long AtFrom, long AtStage, double? HandSetMinProbability)
{
    /// <summary>Out of sample (cross-fitted): the leads at <see cref="From"/> that the learned gate promotes, and how many converted.</summary>
    public GateBacktest Learned { get; init; } = new(0, 0);
    /// <summary>The same leads as the rules' hand-set gates promote them (what the advisor suggests).</summary>
    public GateBacktest HandSet { get; init; } = new(0, 0);
}

/// <summary>
/// Gates learned from the holdout, with a backtest: thresholds learned on one half of the leads (by id) and followed on the
/// other, and the other way round; following the learned gates vs following the rules' hand-set gates (what the advisor
/// suggests), the conversion of the leads each promotes, pooled over all steps.
/// </summary>
public sealed record LearnedGates(IReadOnlyList<LearnedGate> Gates, GateBacktest Learned, GateBacktest HandSet, string Rule)
{
    public const string RuleText = "the lowest probability above which leads at a stage converted at least as often as the leads already at the next stage (at least 20 leads on each side)";
    public const int MinLeads = 20;

    public LearnedGate? For(string stage) => Gates.FirstOrDefault(g => string.Equals(g.Stage, stage, StringComparison.OrdinalIgnoreCase));

    /// <param name="stage">Each holdout example's ladder index (-1 when unknown).</param>
    /// <param name="handSetPromotes">Whether following the hand-set gates promotes the example (the advisor suggests a later stage).</param>
    /// <param name="half">Which half of the leads each example belongs to (0 or 1), for the cross-fitted backtest.</param>
    public static LearnedGates Learn(Funnel funnel, int[] stage, double[] probability, bool[] converted, bool[] handSetPromotes, int[] half)
    {
        var all = Enumerable.Range(0, stage.Length).ToArray();
        var gates = Thresholds(funnel, all, stage, probability, converted);
        var n = funnel.Stages.Count;
        long[] learnedPromoted = new long[n], learnedConverted = new long[n], handPromoted = new long[n], handConverted = new long[n];
        for (var h = 0; h < 2; h++)
        {
            var fit = all.Where(i => half[i] != h).ToArray();
            var thresholds = Thresholds(funnel, fit, stage, probability, converted);
            foreach (var i in all.Where(i => half[i] == h))
            {
                var to = stage[i] + 1;
                if (stage[i] < 0 || to >= n - 1) continue;
                if (thresholds[to]?.MinProbability is { } t && probability[i] >= t)
                {
                    learnedPromoted[to]++;
                    if (converted[i]) learnedConverted[to]++;
                }
                if (handSetPromotes[i])
                {
                    handPromoted[to]++;
                    if (converted[i]) handConverted[to]++;
                }
            }
        }
        var learned = gates.Select((g, to) => g is null ? null : g with
        {
            Learned = new GateBacktest(learnedPromoted[to], learnedConverted[to]),
            HandSet = new GateBacktest(handPromoted[to], handConverted[to]),
        }).Where(g => g is not null).Select(g => g!).ToArray();
        return new LearnedGates(learned, new GateBacktest(learnedPromoted.Sum(), learnedConverted.Sum()), new GateBacktest(handPromoted.Sum(), handConverted.Sum()), RuleText);
    }

    /// <summary>Per ladder index (the stage gated into), the learned gate; null where either side has too few leads.</summary>
    private static LearnedGate?[] Thresholds(Funnel funnel, int[] rows, int[] stage, double[] probability, bool[] converted)
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
            double? threshold = rate <= 0 ? 0 : ConversionThreshold.LowestProbabilityReaching(
                from.Select(i => probability[i]).ToArray(), from.Select(i => converted[i]).ToArray(), rate);
            var handSet = funnel.Stages[to].Gate?.MinProbability;
            gates[to] = new LearnedGate(funnel.Stages[to - 1].Name, funnel.Stages[to].Name, threshold, rate, from.Length, at.Length, handSet);
        }
        return gates;
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
