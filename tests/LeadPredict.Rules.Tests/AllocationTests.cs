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
        const int Leads = 100_000;
        for (var i = 0; i < Leads; i++)
        {
            var lead = leads[i % leads.Length];
            rules.Icp!.FitOf(lead, out _);
            backtest.Add(lead, i % 3 == 0);
        }
        // Anything allocated per lead would be at least 24 bytes a lead (2.4 MB here); the runtime may still charge this
        // thread a one-off allocation quantum (8 KB) while the loop runs (tiering, another test's collection).
        var delta = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(delta < 16_384, $"evaluating {Leads:N0} leads allocated {delta:N0} bytes");
    }
}
