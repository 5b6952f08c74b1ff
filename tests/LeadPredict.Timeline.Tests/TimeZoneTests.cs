namespace LeadPredict.Timeline.Tests;

public sealed class TimeZoneTests
{
    [Fact]
    public void Should_Convert_Timestamps_With_An_Offset_To_Utc()
    {
        // 2024-01-11T01:30+02:00 is 2024-01-10T23:30Z: before the snapshot at 2024-01-11T00:00Z.
        using var history = new History().Lead("a", "2024-01-01").Activity("a", "2024-01-11T01:30:00+02:00", "call").Lead("z", "2024-06-01");
        using var data = history.Load();
        var set = data.Snapshots();
        Assert.Equal(1f, set.Feature(set.At("a", "2024-01-11"), "act_call_count_7d"));
        Assert.Equal(0.5f / 24f, set.Feature(set.At("a", "2024-01-11"), "act_call_days_since_last"), 6);
    }

    [Fact]
    public void Should_Read_Timestamps_Without_An_Offset_As_Utc_By_Default_And_In_The_Configured_Zone_Otherwise()
    {
        using var history = new History().Lead("a", "2024-01-01 00:00:00+00:00").Activity("a", "2024-01-11 00:30:00", "call").Lead("z", "2024-06-01T00:00:00Z");
        using (var utc = history.Load())
        {
            var set = utc.Snapshots();
            Assert.Equal(0f, set.Feature(set.At("a", "2024-01-11"), "act_call_count_7d"));
        }
        // In Paris (UTC+1 in winter) 00:30 local is 23:30 UTC the day before, so the call counts at 2024-01-11T00:00Z.
        using var paris = history.Load(c => c with { TimeZone = "Europe/Paris" });
        var s = paris.Snapshots();
        Assert.Equal(1f, s.Feature(s.At("a", "2024-01-11"), "act_call_count_7d"));
        Assert.Equal(new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc), paris.AsOf);
    }
}
