using LeadPredict.Core;

namespace LeadPredict.Timeline.Tests;

public sealed class AsOfTests
{
    private static readonly DateTime March1 = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    private static History Sample() => new History()
        .Lead("open", "2024-01-01").Activity("open", "2024-01-05 09:00", "visit").Activity("open", "2024-02-20 17:45:10.250", "pricing_view")
        .Activity("open", "2024-02-29 23:59:59", "pricing_view").Activity("open", "2024-03-01 00:00:00", "demo")     // at T: not yet known
        .Lead("won-before", "2024-01-01").Won("won-before", "2024-02-10")
        .Lead("won-after", "2024-01-15").Won("won-after", "2024-04-01").Activity("won-after", "2024-02-01T10:00:00+01:00", "visit")
        .Lead("not-yet", "2024-03-05")
        .Lead("z", "2024-06-01");

    [Fact]
    public void Should_Give_The_Open_Leads_As_Of_A_Date_With_Features_As_Of_It()
    {
        using var history = Sample();
        using var data = history.Load();
        var set = data.OpenLeadsAsOf(March1);
        var ids = set.LeadRows.Select(r => set.Leads.Column("id")[r]!).ToArray();
        Assert.Equal(["open", "won-after"], ids);
        Assert.Null(set.Labels);
        Assert.All(set.Times, t => Assert.Equal(March1, t));
        Assert.Equal(1f, set.Feature(0, "act_pricing_view_count_7d"));
        Assert.Equal(2f, set.Feature(0, "act_pricing_view_count_30d"));
        Assert.Equal(0f, set.Feature(0, "act_demo_count_30d"));
        Assert.Equal(60f, set.Feature(0, "lead_age_days"));
    }

    [Fact]
    public void Should_Default_To_The_Export_Date_And_Refuse_A_Date_After_It()
    {
        using var history = Sample();
        using var data = history.Load();
        Assert.Equal(data.AsOf, data.OpenLeadsAsOf().Times[0]);
        var e = Assert.Throws<LeadPredictException>(() => data.OpenLeadsAsOf(new DateTime(2024, 7, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Contains("after the export date", e.Message);
    }

    [Fact]
    public void Should_Give_One_Lead_From_The_Api_Exactly_The_Features_The_Batch_Gives()
    {
        using var history = Sample();
        using var data = history.Load();
        var batch = data.OpenLeadsAsOf(March1);
        using var single = new SingleLeadFeatures(history.Config(), data.Schema);
        // The lead's activities as an API request carries them: the log's own texts, in any order, later ones included.
        var open = single.Compute("2024-01-01", [
            new("2024-03-01 00:00:00", "demo"), new("2024-02-20 17:45:10.250", "pricing_view"),
            new("2024-01-05 09:00", "visit"), new("2024-02-29 23:59:59", "pricing_view"),
        ], March1);
        var wonAfter = single.Compute("2024-01-15", [new("2024-02-01T10:00:00+01:00", "visit")], March1);
        Assert.Equal(Bits(batch.Row(0)), Bits(open));
        Assert.Equal(Bits(batch.Row(1)), Bits(wonAfter));
    }

    [Fact]
    public void Should_Name_The_Activity_Whose_Timestamp_Does_Not_Parse_In_A_Request()
    {
        using var history = Sample();
        using var data = history.Load();
        using var single = new SingleLeadFeatures(history.Config(), data.Schema);
        single.Compute("2024-01-01", [new("2024-01-05", "visit"), new("2024-01-06", "visit"), new("2024-01-07", "visit")], March1);
        var e = Assert.Throws<LeadPredictException>(() => single.Compute("2024-01-01", [new("2024-01-05", "visit"), new("tomorrow", "visit")], March1));
        Assert.StartsWith("activities[1].timestamp: 'tomorrow' is not a timestamp", e.Message);
    }

    [Fact]
    public void Should_Give_Each_Training_Snapshot_The_Features_Of_The_Single_Lead_Path_At_Its_Time()
    {
        using var history = Sample();
        using var data = history.Load();
        var set = data.Snapshots();
        using var single = new SingleLeadFeatures(history.Config(), data.Schema);
        var activities = history.ActivitiesText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))
            .Where(f => f[0] == "open").Select(f => new ActivityInput(f[1], f[2])).ToArray();
        var checkedSnapshots = 0;
        for (var i = 0; i < set.Count; i++)
        {
            if (set.Leads.Column("id")[set.LeadRows[i]] != "open") continue;
            Assert.Equal(Bits(set.Row(i)), Bits(single.Compute("2024-01-01", activities, set.Times[i])));
            checkedSnapshots++;
        }
        Assert.Equal(3, checkedSnapshots);
    }

    private static int[] Bits(ReadOnlySpan<float> row) => row.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
}
