namespace LeadPredict.Timeline.Tests;

public sealed class LeakGuardTests
{
    private static History Sample()
    {
        var h = new History().Lead("z", "2024-09-01");
        for (var i = 0; i < 6; i++)
        {
            var id = $"w{i}";
            h.Lead(id, "2024-01-01").Activity(id, "2024-01-03", "visit").Activity(id, $"2024-01-{5 + i:D2}", "demo_request")
             .Won(id, "2024-02-01").Activity(id, "2024-02-01", "onboarding_call").Activity(id, "2024-02-15", "invoice");
            if (i == 0) h.Activity(id, "2024-01-20", "invoice"); // one invoice before conversion: the share is 6/7, not 1
        }
        for (var i = 0; i < 4; i++) h.Lead($"n{i}", "2024-01-01").Activity($"n{i}", "2024-01-04", "visit");
        return h;
    }

    [Fact]
    public void Should_Name_Activity_Types_That_Occur_Mostly_After_Conversion_With_Their_Share()
    {
        using var history = Sample();
        using var data = history.Load();
        var leaks = data.Report.LikelyLeaks.OrderBy(t => t.Type).ToArray();
        Assert.Equal(["invoice", "onboarding_call"], leaks.Select(t => t.Type));
        Assert.Equal(6.0 / 7, leaks[0].ShareAfterConversion, 6);
        Assert.Equal(1.0, leaks[1].ShareAfterConversion);
        Assert.Equal(0.0, data.Report.ActivityTypes.Single(t => t.Type == "demo_request").ShareAfterConversion);
        // A type with no event before conversion never gets a feature; one with a few does, until excluded.
        Assert.DoesNotContain("onboarding_call", data.Schema.ActivityTypes);
        Assert.Contains("invoice", data.Schema.ActivityTypes);
    }

    [Fact]
    public void Should_Leave_Every_Other_Feature_Of_Every_Pre_Conversion_Snapshot_Unchanged_When_A_Leaky_Type_Is_Excluded()
    {
        using var history = Sample();
        using var all = history.Load();
        using var without = history.Load(c => c with { ExcludeActivityTypes = ["Invoice"] });
        var a = all.Snapshots();
        var b = without.Snapshots();
        Assert.Contains(without.Report.ActivityTypes, t => t.Type == "invoice" && t.Excluded);
        Assert.DoesNotContain("invoice", without.Schema.ActivityTypes);
        Assert.Equal(a.Times, b.Times);
        Assert.Equal(a.Labels, b.Labels);
        var kept = b.FeatureDefinitions.Select(f => f.Name).ToArray();
        Assert.All(kept, name => Assert.Contains(name, a.FeatureDefinitions.Select(f => f.Name)));
        Assert.DoesNotContain(kept, n => n.Contains("invoice"));
        // Snapshots before any invoice: every remaining feature is the same, bit for bit (the "any activity" counts included).
        var firstInvoice = new DateTime(2024, 1, 20, 0, 0, 0, DateTimeKind.Utc);
        var compared = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (a.Times[i] > firstInvoice) continue;
            foreach (var name in kept) Assert.Equal(BitConverter.SingleToInt32Bits(a.Feature(i, name)), BitConverter.SingleToInt32Bits(b.Feature(i, name)));
            compared++;
        }
        Assert.True(compared >= 10);
    }
}
