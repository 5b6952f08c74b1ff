using LeadPredict.Core;

namespace LeadPredict.Rules;

/// <summary>What to do with a lead; <see cref="Stalled"/>: held or nurtured, but in its stage for far longer than is usual (the learned funnel).</summary>
public enum LeadAction { Promote, Hold, Nurture, Disqualify, Review, Stalled }

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
/// Its texts (the reason, the failed ICP rules) are written by <see cref="FunnelAdvisor.Advise"/> to builders;
/// <see cref="FunnelDecision"/> is the advice with its texts. <see cref="Progress"/> holds the learned funnel's numbers for the
/// lead at its stage, the ones its reason words (null without a stage history that knows the stage).
/// </summary>
public readonly record struct FunnelAdvice(
    string? CurrentStage,
    string? SuggestedStage,
    LeadAction Action,
    ReviewReason Review,
    IcpResult? Icp,
    string? StageValue,
    StageProgress? Progress = null)
{
    public bool IsPromotion => SuggestedStage is not null && !string.Equals(SuggestedStage, CurrentStage, StringComparison.Ordinal);
}

/// <summary>
/// The learned funnel's numbers for one lead at its stage, typed (the reason says them in words: "SQL -> Opportunity: 48% reach
/// Opportunity within 30 days (SQL average 37%); 5 days in SQL (median 23)").
/// </summary>
/// <param name="Stage">The lead's ladder stage.</param>
/// <param name="NextStage">The stage after it.</param>
/// <param name="HorizonDays">The promotion horizon the odds are over.</param>
/// <param name="Odds">P(reach <paramref name="NextStage"/> or later within <paramref name="HorizonDays"/> days), given the lead's days in the stage when known.</param>
/// <param name="AverageOdds">The same chance for a lead entering the stage: the stage's average.</param>
/// <param name="DaysInStage">The lead's days in its stage (null when unknown).</param>
/// <param name="MedianDays">The stage's median stay (null when the history cannot give it).</param>
/// <param name="StalledFromDays">The days in stage from which a lead is stalled (the learned funnel's factor times the median; null without a median).</param>
/// <param name="Stalled">In its stage for <paramref name="StalledFromDays"/> or longer (its action is <see cref="LeadAction.Stalled"/> unless it is promoted, reviewed or disqualified).</param>
public readonly record struct StageProgress(
    string Stage,
    string NextStage,
    int HorizonDays,
    double Odds,
    double AverageOdds,
    double? DaysInStage,
    double? MedianDays,
    double? StalledFromDays,
    bool Stalled);

/// <summary>A lead's <see cref="FunnelAdvice"/> with its reason and its failed ICP rules in words ("" when none).</summary>
public sealed record FunnelDecision(FunnelAdvice Advice, string Reason, string IcpFailed)
{
    public string? CurrentStage => Advice.CurrentStage;
    public string? SuggestedStage => Advice.SuggestedStage;
    public LeadAction Action => Advice.Action;
    public ReviewReason Review => Advice.Review;
    public IcpResult? Icp => Advice.Icp;
    public string? StageValue => Advice.StageValue;
    public StageProgress? Progress => Advice.Progress;
    public bool IsPromotion => Advice.IsPromotion;
}

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
    private readonly string[] _minProbabilityText, _noneOf;
    private readonly string?[] _unreachable;
    private readonly bool[] _learnedGate;
    private readonly FunnelReasons _reasons;
    private readonly FunnelHistoryNotes? _history;
    [ThreadStatic] private static System.Text.StringBuilder? _threadReason, _threadFailed;

    /// <param name="learned">The funnel learned from a stage history (null without one): its numbers go into the reasons, and a lead
    /// in its stage for far longer than usual is <see cref="LeadAction.Stalled"/> instead of held or nurtured.</param>
    /// <param name="learnedGates">The gates the model learned from its holdout: with the rules' <c>funnel.useLearnedGates</c>, each
    /// step that has one is gated by its probability alone (said in the reasons as "(learned gate)").</param>
    public FunnelAdvisor(RuleSet rules, DecileCuts? cuts = null, GateThresholds? thresholds = null, LearnedFunnel? learned = null, LearnedGates? learnedGates = null)
    {
        _rules = rules;
        _funnel = rules.Funnel;
        _stages = [.. _funnel.Stages];
        Cuts = cuts ?? DecileCuts.None;
        _minProbability = new double[_stages.Length];
        _unreachable = new string?[_stages.Length];
        var learnedGate = new bool[_stages.Length];
        // Gates are replaced before conversion-rate floors are resolved: a learned gate is a probability.
        if (_funnel.Actions.UseLearnedGates)
        {
            if (learnedGates is null)
                throw new LeadPredictException(
                    $"{Path.GetFileName(rules.Source)}: funnel.useLearnedGates is true, but the model has no learned gates (training learns them with --icp on data with a stage column); retrain so, or set it to false.");
            for (var i = 1; i < _stages.Length; i++)
                if (learnedGates.For(_stages[i].Name)?.MinProbability is { } p)
                {
                    _stages[i] = _stages[i] with { Gate = new StageGate { MinProbability = p } };
                    learnedGate[i] = true;
                }
        }
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
            else _unreachable[i] = FunnelReasons.NeverReached(rate);
        }
        // The texts that are the same for every lead are made once; a lead's reason is written into one builder per thread.
        _minProbabilityText = _minProbability.Select(p => Text.Probability(p)).ToArray();
        _learnedGate = learnedGate;
        _noneOf = _stages.Select(s => s.Gate is { AnyEvidence.Count: > 0 } g ? FunnelReasons.NoneOf(g.AnyEvidence) : "").ToArray();
        _reasons = new FunnelReasons(_funnel, Cuts);
        _history = learned is null ? null
            : new FunnelHistoryNotes(_funnel, learned with { StalledFactor = _funnel.Learning.StalledFactor ?? learned.StalledFactor });
    }

    public DecileCuts Cuts { get; }

    /// <summary>The probability a lead needs to enter each stage (0 for stages without a gate), after training resolved conversion rates.</summary>
    public IReadOnlyList<double> MinProbabilities => _minProbability;

    /// <summary>Advice for a lead whose stage is read from the funnel's stage column.</summary>
    public FunnelDecision Decide(ILeadValues lead, double probability)
    {
        var reason = _threadReason ??= new System.Text.StringBuilder(256);
        var failed = _threadFailed ??= new System.Text.StringBuilder(256);
        reason.Clear();
        failed.Clear();
        var advice = Advise(lead, probability, reason, failed);
        return new FunnelDecision(advice, reason.ToString(), failed.ToString());
    }

    /// <summary>Advice for a lead whose current stage value is given (null or empty: the first stage).</summary>
    public FunnelDecision Decide(ILeadValues lead, double probability, string? stageValue)
    {
        var reason = _threadReason ??= new System.Text.StringBuilder(256);
        var failed = _threadFailed ??= new System.Text.StringBuilder(256);
        reason.Clear();
        failed.Clear();
        var advice = Advise(lead, probability, stageValue, reason, failed);
        return new FunnelDecision(advice, reason.ToString(), failed.ToString());
    }

    /// <summary>
    /// As <see cref="Decide(ILeadValues, double)"/>, written rather than returned, for writing many leads without objects
    /// or strings per lead: the reason is appended to <paramref name="reason"/>, and with ICP rules the failed rules' reasons
    /// to <paramref name="failedText"/>.
    /// </summary>
    public FunnelAdvice Advise(ILeadValues lead, double probability, System.Text.StringBuilder reason, System.Text.StringBuilder failedText)
    {
        if (_funnel.StageColumn is { } column) return Advise(lead, probability, lead.Get(column), reason, failedText);
        if (_funnel.Actions.SuggestWithoutStage) return Advise(lead, probability, null, reason, failedText);
        return AdviseWithoutStage(lead, probability, reason, failedText);
    }

    /// <summary>No stage column and no request to suggest one: the stage is unknown, and the action rests on the ICP and the probability.</summary>
    private FunnelAdvice AdviseWithoutStage(ILeadValues lead, double probability, System.Text.StringBuilder reason, System.Text.StringBuilder failedText)
    {
        IcpResult? icp = _rules.Icp?.Evaluate(lead, failedText);
        var action = LeadAction.Hold;
        if (icp is { FailedMustHave: true } && (probability < Cuts.BottomDecileBelow || probability < _funnel.Actions.DisqualifyBelow))
        {
            _reasons.FailsMustHave(reason, icp.Value.FirstMustHave, probability, bottomDecile: probability < Cuts.BottomDecileBelow);
            reason.Append(FunnelReasons.ThenSeparator);
            action = LeadAction.Disqualify;
        }
        else if (probability < _funnel.Actions.NurtureBelow) action = LeadAction.Nurture;
        FunnelReasons.NoStageColumn(reason);
        return new FunnelAdvice(null, null, action, ReviewReason.None, icp, null);
    }

    /// <summary>The one decision path: which sentence applies, in order of precedence (the words are in <see cref="FunnelReasons"/>).</summary>
    private FunnelAdvice Advise(ILeadValues lead, double probability, string? stageValue, System.Text.StringBuilder reason, System.Text.StringBuilder failedText)
    {
        IcpResult? icp = _rules.Icp?.Evaluate(lead, failedText);
        if (!_funnel.TryFind(stageValue, out var current))
        {
            _reasons.UnknownStage(reason, stageValue);
            return new FunnelAdvice(null, null, LeadAction.Review, ReviewReason.UnknownStage, icp, stageValue);
        }

        var fit = icp?.Fit;
        var suggested = current;
        while (suggested + 1 < _stages.Length && Meets(suggested + 1, lead, probability, fit)) suggested++;
        var last = _stages.Length - 1;
        var next = suggested < last ? suggested + 1 : -1;

        // The reason is in the builder; the note on skipped ICP requirements follows, and the learned funnel's numbers close it.
        FunnelAdvice Make(LeadAction action, ReviewReason review = ReviewReason.None, int stage = -1)
        {
            if (IcpRequirementsSkipped(current, next)) FunnelReasons.IcpRequirementsSkipped(reason);
            StageProgress? progress = null;
            if (_history is { } history && history.Knows(current))
            {
                var numbers = history.Progress(current, DaysInStage(lead, history));
                reason.Append(FunnelReasons.ThenSeparator);
                history.Write(reason, current, numbers);
                if (action is LeadAction.Hold or LeadAction.Nurture && numbers.Stalled) action = LeadAction.Stalled;
                progress = numbers;
            }
            return new(_stages[current].Name, _stages[stage < 0 ? suggested : stage].Name, action, review, icp, stageValue, progress);
        }

        if (current == last)
        {
            FunnelReasons.AlreadyAtLastStage(reason, _stages[last].Name);
            return Make(LeadAction.Hold);
        }

        if (fit == IcpFit.Fail && probability >= Cuts.TopDecileFrom)
        {
            _reasons.HiddenGem(reason, icp!.Value.FirstFailed, probability, suggested > current ? _stages[suggested].Name : null);
            return Make(LeadAction.Review, ReviewReason.HiddenGem);
        }
        if (fit == IcpFit.Pass && probability < Cuts.BottomDecileBelow)
        {
            _reasons.IcpPassLowProbability(reason, probability);
            return Make(LeadAction.Review, ReviewReason.IcpPassLowProbability, current);
        }

        if (icp is { FailedMustHave: true } && (probability < Cuts.BottomDecileBelow || probability < _funnel.Actions.DisqualifyBelow))
        {
            _reasons.FailsMustHave(reason, icp.Value.FirstMustHave, probability, bottomDecile: probability < Cuts.BottomDecileBelow);
            return Make(LeadAction.Disqualify, stage: current);
        }

        if (suggested > current)
        {
            FunnelReasons.MeetsGatesUpTo(reason, _stages[suggested].Name);
            if (_learnedGate[suggested]) reason.Append(FunnelReasons.LearnedGate);
            if (next >= 0) WhyNot(reason.Append(FunnelReasons.ThenSeparator), next, lead, probability, fit, opensReason: false);
            return Make(LeadAction.Promote);
        }

        // Here next >= 0: a lead at the last stage was held above, and one not promoted stays below the last.
        if (probability < _funnel.Actions.NurtureBelow && current <= _funnel.EarlyUntilIndex)
        {
            _reasons.BelowNurtureFloor(reason, probability, _stages[current].Name);
            WhyNot(reason, next, lead, probability, fit, opensReason: false);
            return Make(LeadAction.Nurture);
        }

        WhyNot(reason, next, lead, probability, fit, opensReason: true);
        return Make(LeadAction.Hold);
    }

    private static double DaysInStage(ILeadValues lead, FunnelHistoryNotes history) =>
        history.DaysInStageColumn is { } column && lead.Get(column) is { } text && Values.TryParseNumber(text, out var days) ? days : double.NaN;

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

    /// <summary>"gate SAL->SQL not met: " and why the lead does not meet the stage's gate, its problems joined with commas.</summary>
    private void WhyNot(System.Text.StringBuilder reason, int stage, ILeadValues lead, double probability, IcpFit? fit, bool opensReason)
    {
        if (stage > 0) FunnelReasons.GateNotMet(reason, _stages[stage - 1].Name, _stages[stage].Name, opensReason);
        if (_stages[stage].Gate is not { } gate) { FunnelReasons.SetByHand(reason, _stages[stage].Name); return; }
        if (_unreachable[stage] is { } unreachable) { reason.Append(unreachable); return; }
        var start = reason.Length;
        void Next()
        {
            if (reason.Length > start) reason.Append(FunnelReasons.ProblemSeparator);
        }
        if (probability < _minProbability[stage])
        {
            Next();
            FunnelReasons.BelowMinProbability(reason, probability, _minProbability[stage], _minProbabilityText[stage]);
            if (_learnedGate[stage]) reason.Append(FunnelReasons.LearnedGate);
        }
        if (fit is { } f && !FitMeets(f, gate.Icp))
        {
            Next();
            FunnelReasons.IcpNeeds(reason, f, gate.Icp);
        }
        foreach (var c in gate.Evidence)
            if (c.Explain(lead) is { } why) { Next(); reason.Append(why); }
        if (gate.AnyEvidence.Count > 0 && !AnyMet(gate.AnyEvidence, lead)) { Next(); reason.Append(_noneOf[stage]); }
        if (reason.Length == start) FunnelReasons.GateMet(reason);
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

    /// <summary>Whether a gate between the lead's stage and the one blocking it needs the ICP while there are no ICP rules.</summary>
    private bool IcpRequirementsSkipped(int from, int blockedAt)
    {
        if (_rules.Icp is not null) return false;
        var to = blockedAt >= 0 ? blockedAt : _stages.Length - 1;
        for (var i = from + 1; i <= to; i++)
            if (_stages[i].Gate is { Icp: not IcpRequirement.None }) return true;
        return false;
    }
}
