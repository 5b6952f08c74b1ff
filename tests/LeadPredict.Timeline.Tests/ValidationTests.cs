using LeadPredict.Core;

namespace LeadPredict.Timeline.Tests;

public sealed class ValidationTests
{
    [Fact]
    public void Should_Count_Activities_For_Unknown_Lead_Ids_As_A_Warning_With_An_Example()
    {
        using var history = new History().Lead("a", "2024-01-01").Activity("a", "2024-01-02", "visit")
            .Activity("ghost", "2024-01-02", "visit").Activity("ghost", "2024-01-03", "visit").Lead("z", "2024-06-01");
        using var data = history.Load();
        var warning = Assert.Single(data.Report.Warnings);
        Assert.Equal("activities.csv", warning.File);
        Assert.Equal(2, warning.Count);
        Assert.Contains("not in leads.csv", warning.Problem);
        Assert.Equal("'ghost'", warning.Example);
        Assert.Equal(1, data.Report.Activities);
    }

    [Fact]
    public void Should_Name_File_Line_Column_And_Value_Of_An_Activity_Timestamp_That_Does_Not_Parse()
    {
        using var history = new History().Lead("a", "2024-01-01").Lead("z", "2024-06-01");
        history.Write();
        // A quoted type with a line break before the bad row: the line is the file's, not the record's number.
        File.WriteAllText(history.File("activities.csv"),
            "lead_id,occurred_at,activity_type\na,2024-01-02,\"web\nvisit\"\na,2024-01-03,visit\na,03/01/2024 10:00,visit\na,also bad,visit\n");
        var e = Assert.Throws<LeadPredictException>(() => history.Load(write: false));
        Assert.Equal("activities.csv, line 5, column 'occurred_at': '03/01/2024 10:00' is not a timestamp (ISO 8601 such as 2024-03-01 09:30:00 or " +
                     "2024-03-01T09:30:00+02:00; set timeline.timestampFormat for another format) (2 values in this column fail the same way).", e.Message);
        Assert.Equal(ProblemKind.BadInput, e.Kind);
    }

    [Fact]
    public void Should_Read_Timestamps_In_The_Configured_Format()
    {
        using var history = new History().Lead("a", "2024-01-01").Activity("a", "03/01/2024 10:00", "visit").Lead("z", "2024-06-01");
        using var data = history.Load(c => c with { TimestampFormat = "%d/%m/%Y %H:%M" });
        var set = data.Snapshots();
        Assert.Equal(1f, set.Feature(set.At("a", "2024-01-11"), "act_visit_count_30d"));
        Assert.Equal(8f - 10f / 24f, set.Feature(set.At("a", "2024-01-11"), "act_visit_days_since_last"), 4);
    }

    [Fact]
    public void Should_Name_Both_Lines_Of_A_Duplicate_Lead_Id()
    {
        using var history = new History().Lead("a", "2024-01-01").Lead("b", "2024-01-01").Lead("a", "2024-02-01");
        var e = Assert.Throws<InputFileException>(() => history.Load());
        Assert.Equal("leads.csv, line 4, column 'id': lead id 'a' is also on line 2; lead ids must be unique.", e.Message);
    }

    [Fact]
    public void Should_Refuse_A_Lead_Without_An_Id()
    {
        using var history = new History().Lead("a", "2024-01-01").Lead("", "2024-01-01");
        var e = Assert.Throws<InputFileException>(() => history.Load());
        Assert.Equal(3, e.Line);
        Assert.Contains("the lead id is empty", e.Message);
    }

    [Fact]
    public void Should_Name_The_Line_Of_A_Creation_Date_That_Does_Not_Parse()
    {
        using var history = new History().Lead("a", "2024-01-01").Lead("b", "soon");
        var e = Assert.Throws<InputFileException>(() => history.Load());
        Assert.StartsWith("leads.csv, line 3, column 'created_at': 'soon' is not a timestamp", e.Message);
    }

    [Fact]
    public void Should_Leave_Out_And_Count_Activities_After_A_Configured_Export_Date()
    {
        using var history = new History().Lead("a", "2024-01-01").Activity("a", "2024-01-05", "visit")
            .Activity("a", "2024-07-05", "visit").Lead("z", "2024-03-01");
        using var data = history.Load(c => c with { AsOf = "2024-06-30" });
        Assert.Equal(new DateTime(2024, 6, 30, 0, 0, 0, DateTimeKind.Utc), data.AsOf);
        Assert.Equal("set in the configuration", data.Report.AsOfSource);
        var warning = Assert.Single(data.Report.Warnings);
        Assert.Contains("after the export date", warning.Problem);
        Assert.Equal(1, warning.Count);
    }

    [Fact]
    public void Should_Count_Outcomes_And_Stage_Rows_For_Unknown_Leads()
    {
        using var history = new History().Lead("a", "2024-01-01").Won("ghost", "2024-01-05").Won("a", "2024-01-20")
            .Stage("ghost", "MQL", "2024-01-02").Stage("a", "MQL", "2024-01-02").Lead("z", "2024-06-01");
        using var data = history.Load();
        Assert.Contains(data.Report.Warnings, w => w.File == "outcomes.csv" && w.Count == 1 && w.Problem.Contains("not in leads.csv"));
        Assert.Contains(data.Report.Warnings, w => w.File == "stages.csv" && w.Count == 1 && w.Problem.Contains("not in leads.csv"));
        Assert.Equal(1, data.Report.ConvertedLeads);
    }

    [Fact]
    public void Should_Take_The_Earliest_Of_Several_Won_Outcomes_And_Say_So()
    {
        using var history = new History().Lead("a", "2024-01-01").Won("a", "2024-03-01").Won("a", "2024-01-15").Lead("z", "2024-06-01");
        using var data = history.Load();
        var set = data.Snapshots();
        Assert.True(set.Labels![set.At("a", "2024-01-01")]);
        Assert.Equal(-1, set.At("a", "2024-01-21"));
        Assert.Contains(data.Report.Warnings, w => w.Problem.Contains("more than one won outcome"));
    }

    [Fact]
    public void Should_Report_A_Broken_Quote_In_The_Activity_Log_At_The_Line_Where_It_Opened()
    {
        using var history = new History().Lead("a", "2024-01-01");
        history.Write();
        File.WriteAllText(history.File("activities.csv"), "lead_id,occurred_at,activity_type\na,2024-01-02,visit\na,2024-01-03,\"visit\n");
        var e = Assert.Throws<InputFileException>(() => history.Load(write: false));
        Assert.Equal("activities.csv", Path.GetFileName(e.File));
        Assert.Equal(3, e.Line);
        Assert.Contains("never closed", e.Message);
    }

    [Fact]
    public void Should_Report_A_Row_With_Too_Many_Fields_With_Its_Line()
    {
        using var history = new History().Lead("a", "2024-01-01");
        history.Write();
        File.WriteAllText(history.File("activities.csv"), "lead_id,occurred_at,activity_type\na,2024-01-02,visit\na,2024-01-03,visit,extra\n");
        var e = Assert.Throws<InputFileException>(() => history.Load(write: false));
        Assert.Equal(3, e.Line);
        Assert.Contains("expected 3 fields", e.Message);
    }

    [Fact]
    public void Should_Name_The_Setting_When_A_Configured_Column_Is_Missing()
    {
        using var history = new History().Lead("a", "2024-01-01");
        var e = Assert.Throws<InputFileException>(() => history.Load(c => c with { Activities = c.Activities! with { Type = "kind" } }));
        Assert.Equal("activities.csv, line 1, column 'kind': no such column (set as timeline.activities.type); the file has: lead_id, occurred_at, activity_type.", e.Message);
    }

    [Fact]
    public void Should_Infer_The_Activity_Columns_From_Their_Names()
    {
        using var history = new History().Lead("a", "2024-01-01").Lead("z", "2024-06-01");
        history.Write();
        File.WriteAllText(history.File("activities.csv"), "Contact ID,Event Type,Occurred At\na,Webinar,2024-01-03\n");
        using var data = history.Load(c => c with { Activities = new ActivityLogConfig { Path = "activities.csv" } }, write: false);
        Assert.Equal(["Webinar"], data.Schema.ActivityTypes);
    }

    [Fact]
    public void Should_Say_Which_Setting_To_Give_When_A_Column_Cannot_Be_Inferred()
    {
        using var history = new History().Lead("a", "2024-01-01");
        history.Write();
        File.WriteAllText(history.File("activities.csv"), "who,when_it_was,what\na,2024-01-03,visit\n");
        var e = Assert.Throws<InputFileException>(() => history.Load(write: false));
        Assert.Contains("set timeline.activities.leadId", e.Message);
    }

    [Fact]
    public void Should_Refuse_An_Unknown_Time_Zone_With_The_Setting_Name()
    {
        using var history = new History().Lead("a", "2024-01-01");
        var e = Assert.Throws<LeadPredictException>(() => history.Load(c => c with { TimeZone = "Mars/Olympus" }));
        Assert.Contains("timeline.timeZone 'Mars/Olympus' is not a known time zone", e.Message);
    }
}
