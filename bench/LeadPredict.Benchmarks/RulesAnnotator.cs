using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;
using LeadPredict.Rules;

namespace LeadPredict.Benchmarks;

/// <summary>
/// The ICP check and the stage suggestion as ranked-output columns (icp_fit, suggested_stage, action), so the benchmark
/// pays for the same per-lead work as the score command with a rules file. Stands in for the command line's own annotator
/// so the benchmark does not depend on how the command wires it.
/// </summary>
public sealed class RulesAnnotator(RuleSet rules, DecileCuts cuts, IReadOnlyList<string> missingTokens) : IScoreAnnotator
{
    public static RulesAnnotator For(ModelBundle bundle, string rulesPath)
    {
        var kinds = bundle.Schema.Features.ToDictionary(f => f.Name, f => f.Kind, StringComparer.OrdinalIgnoreCase);
        var rules = RuleSet.Load(rulesPath, kinds);
        var cuts = bundle.Report.HoldoutProbabilities.Count > 0 ? DecileCuts.FromHoldout(bundle.Report.HoldoutProbabilities.ToArray()) : DecileCuts.None;
        return new RulesAnnotator(rules, cuts, bundle.Schema.MissingTokens);
    }

    public IReadOnlyList<string> Headers { get; } = ["icp_fit", "suggested_stage", "action"];

    public IRowAnnotator Bind(IReadOnlyList<string> header, string source)
    {
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Count; i++) index[header[i]] = i;
        return new Row(new FunnelAdvisor(rules, cuts), index, new MissingTokens(missingTokens));
    }

    private sealed class Row(FunnelAdvisor advisor, Dictionary<string, int> index, MissingTokens missing) : IRowAnnotator
    {
        private readonly int[] _actions = new int[Enum.GetValues<LeadAction>().Length];

        public void Annotate(IReadOnlyList<string> fields, double probability, Span<string> destination)
        {
            var decision = advisor.Decide(new Fields(fields, index, missing), probability);
            destination[0] = decision.Icp is { } icp ? icp.Fit.ToString().ToLowerInvariant() : "";
            destination[1] = decision.SuggestedStage ?? "";
            destination[2] = decision.Action.ToString().ToLowerInvariant();
            Interlocked.Increment(ref _actions[(int)decision.Action]);
        }

        public IReadOnlyList<(string Title, IReadOnlyList<(string Key, int Count)> Counts)> Summary() =>
            [("Actions", Enum.GetValues<LeadAction>().Select(a => (a.ToString().ToLowerInvariant(), _actions[(int)a])).ToArray())];
    }

    private sealed class Fields(IReadOnlyList<string> fields, Dictionary<string, int> index, MissingTokens missing) : ILeadValues
    {
        public string? Get(string column) => index.TryGetValue(column, out var i) ? missing.Normalize(fields[i]) : null;
    }
}
