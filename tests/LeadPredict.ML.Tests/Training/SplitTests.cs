using System.Globalization;
using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Training;

/// <summary>Holdout and folds: stratified on flat data, whole leads with groups, and a time-based holdout with a gap for snapshots.</summary>
public sealed class SplitTests
{
    /// <summary>Snapshots: 300 leads seen every 30 days for up to 10 snapshots each, converted more often late in life.</summary>
    private static (LeadTable Table, ResolvedDataset Data) Snapshots()
    {
        var rng = new Random(5);
        var rows = new List<string?[]>();
        var start = new DateTime(2024, 1, 1);
        for (var lead = 0; lead < 300; lead++)
        {
            var first = start.AddDays(rng.Next(0, 400));
            var count = 1 + rng.Next(10);
            for (var s = 0; s < count; s++)
            {
                var at = first.AddDays(30 * s);
                rows.Add([$"L{lead}", at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), rng.Next(100).ToString(CultureInfo.InvariantCulture),
                    rng.NextDouble() < 0.1 + 0.03 * s ? "yes" : "no"]);
            }
        }
        var names = new[] { "lead", "as_of", "visits", "converted" };
        var columns = names.Select((_, c) => rows.Select(r => r[c]).ToArray()).ToArray();
        var table = new LeadTable("snapshots.csv", ',', names, columns, Enumerable.Range(2, rows.Count).Select(i => (long)i).ToArray());
        var data = SchemaResolver.Resolve(new TrainingConfig { Label = "converted", Id = "lead", Columns = new Dictionary<string, ColumnKind> { ["as_of"] = ColumnKind.Ignored } }, table);
        return (table, data);
    }

    [Fact]
    public void Should_split_flat_data_as_before_When_no_split_options_are_given()
    {
        var table = LeadTable.Load(TestPaths.Data("leads-history.csv"));
        var config = new TrainingConfig { Label = "converted" };
        var data = SchemaResolver.Resolve(config, table);

        var plain = HoldoutSplit.Create(table, data, 0.2, 42);
        var empty = HoldoutSplit.Create(table, data, 0.2, 42, new SplitOptions());

        Assert.Equal(plain.TrainRows, empty.TrainRows);
        Assert.Equal(plain.HoldoutRows, empty.HoldoutRows);
        Assert.Null(plain.TrainGroups);
        Assert.Equal(HoldoutSplit.Folds(plain.TrainLabels, 5, 42), HoldoutSplit.Folds(plain.TrainLabels, 5, 42, groups: null));
    }

    [Fact]
    public void Should_hold_out_the_newest_leads_with_date_ties_in_row_order_exactly_as_a_plain_sort_does_When_a_created_date_is_known()
    {
        // 5,000 leads over 40 days (many share a day), some without a date (the oldest): the parallel read and the pair sort
        // must give the same holdout, in the same order, as sorting by date and then by row.
        var rng = new Random(3);
        var n = 5_000;
        var created = new string?[n];
        var converted = new string?[n];
        var visits = new string?[n];
        for (var i = 0; i < n; i++)
        {
            visits[i] = rng.Next(30).ToString(CultureInfo.InvariantCulture);
            created[i] = rng.Next(50) == 0 ? null : new DateTime(2025, 1, 1).AddDays(rng.Next(40)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            converted[i] = rng.Next(4) == 0 ? "yes" : "no";
        }
        var table = new LeadTable("leads.csv", ',', ["created_at", "visits", "converted"], [created, visits, converted], Enumerable.Range(2, n).Select(i => (long)i).ToArray());
        var data = SchemaResolver.Resolve(new TrainingConfig { Label = "converted", Created = "created_at" }, table);

        var split = HoldoutSplit.Create(table, data, 0.2, 42);

        long Ticks(int row) => created[row] is { } d ? DateTime.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture).Ticks : long.MinValue;
        var reference = Enumerable.Range(0, data.LabelledRows.Length).OrderBy(i => Ticks(data.LabelledRows[i])).ThenBy(i => i).Select(i => data.LabelledRows[i]).ToArray();
        Assert.Equal("most recent 20% by created_at", split.Method);
        Assert.Equal(reference[..4_000], split.TrainRows);
        Assert.Equal(reference[4_000..], split.HoldoutRows);
    }

    [Fact]
    public void Should_keep_every_fold_stratified_When_the_data_is_flat()
    {
        var labels = Enumerable.Range(0, 1003).Select(i => i % 7 == 0).ToArray();
        var folds = HoldoutSplit.Folds(labels, 5, 1);
        var positives = Enumerable.Range(0, 5).Select(f => labels.Where((y, i) => y && folds[i] == f).Count()).ToArray();
        Assert.True(positives.Max() - positives.Min() <= 1);
    }

    [Fact]
    public void Should_keep_all_of_a_leads_examples_on_one_side_and_in_one_fold_When_grouped()
    {
        var (table, data) = Snapshots();
        var split = HoldoutSplit.Create(table, data, 0.2, 42, new SplitOptions { GroupColumn = "lead" });

        var ids = table.Column("lead");
        var held = split.HoldoutRows.Select(r => ids[r]).ToHashSet();
        Assert.DoesNotContain(split.TrainRows, r => held.Contains(ids[r]));
        Assert.InRange((double)split.HoldoutRows.Length / data.LabelledRows.Length, 0.15, 0.25);

        var folds = HoldoutSplit.Folds(split.TrainLabels, 5, 42, split.TrainGroups);
        var foldOfLead = new Dictionary<string, int>();
        for (var i = 0; i < folds.Length; i++)
        {
            var lead = ids[split.TrainRows[i]]!;
            if (foldOfLead.TryGetValue(lead, out var fold)) Assert.Equal(fold, folds[i]);
            else foldOfLead[lead] = folds[i];
        }
        Assert.All(Enumerable.Range(0, 5), f => Assert.Contains(Enumerable.Range(0, folds.Length), i => folds[i] == f && split.TrainLabels[i]));
    }

    [Fact]
    public void Should_train_only_on_examples_a_gap_before_the_holdout_and_none_of_its_leads_When_split_by_time()
    {
        var (table, data) = Snapshots();
        var gap = TimeSpan.FromDays(90);
        var split = HoldoutSplit.Create(table, data, 0.2, 42, new SplitOptions { GroupColumn = "lead", TimeColumn = "as_of", Gap = gap });

        DateTime At(int row) => DateTime.Parse(table.Column("as_of")[row]!, CultureInfo.InvariantCulture);
        var firstHeld = split.HoldoutRows.Min(At);
        Assert.All(split.TrainRows, r => Assert.True(At(r) <= firstHeld - gap, $"training example at {At(r):d} is within {gap.TotalDays} days of {firstHeld:d}"));
        var ids = table.Column("lead");
        var held = split.HoldoutRows.Select(r => ids[r]).ToHashSet();
        Assert.DoesNotContain(split.TrainRows, r => held.Contains(ids[r]));
        Assert.Contains("gap 90 days", split.Method);
        Assert.Contains("left out", split.Method);
    }

    [Fact]
    public void Should_name_the_line_of_an_example_without_a_time()
    {
        var (table, data) = Snapshots();
        var times = (string?[])table.Column("as_of").Clone();
        times[10] = "soon";
        var broken = table.WithColumn(table.IndexOf("as_of"), times);

        var e = Assert.Throws<InputFileException>(() => HoldoutSplit.Create(broken, data, 0.2, 42, new SplitOptions { TimeColumn = "as_of" }));
        Assert.Equal(12, e.Line);
        Assert.Contains("'soon'", e.Message);
    }

    [Fact]
    public void Should_refuse_a_negative_gap_and_a_gap_without_a_time_column()
    {
        var (table, data) = Snapshots();
        Assert.Contains("negative", Assert.Throws<LeadPredictException>(() =>
            HoldoutSplit.Create(table, data, 0.2, 42, new SplitOptions { TimeColumn = "as_of", Gap = TimeSpan.FromDays(-1) })).Message);
        Assert.Contains("needs a time column", Assert.Throws<LeadPredictException>(() =>
            HoldoutSplit.Create(table, data, 0.2, 42, new SplitOptions { Gap = TimeSpan.FromDays(30) })).Message);
    }
}
