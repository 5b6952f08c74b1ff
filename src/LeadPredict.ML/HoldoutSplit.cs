using System.Globalization;
using LeadPredict.Core;

namespace LeadPredict.ML;

/// <summary>
/// How training examples relate to each other, for data with several examples per lead (point-in-time snapshots, see
/// docs/model-choice.md). Flat data (one row per lead) needs none of it.
/// </summary>
public sealed record SplitOptions
{
    /// <summary>The column naming the lead each example belongs to: all of a lead's examples go to the same fold and to the same side of the holdout.</summary>
    public string? GroupColumn { get; init; }

    /// <summary>
    /// The column with each example's time (its as-of date): the holdout is then the latest examples, and training uses only
    /// examples at least <see cref="Gap"/> older than the first of them.
    /// </summary>
    public string? TimeColumn { get; init; }

    /// <summary>At least the label's horizon, so that no training example's outcome window reaches into the holdout's period.</summary>
    public TimeSpan Gap { get; init; }

    public string? Validate() =>
        Gap < TimeSpan.Zero ? $"the gap between training and holdout examples must not be negative (was {Gap.TotalDays:0.##} days)."
        : Gap > TimeSpan.Zero && TimeColumn is null ? "a gap between training and holdout examples needs a time column."
        : null;
}

/// <summary>Which labelled rows train the model and which are held out to measure it.</summary>
public sealed record HoldoutSplit(int[] TrainRows, bool[] TrainLabels, int[] HoldoutRows, bool[] HoldoutLabels, string Method)
{
    /// <summary>The group of each training row (same order as <see cref="TrainRows"/>) when examples are grouped: folds keep groups whole.</summary>
    public int[]? TrainGroups { get; init; }

    /// <summary>With a time-based holdout: the time from which examples are held out.</summary>
    public DateTime? Cutoff { get; init; }

    /// <summary>
    /// The most recent share of leads when a created-date column is known (the honest test: the model is used on
    /// leads newer than any it learned from), otherwise a stratified random share. With <paramref name="options"/>: whole
    /// groups on each side, and a time-based holdout with a gap (see <see cref="SplitOptions"/>).
    /// </summary>
    public static HoldoutSplit Create(LeadTable table, ResolvedDataset data, double fraction, int seed, SplitOptions? options = null)
    {
        if (options?.Validate() is { } problem) throw new LeadPredictException(problem);
        var groups = options?.GroupColumn is { } groupColumn ? GroupIds(table, data, groupColumn) : null;
        if (options?.TimeColumn is { } timeColumn) return ByTime(table, data, fraction, timeColumn, options.Gap, groups);
        if (groups is not null) return ByGroup(data, fraction, seed, groups, options!.GroupColumn!);

        var n = data.LabelledRows.Length;
        int[] order;
        string method;
        if (data.Schema.Created is { } created)
        {
            var dates = table.Column(created);
            // Read as the resolver checked them: every present date is readable, one way; a missing one counts as the oldest.
            var format = data.Profiles.FirstOrDefault(p => p.Name == created)?.DateFormat;
            // Oldest first, ties in row order: (ticks, index) pairs sort exactly so. The dates are read in ranges, one per core.
            var keys = new (long Ticks, int Index)[n];
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, n, 16_384), range =>
            {
                for (var i = range.Item1; i < range.Item2; i++)
                    keys[i] = (dates[data.LabelledRows[i]] is { } d && Values.TryParseDate(d, format, out var dt) ? dt.Ticks : long.MinValue, i);
            });
            Array.Sort(keys);
            order = new int[n];
            for (var i = 0; i < n; i++) order[i] = keys[i].Index;
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

    private static HoldoutSplit Build(ResolvedDataset data, int[] train, int[] hold, string method, int[]? groups = null) => new(
        train.Select(i => data.LabelledRows[i]).ToArray(), train.Select(i => data.Labels[i]).ToArray(),
        hold.Select(i => data.LabelledRows[i]).ToArray(), hold.Select(i => data.Labels[i]).ToArray(), method)
    {
        TrainGroups = groups is null ? null : train.Select(i => groups[i]).ToArray(),
    };

    /// <summary>A number per labelled row naming its group (in order of first appearance).</summary>
    private static int[] GroupIds(LeadTable table, ResolvedDataset data, string column)
    {
        if (!table.HasColumn(column)) throw new LeadPredictException($"the group column '{column}' is not in {Path.GetFileName(table.SourcePath)}.");
        var values = table.Column(column);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var groups = new int[data.LabelledRows.Length];
        for (var i = 0; i < groups.Length; i++)
        {
            var row = data.LabelledRows[i];
            var value = values[row] ?? throw new InputFileException(table.SourcePath, table.LineOf(row), column, $"the example has no value in the group column '{column}'; every example must name its lead.");
            if (!ids.TryGetValue(value, out var id)) ids[value] = id = ids.Count;
            groups[i] = id;
        }
        return groups;
    }

    /// <summary>A stratified random share of whole groups: groups with a converted example and groups without are drawn apart.</summary>
    private static HoldoutSplit ByGroup(ResolvedDataset data, double fraction, int seed, int[] groups, string column)
    {
        var n = groups.Length;
        var members = GroupMembers(groups);
        var positive = PositiveGroups(groups, data.Labels, members.Count);
        var rng = new Random(seed);
        var inHoldout = new bool[members.Count];
        foreach (var cls in new[] { true, false })
        {
            var ofClass = Enumerable.Range(0, members.Count).Where(g => positive[g] == cls).ToArray();
            rng.Shuffle(ofClass);
            var examples = ofClass.Sum(g => members[g].Count);
            var target = (int)Math.Round(examples * fraction);
            var taken = 0;
            foreach (var g in ofClass)
            {
                if (taken >= target) break;
                inHoldout[g] = true;
                taken += members[g].Count;
            }
        }
        var hold = Enumerable.Range(0, n).Where(i => inHoldout[groups[i]]).ToArray();
        var train = Enumerable.Range(0, n).Where(i => !inHoldout[groups[i]]).ToArray();
        return Checked(Build(data, train, hold, $"stratified random {Percent(fraction)} of the leads in '{column}' (all of a lead's examples on one side)", groups));
    }

    /// <summary>
    /// The latest share of examples by <paramref name="column"/>; training keeps the examples at least <paramref name="gap"/>
    /// before the first of them (and, with groups, none of a lead that has an example in the holdout).
    /// </summary>
    private static HoldoutSplit ByTime(LeadTable table, ResolvedDataset data, double fraction, string column, TimeSpan gap, int[]? groups)
    {
        if (!table.HasColumn(column)) throw new LeadPredictException($"the time column '{column}' is not in {Path.GetFileName(table.SourcePath)}.");
        var values = table.Column(column);
        var n = data.LabelledRows.Length;
        var times = new DateTime[n];
        for (var i = 0; i < n; i++)
        {
            var row = data.LabelledRows[i];
            if (values[row] is not { } v || !Values.TryParseDate(v, out times[i]))
                throw new InputFileException(table.SourcePath, table.LineOf(row), column, $"'{values[row] ?? ""}' in the time column '{column}' is not a date; every example needs its time.");
        }
        var order = Enumerable.Range(0, n).OrderBy(i => times[i]).ThenBy(i => i).ToArray();
        var holdoutCount = Math.Max(1, (int)Math.Round(n * fraction));
        var cutoff = times[order[n - holdoutCount]];
        var limit = cutoff - gap;
        var hold = order.Where(i => times[i] >= cutoff).ToArray();
        var heldGroups = groups is null ? null : hold.Select(i => groups[i]).ToHashSet();
        var train = order.Where(i => times[i] < cutoff && times[i] <= limit && (heldGroups is null || !heldGroups.Contains(groups![i]))).ToArray();
        var dropped = n - hold.Length - train.Length;
        var method = $"examples from {cutoff.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} on by {column} ({hold.Length:N0}, {Percent((double)hold.Length / n)})" +
                     (gap > TimeSpan.Zero ? $"; training on examples up to {limit.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} (gap {gap.TotalDays:0.#} days)" : "") +
                     (dropped > 0 ? $"; {dropped:N0} example(s) {(gap > TimeSpan.Zero ? groups is null ? "in the gap" : "in the gap or of leads in the holdout" : "of leads in the holdout")} left out" : "");
        return Checked(Build(data, train, hold, method, groups) with { Cutoff = cutoff });
    }

    private static HoldoutSplit Checked(HoldoutSplit split)
    {
        string? Side(bool[] labels, string name) => labels.Length == 0 ? $"the {name} part is empty"
            : labels.All(y => y) || labels.All(y => !y) ? $"the {name} part has only {(labels[0] ? "converted" : "not converted")} examples" : null;
        if ((Side(split.TrainLabels, "training") ?? Side(split.HoldoutLabels, "holdout")) is { } problem)
            throw new LeadPredictException($"cannot measure the model: {problem} ({split.Method}); a larger holdout fraction or a shorter gap may help.");
        return split;
    }

    private static List<List<int>> GroupMembers(int[] groups)
    {
        var members = new List<List<int>>();
        for (var i = 0; i < groups.Length; i++)
        {
            while (members.Count <= groups[i]) members.Add([]);
            members[groups[i]].Add(i);
        }
        return members;
    }

    private static bool[] PositiveGroups(int[] groups, bool[] labels, int count)
    {
        var positive = new bool[count];
        for (var i = 0; i < groups.Length; i++) positive[groups[i]] |= labels[i];
        return positive;
    }

    /// <summary>
    /// Stratified k-fold assignment of the training rows. With <paramref name="groups"/>, whole groups are assigned: groups
    /// with a converted example and groups without are dealt out apart, largest first, each to the fold with the fewest
    /// examples of its kind so far.
    /// </summary>
    public static int[] Folds(bool[] labels, int k, int seed, int[]? groups = null)
    {
        var rng = new Random(seed + 1);
        var fold = new int[labels.Length];
        if (groups is not null)
        {
            var compact = Compact(groups);
            var members = GroupMembers(compact);
            var positive = PositiveGroups(compact, labels, members.Count);
            foreach (var cls in new[] { true, false })
            {
                var ofClass = Enumerable.Range(0, members.Count).Where(g => positive[g] == cls).ToArray();
                rng.Shuffle(ofClass);
                var sizes = new int[k];
                foreach (var g in ofClass.OrderByDescending(g => members[g].Count))
                {
                    var target = Array.IndexOf(sizes, sizes.Min());
                    foreach (var i in members[g]) fold[i] = target;
                    sizes[target] += members[g].Count;
                }
            }
            return fold;
        }
        foreach (var cls in new[] { true, false })
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == cls).ToArray();
            rng.Shuffle(members);
            for (var j = 0; j < members.Length; j++) fold[members[j]] = j % k;
        }
        return fold;
    }

    /// <summary>Renumbers group ids 0, 1, 2, … in order of first appearance.</summary>
    private static int[] Compact(int[] groups)
    {
        var ids = new Dictionary<int, int>();
        return groups.Select(g => ids.TryGetValue(g, out var id) ? id : ids[g] = ids.Count).ToArray();
    }

    /// <summary>How many folds can each hold examples of both classes: the smaller of the number of converted and of not converted examples (or groups having them).</summary>
    public static int MaxFolds(bool[] labels, int[]? groups = null)
    {
        if (groups is null)
        {
            var positives = labels.Count(y => y);
            return Math.Min(positives, labels.Length - positives);
        }
        var withPositive = new HashSet<int>();
        var withNegative = new HashSet<int>();
        for (var i = 0; i < labels.Length; i++) (labels[i] ? withPositive : withNegative).Add(groups[i]);
        return Math.Min(withPositive.Count, withNegative.Count);
    }
}
