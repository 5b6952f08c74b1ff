using LeadPredict.Core;
using LeadPredict.ML.Training;

namespace LeadPredict.ML;

/// <summary>
/// Permutation importance per original column: shuffle one column's values across the holdout leads and measure how much
/// the AUC drops, repeated with different shuffles for a spread. Shuffling the raw column (not its one-hot slots) keeps every
/// derived feature of that column consistent, so the figure belongs to the column a user knows.
/// </summary>
public static class PermutationImportance
{
    public static IReadOnlyList<ColumnImportance> Compute(LeadTable table, HoldoutSplit split, LeadFeaturizer featurizer,
        IProbabilityModel model, double baselineAuc, int repeats, int seed, CancellationToken ct, int maxRows = 20_000)
    {
        if (repeats < 1) return [];
        var rows = split.HoldoutRows;
        var labels = split.HoldoutLabels;
        if (rows.Length > maxRows)
        {
            var pick = Enumerable.Range(0, rows.Length).OrderBy(i => (uint)HashCode.Combine(i, seed)).Take(maxRows).Order().ToArray();
            rows = pick.Select(i => rows[i]).ToArray();
            labels = pick.Select(i => labels[i]).ToArray();
            baselineAuc = RankMetrics.Auc(model.ScoreAll(featurizer.FeaturizeRows(table, rows)), labels);
        }
        var subset = table.Select(rows);
        var all = Enumerable.Range(0, rows.Length).ToArray();
        var result = new List<ColumnImportance>();
        foreach (var column in featurizer.Columns)
        {
            ct.ThrowIfCancellationRequested();
            var index = subset.IndexOf(column.Name);
            var original = subset.Column(index);
            var drops = new List<double>();
            for (var r = 0; r < repeats; r++)
            {
                var shuffled = (string?[])original.Clone();
                new Random(seed + 31 * r + index).Shuffle(shuffled);
                var permuted = subset.WithColumn(index, shuffled);
                var auc = RankMetrics.Auc(model.ScoreAll(featurizer.FeaturizeRows(permuted, all)), labels);
                drops.Add(baselineAuc - auc);
            }
            var summary = Evaluation.FoldSummary.Of("AUC drop", drops);
            result.Add(new ColumnImportance(column.Name, summary.Mean, summary.StdDev));
        }
        return result.OrderByDescending(i => i.AucDrop).ToArray();
    }
}
