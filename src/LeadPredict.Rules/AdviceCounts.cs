namespace LeadPredict.Rules;

/// <summary>Counts of advice over many leads: per action, per suggested stage, and the reasons for review.</summary>
public sealed class AdviceCounts
{
    private readonly Funnel _funnel;
    private readonly int[] _byAction = new int[Enum.GetValues<LeadAction>().Length];
    private readonly int[] _byReview = new int[Enum.GetValues<ReviewReason>().Length];
    private readonly Dictionary<string, int> _byStage = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _unknownValues = new(StringComparer.OrdinalIgnoreCase);

    public AdviceCounts(Funnel funnel)
    {
        _funnel = funnel;
        foreach (var s in funnel.Stages) _byStage[s.Name] = 0;
    }

    public int Total { get; private set; }

    /// <summary>The counts of several summaries (e.g. one per thread) added up.</summary>
    public static AdviceCounts Sum(Funnel funnel, IEnumerable<AdviceCounts> parts)
    {
        var sum = new AdviceCounts(funnel);
        foreach (var part in parts)
        {
            sum.Total += part.Total;
            for (var i = 0; i < sum._byAction.Length; i++) sum._byAction[i] += part._byAction[i];
            for (var i = 0; i < sum._byReview.Length; i++) sum._byReview[i] += part._byReview[i];
            foreach (var (stage, count) in part._byStage) sum._byStage[stage] = sum._byStage.GetValueOrDefault(stage) + count;
            foreach (var (value, count) in part._unknownValues) sum._unknownValues[value] = sum._unknownValues.GetValueOrDefault(value) + count;
        }
        return sum;
    }

    public void Add(FunnelDecision decision) => Add(decision.Advice);

    public void Add(FunnelAdvice advice) => Add(advice.Action, advice.Review, advice.SuggestedStage, advice.StageValue);

    private void Add(LeadAction action, ReviewReason review, string? suggestedStage, string? stageValue)
    {
        Total++;
        _byAction[(int)action]++;
        _byReview[(int)review]++;
        if (suggestedStage is { } s) _byStage[s] = _byStage.GetValueOrDefault(s) + 1;
        if (review == ReviewReason.UnknownStage)
        {
            var key = stageValue ?? "";
            _unknownValues[key] = _unknownValues.GetValueOrDefault(key) + 1;
        }
    }

    public IReadOnlyDictionary<LeadAction, int> ByAction =>
        Enum.GetValues<LeadAction>().ToDictionary(a => a, a => _byAction[(int)a]);

    /// <summary>Leads per suggested stage, in ladder order (leads with an unknown stage are not counted here).</summary>
    public IReadOnlyList<KeyValuePair<string, int>> BySuggestedStage =>
        _funnel.Stages.Select(s => new KeyValuePair<string, int>(s.Name, _byStage[s.Name])).ToArray();

    public int HiddenGems => _byReview[(int)ReviewReason.HiddenGem];
    public int IcpPassLowProbability => _byReview[(int)ReviewReason.IcpPassLowProbability];
    public int UnknownStages => _byReview[(int)ReviewReason.UnknownStage];

    /// <summary>The stage values the ladder did not know, with how many leads had each.</summary>
    public IReadOnlyDictionary<string, int> UnknownStageValues => _unknownValues;
}
