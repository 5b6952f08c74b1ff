using LeadPredict.Core;

namespace LeadPredict.Timeline;

/// <summary>
/// Examples, each a lead as of a time: the lead's row in the leads table (its static attributes go through the usual
/// featurizer), the time, the label when known, and its engagement features, typed, in one row-major matrix (NaN = missing).
/// The lead's row index is its group: all examples of one lead must fall in the same fold and the same side of a holdout.
/// Memory per example: 4 bytes × features + 17 (row, time, label); 40 features take 177 bytes, so 4M examples take 0.7 GB.
/// </summary>
public sealed class SnapshotSet
{
    internal SnapshotSet(LeadTable leads, int[] leadRows, DateTime[] times, bool[]? labels, float[] features, EngagementSchema schema,
        string?[]? stages, int horizonDays, DateTime exportDate, SnapshotCounts counts)
    {
        Leads = leads;
        LeadRows = leadRows;
        Times = times;
        Labels = labels;
        Features = features;
        Schema = schema;
        StageAt = stages;
        HorizonDays = horizonDays;
        ExportDate = exportDate;
        Counts = counts;
    }

    /// <summary>The whole leads table, as read.</summary>
    public LeadTable Leads { get; }
    /// <summary>Per example, its lead's row in <see cref="Leads"/>: the group for folds and holdouts.</summary>
    public int[] LeadRows { get; }
    /// <summary>Per example, its time t (UTC): features use only what happened strictly before it.</summary>
    public DateTime[] Times { get; }
    /// <summary>Per example, whether the lead converted in (t, t + horizon]; null for sets made for scoring.</summary>
    public bool[]? Labels { get; }
    /// <summary>Engagement features, row-major: example i's are <c>[i * FeatureCount, (i + 1) * FeatureCount)</c>.</summary>
    public float[] Features { get; }
    public EngagementSchema Schema { get; }
    public IReadOnlyList<EngagementFeature> FeatureDefinitions => Schema.Features;
    public int FeatureCount => Schema.Features.Count;
    /// <summary>Per example, the stage the lead was in at t (from the stage history), or null without one.</summary>
    public string?[]? StageAt { get; }
    public int HorizonDays { get; }
    /// <summary>The export date the set was made with ("as of").</summary>
    public DateTime ExportDate { get; }
    public SnapshotCounts Counts { get; }
    public int Count => LeadRows.Length;

    /// <summary>
    /// Per training example, the days from its time to the lead's conversion when the label is positive (in (0, horizon]),
    /// NaN otherwise: what the time-to-convert model learns from. Null for sets made for scoring.
    /// </summary>
    public float[]? DaysToConversion { get; private init; }

    internal SnapshotSet WithCounts(SnapshotCounts counts, float[]? daysToConversion = null) =>
        new(Leads, LeadRows, Times, Labels, Features, Schema, StageAt, HorizonDays, ExportDate, counts) { DaysToConversion = daysToConversion ?? DaysToConversion };

    public ReadOnlySpan<float> Row(int example) => Features.AsSpan(example * FeatureCount, FeatureCount);

    public float Feature(int example, string name)
    {
        var index = Schema.Features.ToList().FindIndex(f => f.Name == name);
        if (index < 0) throw new ArgumentException($"no engagement feature named '{name}'.", nameof(name));
        return Features[example * FeatureCount + index];
    }

    /// <summary>The examples' leads as a table, one row per example (sharing the value strings), for the featurizer.</summary>
    public LeadTable ExampleLeads() => Leads.Select(LeadRows);

    /// <summary>The example of a lead (by its id) at a time, or -1.</summary>
    public int IndexOf(string leadId, DateTime time, string idColumn)
    {
        var ids = Leads.Column(idColumn);
        for (var i = 0; i < Count; i++)
            if (Times[i] == time && ids[LeadRows[i]] == leadId) return i;
        return -1;
    }

    /// <summary>
    /// The time at or after which the most recent <paramref name="fraction"/> of examples lie: a cut-off for a time-based holdout.
    /// </summary>
    public DateTime CutoffForRecent(double fraction)
    {
        if (Count == 0) throw new InvalidOperationException("there are no examples to split.");
        if (fraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be in (0, 1).");
        var sorted = (DateTime[])Times.Clone();
        Array.Sort(sorted);
        return sorted[Math.Clamp((int)Math.Floor(sorted.Length * (1 - fraction)), 0, sorted.Length - 1)];
    }

    /// <summary>
    /// A time-based holdout that no label crosses and no lead straddles: the test side is every example of the leads whose first
    /// example is at or after <paramref name="cutoff"/>; the training side is the other leads' examples whose time is at least
    /// <paramref name="gapDays"/> (at least the horizon) before the cut-off, so every training label is known before any test
    /// example's time. Examples in neither side are counted as <c>Dropped</c>.
    /// </summary>
    public (int[] Train, int[] Test, int Dropped) SplitByTime(DateTime cutoff, int gapDays)
    {
        if (gapDays < HorizonDays)
            throw new ArgumentOutOfRangeException(nameof(gapDays), gapDays, $"the gap must be at least the horizon ({HorizonDays} days), so no training label reaches past the cut-off.");
        var firstTime = new Dictionary<int, DateTime>();
        for (var i = 0; i < Count; i++)
            if (!firstTime.TryGetValue(LeadRows[i], out var f) || Times[i] < f) firstTime[LeadRows[i]] = Times[i];
        var trainBefore = cutoff.AddDays(-gapDays);
        List<int> train = [], test = [];
        for (var i = 0; i < Count; i++)
        {
            if (firstTime[LeadRows[i]] >= cutoff) test.Add(i);
            else if (Times[i] <= trainBefore) train.Add(i);
        }
        return (train.ToArray(), test.ToArray(), Count - train.Count - test.Count);
    }
}
