namespace LeadPredict.Timeline.Tests;

public sealed class SnapshotTests
{
    [Fact]
    public void Should_Count_Only_Activities_Strictly_Before_The_Snapshot_Time()
    {
        using var history = new History()
            .Lead("a", "2024-01-01")
            .Activity("a", "2024-01-10 23:59:59", "email_open")   // before the snapshot at 2024-01-11
            .Activity("a", "2024-01-11 00:00:00", "email_open")   // at it: not known yet
            .Activity("a", "2024-01-12 00:00:00", "email_open")
            .Lead("z", "2024-06-01");                              // pushes the export date far enough
        using var data = history.Load();
        var set = data.Snapshots();
        var i = set.At("a", "2024-01-11");
        Assert.True(i >= 0);
        Assert.Equal(1f, set.Feature(i, "act_email_open_count_30d"));
        Assert.Equal(1f, set.Feature(i, "act_any_count_30d"));
        Assert.Equal(0f, set.Feature(set.At("a", "2024-01-01"), "act_email_open_count_30d"));
        Assert.Equal(3f, set.Feature(set.At("a", "2024-01-21"), "act_email_open_count_30d"));
    }

    [Fact]
    public void Should_Label_A_Conversion_At_The_Horizon_End_Positive_And_One_Second_Later_Negative()
    {
        using var history = new History()
            .Lead("edge", "2024-01-01").Won("edge", "2024-01-31 00:00:00")        // t = 01-01, t + 30 days: inside (t, t+H]
            .Lead("late", "2024-01-01").Won("late", "2024-01-31 00:00:01")        // one second past the horizon
            .Lead("z", "2024-06-01");
        using var data = history.Load(c => c with { Snapshots = new() { FirstAfterDays = 0, EveryDays = 10, MaxPerLead = 1 } });
        var set = data.Snapshots();
        Assert.True(set.Labels![set.At("edge", "2024-01-01")]);
        Assert.False(set.Labels![set.At("late", "2024-01-01")]);
    }

    [Fact]
    public void Should_Not_Make_Examples_At_Or_After_The_Conversion()
    {
        using var history = new History()
            .Lead("a", "2024-01-01").Won("a", "2024-01-11 00:00:00")   // converted exactly at the second snapshot's time
            .Lead("z", "2024-06-01");
        using var data = history.Load();
        var set = data.Snapshots();
        Assert.True(set.At("a", "2024-01-01") >= 0);
        Assert.Equal(-1, set.At("a", "2024-01-11"));
        Assert.Equal(-1, set.At("a", "2024-01-21"));
        Assert.Equal(2, set.Counts.ConvertedBefore);
    }

    [Fact]
    public void Should_Leave_Out_Snapshots_Whose_Horizon_Runs_Past_The_Export_Date_As_Censored_Not_Negative()
    {
        using var history = new History()
            .Lead("old", "2024-01-01")
            .Lead("recent", "2024-05-20")
            .Lead("z", "2024-06-01");                 // export date: 2024-06-01 (the latest timestamp)
        using var data = history.Load();
        Assert.Equal(new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc), data.AsOf);
        Assert.Contains("latest timestamp", data.Report.AsOfSource);
        var set = data.Snapshots();
        Assert.Equal(3, Enumerable.Range(0, set.Count).Count(i => set.Leads.Column("id")[set.LeadRows[i]] == "old"));
        Assert.Equal(-1, set.At("recent", "2024-05-20"));
        // recent: 05-20 and 05-30 are censored; z: 06-01 is censored; 06-11 is after the export date and not a snapshot at all.
        Assert.Equal(3, set.Counts.Censored);
        Assert.All(set.Times, t => Assert.True(t.AddDays(30) <= data.AsOf));
    }

    [Fact]
    public void Should_Stop_Making_Snapshots_Once_A_Lead_Is_Closed_As_Lost()
    {
        using var history = new History().Lead("a", "2024-01-01").Lead("z", "2024-06-01");
        history.Write();
        File.WriteAllText(history.File("outcomes.csv"), "lead_id,won_at,result\na,2024-01-15,lost\n");
        using var data = history.Load(c => c with { Outcomes = c.Outcomes! with { Result = "result" } }, write: false);
        var set = data.Snapshots();
        Assert.True(set.At("a", "2024-01-11") >= 0);
        Assert.False(set.Labels![set.At("a", "2024-01-11")]);
        Assert.Equal(-1, set.At("a", "2024-01-21"));
        Assert.Equal(1, set.Counts.ClosedBefore);
        Assert.Equal(1, data.Report.LostLeads);
    }

    [Fact]
    public void Should_Never_Let_Events_At_Or_After_The_Conversion_Into_Features()
    {
        History Make(bool withLateEvents)
        {
            var h = new History().Lead("a", "2024-01-01").Won("a", "2024-01-25")
                .Activity("a", "2024-01-05", "demo").Lead("z", "2024-06-01");
            if (withLateEvents) h.Activity("a", "2024-01-25", "demo").Activity("a", "2024-01-26", "demo").Activity("a", "2024-02-20", "demo");
            return h;
        }
        using var without = Make(false);
        using var with = Make(true);
        using var a = without.Load();
        using var b = with.Load();
        // All snapshots of a are before its conversion; none of them may see the later events, and the stored log has only the early one.
        var sa = a.Snapshots();
        var sb = b.Snapshots();
        Assert.Equal(sa.Features, sb.Features);
        Assert.Equal(1, b.Report.Activities);
        Assert.Equal(3, b.Report.ActivityTypes.Single().EventsAfterConversion);
    }

    [Fact]
    public void Should_Count_Activities_In_Each_Window_With_Recency_Active_Days_And_Trend()
    {
        using var history = new History()
            .Lead("a", "2023-11-01")
            .Activity("a", "2023-11-05 10:00", "visit")   // 57 days before 2024-01-01
            .Activity("a", "2023-12-10 09:00", "visit")   // 21.6 days before
            .Activity("a", "2023-12-28 08:00", "visit")   // 3.67 days before
            .Activity("a", "2023-12-28 18:00", "visit")   // same day
            .Lead("z", "2024-06-01");
        using var data = history.Load(c => c with
        {
            Snapshots = new() { FirstAfterDays = 61, EveryDays = 10, MaxPerLead = 1 }, // 2024-01-01
            Windows = [7, 30, 90],
        });
        var set = data.Snapshots();
        var i = set.At("a", "2024-01-01");
        Assert.Equal(2f, set.Feature(i, "act_visit_count_7d"));
        Assert.Equal(3f, set.Feature(i, "act_visit_count_30d"));
        Assert.Equal(4f, set.Feature(i, "act_visit_count_90d"));
        Assert.Equal((float)((new DateTime(2024, 1, 1) - new DateTime(2023, 11, 5, 10, 0, 0)).TotalDays), set.Feature(i, "act_visit_days_since_first"));
        Assert.Equal((float)((new DateTime(2024, 1, 1) - new DateTime(2023, 12, 28, 18, 0, 0)).TotalDays), set.Feature(i, "act_visit_days_since_last"));
        Assert.Equal(3f, set.Feature(i, "act_visit_active_days_90d"));
        Assert.Equal((float)((2 / 7.0) / (4 / 90.0)), set.Feature(i, "act_visit_trend_7_90d"));
        Assert.Equal(61f, set.Feature(i, "lead_age_days"));
        Assert.Equal("Visits, last 30 days", set.FeatureDefinitions.Single(f => f.Name == "act_visit_count_30d").DisplayName);
    }

    [Theory]
    [InlineData(90)]
    [InlineData(400)]
    public void Should_Count_Each_Utc_Day_With_Activity_Once_Within_The_Longest_Window(int longest)
    {
        // t = 2024-01-01 12:00; the 90-day window starts at 2023-10-03 12:00, the 400-day one at 2022-11-27 12:00.
        using var history = new History()
            .Lead("a", "2023-01-01 12:00")
            .Activity("a", "2023-01-01 10:00", "visit")
            .Activity("a", "2023-10-01 23:00", "visit")
            .Activity("a", "2023-10-03 00:30", "visit")      // the 90-day window's first day, before its start
            .Activity("a", "2023-10-03 13:00", "visit")      // the same day, inside: the day counts once
            .Activity("a", "2023-12-30 08:00", "visit").Activity("a", "2023-12-30 09:00", "demo")
            .Activity("a", "2024-01-01 11:59:59", "demo")    // the last second before t
            .Activity("a", "2024-01-01 12:00:00", "demo")    // at t: not yet known
            .Lead("z", "2025-06-01");
        using var data = history.Load(c => c with { Snapshots = new() { FirstAfterDays = 365, EveryDays = 10, MaxPerLead = 1 }, Windows = [7, longest] });
        var set = data.Snapshots();
        var i = set.At("a", "2024-01-01 12:00");
        Assert.Equal(longest == 90 ? 2f : 4f, set.Feature(i, $"act_visit_active_days_{longest}d"));
        Assert.Equal(2f, set.Feature(i, $"act_demo_active_days_{longest}d"));
        Assert.Equal(longest == 90 ? 3f : 5f, set.Feature(i, $"act_any_active_days_{longest}d"));
        Assert.Equal(longest == 90 ? 2f : 5f, set.Feature(i, $"act_visit_count_{longest}d"));
    }

    [Fact]
    public void Should_Leave_Recency_And_Trend_Missing_When_A_Lead_Has_No_Activity_Of_The_Type()
    {
        using var history = new History()
            .Lead("a", "2024-01-01").Activity("a", "2024-01-02", "visit")
            .Lead("b", "2024-01-01")
            .Lead("z", "2024-06-01");
        using var data = history.Load();
        var set = data.Snapshots();
        var i = set.At("b", "2024-01-11");
        Assert.Equal(0f, set.Feature(i, "act_visit_count_30d"));
        Assert.True(float.IsNaN(set.Feature(i, "act_visit_days_since_last")));
        Assert.True(float.IsNaN(set.Feature(i, "act_visit_days_since_first")));
        Assert.True(float.IsNaN(set.Feature(i, "act_visit_trend_7_30d")));
        Assert.Equal(0f, set.Feature(i, "act_visit_active_days_30d"));
    }

    [Fact]
    public void Should_Pool_Rare_Activity_Types_So_Thousands_Of_Types_Do_Not_Make_Thousands_Of_Features()
    {
        var history = new History().Lead("a", "2024-01-01").Lead("z", "2024-06-01");
        for (var k = 0; k < 5000; k++) history.Activity("a", "2024-01-05", $"page_{k:D4}");
        for (var k = 0; k < 3; k++) history.Activity("a", "2024-01-06", "demo");
        for (var k = 0; k < 2; k++) history.Activity("a", "2024-01-06", "webinar");
        using (history)
        using (var data = history.Load(c => c with { MaxActivityTypes = 2 }))
        {
            var set = data.Snapshots();
            Assert.Equal(["demo", "webinar"], data.Schema.ActivityTypes);
            Assert.True(data.Schema.PoolOthers);
            Assert.Equal(1 + 4 * 6, set.FeatureCount); // age + (any, demo, webinar, other) × (2 windows, first, last, active days, trend)
            var i = set.At("a", "2024-01-11");
            Assert.Equal(5000f, set.Feature(i, "act_other_count_30d"));
            Assert.Equal(5005f, set.Feature(i, "act_any_count_30d"));
            Assert.Equal("Other activities, last 30 days", set.FeatureDefinitions.Single(f => f.Name == "act_other_count_30d").DisplayName);
        }
    }

    [Fact]
    public void Should_Name_The_Stage_A_Lead_Was_In_Strictly_Before_The_Snapshot_Time()
    {
        using var history = new History()
            .Lead("a", "2024-01-01")
            .Stage("a", "Lead", "2024-01-01")        // at the first snapshot's time: not yet known then
            .Stage("a", "MQL", "2024-01-05 12:00")
            .Lead("z", "2024-06-01");
        using var data = history.Load();
        var set = data.Snapshots();
        Assert.Null(set.StageAt![set.At("a", "2024-01-01")]);
        var i = set.At("a", "2024-01-11");
        Assert.Equal("MQL", set.StageAt[i]);
        Assert.Equal(5.5f, set.Feature(i, "days_in_stage"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Should_Name_The_Same_Stage_Whatever_The_Row_Order_When_Two_Stages_Were_Entered_At_The_Same_Instant(bool reversed)
    {
        var history = new History().Lead("a", "2024-01-01");
        history = reversed
            ? history.Stage("a", "marketingqualifiedlead", "2024-01-02").Stage("a", "lead", "2024-01-02")
            : history.Stage("a", "lead", "2024-01-02").Stage("a", "marketingqualifiedlead", "2024-01-02");
        using var written = history.Lead("z", "2024-06-01");
        using var data = written.Load();
        var set = data.Snapshots();
        var i = set.At("a", "2024-01-11");
        Assert.Equal("marketingqualifiedlead", set.StageAt![i]);
        Assert.Equal(9f, set.Feature(i, "days_in_stage"));
    }

    [Fact]
    public void Should_Split_By_Time_With_A_Gap_So_No_Label_Crosses_The_Cutoff_And_No_Lead_Straddles_It()
    {
        var history = new History();
        for (var m = 1; m <= 9; m++) history.Lead($"l{m}", $"2023-{m:D2}-01");
        history.Lead("z", "2024-06-01");
        using (history)
        using (var data = history.Load())
        {
            var set = data.Snapshots();
            var cutoff = new DateTime(2023, 6, 1, 0, 0, 0, DateTimeKind.Utc);
            var (train, test, dropped) = set.SplitByTime(cutoff, gapDays: 30);
            Assert.All(train, i => Assert.True(set.Times[i].AddDays(set.HorizonDays) <= cutoff));
            Assert.All(test, i => Assert.True(set.Times[i] >= cutoff));
            Assert.Empty(train.Select(i => set.LeadRows[i]).Intersect(test.Select(i => set.LeadRows[i])));
            Assert.Equal(set.Count, train.Length + test.Length + dropped);
            Assert.Throws<ArgumentOutOfRangeException>(() => set.SplitByTime(cutoff, gapDays: 10));
        }
    }

    [Fact]
    public void Should_Give_The_Same_Features_Whatever_The_Number_Of_Snapshots_Aggregated_At_Once()
    {
        var history = new History().Lead("z", "2024-06-01");
        for (var i = 0; i < 12; i++)
        {
            history.Lead($"l{i}", $"2024-01-{1 + i:D2}");
            for (var k = 0; k < 5 + i; k++) history.Activity($"l{i}", $"2024-01-{1 + i + k:D2} 1{k % 10}:00", k % 3 == 0 ? "visit" : "demo");
        }
        using (history)
        {
            using var whole = history.Load();
            using var chunked = history.Load();
            chunked.SnapshotsPerChunk = 5;
            var a = whole.Snapshots();
            var b = chunked.Snapshots();
            Assert.True(a.Count > 10);
            Assert.Equal(a.Features.Select(BitConverter.SingleToInt32Bits), b.Features.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(whole.OpenLeadsAsOf().Features.Select(BitConverter.SingleToInt32Bits), chunked.OpenLeadsAsOf().Features.Select(BitConverter.SingleToInt32Bits));
        }
    }
}
