using LeadPredict.Core;

namespace LeadPredict.ML;

/// <summary>
/// Finds columns that are probably filled in after the outcome is known: those that predict it almost alone,
/// and those whose names say so (status, tags, quality, last activity, duration, ...). A model built on them
/// looks excellent offline and is useless on new leads.
/// </summary>
public static class LeakGuard
{
    public const double AucThreshold = 0.95;

    public static IReadOnlyList<LeakSuspect> Find(LeadTable table, ResolvedDataset data, int seed, IReadOnlyCollection<string>? pointInTime = null)
    {
        var candidates = data.Schema.Features.Select(f => (f.Name, f.Kind, f.Number, Excluded: false))
            .Concat(data.Schema.Excluded.Select(e => data.Profiles.First(p => p.Name == e)).Select(p => (p.Name, p.Kind, p.Number, Excluded: true)))
            .ToArray();
        // Each column's AUC is its own work: one column per core at a time, kept in column order.
        var found = new LeakSuspect?[candidates.Length];
        Parallel.For(0, candidates.Length, c =>
        {
            var (name, kind, number, excluded) = candidates[c];
            var auc = kind == ColumnKind.Numeric && table.Numbers(name) is { } typed
                ? SingleColumnAuc(typed, data.Labels, data.LabelledRows)
                : SingleColumnAuc(table.Column(name), kind, data.Labels, data.LabelledRows, seed, number);
            var byName = SchemaInference.LooksFilledAfterContact(name) && pointInTime?.Contains(name) != true;
            if (auc >= AucThreshold || byName) found[c] = new LeakSuspect(name, auc, byName, excluded);
        });
        return found.OfType<LeakSuspect>().OrderByDescending(s => s.SingleColumnAuc).ToArray();
    }

    /// <summary>
    /// AUC of the best single-column predictor: the value itself for numbers (either direction), and for other kinds
    /// the conversion rate of its value, learned on one half of the rows and measured on the other (so rare values cannot memorise the outcome).
    /// </summary>
    public static double SingleColumnAuc(string?[] values, ColumnKind kind, bool[] labels, int[] rows, int seed, NumberFormat number = NumberFormat.Plain)
    {
        var n = rows.Length;
        var scores = new double[n];
        if (kind == ColumnKind.Numeric)
        {
            var read = new double[n];
            for (var i = 0; i < n; i++) read[i] = values[rows[i]] is { } v && Values.TryParseNumber(v, number, out var x) ? x : double.NaN;
            return NumericAuc(read, labels);
        }
        var rng = new Random(seed);
        var fold = new int[n];
        for (var i = 0; i < n; i++) fold[i] = rng.Next(2);
        var stats = new[] { new Dictionary<string, (int Pos, int All)>(StringComparer.OrdinalIgnoreCase), new Dictionary<string, (int Pos, int All)>(StringComparer.OrdinalIgnoreCase) };
        double[] posTotal = [0, 0], allTotal = [0, 0];
        for (var i = 0; i < n; i++)
        {
            var key = values[rows[i]] ?? "\0missing";
            var s = stats[fold[i]];
            var (p, a) = s.GetValueOrDefault(key);
            s[key] = (p + (labels[i] ? 1 : 0), a + 1);
            posTotal[fold[i]] += labels[i] ? 1 : 0;
            allTotal[fold[i]]++;
        }
        for (var i = 0; i < n; i++)
        {
            var other = 1 - fold[i];
            var prior = allTotal[other] == 0 ? 0 : posTotal[other] / allTotal[other];
            var (p, a) = stats[other].GetValueOrDefault(values[rows[i]] ?? "\0missing");
            scores[i] = (p + 2 * prior) / (a + 2);
        }
        var result = RankMetrics.Auc(scores, labels);
        return double.IsNaN(result) ? 0.5 : Math.Max(result, 1 - result);
    }

    /// <summary>
    /// The same for a typed numeric column (NaN = missing), read without its text: the numbers order as their round-trip
    /// text reads back, so the AUC is the one the text gives.
    /// </summary>
    public static double SingleColumnAuc(float[] values, bool[] labels, int[] rows)
    {
        var read = new double[rows.Length];
        for (var i = 0; i < read.Length; i++) read[i] = values[rows[i]];
        return NumericAuc(read, labels);
    }

    /// <summary>The value itself as the score, either direction; missing values (NaN) take the median.</summary>
    private static double NumericAuc(double[] read, bool[] labels)
    {
        var present = read.Where(x => !double.IsNaN(x)).ToList();
        present.Sort();
        var median = present.Count > 0 ? present[present.Count / 2] : 0.0;
        var scores = new double[read.Length];
        for (var i = 0; i < read.Length; i++) scores[i] = double.IsNaN(read[i]) ? median : read[i];
        var auc = RankMetrics.Auc(scores, labels);
        return double.IsNaN(auc) ? 0.5 : Math.Max(auc, 1 - auc);
    }
}
