using LeadPredict.Core;

namespace LeadPredict.Core.Tests;

public sealed class TimelineConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("timeline-config-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, "leadpredict.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static TimelineConfig Valid => new() { ConvertedAt = "converted_at" };

    [Fact]
    public void Should_Default_To_A_90_Day_Horizon_And_7_30_90_Day_Windows_In_Utc()
    {
        Assert.Null(Valid.Validate());
        Assert.Equal(90, Valid.HorizonDays);
        Assert.Equal([7, 30, 90], Valid.Windows);
        Assert.Equal("UTC", Valid.TimeZone);
        Assert.Null(Valid.AsOf);
    }

    [Fact]
    public void Should_Give_P_Within_30_60_And_90_Days_By_Default_And_Always_End_With_The_Horizon()
    {
        Assert.Equal([30, 60, 90], Valid.WithinDaysOrDefault);
        Assert.Equal([30, 45], (Valid with { HorizonDays = 45 }).WithinDaysOrDefault);
        Assert.Equal([7, 14, 90], (Valid with { WithinDays = [14, 7] }).WithinDaysOrDefault);
    }

    [Fact]
    public void Should_Read_A_Timeline_Section_With_Its_Tables_From_Json()
    {
        var config = DatasetConfig.Load<DatasetConfig>(Write("""
            {
              "label": "converted",
              "timeline": {
                "activities": { "path": "activities.parquet", "leadId": "contact_id", "type": "event" },
                "outcomes": { "path": "deals.csv", "date": "won_date", "result": "stage", "wonValues": ["Closed Won"] },
                "stages": { "path": "stages.csv", "stage": "stage", "enteredAt": "entered_at" },
                "horizonDays": 60,
                "snapshots": { "firstAfterDays": 0, "everyDays": 14, "maxPerLead": 6 },
                "windows": [14, 60],
                "timeZone": "Europe/Paris"
              }
            }
            """));
        var t = config.Timeline!;
        Assert.Equal("activities.parquet", t.Activities!.Path);
        Assert.Equal(["Closed Won"], t.Outcomes!.WonValues);
        Assert.Equal(60, t.HorizonDays);
        Assert.Equal(14, t.Snapshots.EveryDays);
        Assert.Equal(60, t.LongestWindow);
        Assert.Equal("Europe/Paris", t.TimeZone);
    }

    [Theory]
    [InlineData("""{ "horizonDays": 0, "convertedAt": "c" }""", "timeline.horizonDays must be between 1 and 3650 (was 0).")]
    [InlineData("""{ "windows": [7, 7], "convertedAt": "c" }""", "timeline.windows lists a window twice (7, 7).")]
    [InlineData("""{ "withinDays": [30, 120], "convertedAt": "c" }""", "timeline.withinDays must be between 1 and the horizon, timeline.horizonDays = 90 (was 120).")]
    [InlineData("""{ "withinDays": [30, 30], "convertedAt": "c" }""", "timeline.withinDays lists a number of days twice (30, 30).")]
    [InlineData("""{ "withinDays": [], "convertedAt": "c" }""", "timeline.withinDays must list 1 to 12 numbers of days (had 0).")]
    [InlineData("""{ "windows": [0, 30], "convertedAt": "c" }""", "timeline.windows must be between 1 and 3650 days (was 0).")]
    [InlineData("""{ "windows": [], "convertedAt": "c" }""", "timeline.windows must list 1 to 8 window lengths in days (had 0).")]
    [InlineData("""{ "snapshots": { "everyDays": 0 }, "convertedAt": "c" }""", "timeline.snapshots.everyDays must be between 1 and 3650 (was 0).")]
    [InlineData("""{ "snapshots": { "maxPerLead": 0 }, "convertedAt": "c" }""", "timeline.snapshots.maxPerLead must be between 1 and 100 (was 0).")]
    [InlineData("""{ "maxActivityTypes": 0, "convertedAt": "c" }""", "timeline.maxActivityTypes must be between 1 and 200 (was 0).")]
    [InlineData("""{ "postConversionShare": 1.5, "convertedAt": "c" }""", "timeline.postConversionShare must be in (0, 1] (was 1.5).")]
    [InlineData("""{ "asOf": "last friday", "convertedAt": "c" }""", "timeline.asOf 'last friday' is not a date; use ISO 8601, e.g. \"2024-06-30\" or \"2024-06-30T18:00:00Z\".")]
    [InlineData("""{ "timestampFormat": "dd/MM/yyyy", "convertedAt": "c" }""", "timeline.timestampFormat 'dd/MM/yyyy' has no % field; use strptime codes, e.g. \"%d/%m/%Y %H:%M\".")]
    [InlineData("""{ }""", "timeline needs to know when leads converted: set timeline.convertedAt (a date column of the leads table) or timeline.outcomes (a table of outcomes).")]
    [InlineData("""{ "convertedAt": "c", "outcomes": { "path": "o.csv", "date": "d" } }""", "timeline.convertedAt and timeline.outcomes are both set; use one source of conversion dates.")]
    [InlineData("""{ "outcomes": { "path": "o.csv" } }""", "timeline.outcomes.date is required: the column saying when the outcome happened.")]
    [InlineData("""{ "convertedAt": "c", "activities": { "path": "" } }""", "timeline.activities.path is required: the activity log (a CSV or Parquet file, a folder or glob of Parquet files, or postgres:TABLE).")]
    [InlineData("""{ "convertedAt": "c", "activities": { "path": "a.csv", "separator": ";;" } }""", "timeline.activities.separator ';;' is not supported; use one of \",\", \";\", \"tab\" or \"|\".")]
    [InlineData("""{ "convertedAt": "c", "stages": { "path": "s.csv", "stage": "stage" } }""", "timeline.stages.enteredAt is required: the column saying when the stage was entered.")]
    public void Should_Name_The_Setting_And_Its_Value_When_A_Timeline_Setting_Is_Invalid(string timeline, string message)
    {
        var e = Assert.Throws<LeadPredictException>(() => DatasetConfig.Load<DatasetConfig>(Write($$"""{ "label": "y", "timeline": {{timeline}} }""")));
        Assert.Equal($"leadpredict.json: {message}", e.Message);
    }

    [Fact]
    public void Should_Keep_Every_Timeline_Setting_Through_A_Json_Round_Trip()
    {
        var config = new DatasetConfig
        {
            Label = "y",
            Timeline = Valid with { HorizonDays = 30, Windows = [3, 21], ExcludeActivityTypes = ["invoice"], Activities = new ActivityLogConfig { Path = "a.csv", Value = "duration" } },
        };
        var loaded = DatasetConfig.Load<DatasetConfig>(Write(config.ToJson())).Timeline!;
        Assert.Equal(30, loaded.HorizonDays);
        Assert.Equal([3, 21], loaded.Windows);
        Assert.Equal(["invoice"], loaded.ExcludeActivityTypes);
        Assert.Equal("duration", loaded.Activities!.Value);
        Assert.Equal("converted_at", loaded.ConvertedAt);
    }
}
