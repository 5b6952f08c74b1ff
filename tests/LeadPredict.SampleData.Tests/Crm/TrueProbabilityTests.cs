using LeadPredict.Core;
using LeadPredict.SampleData.Crm;
using static LeadPredict.SampleData.Tests.Crm.CrmPopulation;

namespace LeadPredict.SampleData.Tests.Crm;

/// <summary>
/// The known truth checked against the generator itself: leads asked about at random times, then followed through their
/// complete stories (which go on past the export), convert as often as their true probability says, in every band of it.
/// </summary>
public sealed class TrueProbabilityTests
{
    private sealed record Case(CrmLead Lead, long AsOf, bool Converted, LeadTruth Truth, LeadTruth WithoutStages)
    {
        public LeadTruth Of(Evidence evidence) => evidence == Evidence.AllTables ? Truth : WithoutStages;
    }

    /// <summary>Each open lead asked once, at a random time from 1 to 150 days after its creation (before the export).</summary>
    private static readonly Lazy<List<Case>> Cases = new(() =>
    {
        var history = History;
        var export = Seconds(history.ExportAt);
        var rng = new Random(5);
        var cases = new List<Case>();
        foreach (var lead in Leads)
        {
            var asOf = lead.CreatedAtSeconds + (long)((1 + 149 * rng.NextDouble()) * Day);
            if (asOf > export || lead.ClosedAt < asOf) continue;
            var converted = lead.WonAt is { } won && won >= asOf && won < asOf + 90 * Day;
            cases.Add(new(lead, asOf, converted, history.Truth(lead, CrmTime.ToDateTime(asOf), [90]),
                history.Truth(lead, CrmTime.ToDateTime(asOf), [90], Evidence.WithoutStageHistory)));
        }
        return cases;
    });

    [Theory]
    [InlineData(Evidence.AllTables)]
    [InlineData(Evidence.WithoutStageHistory)]
    public void Should_Convert_As_Often_As_The_True_Probability_Says_In_Every_Decile_Of_It(Evidence evidence)
    {
        var cases = Cases.Value;
        Assert.True(cases.Count > 6000, $"{cases.Count} cases");
        double P(Case c) => c.Of(evidence).Probabilities[0];
        var sorted = cases.OrderBy(P).ToList();
        for (var d = 0; d < 10; d++)
        {
            var bin = sorted.Skip(d * sorted.Count / 10).Take((d + 1) * sorted.Count / 10 - d * sorted.Count / 10).ToList();
            var (low, high) = Band(bin.Select(P).ToList());
            var rate = bin.Average(c => c.Converted ? 1.0 : 0);
            Assert.True(rate >= low && rate <= high,
                $"decile {d + 1}: {rate:F4} converted, true probability says {bin.Average(P):F4} (band {low:F4}..{high:F4})");
        }
        var (l, h) = Band(cases.Select(P).ToList(), 3);
        Assert.InRange(cases.Average(c => c.Converted ? 1.0 : 0), l, h);
    }

    [Fact]
    public void Should_Be_Calibrated_Where_A_Truth_That_Ignored_Activities_Would_Not_Be()
    {
        // Control: the same check on the level prior alone must fail, or the test above could not tell a wrong truth from a right one.
        var cases = Cases.Value;
        var ignoringActivities = cases.Select(PriorOnlyProbability).ToArray();
        var sorted = cases.Select((c, i) => (c, p: ignoringActivities[i])).OrderBy(x => x.p).ToList();
        var top = sorted.Skip(sorted.Count * 9 / 10).ToList();
        var (_, high) = Band(top.Select(x => x.p).ToList());
        var actual = top.Average(x => x.c.Converted ? 1.0 : 0);
        Assert.True(actual > high || actual < Band(top.Select(x => x.p).ToList()).Low,
            $"the prior-only answer looks calibrated in its top decile ({actual:F4} vs {top.Average(x => x.p):F4}); the test has no power");
    }

    /// <summary>The chance of converting within 90 days from the lead's stage, with the level posterior replaced by the prior.</summary>
    private static double PriorOnlyProbability(Case c)
    {
        var prior = CrmProcess.LevelPrior(c.Lead.SourceIntent, c.Lead.FitClass);
        var model = History.TruthModel;
        var p = 0.0;
        for (var k = 0; k < CrmProcess.Levels; k++)
        {
            var chain = model.Chain(k, c.Lead.FitClass);
            p += prior[k] * chain.ReachWithin((int)CrmStage.Customer, 90)[chain.State((int)c.Truth.Stage, 0)];
        }
        return p;
    }

    [Theory]
    [InlineData(Evidence.AllTables)]
    [InlineData(Evidence.WithoutStageHistory)]
    public void Should_Give_Each_Level_The_Posterior_Share_Of_The_Leads_That_Really_Have_It(Evidence evidence)
    {
        var cases = Cases.Value;
        for (var k = 0; k < CrmProcess.Levels; k++)
        {
            double P(Case c) => c.Of(evidence).LevelPosterior[k];
            var sorted = cases.OrderBy(P).ToList();
            for (var d = 0; d < 5; d++)
            {
                var bin = sorted.Skip(d * sorted.Count / 5).Take(sorted.Count / 5).ToList();
                var (low, high) = Band(bin.Select(P).ToList());
                var share = bin.Average(c => (int)c.Lead.Level == k ? 1.0 : 0);
                Assert.True(share >= low && share <= high, $"level {(IntentLevel)k}, quintile {d + 1}: {share:F4} vs posterior {bin.Average(P):F4}");
            }
        }
    }

    [Fact]
    public void Should_Rank_Leads_Well_But_Not_Perfectly_And_Better_With_The_Stage_History()
    {
        var cases = Cases.Value;
        var labels = cases.Select(c => c.Converted).ToArray();
        var all = RankMetrics.Auc(cases.Select(c => c.Truth.Probabilities[0]).ToArray(), labels);
        var withoutStages = RankMetrics.Auc(cases.Select(c => c.WithoutStages.Probabilities[0]).ToArray(), labels);
        Assert.InRange(withoutStages, 0.8, 0.97);
        Assert.InRange(all, withoutStages + 0.005, 0.98);
    }

    [Fact]
    public void Should_Reach_Customer_Within_A_Time_As_Often_As_A_Simulated_Chain_Does()
    {
        // The chain's uniformization checked against direct simulation of the same stays, from a lead in SAL, second phase.
        var rng = new Prng(3);
        const int runs = 200_000;
        foreach (var (level, fit) in new[] { (0, 1), (1, 2), (2, 3) })
        {
            var chain = new PhaseChain(level, fit);
            var exact = chain.ReachWithin((int)CrmStage.Customer, 60)[chain.State((int)CrmStage.Sal, 1)];
            var hits = 0;
            for (var run = 0; run < runs; run++)
            {
                double t = 0;
                var s = (int)CrmStage.Sal;
                var phase = 1;
                while (s < (int)CrmStage.Customer && t < 60)
                {
                    var r = CrmProcess.Rates(s, level, fit);
                    var stay = 0.0;
                    for (var i = phase; i < r.Phases; i++) stay += rng.Exponential(r.Rate);
                    if (rng.Exponential(r.LossRate) < stay) break;
                    t += stay;
                    s += rng.Chance(r.BackShare) ? -1 : 1;
                    phase = 0;
                }
                if (s == (int)CrmStage.Customer && t < 60) hits++;
            }
            var se = Math.Sqrt(exact * (1 - exact) / runs);
            Assert.InRange(hits / (double)runs, exact - 4 * se, exact + 4 * se);
        }
    }

    [Fact]
    public void Should_Place_A_Lead_In_The_Funnel_At_An_Age_As_Often_As_A_Simulated_Chain_Does()
    {
        var rng = new Prng(4);
        const int runs = 200_000;
        const double age = 45;
        var chain = new PhaseChain(2, 2);
        var q = CrmProcess.StartAsMql[2];
        var exact = chain.DistributionAt(age, q);
        var stageAt = new double[CrmProcess.LadderStages + 2];
        for (var s = 0; s < CrmProcess.LadderStages; s++)
            for (var i = 0; i < chain.Rates(s).Phases; i++) stageAt[s] += exact[chain.State(s, i)];
        stageAt[^2] = exact[chain.PhaseStates];
        stageAt[^1] = exact[chain.PhaseStates + 1];
        var counts = new int[stageAt.Length];
        for (var run = 0; run < runs; run++)
        {
            var s = rng.Chance(q) ? 1 : 0;
            double t = 0;
            var end = -1;
            while (end < 0)
            {
                var r = CrmProcess.Rates(s, 2, 2);
                var stay = 0.0;
                for (var i = 0; i < r.Phases; i++) stay += rng.Exponential(r.Rate);
                var loss = rng.Exponential(r.LossRate);
                if (t + Math.Min(stay, loss) > age) end = s;
                else if (loss < stay) end = stageAt.Length - 1;
                else
                {
                    t += stay;
                    s += rng.Chance(r.BackShare) ? -1 : 1;
                    if (s == (int)CrmStage.Customer) end = stageAt.Length - 2;
                }
            }
            counts[end]++;
        }
        for (var s = 0; s < stageAt.Length; s++)
        {
            var se = Math.Sqrt(stageAt[s] * (1 - stageAt[s]) / runs);
            Assert.InRange(counts[s] / (double)runs, stageAt[s] - 4 * se - 1e-9, stageAt[s] + 4 * se + 1e-9);
        }
    }

    [Fact]
    public void Should_Reach_Eventually_What_A_Very_Long_Horizon_Reaches()
    {
        var chain = new PhaseChain(1, 2);
        var eventually = chain.ReachEventually((int)CrmStage.Customer);
        var long_ = chain.ReachWithin((int)CrmStage.Customer, 20_000);
        for (var i = 0; i < eventually.Length; i++) Assert.Equal(eventually[i], long_[i], 9);
    }

    [Fact]
    public void Should_Grow_With_The_Horizon_And_Be_Zero_Once_The_Lead_Has_Closed()
    {
        var history = History;
        var open = Leads.First(l => l.ClosedAt > l.CreatedAtSeconds + 40 * Day && l.WonAt is not null);
        var truth = history.Truth(open, CrmTime.ToDateTime(open.CreatedAtSeconds + 10 * Day), [30, 60, 90, 365]);
        Assert.Equal(LeadState.Open, truth.State);
        for (var i = 1; i < truth.Probabilities.Count; i++) Assert.True(truth.Probabilities[i] >= truth.Probabilities[i - 1]);
        Assert.InRange(truth.Probabilities[^1], 0, 1);
        Assert.Equal(CrmProcess.Levels, truth.LevelPosterior.Count);
        Assert.Equal(1, truth.LevelPosterior.Sum(), 9);

        var afterWin = CrmTime.ToDateTime(open.WonAt!.Value + 1);
        Assert.Equal(0, history.TrueProbability(open.LeadId, afterWin, 90));
        Assert.Equal(LeadState.Converted, history.Truth(open, afterWin, [90]).State);
        var lost = Leads.First(l => l.LostAt < Seconds(history.ExportAt));
        Assert.Equal(LeadState.Lost, history.Truth(lost, CrmTime.ToDateTime(lost.LostAt!.Value + 1), [90]).State);
    }

    [Theory]
    [InlineData(Evidence.AllTables)]
    [InlineData(Evidence.WithoutStageHistory)]
    public void Should_Depend_Only_On_What_Happened_Before_The_As_Of_Time(Evidence evidence)
    {
        // The same lead with everything after t removed (what a CRM exported at t would hold) gets the same answer at t.
        var history = History;
        foreach (var lead in Leads.Where(l => l.Activities.Count > 10 && l.Stages.Count > 3).Take(50))
        {
            var asOf = (lead.Stages[2].At + lead.Stages[3].At) / 2;
            var cut = lead with
            {
                Activities = [.. lead.Activities.Where(a => a.At < asOf)],
                Stages = [.. lead.Stages.Where(s => s.At < asOf)],
            };
            var full = history.Truth(lead, CrmTime.ToDateTime(asOf), [90], evidence).Probabilities[0];
            var censored = history.TruthModel.Evaluate(cut, asOf, [90], evidence).Probabilities[0];
            Assert.Equal(full, censored, 12);
        }
    }

    [Fact]
    public void Should_Refuse_Times_Before_Creation_Or_After_The_Export()
    {
        var history = History;
        var lead = Leads[100];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => history.Truth(lead, lead.CreatedAt, [90]));
        Assert.Contains("created at", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => history.Truth(lead, history.ExportAt.AddSeconds(1), [90]));
        Assert.Contains("export", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => history.Truth(lead, history.ExportAt, [0]));
        var unknown = Assert.Throws<ArgumentException>(() => history.TrueProbability("L-999999", history.ExportAt, 90));
        Assert.Contains("not a lead of this history", unknown.Message);
    }
}
