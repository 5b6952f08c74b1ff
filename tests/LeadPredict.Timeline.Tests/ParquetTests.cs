using DuckDB.NET.Data;
using LeadPredict.Core;

namespace LeadPredict.Timeline.Tests;

public sealed class ParquetTests
{
    private static History Sample() => new History()
        .Lead("a", "2024-01-01").Lead("b", "2024-01-03").Lead("c", "2024-02-01").Lead("z", "2024-06-01")
        .Activity("a", "2024-01-02 10:00:00", "visit").Activity("a", "2024-01-09 11:00:00", "demo").Activity("b", "2024-01-04 08:00:00", "visit")
        .Activity("b", "2024-01-20 09:30:00", "visit").Activity("c", "2024-02-02 12:00:00", "webinar").Activity("ghost", "2024-01-05", "visit")
        .Won("a", "2024-01-25").Won("c", "2024-03-20");

    /// <summary>Copies a CSV file to Parquet with DuckDB, with the timestamp column typed (a timestamp, not text) when named.</summary>
    private static void ToParquet(string csv, string parquet, string? timestampColumn)
    {
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var command = db.CreateCommand();
        var select = timestampColumn is null ? "*" : $"* REPLACE (CAST(\"{timestampColumn}\" AS TIMESTAMP) AS \"{timestampColumn}\")";
        command.CommandText = $"COPY (SELECT {select} FROM read_csv('{csv}', all_varchar = true)) TO '{parquet}' (FORMAT parquet)";
        command.ExecuteNonQuery();
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("America/New_York")]
    public void Should_Give_The_Same_Features_Bit_For_Bit_From_Parquet_As_From_Csv(string zone)
    {
        using var history = Sample();
        history.Write();
        ToParquet(history.File("activities.csv"), history.File("activities.parquet"), "occurred_at");
        ToParquet(history.File("outcomes.csv"), history.File("outcomes.parquet"), null);
        ToParquet(history.File("leads.csv"), history.File("leads.parquet"), null);
        using var fromCsv = history.Load(c => c with { TimeZone = zone }, write: false);
        var dataset = new DatasetConfig
        {
            Label = "converted", Id = "id", Created = "created_at",
            Timeline = history.Config(c => c with
            {
                TimeZone = zone,
                Activities = c.Activities! with { Path = "activities.parquet" },
                Outcomes = c.Outcomes! with { Path = "outcomes.parquet" },
            }),
        };
        using var fromParquet = TimelineData.Load(LeadTableReader.Load(history.File("leads.parquet")), dataset, history.Dir);
        var a = fromCsv.Snapshots();
        var b = fromParquet.Snapshots();
        Assert.True(a.Count > 0);
        Assert.Equal(a.Times, b.Times);
        Assert.Equal(a.LeadRows, b.LeadRows);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.FeatureDefinitions, b.FeatureDefinitions);
        Assert.Equal(a.Features.Select(BitConverter.SingleToInt32Bits), b.Features.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(fromCsv.Report.Warnings, fromParquet.Report.Warnings.Select(w => w with { File = w.File.Replace(".parquet", ".csv"), Problem = w.Problem.Replace(".parquet", ".csv") }));
    }

    [Fact]
    public void Should_Give_The_Same_Features_When_The_Activity_Log_Is_A_Folder_Or_A_Glob_Of_Parquet_Files()
    {
        using var history = Sample();
        history.Write();
        var parts = Directory.CreateDirectory(history.File("activities")).FullName;
        var lines = File.ReadAllLines(history.File("activities.csv"));
        File.WriteAllLines(history.File("part-1.csv"), lines.Take(3));
        File.WriteAllLines(history.File("part-2.csv"), lines.Take(1).Concat(lines.Skip(3)));
        ToParquet(history.File("part-1.csv"), Path.Combine(parts, "part-1.parquet"), "occurred_at");
        ToParquet(history.File("part-2.csv"), Path.Combine(parts, "part-2.parquet"), "occurred_at");
        using var fromCsv = history.Load(c => c, write: false);
        using var fromFolder = history.Load(c => c with { Activities = c.Activities! with { Path = "activities" } }, write: false);
        using var fromGlob = history.Load(c => c with { Activities = c.Activities! with { Path = "activities/part-*.parquet" } }, write: false);

        var expected = fromCsv.Snapshots();
        Assert.True(expected.Count > 0);
        foreach (var other in new[] { fromFolder.Snapshots(), fromGlob.Snapshots() })
        {
            Assert.Equal(expected.Times, other.Times);
            Assert.Equal(expected.FeatureDefinitions, other.FeatureDefinitions);
            Assert.Equal(expected.Features.Select(BitConverter.SingleToInt32Bits), other.Features.Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal(fromCsv.Report.Activities, fromFolder.Report.Activities);
    }

    [Fact]
    public void Should_Name_The_Row_Of_A_Parquet_Timestamp_That_Does_Not_Parse()
    {
        using var history = Sample();
        history.Write();
        File.WriteAllText(history.File("activities.csv"), "lead_id,occurred_at,activity_type\na,2024-01-02,visit\nb,2024-01-03,visit\nb,yesterday,visit\n");
        ToParquet(history.File("activities.csv"), history.File("activities.parquet"), null);
        var e = Assert.Throws<LeadPredictException>(() => history.Load(c => c with { Activities = c.Activities! with { Path = "activities.parquet" } }, write: false));
        Assert.StartsWith("activities.parquet, row 3, column 'occurred_at': 'yesterday' is not a timestamp", e.Message);
    }

    [Fact]
    public void Should_Refuse_A_File_That_Is_Not_Parquet_With_Its_Name()
    {
        using var history = Sample();
        history.Write();
        File.WriteAllText(history.File("activities.parquet"), "not parquet at all");
        var e = Assert.Throws<InputFileException>(() => history.Load(c => c with { Activities = c.Activities! with { Path = "activities.parquet" } }, write: false));
        Assert.StartsWith("activities.parquet: is not a readable Parquet file", e.Message);
    }
}
