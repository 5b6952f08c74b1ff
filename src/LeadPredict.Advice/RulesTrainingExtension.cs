using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.Rules;

namespace LeadPredict.Advice;

/// <summary>
/// Brings the rules file into training: checks it against the data before any training (a rule naming a missing column
/// stops the run at once), backtests the ICP on the labelled history, and turns gates given as conversion rates into
/// probabilities on the holdout, stored with the model.
/// </summary>
public sealed class RulesTrainingExtension(string rulesPath) : ITrainingExtension
{
    private RuleSet? _rules;

    public IcpBacktestReport? Backtest { get; private set; }
    public GateThresholds Thresholds { get; private set; } = GateThresholds.None;

    public void Prepare(LeadTable table, ResolvedDataset data) =>
        _rules = RuleSet.Load(rulesPath, LeadTableRow.KindsOf(data.Profiles), LeadTableRow.NumberFormatsOf(data.Profiles));

    public ML.ILeadPrior? Prior(ResolvedDataset data, Action<string> warn)
    {
        if (_rules?.Icp is not { } icp) return null;
        var prior = IcpPrior.For(Path.GetFileName(rulesPath), icp, data.Schema.Features.Select(f => f.Name).ToArray(), out var problem);
        if (problem is not null) warn($"no cold start from the ICP: {problem}.");
        return prior;
    }

    public (string Name, string Json)? AfterEvaluation(TrainingContext context)
    {
        var rules = _rules ?? RuleSet.Load(rulesPath, LeadTableRow.KindsOf(context.Data.Profiles), LeadTableRow.NumberFormatsOf(context.Data.Profiles));
        if (rules.Icp is { } icp)
        {
            var backtest = new IcpBacktest(icp);
            var row = new LeadTableRow(context.Table);
            for (var i = 0; i < context.Data.LabelledRows.Length; i++)
            {
                row.Row = context.Data.LabelledRows[i];
                backtest.Add(row, context.Data.Labels[i]);
            }
            Backtest = backtest.Report();
        }
        Thresholds = GateThresholds.Resolve(rules.Funnel, context.HoldoutProbabilities, context.Split.HoldoutLabels);
        return (TrainedRules.Name, new TrainedRules(Path.GetFileName(rulesPath), Backtest, Thresholds).ToJson());
    }

    public void AfterSave(TrainingContext context, TrainingOutcome outcome) { }
}
