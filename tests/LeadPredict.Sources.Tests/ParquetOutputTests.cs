using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using LeadPredict.Advice;
using LeadPredict.Core.Csv;
using LeadPredict.ML.Scoring;
using LeadPredict.SampleData;
using LeadPredict.TestSupport;

namespace LeadPredict.Sources.Tests;

/// <summary>score --output ranked.parquet: the ranked leads from the typed rows, with proper column types, written atomically.</summary>
public sealed class ParquetOutputTests
{
    private static readonly string NewLeads = TestPaths.Data("leads-new.csv");

    private static CliResult Score(string output, params string[] more) =>
        Cli.Run("leadpredict-score", ["score", "--model", SampleModels.SamplePath, "--input", NewLeads, "--output", output, "--icp", TestPaths.Data("rules.json"), .. more]);

    private static Dictionary<string, string> Types(DuckDBConnection db, string parquet)
    {
        using var describe = db.CreateCommand();
        describe.CommandText = $"DESCRIBE SELECT * FROM read_parquet('{parquet}')";
        var types = new Dictionary<string, string>();
        using var r = describe.ExecuteReader();
        while (r.Read()) types[r.GetString(0)] = r.GetString(1);
        return types;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Should_Carry_The_Ranked_Csv_Values_Of_Every_Lead_With_Typed_Columns_When_The_Output_Ends_In_Parquet(bool reasons)
    {
        var dir = TestData.NewTempFolder();
        var csv = Path.Combine(dir, "ranked.csv");
        var parquet = Path.Combine(dir, "ranked.parquet");
        string[] more = reasons ? [] : ["--no-reasons"];

        var fromCsv = Score(csv, more);
        var fromParquet = Score(parquet, more);

        Assert.True(fromCsv.ExitCode == 0, fromCsv.All);
        Assert.True(fromParquet.ExitCode == 0, fromParquet.All);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        var types = Types(db, parquet);
        Assert.Equal("BIGINT", types["rank"]);
        Assert.Equal("DOUBLE", types["probability"]);
        Assert.Equal("INTEGER", types["score"]);
        Assert.Equal("DOUBLE", types["icp_score"]);
        Assert.Equal("VARCHAR", types["grade"]);
        Assert.Equal("JSON", types[ParquetRankedWriter.ReasonsJsonColumn]);

        var json = AssertSameLeads(csv, parquet, types);
        Assert.Equal(500, json.Count);
        if (!reasons) Assert.All(json, Assert.Empty);
    }

    [Fact]
    public void Should_Hold_The_Ranked_Csv_Rows_In_Rank_Order_When_The_Leads_Fill_Several_Row_Groups()
    {
        var dir = TestData.NewTempFolder();
        var input = Path.Combine(dir, "leads.csv");
        LeadGenerator.WriteCsv(input, new GeneratorOptions { Rows = 5_000, Seed = 5, IncludeOutcome = false, FirstId = 700_000 });
        var csv = Path.Combine(dir, "ranked.csv");
        var parquet = Path.Combine(dir, "ranked.parquet");
        var bundle = SampleModels.LoadSample();

        // One run writes both: the ranked CSV from its lines, the Parquet file from the typed rows the threads hand the sink.
        using (var writer = new ParquetRankedWriter(rowGroupRows: 700))
        {
            new BatchScorer(new LeadScorer(bundle), [new FunnelAnnotator(bundle, TestPaths.Data("rules.json"))]).ScoreFile(input, csv,
                new BatchScoringOptions { Sink = writer, ChunkBytes = 32 * 1024, MaxDegreeOfParallelism = 4 });
            writer.Finish(parquet);
        }

        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var groups = db.CreateCommand();
        groups.CommandText = $"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{parquet}')";
        Assert.Equal(8L, Convert.ToInt64(groups.ExecuteScalar(), CultureInfo.InvariantCulture));
        var types = Types(db, parquet);
        Assert.Equal("DOUBLE", types["icp_score"]);
        Assert.Equal(5_000, AssertSameLeads(csv, parquet, types).Count);
    }

    /// <summary>Every row of the Parquet file says what the ranked CSV's row of the same rank says; returns each row's reasons as JSON.</summary>
    private static List<JsonArray> AssertSameLeads(string csv, string parquet, Dictionary<string, string> types)
    {
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var reader = new CsvRecordReader(csv);
        var header = reader.Header.ToList();
        Assert.Equal(header, types.Keys.Where(k => k != ParquetRankedWriter.ReasonsJsonColumn));
        var reasonsAt = header.IndexOf("top_reasons");
        using var select = db.CreateCommand();
        select.CommandText = $"SELECT * EXCLUDE ({ParquetRankedWriter.ReasonsJsonColumn}), CAST({ParquetRankedWriter.ReasonsJsonColumn} AS VARCHAR) FROM read_parquet('{parquet}')";
        using var rows = select.ExecuteReader();
        var fields = new List<string>();
        var all = new List<JsonArray>();
        var n = 0;
        while (reader.Read(fields))
        {
            Assert.True(rows.Read());
            n++;
            Assert.Equal(long.Parse(fields[0], CultureInfo.InvariantCulture), rows.GetInt64(0));
            Assert.Equal(fields[1], rows.GetString(1));
            // The CSV prints the probability rounded; the Parquet double is the one it was printed from.
            Assert.Equal(fields[2], ML.Scoring.LeadScorer.FormatProbability(rows.GetDouble(2)));
            Assert.Equal(int.Parse(fields[3], CultureInfo.InvariantCulture), rows.GetInt32(3));
            for (var c = 4; c < header.Count; c++)
            {
                var value = rows.IsDBNull(c) ? "" : Convert.ToString(rows.GetValue(c), CultureInfo.InvariantCulture);
                if (types[header[c]] == "DOUBLE") Assert.Equal(double.Parse(fields[c], CultureInfo.InvariantCulture), rows.GetDouble(c));
                else Assert.True(fields[c] == value, $"rank {n}, column {header[c]}: CSV '{fields[c]}', Parquet '{value}'");
            }
            var json = JsonNode.Parse(rows.GetString(header.Count))!.AsArray();
            all.Add(json);
            var worded = json.Select(r => $"{((double)r!["effect"]! >= 0 ? '▲' : '▼')} {Core.ColumnNames.Display((string)r["column"]!)} = {(string)r["value"]!}");
            Assert.Equal(fields[reasonsAt], string.Join(" | ", worded));
        }
        Assert.False(rows.Read());
        return all;
    }
}

/// <summary>The Parquet writer words the reasons from its packed rows by hand: checked against the plain wording and the scores table's JSON.</summary>
public sealed class ParquetReasonsTests
{
    [Fact]
    public void Should_Word_Each_Reason_As_The_Ranked_Csv_And_The_Scores_Table_Do_When_Values_Need_Escaping_And_Effects_Are_Odd()
    {
        ScoreFactor[][] leads =
        [
            [new("demo_requested", "yes", 0.41), new("Job Title", "Head of \"Data\" & <AI>", 1e-7), new("country", "Österreich ✓", -2.5e-6)],
            [new("employees", "12", -0.0), new("notes", "line\nbreak\\tab\t+`'", 123456.7891235), new("budget", "", -1234567.25)],
            [],
            [new("pricing_page_views", "9", 1e-6), new("demo_requested", "no", -0.9999995), new("industry", "Retail", double.Epsilon)],
        ];
        var dir = TestData.NewTempFolder();
        var parquet = Path.Combine(dir, "reasons.parquet");
        var layout = new RankedLayout("lead_id", [], ["lead_id"]);
        using (var writer = new ParquetRankedWriter(rowGroupRows: 3))
        {
            for (var i = 0; i < leads.Length; i++)
                writer.Scored(layout, new ScoredRow($"L-{i}", 0.9 - i / 10.0, "A", [], [$"L-{i}"]) { Reasons = leads[i], Position = i });
            writer.Finish(parquet);
        }

        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var select = db.CreateCommand();
        select.CommandText = $"SELECT top_reasons, CAST(top_reasons_json AS VARCHAR) FROM read_parquet('{parquet}') ORDER BY rank";
        using var rows = select.ExecuteReader();
        foreach (var reasons in leads)
        {
            Assert.True(rows.Read());
            Assert.Equal(string.Join(" | ", reasons.Select(r => r.ToString())), rows.IsDBNull(0) ? "" : rows.GetString(0));
            var expected = JsonNode.Parse(ScoreTableWriter.ReasonsJson(reasons))!.AsArray();
            var actual = JsonNode.Parse(rows.GetString(1))!.AsArray();
            Assert.Equal(expected.Count, actual.Count);
            for (var k = 0; k < expected.Count; k++)
            {
                Assert.Equal((string)expected[k]!["column"]!, (string)actual[k]!["column"]!);
                Assert.Equal((string)expected[k]!["value"]!, (string)actual[k]!["value"]!);
                Assert.Equal((double)expected[k]!["effect"]!, (double)actual[k]!["effect"]!);
            }
        }
        Assert.False(rows.Read());
    }
}
