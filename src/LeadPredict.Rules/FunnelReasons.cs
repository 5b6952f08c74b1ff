using System.Text;

namespace LeadPredict.Rules;

/// <summary>
/// The words of the funnel advice's reasons, one method per sentence (or per part of the "gate not met" list): to change
/// how a reason reads, edit its method here; the advisor only decides which sentence applies. A condition's own words
/// ("Demo requested no is not yes") come from <see cref="Condition"/>, its column's name humanised.
/// Sentences are appended to a builder piece by piece so that advising a lead makes no string but its reason; the numbers
/// that are the same for every lead (floors, decile cuts) are worded once, when the advisor is built.
/// </summary>
internal sealed class FunnelReasons
{
    private static readonly string[] FitNames = Enum.GetValues<IcpFit>().Select(f => f.ToString().ToLowerInvariant()).ToArray();
    private static readonly string[] RequirementNames = Enum.GetValues<IcpRequirement>().Select(r => r.ToString().ToLowerInvariant()).ToArray();

    private readonly string _topDecile, _bottomDecile, _disqualify, _nurture, _knownStages;
    private readonly double _topDecileFrom, _bottomDecileBelow, _disqualifyBelow, _nurtureBelow;

    public FunnelReasons(Funnel funnel, DecileCuts cuts)
    {
        (_topDecileFrom, _bottomDecileBelow) = (cuts.TopDecileFrom, cuts.BottomDecileBelow);
        (_disqualifyBelow, _nurtureBelow) = (funnel.Actions.DisqualifyBelow, funnel.Actions.NurtureBelow);
        _topDecile = Text.Probability(_topDecileFrom);
        _bottomDecile = Text.Probability(_bottomDecileBelow);
        _disqualify = Text.Probability(_disqualifyBelow);
        _nurture = Text.Probability(_nurtureBelow);
        _knownStages = funnel.KnownStages;
    }

    /// <summary>"Unknown stage 'Trial' (known: Prospect, Lead, …)".</summary>
    public void UnknownStage(StringBuilder r, string? value) =>
        r.Append("Unknown stage '").Append(value).Append("' (known: ").Append(_knownStages).Append(')');

    /// <summary>"Stage unknown: the data has no stage column (set funnel.stageColumn, or funnel.suggestWithoutStage to suggest the highest stage whose gates are met)".</summary>
    public static void NoStageColumn(StringBuilder r) =>
        r.Append("Stage unknown: the data has no stage column (set funnel.stageColumn, or funnel.suggestWithoutStage to suggest the highest stage whose gates are met)");

    /// <summary>"Already at the last stage, Customer".</summary>
    public static void AlreadyAtLastStage(StringBuilder r, string stage) => r.Append("Already at the last stage, ").Append(stage);

    /// <summary>"Hidden gem: fails the ICP (Employees 12 is below 50) but probability 0.91 is in the top decile (from 0.60)[; gates met up to SQL]".</summary>
    public void HiddenGem(StringBuilder r, string? failed, double probability, string? gatesMetUpTo)
    {
        r.Append("Hidden gem: fails the ICP (").Append(failed).Append(") but probability ").Append(Text.Probability(probability))
            .Append(" is in the top decile (from ").Append(_topDecile).Append(')');
        if (gatesMetUpTo is not null) r.Append("; gates met up to ").Append(gatesMetUpTo);
    }

    /// <summary>"Passes the ICP but probability 0.03 is in the bottom decile (below 0.05)".</summary>
    public void IcpPassLowProbability(StringBuilder r, double probability) =>
        r.Append("Passes the ICP but probability ").Append(Text.Probability(probability, _bottomDecileBelow, _bottomDecile))
            .Append(" is in the bottom decile (below ").Append(_bottomDecile).Append(')');

    /// <summary>"Fails a must-have ICP rule (Employees 12 is below 50) and probability 0.02 is in the bottom decile (below 0.05)", or "… is below the disqualify floor 0.05".</summary>
    public void FailsMustHave(StringBuilder r, string? mustHave, double probability, bool bottomDecile)
    {
        r.Append("Fails a must-have ICP rule (").Append(mustHave).Append(") and probability ");
        if (bottomDecile)
            r.Append(Text.Probability(probability, _bottomDecileBelow, _bottomDecile)).Append(" is in the bottom decile (below ").Append(_bottomDecile).Append(')');
        else
            r.Append(Text.Probability(probability, _disqualifyBelow, _disqualify)).Append(" is below the disqualify floor ").Append(_disqualify);
    }

    /// <summary>"Meets the gates up to SQL" (a promotion; what blocks the next stage follows).</summary>
    public static void MeetsGatesUpTo(StringBuilder r, string stage) => r.Append("Meets the gates up to ").Append(stage);

    /// <summary>"Probability 0.04 is below the nurture floor 0.10 at MQL; " (what blocks the next stage follows).</summary>
    public void BelowNurtureFloor(StringBuilder r, double probability, string stage) =>
        r.Append("Probability ").Append(Text.Probability(probability, _nurtureBelow, _nurture)).Append(" is below the nurture floor ")
            .Append(_nurture).Append(" at ").Append(stage).Append("; ");

    /// <summary>"gate SAL->SQL not met: " ("Gate …" when it opens the reason); the problems follow.</summary>
    public static void GateNotMet(StringBuilder r, string from, string to, bool opensReason) =>
        r.Append(opensReason ? "Gate " : "gate ").Append(from).Append("->").Append(to).Append(" not met: ");

    /// <summary>What separates the problems of a gate not met, and a promotion from what blocks the next stage.</summary>
    public const string ProblemSeparator = ", ", ThenSeparator = "; ";

    /// <summary>"Customer is only set by hand": the stage has no gate.</summary>
    public static void SetByHand(StringBuilder r, string stage) => r.Append(stage).Append(" is only set by hand");

    /// <summary>"no probability reached 80.0% conversion in history": a gate given as a conversion rate the holdout never reached.</summary>
    public static string NeverReached(double conversionRate) => $"no probability reached {Text.Percent(conversionRate)} conversion in history";

    /// <summary>" (learned gate)": follows a floor the model learned (<c>funnel.useLearnedGates</c>) rather than the rules file's.</summary>
    public const string LearnedGate = " (learned gate)";

    /// <summary>"probability 0.31 is below 0.35".</summary>
    public static void BelowMinProbability(StringBuilder r, double probability, double min, string minText) =>
        r.Append("probability ").Append(Text.Probability(probability, min, minText)).Append(" is below ").Append(minText);

    /// <summary>"ICP partial (needs pass)".</summary>
    public static void IcpNeeds(StringBuilder r, IcpFit fit, IcpRequirement requirement) =>
        r.Append("ICP ").Append(FitNames[(int)fit]).Append(" (needs ").Append(RequirementNames[(int)requirement]).Append(')');

    /// <summary>"none of Demo requested is yes / Pricing page views at least 3": no condition of a gate's any-evidence list holds.</summary>
    public static string NoneOf(IReadOnlyList<Condition> anyEvidence) => "none of " + string.Join(" / ", anyEvidence.Select(c => c.Description));

    /// <summary>"met": nothing on the gate's list is against the lead.</summary>
    public static void GateMet(StringBuilder r) => r.Append("met");

    /// <summary>" (no ICP rules, so ICP requirements were skipped)": closes a reason when a gate on the way needs the ICP and there are no rules.</summary>
    public static void IcpRequirementsSkipped(StringBuilder r) => r.Append(" (no ICP rules, so ICP requirements were skipped)");
}
