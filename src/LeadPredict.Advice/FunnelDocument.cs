using System.Text.Json;
using LeadPredict.Core;
using LeadPredict.Rules;

namespace LeadPredict.Advice;

/// <summary>What training stores about the rules inside the model and its metrics JSON (under "funnel").</summary>
public sealed record FunnelDocument(string RulesFile, BacktestSummary? Backtest, GateThresholds Thresholds)
{
    public const string Name = "funnel";

    public string ToJson() => JsonSerializer.Serialize(this, DatasetConfig.Json);

    public static FunnelDocument? From(IReadOnlyDictionary<string, string> extras) =>
        extras.TryGetValue(Name, out var json) ? JsonSerializer.Deserialize<FunnelDocument>(json, DatasetConfig.Json) : null;
}

public sealed record RateSummary(int Leads, int Converted, double Rate)
{
    public static RateSummary Of(ConversionCount c) => new(c.Leads, c.Converted, c.Leads == 0 ? 0 : c.Rate);
}

public sealed record RuleBacktestSummary(string Rule, string Column, string Condition, double Weight, bool MustHave,
    RateSummary Met, RateSummary NotMet, double Lift, bool NoLift, string Verdict);

/// <summary>The ICP backtest on labelled history, in plain serialisable form.</summary>
public sealed record BacktestSummary(IReadOnlyList<RuleBacktestSummary> Rules, RateSummary Pass, RateSummary Partial, RateSummary Fail, RateSummary All)
{
    public static BacktestSummary From(IcpBacktestReport r) => new(
        r.Rules.Select(b => new RuleBacktestSummary(b.Rule.Name, b.Rule.Condition.Column, b.Rule.Condition.Description, b.Rule.Weight, b.Rule.MustHave,
            RateSummary.Of(b.Met), RateSummary.Of(b.NotMet), b.Lift, b.NoLift, b.Verdict)).ToArray(),
        RateSummary.Of(r.Pass), RateSummary.Of(r.Partial), RateSummary.Of(r.Fail), RateSummary.Of(r.All));
}
