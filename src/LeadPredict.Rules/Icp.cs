using LeadPredict.Core;

namespace LeadPredict.Rules;

public enum IcpFit { Pass, Partial, Fail }

/// <summary>One rule of the ideal customer profile.</summary>
public sealed record IcpRule(string Name, Condition Condition, double Weight = 1, bool MustHave = false)
{
    public override string ToString() => Name;
}

/// <summary>A rule a lead did not meet, and why, in words.</summary>
public sealed record FailedRule(IcpRule Rule, string Reason);

/// <summary>How one lead compares with the ICP.</summary>
public sealed record IcpResult(IcpFit Fit, double Score, IReadOnlyList<FailedRule> Failed)
{
    /// <summary>What separates the failed rules in <see cref="FailedText"/>.</summary>
    public const string FailedSeparator = "; ";

    /// <summary>The failed rules in one line: "Employees 12 is below 50; Job title is missing".</summary>
    public string FailedText
    {
        get
        {
            if (Failed.Count == 0) return "";
            if (Failed.Count == 1) return Failed[0].Reason;
            var reasons = new string[Failed.Count];
            for (var i = 0; i < reasons.Length; i++) reasons[i] = Failed[i].Reason;
            return string.Join(FailedSeparator, reasons);
        }
    }

    public bool FailedMustHave
    {
        get
        {
            for (var i = 0; i < Failed.Count; i++)
                if (Failed[i].Rule.MustHave) return true;
            return false;
        }
    }
}

/// <summary>
/// How one lead compares with the ICP, without the list of failed rules: the first failed rule's reason and the first
/// failed must-have's, which is what the funnel advice quotes.
/// </summary>
public readonly record struct IcpOutcome(IcpFit Fit, double Score, string? FirstFailed, string? FirstMustHave)
{
    public bool FailedMustHave => FirstMustHave is not null;

    public static IcpOutcome Of(IcpResult result)
    {
        string? mustHave = null;
        foreach (var f in result.Failed)
            if (f.Rule.MustHave) { mustHave = f.Reason; break; }
        return new IcpOutcome(result.Fit, result.Score, result.Failed.Count > 0 ? result.Failed[0].Reason : null, mustHave);
    }
}

/// <summary>
/// The ideal customer profile: a must-have failed means <c>fail</c>; every rule met means <c>pass</c>;
/// otherwise <c>partial</c>, unless the fit score (weighted share of rules met) is below <see cref="FailBelow"/>.
/// </summary>
public sealed class Icp
{
    private readonly IcpRule[] _rules;
    private readonly double _totalWeight;

    public Icp(IReadOnlyList<IcpRule> rules, double failBelow = 0)
    {
        if (rules.Count == 0) throw new LeadPredictException("the ICP has no rules.");
        if (failBelow is < 0 or > 1) throw new LeadPredictException($"icpFailBelow must be between 0 and 1 (was {Text.Number(failBelow)}).");
        foreach (var r in rules)
            if (!(r.Weight > 0) || !double.IsFinite(r.Weight))
                throw new LeadPredictException($"ICP rule '{r.Name}' has weight {Text.Number(r.Weight)}; weights must be positive numbers.");
        _rules = rules.ToArray();
        _totalWeight = _rules.Sum(r => r.Weight);
        FailBelow = failBelow;
    }

    public IReadOnlyList<IcpRule> Rules => _rules;
    public double FailBelow { get; }

    /// <summary>The fit and score only; allocates nothing (for backtests over many leads).</summary>
    public IcpFit FitOf(ILeadValues lead, out double score) =>
        Check(lead, _rules.Length <= 64 ? stackalloc bool[_rules.Length] : new bool[_rules.Length], out score);

    /// <summary>The fit, score and the failed rules in words.</summary>
    public IcpResult Evaluate(ILeadValues lead)
    {
        Span<bool> met = _rules.Length <= 64 ? stackalloc bool[_rules.Length] : new bool[_rules.Length];
        var fit = Check(lead, met, out var score);
        if (fit == IcpFit.Pass) return new IcpResult(fit, score, []);
        // Explains only the rules that failed, without checking them again.
        var failed = new List<FailedRule>(2);
        for (var i = 0; i < _rules.Length; i++)
            if (!met[i]) failed.Add(new FailedRule(_rules[i], _rules[i].Condition.WhyNotMet(lead.Get(_rules[i].Condition.Column))));
        return new IcpResult(fit, score, failed);
    }

    /// <summary>
    /// As <see cref="Evaluate"/> without building a result: the failed rules' reasons are appended to
    /// <paramref name="failedText"/> as <see cref="IcpResult.FailedText"/> words them, for writing many leads without
    /// objects or strings per lead.
    /// </summary>
    public IcpOutcome Evaluate(ILeadValues lead, System.Text.StringBuilder failedText)
    {
        Span<bool> met = _rules.Length <= 64 ? stackalloc bool[_rules.Length] : new bool[_rules.Length];
        var fit = Check(lead, met, out var score);
        string? firstFailed = null, firstMustHave = null;
        if (fit == IcpFit.Pass) return new IcpOutcome(fit, score, null, null);
        for (var i = 0; i < _rules.Length; i++)
        {
            if (met[i]) continue;
            var reason = _rules[i].Condition.WhyNotMet(lead.Get(_rules[i].Condition.Column));
            if (firstFailed is null) firstFailed = reason;
            else failedText.Append(IcpResult.FailedSeparator);
            failedText.Append(reason);
            if (_rules[i].MustHave) firstMustHave ??= reason;
        }
        return new IcpOutcome(fit, score, firstFailed, firstMustHave);
    }

    private IcpFit Check(ILeadValues lead, Span<bool> met, out double score)
    {
        double sum = 0;
        bool allMet = true, mustHaveFailed = false;
        for (var i = 0; i < _rules.Length; i++)
        {
            var rule = _rules[i];
            met[i] = rule.Condition.IsMetBy(lead);
            if (met[i]) sum += rule.Weight;
            else
            {
                allMet = false;
                if (rule.MustHave) mustHaveFailed = true;
            }
        }
        score = sum / _totalWeight;
        return mustHaveFailed ? IcpFit.Fail : allMet ? IcpFit.Pass : score < FailBelow ? IcpFit.Fail : IcpFit.Partial;
    }
}
