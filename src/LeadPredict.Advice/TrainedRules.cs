using System.Text.Json;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.Rules;

namespace LeadPredict.Advice;

/// <summary>
/// What training stores about the rules, once, as the "funnel" section of the training report (so in the model file's
/// report and in <c>&lt;model&gt;.metrics.json</c>): the rules file's name, the ICP backtest and the gate thresholds.
/// </summary>
public sealed record TrainedRules(string RulesFile, IcpBacktestReport? Backtest, GateThresholds Thresholds)
{
    /// <summary>The gates learned from the holdout next to the rules' own, with their backtests (null without a stage column).</summary>
    public LearnedGates? LearnedGates { get; init; }

    public const string Name = "funnel";

    public string ToJson() => JsonSerializer.Serialize(this, DatasetConfig.Json);

    /// <summary>The funnel document of a training report; null when the model was trained without a rules file.</summary>
    public static TrainedRules? From(TrainingReport report) =>
        report.Extensions.TryGetValue(Name, out var json) ? json.Deserialize<TrainedRules>(DatasetConfig.Json) : null;
}
