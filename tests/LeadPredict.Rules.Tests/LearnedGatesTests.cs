namespace LeadPredict.Rules.Tests;

public sealed class LearnedGatesTests
{
    private static readonly Funnel Ladder = new(Funnel.DefaultStages);
    private static int Index(string stage) => Ladder.TryFind(stage, out var i) ? i : throw new ArgumentException(stage);

    /// <summary>100 SAL examples with probabilities 0.00..0.99 (the top 20 converted), 50 SQL examples of which 20 converted (40%).</summary>
    private static (int[] Stage, double[] P, bool[] Converted, bool[] HandSet, int[] Half) Holdout()
    {
        var stage = new List<int>();
        var p = new List<double>();
        var converted = new List<bool>();
        for (var i = 0; i < 100; i++) { stage.Add(Index("SAL")); p.Add(i / 100.0); converted.Add(i >= 80); }
        for (var i = 0; i < 50; i++) { stage.Add(Index("SQL")); p.Add(0.5); converted.Add(i % 5 < 2); }
        var n = stage.Count;
        return ([.. stage], [.. p], [.. converted], p.Select(x => x >= 0.9).ToArray(), Enumerable.Range(0, n).Select(i => i % 2).ToArray());
    }

    [Fact]
    public void Should_Learn_The_Lowest_Threshold_Whose_Leads_Convert_As_Often_As_The_Next_Stage_When_Both_Stages_Have_Examples()
    {
        var (stage, p, converted, handSet, half) = Holdout();
        var gates = LearnedGates.Learn(Ladder, stage, p, converted, handSet, half);
        var sql = gates.For("SQL")!;
        Assert.Equal("SAL", sql.From);
        Assert.Equal(0.4, sql.NextStageRate, 9);
        Assert.Equal(0.5, sql.MinProbability);
        Assert.Equal(0.35, sql.HandSetMinProbability);
        Assert.Equal((100, 50), (sql.AtFrom, sql.AtStage));
        // Out of sample, the learned gate keeps its promise: the SAL leads it promotes convert at least as often as SQL leads.
        Assert.True(sql.Learned.Rate >= 0.4, $"learned gate promotes {sql.Learned}");
        Assert.Equal(new GateBacktest(10, 10), sql.HandSet);
        Assert.Null(gates.For("Opportunity")); // fewer than 20 examples on either side
    }

    [Fact]
    public void Should_Give_Stable_Halves_When_The_Same_Lead_Id_Is_Seen_Again()
    {
        Assert.Equal(LearnedGates.HalfOf("L-000123"), LearnedGates.HalfOf("L-000123"));
        var halves = Enumerable.Range(0, 1000).Select(i => LearnedGates.HalfOf($"L-{i:D6}")).ToArray();
        Assert.InRange(halves.Count(h => h == 1), 400, 600);
    }
}
