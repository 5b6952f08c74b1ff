using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Explaining;

/// <summary>
/// Importance is measured on the featurized leads (a shuffle moves one column's slots, the compiled model scores the batch),
/// not by featurizing a shuffled table again per column and shuffle: the figures must be those of the simple way, bit for bit,
/// for every kind of model. When permutation would cost too much (wide files), the columns are ranked by their exact
/// contributions instead, and the report says so.
/// </summary>
public sealed class FastImportanceTests
{
    private static readonly Lazy<(LeadTable Table, int[] Rows, bool[] Labels)> Holdout = new(() =>
    {
        var table = LeadTable.Load(TestPaths.Data("leads-history.csv"));
        var data = SchemaResolver.Resolve(TrainingConfig.Load(TestPaths.Data("leadpredict.json")), table);
        // The last 1,500 labelled leads, in file order.
        return (table, data.LabelledRows[^1500..], data.Labels[^1500..]);
    });

    [Theory]
    [MemberData(nameof(ModelKinds.Names), MemberType = typeof(ModelKinds))]
    public void Should_Give_The_Same_Permutation_Importance_Bit_For_Bit_As_Featurizing_Shuffled_Tables_When_The_Model_Is_Of_Any_Kind(string kind)
    {
        var bundle = ModelKinds.Load(kind);
        var compiled = bundle.Compile();
        var (table, rows, labels) = Holdout.Value;

        var (fast, basis) = PermutationImportance.Compute(table, rows, labels, bundle.Featurizer, compiled, repeats: 2, seed: 42, CancellationToken.None);
        var reference = PermutationImportance.Reference(table, rows, labels, bundle.Featurizer, new CompiledProbabilityModel(compiled), 2, 42, CancellationToken.None);

        Assert.Equal(PermutationImportance.Permutation, basis!.Method);
        Assert.Equal(reference, fast);
        Assert.Contains(fast, i => i.AucDrop > 0.01);
    }

    [Fact]
    public void Should_Count_A_Column_As_Exactly_Zero_Without_Shuffling_It_When_No_Tree_Splits_On_It()
    {
        var bundle = SampleModels.LoadKind(TrainerAlgorithm.LightGbm);
        var compiled = bundle.Compile();
        var used = PermutationImportance.UsedColumns(compiled, bundle.Featurizer);
        var split = bundle.Ensemble!.Trees.SelectMany(t => t.SplitFeature).Select(s => bundle.Featurizer.Slots[s].Column).ToHashSet();

        Assert.Equal(Enumerable.Range(0, used.Length).Select(split.Contains), used);
        Assert.Equal(Enumerable.Repeat(true, bundle.Featurizer.Columns.Count), PermutationImportance.UsedColumns(SampleModels.LoadKind(TrainerAlgorithm.Linear).Compile(), bundle.Featurizer));
    }

    [Theory]
    [InlineData("trees (LightGBM)")]
    [InlineData("blend")]
    public void Should_Rank_Columns_By_Their_Mean_Absolute_Contribution_And_Say_So_When_Permutation_Would_Exceed_The_Budget(string kind)
    {
        var bundle = ModelKinds.Load(kind);
        var compiled = bundle.Compile();
        var (table, rows, labels) = Holdout.Value;

        var (importance, basis) = PermutationImportance.Compute(table, rows, labels, bundle.Featurizer, compiled, repeats: 3, seed: 42, CancellationToken.None, budget: 1e-6);

        Assert.Equal(PermutationImportance.Contributions, basis!.Method);
        Assert.Contains("mean absolute contribution to the log-odds", basis.Description);
        Assert.Contains("would take about", basis.Description);
        // The simple way: each lead scored on its own with its contributions, averaged per column.
        var features = bundle.Featurizer.FeaturizeRows(table, rows);
        var expected = new double[bundle.Featurizer.Columns.Count];
        foreach (var x in features)
        {
            var row = new float[compiled.Stride];
            compiled.ScoreOne(x, row);
            for (var c = 0; c < expected.Length; c++) expected[c] += Math.Abs(row[c]) / rows.Length;
        }
        foreach (var i in importance)
            Assert.Equal(expected[bundle.Featurizer.Columns.ToList().FindIndex(c => c.Name == i.Column)], i.Contribution, 6);
        Assert.Equal(importance.OrderByDescending(i => i.Contribution).Select(i => i.Column), importance.Select(i => i.Column));
        Assert.True(importance[0].Contribution > 0.05);
    }

    [Fact]
    public void Should_Measure_Fewer_Leads_And_Say_How_Many_When_All_Of_Them_Would_Exceed_The_Budget()
    {
        var bundle = SampleModels.LoadKind(TrainerAlgorithm.LightGbm);
        var compiled = bundle.Compile();
        var (table, rows, labels) = Holdout.Value;
        var used = PermutationImportance.UsedColumns(compiled, bundle.Featurizer).Count(u => u);
        // A budget that fits the permutations on 1,000 of the 1,500 leads: the floor (2,000) is above the holdout, so all are kept.
        var budget = PermutationImportance.EstimatedSeconds((long)used * 3 * 1000, compiled.CostPerLead);

        var (_, basis) = PermutationImportance.Compute(table, rows, labels, bundle.Featurizer, compiled, 3, 42, CancellationToken.None, budget);
        var (_, sampled) = PermutationImportance.Compute(table, [.. rows, .. rows, .. rows], [.. labels, .. labels, .. labels], bundle.Featurizer, compiled, 3, 42,
            CancellationToken.None, PermutationImportance.EstimatedSeconds((long)used * 3 * 3000, compiled.CostPerLead));

        Assert.Equal(PermutationImportance.Contributions, basis!.Method);
        Assert.Equal(PermutationImportance.Permutation, sampled!.Method);
        Assert.Equal(3000, sampled.Rows);
        Assert.Contains("a sample of 3,000 of the 4,500 holdout leads", sampled.Description);
    }
}
