using LeadPredict.Core;

namespace LeadPredict.Rules;

/// <summary>What a gate asks of the ICP fit: nothing, partial or better, or pass.</summary>
public enum IcpRequirement { None, Partial, Pass }

/// <summary>
/// What a lead needs to enter a stage. The probability floor is given directly (<see cref="MinProbability"/>)
/// or as a historical conversion rate (<see cref="MinConversionRate"/>) that training turns into a probability.
/// Every <see cref="Evidence"/> condition must hold, and at least one of <see cref="AnyEvidence"/> when it is not empty.
/// </summary>
public sealed record StageGate
{
    public double? MinProbability { get; init; }
    public double? MinConversionRate { get; init; }
    public IcpRequirement Icp { get; init; }
    public IReadOnlyList<Condition> Evidence { get; init; } = [];
    public IReadOnlyList<Condition> AnyEvidence { get; init; } = [];

    internal string? Validate() =>
        MinProbability is not null && MinConversionRate is not null ? "give minProbability or minConversionRate, not both."
        : MinProbability is < 0 or > 1 ? $"minProbability must be between 0 and 1 (was {Text.Number(MinProbability.Value)})."
        : MinConversionRate is <= 0 or > 1 ? $"minConversionRate must be above 0 and at most 1 (was {Text.Number(MinConversionRate.Value)})."
        : null;
}

/// <summary>A rung of the ladder. <see cref="Gate"/> is what it takes to enter it; null means it is only ever set by hand.</summary>
public sealed record FunnelStage(string Name, IReadOnlyList<string> Aliases, StageGate? Gate)
{
    public override string ToString() => Name;
}

/// <summary>Probability floors that decide between nurture, hold and disqualify.</summary>
public sealed record ActionOptions
{
    /// <summary>Below this probability a lead at an early stage is nurtured rather than held.</summary>
    public double NurtureBelow { get; init; } = 0.10;
    /// <summary>A lead failing a must-have ICP rule is disqualified below this probability (or in the bottom decile).</summary>
    public double DisqualifyBelow { get; init; } = 0.05;
    /// <summary>The last stage counted as early (nurture territory); default SAL, or the middle stage of a custom ladder.</summary>
    public string? EarlyUntil { get; init; }
    /// <summary>
    /// Without a stage column: false (default) says the stage is unknown and suggests none; true treats every lead as at the
    /// first stage and suggests the highest stage whose gates it meets.
    /// </summary>
    public bool SuggestWithoutStage { get; init; }
    /// <summary>
    /// Suggest stages with the gates the model learned from its holdout (<see cref="LearnedGates"/>: probability only, no
    /// evidence) instead of the hand-set ones, for the steps that have a learned gate; false (default) keeps the hand-set gates.
    /// </summary>
    public bool UseLearnedGates { get; init; }

    internal string? Validate() =>
        NurtureBelow is < 0 or > 1 ? $"nurtureBelow must be between 0 and 1 (was {Text.Number(NurtureBelow)})."
        : DisqualifyBelow is < 0 or > 1 ? $"disqualifyBelow must be between 0 and 1 (was {Text.Number(DisqualifyBelow)})."
        : null;
}

/// <summary>The ladder of stages, how a CRM's stage values map onto it, and the gates between stages.</summary>
public sealed class Funnel
{
    private readonly FunnelStage[] _stages;
    private readonly Dictionary<string, int> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _keys = new(StringComparer.Ordinal);

    public Funnel(IReadOnlyList<FunnelStage> stages, string? stageColumn = null, ActionOptions? actions = null, FunnelLearningSettings? learning = null)
    {
        Learning = learning ?? FunnelLearningSettings.None;
        if (stages.Count == 0) throw new LeadPredictException("the funnel has no stages; list at least one, or leave the funnel out for the default ladder.");
        _stages = stages.ToArray();
        for (var i = 0; i < _stages.Length; i++)
        {
            var stage = _stages[i];
            if (string.IsNullOrWhiteSpace(stage.Name)) throw new LeadPredictException($"stage {i + 1} has no name.");
            foreach (var name in stage.Aliases.Prepend(stage.Name))
            {
                var key = Text.StageKey(name);
                if (key.Length == 0) throw new LeadPredictException($"stage '{stage.Name}' has an alias '{name}' with no letters or digits.");
                if (_keys.TryGetValue(key, out var other) && other != i)
                    throw new LeadPredictException(name == stage.Name && Text.StageKey(_stages[other].Name) == key
                        ? $"stage name '{stage.Name}' is used twice; stage names must be unique."
                        : $"'{name}' names both stage '{_stages[other].Name}' and stage '{stage.Name}'.");
                _keys[key] = i;
                _exact[name.Trim()] = i;
            }
            if (stage.Gate?.Validate() is { } problem) throw new LeadPredictException($"gate into '{stage.Name}': {problem}");
        }
        if (_stages[0].Gate is not null) throw new LeadPredictException($"the first stage '{_stages[0].Name}' cannot have a gate: every lead starts there.");
        StageColumn = stageColumn;
        Actions = actions ?? new ActionOptions();
        if (Actions.Validate() is { } optionProblem) throw new LeadPredictException(optionProblem);
        if (Actions.EarlyUntil is { } early)
            EarlyUntilIndex = TryFind(early, out var e) ? e : throw new LeadPredictException($"earlyUntil '{early}' is not a stage (known: {KnownStages}).");
        else
            EarlyUntilIndex = TryFind("SAL", out var sal) ? sal : (_stages.Length - 1) / 2;
    }

    public IReadOnlyList<FunnelStage> Stages => _stages;
    /// <summary>The column holding each lead's current stage; null when the data has none (every lead starts at the first stage).</summary>
    public string? StageColumn { get; }
    public ActionOptions Actions { get; }
    public int EarlyUntilIndex { get; }
    /// <summary>The rules file's settings for the funnel learned from a stage history (unset: the model's, or the defaults).</summary>
    public FunnelLearningSettings Learning { get; }

    public string KnownStages => string.Join(", ", _stages.Select(s => s.Name));

    /// <summary>
    /// The ladder position of a CRM stage value, by name or alias, ignoring case, spaces and punctuation.
    /// Missing (null or empty) is the first stage; an unknown value returns false and is never guessed.
    /// </summary>
    public bool TryFind(string? value, out int index)
    {
        if (string.IsNullOrWhiteSpace(value)) { index = 0; return true; }
        if (_exact.TryGetValue(value, out index)) return true;
        return _keys.TryGetValue(Text.StageKey(value), out index);
    }

    public static readonly string DefaultStageColumn = "stage";

    /// <summary>
    /// Prospect -> Lead -> MQL -> SAL -> SQL -> Opportunity -> Customer, with HubSpot's lifecycle stages as aliases.
    /// The gates hold only probability and ICP requirements: evidence columns differ per export, so they live in the rules file.
    /// </summary>
    public static IReadOnlyList<FunnelStage> DefaultStages { get; } =
    [
        new("Prospect", ["subscriber", "visitor"], null),
        new("Lead", [], new StageGate { MinProbability = 0.05 }),
        new("MQL", ["marketingqualifiedlead"], new StageGate { MinProbability = 0.10, Icp = IcpRequirement.Partial }),
        new("SAL", ["salesacceptedlead"], new StageGate { MinProbability = 0.20, Icp = IcpRequirement.Partial }),
        new("SQL", ["salesqualifiedlead"], new StageGate { MinProbability = 0.35, Icp = IcpRequirement.Partial }),
        new("Opportunity", ["SQO", "salesqualifiedopportunity"], new StageGate { MinProbability = 0.50, Icp = IcpRequirement.Pass }),
        new("Customer", ["closed won", "won", "evangelist"], null),
    ];
}
