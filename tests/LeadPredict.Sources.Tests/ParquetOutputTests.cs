using System.Globalization;
using DuckDB.NET.Data;
using LeadPredict.Core.Csv;
using LeadPredict.TestSupport;

namespace LeadPredict.Sources.Tests;

/// <summary>score --output ranked.parquet: the ranked leads with proper column types, written atomically.</summary>
public sealed class ParquetOutputTests
{
    private static readonly string NewLeads = TestPaths.Data("leads-new.csv");

    private static CliResult Score(string output) =>
        Cli.Run("leadpredict-score", ["score", "--model", SampleModels.SamplePath, "--input", NewLeads, "--output", output, "--icp", TestPaths.Data("rules.json")]);

    [Fact]
    public void Should_Write_The_Ranked_Leads_With_Typed_Columns_In_Rank_Order_When_The_Output_Ends_In_Parquet()
    {
        var dir = TestData.NewTempFolder();
        var csv = Path.Combine(dir, "ranked.csv");
        var parquet = Path.Combine(dir, "ranked.parquet");

        var fromCsv = Score(csv);
        var fromParquet = Score(parquet);

        Assert.True(fromCsv.ExitCode == 0, fromCsv.All);
        Assert.True(fromParquet.ExitCode == 0, fromParquet.All);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var describe = db.CreateCommand();
        describe.CommandText = $"DESCRIBE SELECT * FROM read_parquet('{parquet}')";
        var types = new Dictionary<string, string>();
        using (var r = describe.ExecuteReader())
            while (r.Read()) types[r.GetString(0)] = r.GetString(1);
        Assert.Equal("BIGINT", types["rank"]);
        Assert.Equal("DOUBLE", types["probability"]);
        Assert.Equal("INTEGER", types["score"]);
        Assert.Equal("DOUBLE", types["icp_score"]);
        Assert.Equal("VARCHAR", types["grade"]);

        using var reader = new CsvRecordReader(csv);
        Assert.Equal(reader.Header, types.Keys);
        var fields = new List<string>();
        using var select = db.CreateCommand();
        select.CommandText = $"SELECT rank, lead_id, probability, score, top_reasons FROM read_parquet('{parquet}')";
        using var rows = select.ExecuteReader();
        var n = 0;
        while (reader.Read(fields))
        {
            Assert.True(rows.Read());
            n++;
            Assert.Equal(long.Parse(fields[0], CultureInfo.InvariantCulture), rows.GetInt64(0));
            Assert.Equal(fields[1], rows.GetString(1));
            Assert.Equal(double.Parse(fields[2], CultureInfo.InvariantCulture), rows.GetDouble(2));
            Assert.Equal(int.Parse(fields[3], CultureInfo.InvariantCulture), rows.GetInt32(3));
            Assert.Equal(fields[reader.Header.ToList().IndexOf("top_reasons")], rows.GetString(4));
        }
        Assert.False(rows.Read());
        Assert.Equal(500, n);
    }
}
