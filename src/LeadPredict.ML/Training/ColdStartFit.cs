using LeadPredict.Core;

namespace LeadPredict.ML.Training;

/// <summary>Fits the ICP prior of a small-history model (<see cref="ColdStartPrior"/>) and scores leads with it blended in.</summary>
internal static class ColdStartFit
{
    /// <summary>The rules each row meets (one row of 0/1 per table row), from the row's feature values.</summary>
    public static float[][] Met(LeadTable table, DatasetSchema schema, IReadOnlyList<int> rows, ILeadPrior rules)
    {
        var columns = schema.Features.Select(f => table.Column(f.Name)).ToArray();
        var values = new string?[columns.Length];
        var result = new float[rows.Count][];
        for (var i = 0; i < rows.Count; i++)
        {
            for (var c = 0; c < columns.Length; c++) values[c] = columns[c][rows[i]];
            rules.Evaluate(values, result[i] = new float[rules.Rules.Count]);
        }
        return result;
    }

    /// <summary>
    /// The prior <c>a + b × fit score</c> fitted on the rows (two parameters, stable on a small history); null with the reason
    /// when meeting more of the ICP does not raise conversion on this history (b ≤ 0).
    /// </summary>
    public static ColdStartPrior? Fit(float[][] met, bool[] labels, ILeadPrior rules, int evidence, out string? problem)
    {
        var weights = rules.Weights;
        var total = weights.Sum();
        var scores = met.Select(m => m.Select((v, r) => v * weights[r]).Sum() / total).ToArray();
        var (slope, offset) = Platt.Fit(scores, labels);
        if (!(slope > 0))
        {
            problem = "leads meeting more of the ICP did not convert more often in this history";
            return null;
        }
        problem = null;
        var coefficients = weights.Select(w => slope * w / total).ToArray();
        var means = Enumerable.Range(0, weights.Count).Select(r => met.Length == 0 ? 0 : met.Average(m => (double)m[r])).ToArray();
        return new ColdStartPrior
        {
            RulesFile = rules.Source, Rules = rules.Rules, Columns = rules.Columns, Coefficients = coefficients, Means = means,
            Intercept = offset + coefficients.Select((c, r) => c * means[r]).Sum(),
            PriorWeight = ColdStartPrior.WeightFor(evidence), Evidence = evidence,
        };
    }

    /// <summary>The probabilities of leads (features and rules met) with the prior blended in, as scoring with the rules gives them.</summary>
    public static double[] Score(FittedModel model, ColdStartPrior prior, float[][] features, float[][] met)
    {
        var compiled = new CompiledModel(model.Ensemble, model.Linear, model.Mix, model.Featurizer.Slots.Select(s => s.Column).ToArray(), prior, model.Featurizer.Length);
        var vector = new float[model.Featurizer.Length + prior.Rules.Count];
        var result = new double[features.Length];
        for (var i = 0; i < features.Length; i++)
        {
            features[i].CopyTo(vector, 0);
            met[i].CopyTo(vector, model.Featurizer.Length);
            result[i] = compiled.ScoreOne(vector);
        }
        return result;
    }
}
