using LeadPredict.Core;

namespace LeadPredict.Rules;

public enum IcpFit { Pass, Partial, Fail }

/// <summary>One rule of the ideal customer profile.</summary>
public sealed record IcpRule(string Name, Condition Condition, double Weight = 1, bool MustHave = false)
{
    public override string ToString() => Name;
}

/// <summary>
/// How one lead compares with the ICP: its fit, its score (the weighted share of rules met), and the reasons of the first
/// failed rule and of the first failed must-have, which the funnel advice quotes. <see cref="Icp.Evaluate(ILeadValues, System.Text.StringBuilder)"/>
/// writes every failed rule's reason, joined by <see cref="FailedSeparator"/>: "Employees 12 is below 50; Job title is missing".
/// </summary>
public readonly record struct IcpResult(IcpFit Fit, double Score, string? FirstFailed, string? FirstMustHave)
{
    /// <summary>What separates the failed rules' reasons in the <c>icp_failed</c> text.</summary>
    public const string FailedSeparator = "; ";

    public bool FailedMustHave => FirstMustHave is not null;
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

    /// <summary>
    /// The fit and score, with the failed rules' reasons appended to <paramref name="failedText"/> (nothing when it passes):
    /// the one evaluation path, written rather than returned so that ranking many leads makes no objects per lead.
    /// </summary>
    public IcpResult Evaluate(ILeadValues lead, System.Text.StringBuilder failedText)
    {
        Span<bool> met = _rules.Length <= 64 ? stackalloc bool[_rules.Length] : new bool[_rules.Length];
        var fit = Check(lead, met, out var score);
        if (fit == IcpFit.Pass) return new IcpResult(fit, score, null, null);
        string? firstFailed = null, firstMustHave = null;
        // Explains only the rules that failed, without checking them again.
        for (var i = 0; i < _rules.Length; i++)
        {
            if (met[i]) continue;
            var reason = _rules[i].Condition.WhyNotMet(lead.Get(_rules[i].Condition.Column));
            if (firstFailed is null) firstFailed = reason;
            else failedText.Append(IcpResult.FailedSeparator);
            failedText.Append(reason);
            if (_rules[i].MustHave) firstMustHave ??= reason;
        }
        return new IcpResult(fit, score, firstFailed, firstMustHave);
    }

    /// <summary>As <see cref="Evaluate(ILeadValues, System.Text.StringBuilder)"/>, with the failed rules' reasons as a string.</summary>
    public IcpResult Evaluate(ILeadValues lead, out string failedText)
    {
        var text = new System.Text.StringBuilder();
        var result = Evaluate(lead, text);
        failedText = text.ToString();
        return result;
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
