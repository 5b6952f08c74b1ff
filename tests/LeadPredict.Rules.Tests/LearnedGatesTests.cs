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
        var gates = LearnedGates.Learn(Ladder, stage, p, converted, handSet, half, GateRule.Parity);
        var sql = gates.For("SQL")!;
        Assert.Equal("SAL", sql.From);
        Assert.Equal(0.4, sql.NextStageRate, 9);
        Assert.Equal(0.5, sql.MinProbability);
        Assert.Equal(0.35, sql.HandSetMinProbability);
        Assert.Equal((100, 50), (sql.AtFrom, sql.AtStage));
        // Out of sample, the learned gate keeps its promise: the SAL leads it promotes convert at least as often as SQL leads.
        Assert.True(sql.Learned.Rate >= 0.4, $"learned gate promotes {sql.Learned}");
        Assert.Equal((10L, 10L), (sql.HandSet.Promoted, sql.HandSet.Converted));
        Assert.Null(gates.For("Opportunity")); // fewer than 20 examples on either side
    }

    /// <summary>
    /// 400 SAL examples with probabilities 0.000..0.399 whose conversion rises with the probability (about p x 1.5 in bands), and
    /// 100 SQL examples of which 30 converted: the marginal lead at the parity gate converts far less often than an SQL lead.
    /// </summary>
    private static (int[] Stage, double[] P, bool[] Converted, bool[] HandSet, int[] Half) Graded()
    {
        var stage = new List<int>();
        var p = new List<double>();
        var converted = new List<bool>();
        var random = new Random(7);
        for (var i = 0; i < 400; i++) { stage.Add(Index("SAL")); p.Add(i / 1000.0); converted.Add(random.NextDouble() < i / 1000.0 * 1.5); }
        for (var i = 0; i < 100; i++) { stage.Add(Index("SQL")); p.Add(0.5); converted.Add(i % 10 < 3); }
        return ([.. stage], [.. p], [.. converted], p.Select(x => x >= 0.38).ToArray(), Enumerable.Range(0, stage.Count).Select(i => i % 2).ToArray());
    }

    [Fact]
    public void Should_Set_The_Marginal_Gate_Where_A_Leads_Own_Chance_Reaches_The_Next_Stage_When_Conversion_Rises_With_Probability()
    {
        var (stage, p, converted, handSet, half) = Graded();
        var gates = LearnedGates.Learn(Ladder, stage, p, converted, handSet, half);
        Assert.Equal(GateRule.Marginal, gates.Chosen);
        var sql = gates.For("SQL")!;
        var parity = sql.Rules.Single(r => r.Rule == GateRule.Parity);
        var marginal = sql.Rules.Single(r => r.Rule == GateRule.Marginal);
        Assert.Equal(marginal.MinProbability, sql.MinProbability);
        // Parity lets everyone in whose group average reaches 30%; the marginal gate only leads whose own chance does (p x 1.5 >= 0.3).
        Assert.True(parity.MinProbability < marginal.MinProbability, $"parity {parity.MinProbability}, marginal {marginal.MinProbability}");
        Assert.InRange(marginal.MinProbability!.Value, 0.15, 0.28);
        // Out of sample, the marginal gate's leads convert above the next stage's rate; the parity gate's only about at it.
        Assert.True(marginal.Backtest.VersusNextStage > 1.1, $"marginal promotes {marginal.Backtest}");
        Assert.True(marginal.Backtest.Rate > parity.Backtest.Rate, $"marginal {marginal.Backtest}, parity {parity.Backtest}");
        Assert.Equal(gates.Rules.Single(r => r.Rule == GateRule.Marginal).Pooled, gates.Learned);
    }

    [Fact]
    public void Should_Promote_As_Many_As_The_Hand_Set_Gates_When_The_Rule_Is_Matched()
    {
        var (stage, p, converted, handSet, half) = Graded();
        var sql = LearnedGates.Learn(Ladder, stage, p, converted, handSet, half, GateRule.Matched).For("SQL")!;
        // Each half promotes as many as the hand-set gates did on the other half: 10 of 10, and 9 of 10 (the halves' tops differ by 0.001).
        Assert.InRange(sql.Learned.Promoted, sql.HandSet.Promoted - 1, sql.HandSet.Promoted);
        Assert.Equal(0.38, sql.MinProbability!.Value, 9);
    }

    [Fact]
    public void Should_Find_The_Lowest_Probability_Whose_Isotonic_Rate_Reaches_The_Target_When_Outcomes_Are_Not_Monotone()
    {
        // Rates by probability: 0.1 -> 0/2, 0.2 -> 1/2, 0.3 -> 0/2, 0.4 -> 2/2: pooled, 0.2 and 0.3 convert 25%, 0.4 100%.
        double[] p = [0.1, 0.1, 0.2, 0.2, 0.3, 0.3, 0.4, 0.4];
        bool[] y = [false, false, true, false, false, false, true, true];
        Assert.Equal(0.2, LearnedGates.IsotonicReaching(p, y, 0.25));
        Assert.Equal(0.4, LearnedGates.IsotonicReaching(p, y, 0.5));
        Assert.Null(LearnedGates.IsotonicReaching(p, [.. y.Select(_ => false)], 0.1));
    }

    [Fact]
    public void Should_Give_The_Wilson_Interval_And_The_Ratio_To_The_Next_Stage_When_A_Backtest_Is_Read()
    {
        var b = new GateBacktest(10, 2) { Expected = 1 };
        Assert.Equal(0.0567, b.Low!.Value, 4);
        Assert.Equal(0.5098, b.High!.Value, 4);
        Assert.Equal(2, b.VersusNextStage);
        Assert.Null(new GateBacktest(0, 0).Low);
    }

    [Fact]
    public void Should_Give_Stable_Halves_When_The_Same_Lead_Id_Is_Seen_Again()
    {
        Assert.Equal(LearnedGates.HalfOf("L-000123"), LearnedGates.HalfOf("L-000123"));
        var halves = Enumerable.Range(0, 1000).Select(i => LearnedGates.HalfOf($"L-{i:D6}")).ToArray();
        Assert.InRange(halves.Count(h => h == 1), 400, 600);
    }
}
