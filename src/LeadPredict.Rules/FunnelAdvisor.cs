using LeadPredict.Core;

namespace LeadPredict.Rules;

public enum LeadAction { Promote, Hold, Nurture, Disqualify, Review }

/// <summary>Why a lead is up for review.</summary>
public enum ReviewReason
{
    None,
    /// <summary>Fails the ICP but the model puts it in the top decile.</summary>
    HiddenGem,
    /// <summary>Passes the ICP but the model puts it in the bottom decile.</summary>
    IcpPassLowProbability,
    /// <summary>The stage value is not on the ladder.</summary>
    UnknownStage,
}

/// <summary>
/// The advice for one lead. <see cref="CurrentStage"/> and <see cref="SuggestedStage"/> are ladder names
/// (null when the stage value is unknown, which is in <see cref="StageValue"/>). <see cref="Icp"/> is null without ICP rules.
/// </summary>
public sealed record FunnelDecision(
    string? CurrentStage,
    string? SuggestedStage,
    LeadAction Action,
    string Reason,
    ReviewReason Review,
    IcpResult? Icp,
    string? StageValue)
{
    public bool IsPromotion => SuggestedStage is not null && !string.Equals(SuggestedStage, CurrentStage, StringComparison.Ordinal);
}

/// <summary>A <see cref="FunnelDecision"/> without its texts, which <see cref="FunnelAdvisor.Advise"/> writes to builders.</summary>
public readonly record struct FunnelAdvice(
    string? CurrentStage,
    string? SuggestedStage,
    LeadAction Action,
    ReviewReason Review,
    IcpOutcome? Icp,
    string? StageValue);

/// <summary>
/// Suggests a stage and an action for each lead from its values, the model's probability and the rules.
/// Leads are never demoted; a lead may skip stages when every gate on the way is met.
/// Order of precedence: unknown stage, disagreement between rules and model (review), disqualify, promote, nurture, hold.
/// </summary>
public sealed class FunnelAdvisor
{
    private readonly RuleSet _rules;
    private readonly Funnel _funnel;
    private readonly FunnelStage[] _stages;
    private readonly double[] _minProbability;
    private readonly string?[] _unreachable;
    // Texts that are the same for every lead, built once rather than formatted per lead. A lead's reason is written
    // from them and its own pieces into one builder per thread, so the only text made per lead is the reason itself.
    private readonly string[] _minProbabilityText, _noneOfText, _isBelowMin, _setByHand, _gatePrefix, _gatePrefixCapital, _meetsUpTo, _gatesMetUpTo, _nurtureAt;
    private readonly string[,] _icpNeeds;
    private readonly string _topDecileText, _bottomDecileText, _disqualifyText, _nurtureText, _knownStages, _alreadyLast;
    private readonly string _inTopDecile, _inBottomDecile, _bottomDecileFloor, _belowDisqualifyFloor;
    [ThreadStatic] private static System.Text.StringBuilder? t_reason;
    private static readonly string[] FitNames = Enum.GetValues<IcpFit>().Select(f => f.ToString().ToLowerInvariant()).ToArray();
    private static readonly string[] RequirementNames = Enum.GetValues<IcpRequirement>().Select(r => r.ToString().ToLowerInvariant()).ToArray();

    public FunnelAdvisor(RuleSet rules, DecileCuts? cuts = null, GateThresholds? thresholds = null)
    {
        _rules = rules;
        _funnel = rules.Funnel;
        _stages = [.. _funnel.Stages];
        Cuts = cuts ?? DecileCuts.None;
        _minProbability = new double[_stages.Length];
        _unreachable = new string?[_stages.Length];
        for (var i = 0; i < _stages.Length; i++)
        {
            if (_stages[i].Gate is not { } gate) continue;
            if (gate.MinConversionRate is not { } rate) { _minProbability[i] = gate.MinProbability ?? 0; continue; }
            var resolved = thresholds?.For(_stages[i].Name);
            if (resolved is null || Math.Abs(resolved.MinConversionRate - rate) > 1e-9)
                throw new LeadPredictException(
                    $"{Path.GetFileName(rules.Source)}: gate '{_stages[i].Name}' asks for minConversionRate {Text.Number(rate)}, which training turns into a probability; " +
                    (resolved is null ? "the model has none for it" : $"the model was trained with {Text.Number(resolved.MinConversionRate)}") +
                    ", so retrain with these rules or give minProbability.");
            if (resolved.MinProbability is { } p) _minProbability[i] = p;
            else _unreachable[i] = $"no probability reached {Text.Percent(rate)} conversion in history";
        }
        _minProbabilityText = _minProbability.Select(p => Text.Probability(p)).ToArray();
        _noneOfText = _stages.Select(s => s.Gate is { AnyEvidence.Count: > 0 } g ? "none of " + string.Join(" / ", g.AnyEvidence.Select(c => c.Description)) : "").ToArray();
        _topDecileText = Text.Probability(Cuts.TopDecileFrom);
        _bottomDecileText = Text.Probability(Cuts.BottomDecileBelow);
        _disqualifyText = Text.Probability(_funnel.Actions.DisqualifyBelow);
        _nurtureText = Text.Probability(_funnel.Actions.NurtureBelow);
        _knownStages = _funnel.KnownStages;
        _alreadyLast = $"Already at the last stage, {_stages[^1].Name}";
        _isBelowMin = _minProbabilityText.Select(t => $" is below {t}").ToArray();
        _setByHand = _stages.Select(st => $"{st.Name} is only set by hand").ToArray();
        _gatePrefix = _stages.Select((st, i) => i == 0 ? "" : $"gate {_stages[i - 1].Name}->{st.Name} not met: ").ToArray();
        _gatePrefixCapital = _gatePrefix.Select(g => g.Length == 0 ? g : char.ToUpperInvariant(g[0]) + g[1..]).ToArray();
        _meetsUpTo = _stages.Select(st => $"Meets the gates up to {st.Name}").ToArray();
        _gatesMetUpTo = _stages.Select(st => $"; gates met up to {st.Name}").ToArray();
        _nurtureAt = _stages.Select(st => $" is below the nurture floor {_nurtureText} at {st.Name}; ").ToArray();
        _icpNeeds = new string[FitNames.Length, RequirementNames.Length];
        for (var f = 0; f < FitNames.Length; f++)
            for (var r = 0; r < RequirementNames.Length; r++) _icpNeeds[f, r] = $"ICP {FitNames[f]} (needs {RequirementNames[r]})";
        _inTopDecile = $" is in the top decile (from {_topDecileText})";
        _inBottomDecile = $" is in the bottom decile (below {_bottomDecileText})";
        _bottomDecileFloor = $"in the bottom decile (below {_bottomDecileText})";
        _belowDisqualifyFloor = $"below the disqualify floor {_disqualifyText}";
    }

    public DecileCuts Cuts { get; }

    /// <summary>The probability a lead needs to enter each stage (0 for stages without a gate), after training resolved conversion rates.</summary>
    public IReadOnlyList<double> MinProbabilities => _minProbability;

    /// <summary>Advice for a lead whose stage is read from the funnel's stage column.</summary>
    public FunnelDecision Decide(ILeadValues lead, double probability) =>
        Decide(lead, probability, _funnel.StageColumn is { } column ? lead.Get(column) : null);

    /// <summary>Advice for a lead whose current stage value is given (null or empty: the first stage).</summary>
    public FunnelDecision Decide(ILeadValues lead, double probability, string? stageValue)
    {
        var icp = _rules.Icp?.Evaluate(lead);
        var reason = t_reason ??= new System.Text.StringBuilder(256);
        reason.Clear();
        var advice = Advise(lead, probability, stageValue, icp is null ? null : IcpOutcome.Of(icp), reason);
        return new FunnelDecision(advice.CurrentStage, advice.SuggestedStage, advice.Action, reason.ToString(), advice.Review, icp, stageValue);
    }

    /// <summary>
    /// As <see cref="Decide(ILeadValues, double)"/>, written rather than returned, for writing many leads without objects
    /// or strings per lead: the reason is appended to <paramref name="reason"/>, and with ICP rules the failed rules' reasons
    /// to <paramref name="failedText"/> (as <see cref="IcpResult.FailedText"/>).
    /// </summary>
    public FunnelAdvice Advise(ILeadValues lead, double probability, System.Text.StringBuilder reason, System.Text.StringBuilder failedText)
    {
        var icp = _rules.Icp?.Evaluate(lead, failedText);
        return Advise(lead, probability, _funnel.StageColumn is { } column ? lead.Get(column) : null, icp, reason);
    }

    private FunnelAdvice Advise(ILeadValues lead, double probability, string? stageValue, IcpOutcome? icp, System.Text.StringBuilder reason)
    {
        if (!_funnel.TryFind(stageValue, out var current))
        {
            reason.Append("Unknown stage '").Append(stageValue).Append("' (known: ").Append(_knownStages).Append(')');
            return new FunnelAdvice(null, null, LeadAction.Review, ReviewReason.UnknownStage, icp, stageValue);
        }

        var fit = icp?.Fit;
        var suggested = current;
        while (suggested + 1 < _stages.Length && Meets(suggested + 1, lead, probability, fit)) suggested++;
        var last = _stages.Length - 1;
        var next = suggested < last ? suggested + 1 : -1;

        // The reason is in the builder; the note on skipped ICP requirements closes it.
        FunnelAdvice Make(LeadAction action, ReviewReason review = ReviewReason.None, int stage = -1)
        {
            reason.Append(IcpSkippedNote(current, next));
            return new(_stages[current].Name, _stages[stage < 0 ? suggested : stage].Name, action, review, icp, stageValue);
        }

        if (current == last)
        {
            reason.Append(_alreadyLast);
            return Make(LeadAction.Hold);
        }

        if (fit == IcpFit.Fail && probability >= Cuts.TopDecileFrom)
        {
            reason.Append("Hidden gem: fails the ICP (").Append(icp!.Value.FirstFailed).Append(") but probability ").Append(Text.Probability(probability))
                .Append(_inTopDecile).Append(suggested > current ? _gatesMetUpTo[suggested] : "");
            return Make(LeadAction.Review, ReviewReason.HiddenGem);
        }
        if (fit == IcpFit.Pass && probability < Cuts.BottomDecileBelow)
        {
            reason.Append("Passes the ICP but probability ").Append(Text.Probability(probability, Cuts.BottomDecileBelow, _bottomDecileText)).Append(_inBottomDecile);
            return Make(LeadAction.Review, ReviewReason.IcpPassLowProbability, current);
        }

        if (icp is { FailedMustHave: true } && (probability < Cuts.BottomDecileBelow || probability < _funnel.Actions.DisqualifyBelow))
        {
            var bottom = probability < Cuts.BottomDecileBelow;
            reason.Append("Fails a must-have ICP rule (").Append(icp.Value.FirstMustHave).Append(") and probability ")
                .Append(bottom
                    ? Text.Probability(probability, Cuts.BottomDecileBelow, _bottomDecileText)
                    : Text.Probability(probability, _funnel.Actions.DisqualifyBelow, _disqualifyText))
                .Append(" is ").Append(bottom ? _bottomDecileFloor : _belowDisqualifyFloor);
            return Make(LeadAction.Disqualify, stage: current);
        }

        if (suggested > current)
        {
            reason.Append(_meetsUpTo[suggested]);
            if (next >= 0) AppendWhyNot(reason.Append("; ").Append(_gatePrefix[next]), next, lead, probability, fit);
            return Make(LeadAction.Promote);
        }

        // Here next >= 0: a lead at the last stage was held above, and one not promoted stays below the last.
        if (probability < _funnel.Actions.NurtureBelow && current <= _funnel.EarlyUntilIndex)
        {
            reason.Append("Probability ").Append(Text.Probability(probability, _funnel.Actions.NurtureBelow, _nurtureText)).Append(_nurtureAt[current])
                .Append(_gatePrefix[next]);
            AppendWhyNot(reason, next, lead, probability, fit);
            return Make(LeadAction.Nurture);
        }

        AppendWhyNot(reason.Append(_gatePrefixCapital[next]), next, lead, probability, fit);
        return Make(LeadAction.Hold);
    }

    private bool Meets(int stage, ILeadValues lead, double probability, IcpFit? fit)
    {
        if (_stages[stage].Gate is not { } gate || _unreachable[stage] is not null) return false;
        if (probability < _minProbability[stage]) return false;
        if (fit is { } f && !FitMeets(f, gate.Icp)) return false;
        foreach (var c in gate.Evidence)
            if (!c.IsMetBy(lead)) return false;
        if (gate.AnyEvidence.Count == 0) return true;
        foreach (var c in gate.AnyEvidence)
            if (c.IsMetBy(lead)) return true;
        return false;
    }

    /// <summary>Why a lead does not meet a stage's gate, its problems joined with commas ("met" when there are none).</summary>
    private void AppendWhyNot(System.Text.StringBuilder reason, int stage, ILeadValues lead, double probability, IcpFit? fit)
    {
        if (_stages[stage].Gate is not { } gate) { reason.Append(_setByHand[stage]); return; }
        if (_unreachable[stage] is { } unreachable) { reason.Append(unreachable); return; }
        var start = reason.Length;
        void Problem(string text)
        {
            if (reason.Length > start) reason.Append(", ");
            reason.Append(text);
        }
        if (probability < _minProbability[stage])
        {
            Problem("probability ");
            reason.Append(Text.Probability(probability, _minProbability[stage], _minProbabilityText[stage])).Append(_isBelowMin[stage]);
        }
        if (fit is { } f && !FitMeets(f, gate.Icp))
            Problem(_icpNeeds[(int)f, (int)gate.Icp]);
        foreach (var c in gate.Evidence)
            if (c.Explain(lead) is { } why) Problem(why);
        if (gate.AnyEvidence.Count > 0 && !AnyMet(gate.AnyEvidence, lead))
            Problem(_noneOfText[stage]);
        if (reason.Length == start) reason.Append("met");
    }

    private static bool AnyMet(IReadOnlyList<Condition> conditions, ILeadValues lead)
    {
        for (var i = 0; i < conditions.Count; i++)
            if (conditions[i].IsMetBy(lead)) return true;
        return false;
    }

    private static bool FitMeets(IcpFit fit, IcpRequirement requirement) => requirement switch
    {
        IcpRequirement.Pass => fit == IcpFit.Pass,
        IcpRequirement.Partial => fit != IcpFit.Fail,
        _ => true,
    };

    private string IcpSkippedNote(int from, int blockedAt)
    {
        if (_rules.Icp is not null) return "";
        var to = blockedAt >= 0 ? blockedAt : _stages.Length - 1;
        for (var i = from + 1; i <= to; i++)
            if (_stages[i].Gate is { Icp: not IcpRequirement.None }) return " (no ICP rules, so ICP requirements were skipped)";
        return "";
    }
}
