namespace LeadPredict.Rules.Tests;

/// <summary>
/// Run alone: a collection by another test while the loop runs retires this thread's allocation context, which shows as up
/// to one allocation quantum (8 KB) "allocated" though nothing was.
/// </summary>
[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationTestsRunAlone;

[Collection(nameof(AllocationTests))]
public sealed class AllocationTests
{
    [Fact]
    public void Checking_the_icp_fit_and_backtesting_allocate_nothing_per_lead()
    {
        var rules = Sample.Rules();
        var leads = new[] { Sample.DecisionMaker(), Sample.Student(), Sample.DecisionMaker(overrides: [("industry", " financial \t services"), ("job_title", "Head  of  Sales")]) };
        Assert.Equal(IcpFit.Pass, rules.Icp!.FitOf(leads[2], out _));
        var backtest = new IcpBacktest(rules.Icp!);
        foreach (var lead in leads) { rules.Icp!.FitOf(lead, out _); backtest.Add(lead, true); } // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            var lead = leads[i % leads.Length];
            rules.Icp!.FitOf(lead, out _);
            backtest.Add(lead, i % 3 == 0);
        }
        var delta = GC.GetAllocatedBytesForCurrentThread() - before; Assert.True(delta < 1_000, $"evaluation allocated per lead: {delta}");
    }
}
