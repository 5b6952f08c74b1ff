using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.Rules;

namespace LeadPredict.Advice;

/// <summary>
/// The ICP's rules as the cold-start prior of a small-history model (<see cref="ColdStartPrior"/>): which rules a lead meets,
/// from the model's feature values. Every rule must read a feature column, since those are the values scoring has.
/// </summary>
public sealed class IcpPrior : ILeadPrior
{
    private readonly IcpRule[] _rules;
    private readonly IReadOnlyList<string> _columns;
    private readonly ThreadLocal<FeatureLead> _lead;

    private IcpPrior(string source, Icp icp, IReadOnlyList<string> featureColumns, int[] columns)
    {
        Source = source;
        _rules = icp.Rules.ToArray();
        _columns = featureColumns;
        Columns = columns;
        _lead = new(() => new FeatureLead(_columns));
    }

    public string Source { get; }
    public IReadOnlyList<string> Rules => _rules.Select(r => r.Name).ToArray();
    public IReadOnlyList<double> Weights => _rules.Select(r => r.Weight).ToArray();
    public IReadOnlyList<int> Columns { get; }

    /// <summary>The prior for a model with these feature columns, or null with the reason when a rule reads another column.</summary>
    public static IcpPrior? For(string source, Icp icp, IReadOnlyList<string> featureColumns, out string? problem)
    {
        var columns = new int[icp.Rules.Count];
        for (var r = 0; r < columns.Length; r++)
        {
            var column = icp.Rules[r].Condition.Column;
            columns[r] = featureColumns.ToList().FindIndex(c => string.Equals(c, column, StringComparison.OrdinalIgnoreCase));
            if (columns[r] < 0)
            {
                problem = $"ICP rule '{icp.Rules[r].Name}' reads '{column}', which is not one of the model's feature columns";
                return null;
            }
        }
        problem = null;
        return new IcpPrior(source, icp, featureColumns, columns);
    }

    /// <summary>
    /// The prior a small-history model needs from the rules file it is scored with (null when the model has no cold start or
    /// no rules file is given). The file must hold the ICP the model was trained with.
    /// </summary>
    public static IcpPrior? ForModel(ModelBundle model, string? rulesPath)
    {
        if (model.ColdStart is not { } coldStart || rulesPath is null) return null;
        var kinds = model.Report.Columns.ToDictionary(c => c.Name, c => c.Kind, StringComparer.OrdinalIgnoreCase);
        var rules = RuleSet.Load(rulesPath, kinds);
        if (rules.Icp is not { } icp)
            throw new LeadPredictException($"{Path.GetFileName(rulesPath)} has no ICP, but model {model.Card.Version} blends in the ICP of {coldStart.RulesFile} (cold start); score with that file.");
        var features = model.Featurizer.Columns.Select(c => c.Name).ToArray();
        return For(Path.GetFileName(rulesPath), icp, features, out var problem)
            ?? throw new LeadPredictException($"{Path.GetFileName(rulesPath)}: {problem}, but model {model.Card.Version} blends its ICP in from the features (cold start); score with {coldStart.RulesFile}.");
    }

    public void Evaluate(ReadOnlySpan<string?> values, Span<float> met)
    {
        var lead = _lead.Value!;
        values.CopyTo(lead.Values);
        for (var r = 0; r < _rules.Length; r++) met[r] = _rules[r].Condition.IsMetBy(lead) ? 1 : 0;
    }

    /// <summary>A lead's feature values by column name, reused by one thread.</summary>
    private sealed class FeatureLead(IReadOnlyList<string> columns) : ILeadValues
    {
        private readonly Dictionary<string, int> _index = columns.Select((c, i) => (c, i))
            .ToDictionary(p => p.c, p => p.i, StringComparer.OrdinalIgnoreCase);

        public readonly string?[] Values = new string?[columns.Count];

        public string? Get(string column) => _index.TryGetValue(column, out var i) ? Values[i] : null;
    }
}
