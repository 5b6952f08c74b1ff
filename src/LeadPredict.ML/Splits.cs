using LeadPredict.Core;

namespace LeadPredict.ML;

/// <summary>Which labelled rows train the model and which are held out to measure it.</summary>
public sealed record HoldoutSplit(int[] TrainRows, bool[] TrainLabels, int[] HoldoutRows, bool[] HoldoutLabels, string Method)
{
    /// <summary>
    /// The most recent share of leads when a created-date column is known (the honest test: the model is used on
    /// leads newer than any it learned from), otherwise a stratified random share.
    /// </summary>
    public static HoldoutSplit Create(LeadTable table, ResolvedDataset data, double fraction, int seed)
    {
        var n = data.LabelledRows.Length;
        int[] order;
        string method;
        if (data.Schema.Created is { } created)
        {
            var dates = table.Column(created);
            // Read as the resolver checked them: every present date is readable, one way; a missing one counts as the oldest.
            var format = data.Profiles.FirstOrDefault(p => p.Name == created)?.DateFormat;
            var keys = new long[n];
            for (var i = 0; i < n; i++)
                keys[i] = dates[data.LabelledRows[i]] is { } d && Values.TryParseDate(d, format, out var dt) ? dt.Ticks : long.MinValue;
            order = Enumerable.Range(0, n).OrderBy(i => keys[i]).ThenBy(i => i).ToArray();
            var holdoutCount = (int)Math.Round(n * fraction);
            var hold = order[(n - holdoutCount)..];
            var train = order[..(n - holdoutCount)];
            method = $"most recent {Percent(fraction)} by {created}";
            var result = Build(data, train, hold, method);
            if (result.HoldoutLabels.Distinct().Count() == 2 && result.TrainLabels.Distinct().Count() == 2) return result;
            method += " had one class only; fell back to a stratified random split";
        }
        else method = $"stratified random {Percent(fraction)}";
        var rng = new Random(seed);
        var holdout = new List<int>();
        var training = new List<int>();
        foreach (var cls in new[] { true, false })
        {
            var members = Enumerable.Range(0, n).Where(i => data.Labels[i] == cls).ToArray();
            rng.Shuffle(members);
            var k = (int)Math.Round(members.Length * fraction);
            holdout.AddRange(members[..k]);
            training.AddRange(members[k..]);
        }
        holdout.Sort();
        training.Sort();
        return Build(data, training.ToArray(), holdout.ToArray(), method);
    }

    private static string Percent(double fraction) => $"{fraction * 100:0.#}%";

    private static HoldoutSplit Build(ResolvedDataset data, int[] train, int[] hold, string method) => new(
        train.Select(i => data.LabelledRows[i]).ToArray(), train.Select(i => data.Labels[i]).ToArray(),
        hold.Select(i => data.LabelledRows[i]).ToArray(), hold.Select(i => data.Labels[i]).ToArray(), method);

    /// <summary>Stratified k-fold assignment of the training rows.</summary>
    public static int[] Folds(bool[] labels, int k, int seed)
    {
        var rng = new Random(seed + 1);
        var fold = new int[labels.Length];
        foreach (var cls in new[] { true, false })
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == cls).ToArray();
            rng.Shuffle(members);
            for (var j = 0; j < members.Length; j++) fold[members[j]] = j % k;
        }
        return fold;
    }
}
