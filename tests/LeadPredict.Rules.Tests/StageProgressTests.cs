namespace LeadPredict.Rules.Tests;

/// <summary>The learned funnel's numbers, typed on the advice, are the ones its reason words.</summary>
public sealed class StageProgressTests
{
    /// <summary>The learned funnel of <see cref="FunnelHistoryNotesTests"/>: SAL stays of 5 to 24 days (median 14), half promoted to SQL.</summary>
    private static FunnelAdvisor Advisor() =>
        new(RuleSet.Default(Sample.Columns), new DecileCuts(TopDecileFrom: 0.9, BottomDecileBelow: 0.01), learned: FunnelHistoryNotesTests.Learned());

    private static LeadValues Lead(string stage, string? days) =>
        new(new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["stage"] = stage, ["Days in current stage"] = days });

    [Fact]
    public void Should_Carry_The_Stage_Odds_And_Days_The_Reason_Words_When_The_Model_Has_A_Stage_History()
    {
        var d = Advisor().Decide(Lead("sal", "9"), 0.15);
        var p = Assert.IsType<StageProgress>(d.Progress);
        Assert.Equal(("SAL", "SQL", 30), (p.Stage, p.NextStage, p.HorizonDays));
        Assert.Equal(0.5, p.AverageOdds);
        Assert.Equal(9, p.DaysInStage);
        Assert.Equal(14, p.MedianDays);
        Assert.Equal(42, p.StalledFromDays);
        Assert.False(p.Stalled);
        Assert.InRange(p.Odds, 0, 1);
        Assert.EndsWith($"SAL -> SQL: {(int)Math.Round(p.Odds * 100)}% reach SQL within 30 days (SAL average 50%); 9 days in SAL (median 14)", d.Reason);
    }

    [Fact]
    public void Should_Mark_The_Lead_Stalled_When_Its_Days_Reach_Three_Times_The_Median_Even_When_It_Is_Promoted()
    {
        var held = Advisor().Decide(Lead("sal", "42"), 0.15);
        Assert.True(held.Progress!.Value.Stalled);
        Assert.Equal(LeadAction.Stalled, held.Action);
        var promoted = Advisor().Decide(Lead("sal", "60"), 0.6);
        Assert.Equal(LeadAction.Promote, promoted.Action);
        Assert.True(promoted.Progress!.Value.Stalled);
        Assert.False(Advisor().Decide(Lead("sal", "41.4"), 0.15).Progress!.Value.Stalled);
    }

    [Fact]
    public void Should_Give_The_Average_As_The_Odds_And_No_Days_When_The_Days_In_Stage_Are_Unknown()
    {
        var p = Advisor().Decide(Lead("sal", null), 0.15).Progress!.Value;
        Assert.Null(p.DaysInStage);
        Assert.Equal(p.AverageOdds, p.Odds);
        Assert.False(p.Stalled);
    }

    [Fact]
    public void Should_Have_No_Numbers_When_The_History_Never_Saw_The_Stage_Or_There_Is_None()
    {
        Assert.Null(Advisor().Decide(Lead("mql", "500"), 0.15).Progress);
        Assert.Null(new FunnelAdvisor(RuleSet.Default(Sample.Columns)).Decide(Lead("sal", "9"), 0.15).Progress);
    }
}
