using System.Globalization;
using LeadPredict.Core.Csv;
using LeadPredict.TestSupport;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LeadPredict.Sources.Tests;

/// <summary>score --output-table: one row per lead, all or nothing, a rerun replaces its rows, the latest score per lead in a view.</summary>
public sealed class ScoreTableTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    private static readonly string NewLeads = TestPaths.Data("leads-new.csv");
    private const int LeadCount = 500;

    private Dictionary<string, string?> Env => new() { [SourceSettings.PostgresVariable] = pg.ConnectionString };

    private CliResult Score(params string[] args) =>
        Cli.Run("leadpredict-score", ["score", "--model", SampleModels.SamplePath, .. args], environment: Env);

    /// <summary>Each lead's probability, grade and action as the ranked CSV gives them.</summary>
    private static Dictionary<string, (double Probability, string Grade, string Action)> RankedCsv(string path)
    {
        using var reader = new CsvRecordReader(path);
        var h = reader.Header.ToList();
        var fields = new List<string>();
        var rows = new Dictionary<string, (double, string, string)>();
        while (reader.Read(fields))
            rows[fields[h.IndexOf("lead_id")]] = (double.Parse(fields[h.IndexOf("probability")], CultureInfo.InvariantCulture), fields[h.IndexOf("grade")], fields[h.IndexOf("action")]);
        return rows;
    }

    [SkippableFact]
    public void Should_Write_One_Row_Per_Lead_Matching_The_Ranked_File_When_Scoring_From_A_Query_Into_A_Table()
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        TestData.CsvToPostgres(pg.ConnectionString!, NewLeads, "open_leads");
        TestData.Execute(pg.ConnectionString!, "DROP TABLE IF EXISTS scores_a CASCADE");
        var csv = Path.Combine(TestData.NewTempFolder(), "ranked.csv");

        var result = Score("--query", "SELECT * FROM open_leads WHERE stage <> 'customer'", "--output", csv, "--output-table", "scores_a");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("PostgreSQL table scores_a", result.Output);
        var expected = RankedCsv(csv);
        using var db = new NpgsqlConnection(pg.ConnectionString);
        db.Open();
        using var cmd = new NpgsqlCommand("SELECT lead_id, probability, grade, action, score, model_version, reasons::text FROM scores_a", db);
        using var r = cmd.ExecuteReader();
        var seen = 0;
        while (r.Read())
        {
            var (p, grade, action) = expected[r.GetString(0)];
            Assert.Equal(p, r.GetDouble(1), 6);
            Assert.Equal(grade, r.GetString(2));
            Assert.Equal(action, r.GetString(3));
            Assert.Equal((int)Math.Round(p * 100), r.GetInt32(4));
            var reasons = System.Text.Json.JsonDocument.Parse(r.GetString(6)).RootElement;
            Assert.True(reasons.GetArrayLength() > 0);
            Assert.True(reasons[0].TryGetProperty("column", out _) && reasons[0].TryGetProperty("effect", out _));
            seen++;
        }
        Assert.Equal(expected.Count, seen);
    }

    [SkippableFact]
    public void Should_Replace_Not_Duplicate_The_Rows_When_The_Same_Run_Is_Done_Again()
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        TestData.CsvToPostgres(pg.ConnectionString!, NewLeads, "rerun_leads");
        TestData.Execute(pg.ConnectionString!, "DROP TABLE IF EXISTS scores_b CASCADE");

        var first = Score("--input", "postgres:rerun_leads", "--output-table", "scores_b");
        var again = Score("--input", "postgres:rerun_leads", "--output-table", "scores_b");
        TestData.Execute(pg.ConnectionString!, "UPDATE rerun_leads SET website_visits = website_visits + 1 WHERE lead_id = 'L-900001'");
        var changed = Score("--input", "postgres:rerun_leads", "--output-table", "scores_b");

        foreach (var r in new[] { first, again, changed }) Assert.True(r.ExitCode == 0, r.All);
        Assert.Equal(2L * LeadCount, TestData.Scalar<long>(pg.ConnectionString!, "SELECT count(*) FROM scores_b"));
        Assert.Equal(2L, TestData.Scalar<long>(pg.ConnectionString!, "SELECT count(DISTINCT run_id) FROM scores_b"));
        Assert.Equal((long)LeadCount, TestData.Scalar<long>(pg.ConnectionString!, "SELECT count(*) FROM scores_b_latest"));
        Assert.Equal(1L, TestData.Scalar<long>(pg.ConnectionString!,
            "SELECT count(DISTINCT run_id) FROM scores_b_latest"));
    }

    [SkippableFact]
    public void Should_Leave_The_Previous_Scores_Intact_And_Write_No_Ranked_File_When_The_Connection_Is_Killed_Mid_Write()
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        TestData.CsvToPostgres(pg.ConnectionString!, NewLeads, "kill_leads");
        TestData.Execute(pg.ConnectionString!, """
            DROP TABLE IF EXISTS scores_c CASCADE;
            DROP TABLE IF EXISTS kill_leads_big;
            CREATE TABLE kill_leads_big AS SELECT * FROM kill_leads, generate_series(1, 300) AS copy;
            UPDATE kill_leads_big SET lead_id = lead_id || '-' || copy;
            ALTER TABLE kill_leads_big DROP COLUMN copy;
            """);
        var before = Score("--input", "postgres:kill_leads", "--output-table", "scores_c");
        Assert.True(before.ExitCode == 0, before.All);

        var dir = TestData.NewTempFolder();
        var ranked = Path.Combine(dir, "ranked.csv");
        var (result, killed) = TestData.KillMidway(pg.ConnectionString!, "leadpredict-score", "COPY scores_c",
            () => Score("--input", "postgres:kill_leads_big", "--output-table", "scores_c", "--output", ranked));

        Assert.True(killed, "the writing connection was never seen copying: " + result.All);
        Assert.Equal(5, result.ExitCode);
        Assert.Contains("was lost while writing scores to PostgreSQL table scores_c", result.Error);
        Assert.Contains("nothing was written", result.Error);
        Assert.Equal((long)LeadCount, TestData.Scalar<long>(pg.ConnectionString!, "SELECT count(*) FROM scores_c"));
        Assert.Equal(0L, TestData.Scalar<long>(pg.ConnectionString!, "SELECT count(*) FROM scores_c WHERE lead_id LIKE '%-%-%'"));
        Assert.Empty(Directory.GetFiles(dir));
    }

    [SkippableTheory]
    [InlineData("ranked.csv")]
    [InlineData("ranked.parquet")]
    public void Should_Publish_Neither_The_Ranked_File_Nor_The_Rows_When_The_Table_Commit_Fails(string file)
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        var table = "scores_e_" + Path.GetExtension(file)[1..];
        TestData.Execute(pg.ConnectionString!, $"DROP TABLE IF EXISTS {table} CASCADE");
        var before = Score("--input", NewLeads, "--output-table", table);
        Assert.True(before.ExitCode == 0, before.All);
        // A deferred check fails at COMMIT, after every row was written and the ranked file finished in its temporary.
        TestData.Execute(pg.ConnectionString!, $"""
            CREATE OR REPLACE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
            CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit();
            """);
        var dir = TestData.NewTempFolder();
        var ranked = Path.Combine(dir, file);

        var result = Score("--input", NewLeads, "--output-table", table, "--output", ranked);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("refused at commit", result.Error);
        Assert.Empty(Directory.GetFiles(dir));
        Assert.Equal((long)LeadCount, TestData.Scalar<long>(pg.ConnectionString!, $"SELECT count(*) FROM {table}"));
    }

    [Fact]
    public void Should_Write_A_SQLite_Table_With_Its_Latest_View_And_Replace_A_Rerun_When_Given_A_SQLite_Target()
    {
        var dir = TestData.NewTempFolder();
        var database = Path.Combine(dir, "scores.db");

        var first = Score("--input", NewLeads, "--output-table", $"sqlite:{database}");
        var again = Score("--input", NewLeads, "--output-table", $"sqlite:{database}:lead_scores");

        Assert.True(first.ExitCode == 0, first.All);
        Assert.True(again.ExitCode == 0, again.All);
        using var db = new SqliteConnection($"Data Source={database}");
        db.Open();
        long Count(string sql) { using var c = db.CreateCommand(); c.CommandText = sql; return (long)c.ExecuteScalar()!; }
        Assert.Equal((long)LeadCount, Count("SELECT count(*) FROM lead_scores"));
        Assert.Equal((long)LeadCount, Count("SELECT count(*) FROM lead_scores_latest"));
        Assert.Equal(3L, Count("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'lead_scores'"));
    }

    [Fact]
    public void Should_Refuse_To_Run_When_Neither_An_Output_File_Nor_A_Table_Is_Given()
    {
        var result = Score("--input", NewLeads);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("say where the scores go", result.Error);
    }
}
