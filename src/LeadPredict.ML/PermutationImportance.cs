using LeadPredict.Core;
using LeadPredict.ML.Training;

namespace LeadPredict.ML;

/// <summary>How the importances in a report were measured, in words the report and the CLI show.</summary>
/// <param name="Method"><see cref="PermutationImportance.Permutation"/> or <see cref="PermutationImportance.Contributions"/>.</param>
/// <param name="Rows">Holdout leads the figures were measured on (a sample when fewer than the holdout).</param>
/// <param name="Repeats">Shuffles per column (permutation only).</param>
/// <param name="UnusedColumns">Columns the model never reads: their importance is exactly 0 without being measured.</param>
public sealed record ImportanceBasis(string Method, int Rows, int HoldoutRows, int Repeats, int UnusedColumns, string Description);

/// <summary>
/// Importance per original column, on the holdout.
/// <para>
/// Permutation (the default): shuffle one column's values across the holdout leads and measure how much the AUC drops,
/// repeated with different shuffles for a spread. Shuffling the raw column (not its one-hot slots) keeps every derived
/// feature of that column consistent, so the figure belongs to the column a user knows. Every slot comes from one column
/// (<see cref="LeadFeaturizer"/>), so shuffling a column's values is shuffling its slots: the leads are featurized once and
/// each shuffle moves that column's slots only, then the compiled model scores the batch. A column the model never reads
/// scores the same however it is shuffled, so its drop is exactly 0 and is not measured. The result is the same, bit for bit,
/// as re-featurizing a shuffled table (<see cref="Reference"/>; a test compares them).
/// </para>
/// <para>
/// When that would cost more than <see cref="Budget"/> (wide files: thousands of columns the model reads, each scored
/// <c>repeats</c> times), first fewer leads are used (down to <see cref="MinRows"/>), then the columns are ranked by their mean
/// absolute exact contribution to the log-odds on a sample instead (one pass, whatever the width), and the basis says so.
/// </para>
/// </summary>
public static class PermutationImportance
{
    public const string Permutation = "permutation";
    public const string Contributions = "contributions";
    public const int MaxRows = 20_000;
    public const int MinRows = 2_000;

    /// <summary>The most work the permutations may take, in estimated single-core seconds (<see cref="EstimatedSeconds"/>).</summary>
    public const double Budget = 8;

    /// <summary>The importances and how they were measured; none (and a null basis) when <paramref name="repeats"/> is 0.</summary>
    internal static (IReadOnlyList<ColumnImportance> Importance, ImportanceBasis? Basis) Compute(LeadTable table, int[] holdoutRows, bool[] holdoutLabels,
        LeadFeaturizer featurizer, CompiledModel model, int repeats, int seed, CancellationToken ct, double budget = Budget)
    {
        if (repeats < 1) return ([], null);
        var used = UsedColumns(model, featurizer);
        var unused = used.Count(u => !u);
        var usedCount = used.Length - unused;
        var perRow = model.CostPerLead;
        var rows = Math.Min(holdoutRows.Length, MaxRows);
        double Cost(int n) => EstimatedSeconds((long)usedCount * repeats * n, perRow);
        if (Cost(rows) > budget)
            rows = Math.Min(rows, Math.Max(MinRows, (int)(budget / Math.Max(1e-12, Cost(1)))));
        var contributions = Cost(rows) > budget;
        if (contributions) rows = Math.Min(holdoutRows.Length, MaxRows);
        var (sample, labels) = Sample(holdoutRows, holdoutLabels, rows, seed);
        var sampled = sample.Length < holdoutRows.Length ? $"a sample of {sample.Length:N0} of the {holdoutRows.Length:N0} holdout leads" : $"the {sample.Length:N0} holdout leads";
        var unusedText = unused == 0 ? "" : $"; {unused:N0} column(s) the model never reads count 0";
        if (contributions)
        {
            var why = $"shuffling each of the {usedCount:N0} columns it reads {repeats} times would take about {Cost(rows):0} s on {rows:N0} leads";
            return (ByContribution(table, sample, featurizer, model, ct),
                new ImportanceBasis(Contributions, sample.Length, holdoutRows.Length, 0, unused,
                    $"mean absolute contribution to the log-odds on {sampled} (exact per-column contributions; {why}){unusedText}"));
        }
        var importance = ByPermutation(table, sample, labels, featurizer, model, used, repeats, seed, ct);
        return (importance, new ImportanceBasis(Permutation, sample.Length, holdoutRows.Length, repeats, unused,
            $"holdout AUC drop when a column's values are shuffled, mean ± standard deviation of {repeats} shuffle(s), on {sampled}{unusedText}"));
    }

    /// <summary>Estimated single-core seconds for scoring <paramref name="leads"/> leads at <paramref name="costPerLead"/> (see <see cref="CompiledModel.CostPerLead"/>).</summary>
    internal static double EstimatedSeconds(long leads, double costPerLead) => leads * costPerLead * 1e-9;

    /// <summary>A reproducible sample of at most <paramref name="max"/> rows, kept in holdout order.</summary>
    internal static (int[] Rows, bool[] Labels) Sample(int[] rows, bool[] labels, int max, int seed)
    {
        if (rows.Length <= max) return (rows, labels);
        var order = Enumerable.Range(0, rows.Length).ToArray();
        new Random(seed).Shuffle(order);
        var pick = order[..max];
        Array.Sort(pick);
        return (pick.Select(i => rows[i]).ToArray(), pick.Select(i => labels[i]).ToArray());
    }

    /// <summary>Which original columns the model reads: a tree splits on one of their slots, or a linear term weighs one.</summary>
    internal static bool[] UsedColumns(CompiledModel model, LeadFeaturizer featurizer)
    {
        var used = new bool[featurizer.Columns.Count];
        foreach (var slot in model.SlotsRead()) used[featurizer.Slots[slot].Column] = true;
        return used;
    }

    internal static IReadOnlyList<ColumnImportance> ByPermutation(LeadTable table, int[] rows, bool[] labels, LeadFeaturizer featurizer,
        CompiledModel model, bool[] used, int repeats, int seed, CancellationToken ct)
    {
        var width = featurizer.Length;
        var n = rows.Length;
        var x = Flat(featurizer.FeaturizeRows(table, rows), width);
        var probabilities = new double[n];
        ScoreAll(model, x, width, probabilities);
        var baselineAuc = RankMetrics.Auc(probabilities, labels);
        var starts = new int[featurizer.Columns.Count + 1];
        foreach (var slot in featurizer.Slots) starts[slot.Column + 1]++;
        for (var c = 0; c < featurizer.Columns.Count; c++) starts[c + 1] += starts[c];
        var result = new List<ColumnImportance>();
        var saved = Array.Empty<float>();
        var permutation = new int[n];
        for (var c = 0; c < featurizer.Columns.Count; c++)
        {
            ct.ThrowIfCancellationRequested();
            var column = featurizer.Columns[c];
            if (!used[c])
            {
                result.Add(new ColumnImportance(column.Name, 0, 0));
                continue;
            }
            // The reference shuffles the column of a table whose columns are the file's; the same Random gives the same order.
            var index = table.IndexOf(column.Name);
            var (start, span) = (starts[c], starts[c + 1] - starts[c]);
            if (saved.Length < n * span) saved = new float[n * span];
            for (var i = 0; i < n; i++) x.AsSpan(i * width + start, span).CopyTo(saved.AsSpan(i * span, span));
            var drops = new List<double>();
            for (var r = 0; r < repeats; r++)
            {
                for (var i = 0; i < n; i++) permutation[i] = i;
                new Random(seed + 31 * r + index).Shuffle(permutation);
                for (var i = 0; i < n; i++) saved.AsSpan(permutation[i] * span, span).CopyTo(x.AsSpan(i * width + start, span));
                ScoreAll(model, x, width, probabilities);
                drops.Add(baselineAuc - RankMetrics.Auc(probabilities, labels));
            }
            for (var i = 0; i < n; i++) saved.AsSpan(i * span, span).CopyTo(x.AsSpan(i * width + start, span));
            var summary = Evaluation.FoldSummary.Of("AUC drop", drops);
            result.Add(new ColumnImportance(column.Name, summary.Mean, summary.StdDev));
        }
        return result.OrderByDescending(i => i.AucDrop).ToArray();
    }

    internal static IReadOnlyList<ColumnImportance> ByContribution(LeadTable table, int[] rows, LeadFeaturizer featurizer, CompiledModel model, CancellationToken ct)
    {
        var width = featurizer.Length;
        var columns = featurizer.Columns.Count;
        var sums = new double[columns];
        const int Block = 256;
        var blocks = (rows.Length + Block - 1) / Block;
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = ct }, () => new double[columns], (b, _, local) =>
        {
            var part = rows.AsSpan(b * Block, Math.Min(Block, rows.Length - b * Block)).ToArray();
            var x = Flat(featurizer.FeaturizeRows(table, part), width);
            var contributions = new float[part.Length * model.Stride];
            model.Score(x, width, new double[part.Length], contributions);
            for (var i = 0; i < part.Length; i++)
                for (var c = 0; c < columns; c++) local[c] += Math.Abs(contributions[i * model.Stride + c]);
            return local;
        }, local => { lock (sums) for (var c = 0; c < columns; c++) sums[c] += local[c]; });
        return Enumerable.Range(0, columns)
            .Select(c => new ColumnImportance(featurizer.Columns[c].Name, 0, 0) { Contribution = sums[c] / Math.Max(1, rows.Length) })
            .OrderByDescending(i => i.Contribution).ToArray();
    }

    private static float[] Flat(float[][] rows, int width)
    {
        var x = new float[rows.Length * width];
        for (var i = 0; i < rows.Length; i++) rows[i].CopyTo(x, i * width);
        return x;
    }

    /// <summary>The compiled model's batch scoring over blocks of leads on every core (bit for bit its one-lead scores).</summary>
    private static void ScoreAll(CompiledModel model, float[] x, int width, double[] probabilities)
    {
        const int Block = 1024;
        var blocks = (probabilities.Length + Block - 1) / Block;
        Parallel.For(0, blocks, b =>
        {
            var count = Math.Min(Block, probabilities.Length - b * Block);
            model.Score(x.AsSpan(b * Block * width, count * width), width, probabilities.AsSpan(b * Block, count));
        });
    }

    /// <summary>
    /// The simple reference for <see cref="ByPermutation"/>: shuffle the raw column in a copy of the table, featurize every
    /// column again and score lead by lead. Quadratic in the column count; tests only.
    /// </summary>
    internal static IReadOnlyList<ColumnImportance> Reference(LeadTable table, int[] rows, bool[] labels, LeadFeaturizer featurizer,
        IProbabilityModel model, int repeats, int seed, CancellationToken ct)
    {
        var baselineAuc = RankMetrics.Auc(model.ScoreAll(featurizer.FeaturizeRows(table, rows)), labels);
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
