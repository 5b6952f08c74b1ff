namespace LeadPredict.Rules.Tests;

public sealed class FunnelHistoryNotesTests
{
    private static readonly DateTime Export = new(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DecileCuts Cuts = new(TopDecileFrom: 0.9, BottomDecileBelow: 0.01);

    /// <summary>
    /// 40 leads through SAL: stays of 5 to 24 days (median 14), half of them promoted to SQL, half lost; all entered long ago.
    /// </summary>
    internal static LearnedFunnel Learned()
    {
        var stories = Enumerable.Range(0, 40).Select(i =>
        {
            var start = Export.AddDays(-300 + i);
            var end = start.AddDays(5 + i / 2);
            return i % 2 == 0
                ? new LeadStory([new(start, "sal"), new(end, "sql")], null, null)
                : new LeadStory([new(start, "sal")], null, end);
        });
        return FunnelLearner.Learn(new Funnel(Funnel.DefaultStages), stories, Export) with { DaysInStageColumn = "Days in current stage" };
    }

    private static FunnelAdvisor Advisor() => new(RuleSet.Default(Sample.Columns), Cuts, learned: Learned());

    private static LeadValues Lead(string stage, string? days) =>
        new(new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["stage"] = stage, ["Days in current stage"] = days });

    [Fact]
    public void Should_Put_The_Learned_Numbers_In_The_Reason_When_The_Model_Has_A_Stage_History()
    {
        var learned = Learned();
        var sal = learned.For("SAL")!;
        Assert.Equal(14, sal.MedianDays);
        Assert.Equal(0.5, sal.PromotedWithinHorizon);
        var d = Advisor().Decide(Lead("sal", "9"), 0.15);
        Assert.Equal(LeadAction.Hold, d.Action);
        var odds = (int)Math.Round(sal.PromotionOdds(9, 30)!.Value * 100);
        Assert.EndsWith($"; SAL -> SQL: {odds}% reach SQL within 30 days (SAL average 50%); 9 days in SAL (median 14)", d.Reason);
    }

    [Fact]
    public void Should_Flag_A_Lead_As_Stalled_When_It_Has_Been_In_Its_Stage_Three_Times_The_Median()
    {
        var stalled = Advisor().Decide(Lead("sal", "42"), 0.15);
        Assert.Equal(LeadAction.Stalled, stalled.Action);
        Assert.EndsWith("42 days in SAL (median 14, stalled from 42)", stalled.Reason);
        Assert.Equal(LeadAction.Hold, Advisor().Decide(Lead("sal", "41.4"), 0.15).Action);
    }

    [Fact]
    public void Should_Promote_Rather_Than_Stall_When_The_Gates_Are_Met()
    {
        var d = Advisor().Decide(Lead("sal", "60"), 0.6);
        Assert.Equal(LeadAction.Promote, d.Action);
        Assert.Contains("60 days in SAL (median 14, stalled from 42)", d.Reason);
    }

    [Fact]
    public void Should_Give_The_Stage_Average_Only_When_The_Days_In_Stage_Are_Unknown()
    {
        var d = Advisor().Decide(Lead("sal", null), 0.15);
        Assert.Equal(LeadAction.Hold, d.Action);
        Assert.EndsWith("; SAL -> SQL: 50% reach SQL within 30 days (SAL average 50%)", d.Reason);
    }

    [Fact]
    public void Should_Say_Nothing_Learned_When_The_History_Never_Saw_The_Stage()
    {
        var d = Advisor().Decide(Lead("mql", "500"), 0.15);
        Assert.DoesNotContain("->", d.Reason.Split(':')[1]);
        Assert.NotEqual(LeadAction.Stalled, d.Action);
    }

    [Fact]
    public void Should_Give_Lower_Odds_When_A_Lead_Has_Outlasted_Most_Stays()
    {
        var sal = Learned().For("SAL")!;
        Assert.True(sal.PromotionOdds(0, 30) >= sal.PromotionOdds(20, 30));
        Assert.Equal(0.5, sal.PromotionOdds(0, 30)!.Value, 9);
    }

    [Fact]
    public void Should_Flag_Stalled_With_The_Rules_Files_Factor_When_It_Sets_One()
    {
        var rules = RuleSet.Parse("""{ "funnel": { "learned": { "stalledFactor": 2 } } }""", Sample.Columns);
        var d = new FunnelAdvisor(rules, Cuts, learned: Learned()).Decide(Lead("sal", "28"), 0.15);
        Assert.Equal(LeadAction.Stalled, d.Action);
        Assert.EndsWith("28 days in SAL (median 14, stalled from 28)", d.Reason);
    }

    /// <summary>A learned gate into SQL at 0.12 (the hand-set default is 0.35 with a partial ICP fit).</summary>
    private static LearnedGates Gates() =>
        new([new LearnedGate("SAL", "SQL", 0.12, 0.3, 100, 100, 0.35)], new(0, 0), new(0, 0), LearnedGates.RuleText(GateRule.Marginal));

    [Fact]
    public void Should_Suggest_With_The_Learned_Gates_When_The_Rules_Ask_For_Them()
    {
        var learnedRules = RuleSet.Parse("""{ "funnel": { "useLearnedGates": true } }""", Sample.Columns);
        var handSet = new FunnelAdvisor(RuleSet.Parse("""{ "funnel": { } }""", Sample.Columns), Cuts).Decide(Lead("sal", null), 0.2);
        Assert.Equal("SAL", handSet.SuggestedStage);
        var learned = new FunnelAdvisor(learnedRules, Cuts, learnedGates: Gates());
        Assert.Equal("SQL", learned.Decide(Lead("sal", null), 0.2).SuggestedStage);
        Assert.Equal(LeadAction.Promote, learned.Decide(Lead("sal", null), 0.2).Action);
        Assert.StartsWith("Meets the gates up to SQL (learned gate); ", learned.Decide(Lead("sal", null), 0.2).Reason);
        var held = learned.Decide(Lead("sal", null), 0.1);
        Assert.Equal("SAL", held.SuggestedStage);
        Assert.Contains("gate SAL->SQL not met: probability 0.10 is below 0.12 (learned gate)", held.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Should_Refuse_To_Score_With_Learned_Gates_When_The_Model_Has_None()
    {
        var rules = RuleSet.Parse("""{ "funnel": { "useLearnedGates": true } }""", Sample.Columns, "/x/rules.json");
        var e = Assert.Throws<LeadPredict.Core.LeadPredictException>(() => new FunnelAdvisor(rules, Cuts));
        Assert.StartsWith("rules.json: funnel.useLearnedGates is true, but the model has no learned gates", e.Message);
    }
}

public sealed class NoStageColumnTests
{
    private static readonly Dictionary<string, Core.ColumnKind> Columns = Sample.Columns.Where(c => c.Key != "stage").ToDictionary(c => c.Key, c => c.Value, StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void Should_Say_The_Stage_Is_Unknown_Instead_Of_Assuming_The_First_Stage_When_The_Data_Has_No_Stage_Column()
    {
        var advisor = new FunnelAdvisor(RuleSet.Default(Columns));
        var d = advisor.Decide(Sample.DecisionMaker(), 0.6);
        Assert.Null(d.CurrentStage);
        Assert.Null(d.SuggestedStage);
        Assert.Equal(LeadAction.Hold, d.Action);
        Assert.Equal("Stage unknown: the data has no stage column (set funnel.stageColumn, or funnel.suggestWithoutStage to suggest the highest stage whose gates are met)", d.Reason);
        Assert.Equal(LeadAction.Nurture, advisor.Decide(Sample.DecisionMaker(), 0.05).Action);
    }

    [Fact]
    public void Should_Suggest_The_Highest_Stage_Whose_Gates_Are_Met_When_The_Rules_Ask_For_It_Without_A_Stage_Column()
    {
        var rules = RuleSet.Parse("""{ "funnel": { "suggestWithoutStage": true } }""", Columns);
        var d = new FunnelAdvisor(rules).Decide(Sample.DecisionMaker(), 0.6);
        Assert.Equal("Prospect", d.CurrentStage);
        Assert.Equal("Opportunity", d.SuggestedStage);
        Assert.Equal(LeadAction.Promote, d.Action);
    }

}
