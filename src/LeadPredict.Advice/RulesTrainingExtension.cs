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
        Gates = LearnGates(rules, context, Thresholds);
        return (TrainedRules.Name, new TrainedRules(Path.GetFileName(rulesPath), Backtest, Thresholds) { LearnedGates = Gates }.ToJson());
    }

    public LearnedGates? Gates { get; private set; }

    /// <summary>
    /// Gates learned on the holdout (each example's stage from the rules' stage column), backtested against following the rules'
    /// own gates as the advisor does; null without a stage column.
    /// </summary>
    private static LearnedGates? LearnGates(RuleSet rules, TrainingContext context, GateThresholds thresholds)
    {
        if (rules.Funnel.StageColumn is not { } stageColumn || !context.Table.HasColumn(stageColumn)) return null;
        var rows = context.Split.HoldoutRows;
        var stageValues = context.Table.Column(stageColumn);
        var ids = context.Request.Config.Id is { } id && context.Table.HasColumn(id) ? context.Table.Column(id) : null;
        var advisor = new FunnelAdvisor(rules, null, thresholds);
        var lead = new LeadTableRow(context.Table);
        var stage = new int[rows.Length];
        var promotes = new bool[rows.Length];
        var half = new int[rows.Length];
        for (var k = 0; k < rows.Length; k++)
        {
            var value = stageValues[rows[k]];
            stage[k] = !string.IsNullOrWhiteSpace(value) && rules.Funnel.TryFind(value, out var index) ? index : -1;
            lead.Row = rows[k];
            promotes[k] = stage[k] >= 0 && advisor.Decide(lead, context.HoldoutProbabilities[k]).IsPromotion;
            half[k] = ids is null ? k % 2 : LearnedGates.HalfOf(ids[rows[k]]);
        }
        return LearnedGates.Learn(rules.Funnel, stage, context.HoldoutProbabilities, context.Split.HoldoutLabels, promotes, half);
    }

    public void AfterSave(TrainingContext context, TrainingOutcome outcome) { }
}
