using System.Text.Json;
using System.Text.Json.Nodes;
using LeadPredict.TestSupport;

namespace LeadPredict.Sources.Tests;

/// <summary>
/// The timeline's tables (activities, outcomes, stage history) read from PostgreSQL tables and queries give what the same
/// tables give as CSV files: the same model metrics, the byte-identical as-of ranked file, and messages naming the table.
/// </summary>
public sealed class TimelineSourceTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    private const string AsOf = "2026-06-01";
    private static string Crm(string file) => TestPaths.Data(Path.Combine("crm", file));

    private const string LeadsInOrder = "SELECT * FROM crm_leads ORDER BY lead_id";

    private Dictionary<string, string?> Env() => new() { [SourceSettings.PostgresVariable] = pg.ConnectionString };

    /// <summary>data/crm loaded into PostgreSQL (typed columns), and its configuration pointing the timeline at the tables.</summary>
    private string LoadCrm(string dir, Func<JsonObject, JsonObject>? change = null)
    {
        TestData.CsvToPostgres(pg.ConnectionString!, Crm("leads.csv"), "crm_leads");
        TestData.CsvToPostgres(pg.ConnectionString!, Crm("activities.csv"), "crm_activities");
        TestData.CsvToPostgres(pg.ConnectionString!, Crm("outcomes.csv"), "crm_outcomes");
        TestData.CsvToPostgres(pg.ConnectionString!, Crm("stage-history.csv"), "crm_stages");
        var config = JsonNode.Parse(File.ReadAllText(Crm("leadpredict.json")))!.AsObject();
        var timeline = config["timeline"]!.AsObject();
        timeline["activities"]!["path"] = "postgres:crm_activities";
        timeline["outcomes"]!["path"] = "postgres:SELECT lead_id, closed_at, result FROM crm_outcomes";
        timeline["stages"]!["path"] = "postgres:public.crm_stages";
        config = change?.Invoke(config) ?? config;
        var path = Path.Combine(dir, "leadpredict.json");
        File.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    private CliResult Train(string data, string config, string model) =>
        Cli.Run("leadpredict-train", ["train", "--data", data, "--config", config, "--model", model, "--folds", "0", "--trees", "40", "--seed", "7"], environment: Env());

    private static JsonNode Metrics(string model) => JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(model, ".metrics.json")))!;

    [SkippableFact]
    public void Should_Train_The_Same_Model_And_Rank_Byte_Identically_When_The_Timeline_Tables_Come_From_PostgreSQL()
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        var dir = TestData.NewTempFolder();
        var config = LoadCrm(dir);
        var fromCsv = Train(Crm("leads.csv"), Crm("leadpredict.json"), Path.Combine(dir, "csv.zip"));
        // A table has no row order and the leads' order is the examples' order: the query gives the CSV's.
        var fromTables = Cli.Run("leadpredict-train", ["train", "--query", LeadsInOrder, "--config", config, "--model", Path.Combine(dir, "pg.zip"),
            "--folds", "0", "--trees", "40", "--seed", "7"], environment: Env());
        Assert.True(fromCsv.ExitCode == 0, fromCsv.All);
        Assert.True(fromTables.ExitCode == 0, fromTables.All);

        var csv = Metrics(Path.Combine(dir, "csv.zip"));
        var tables = Metrics(Path.Combine(dir, "pg.zip"));
        Assert.Equal(csv["holdoutMetrics"]!.ToJsonString(), tables["holdoutMetrics"]!.ToJsonString());
        Assert.Equal(csv["holdoutProbabilities"]!.ToJsonString(), tables["holdoutProbabilities"]!.ToJsonString());

        var rankedCsv = Path.Combine(dir, "csv.csv");
        var rankedTables = Path.Combine(dir, "pg.csv");
        var scoredCsv = Cli.Run("leadpredict-score", ["score", "--model", Path.Combine(dir, "csv.zip"), "--input", Crm("leads.csv"), "--config", Crm("leadpredict.json"),
            "--output", rankedCsv, "--as-of", AsOf], environment: Env());
        var scoredTables = Cli.Run("leadpredict-score", ["score", "--model", Path.Combine(dir, "csv.zip"), "--query", LeadsInOrder, "--config", config,
            "--output", rankedTables, "--as-of", AsOf], environment: Env());
        Assert.True(scoredCsv.ExitCode == 0, scoredCsv.All);
        Assert.True(scoredTables.ExitCode == 0, scoredTables.All);
        Assert.Equal(File.ReadAllBytes(rankedCsv), File.ReadAllBytes(rankedTables));

        // The model trained from the tables keeps their postgres: paths; without --config, scoring reads them again.
        var rankedOwn = Path.Combine(dir, "own.csv");
        var scoredOwn = Cli.Run("leadpredict-score", ["score", "--model", Path.Combine(dir, "pg.zip"), "--query", LeadsInOrder,
            "--output", rankedOwn, "--as-of", AsOf], environment: Env());
        Assert.True(scoredOwn.ExitCode == 0, scoredOwn.All);
        Assert.Equal(File.ReadAllBytes(rankedCsv), File.ReadAllBytes(rankedOwn));
    }

    [SkippableFact]
    public void Should_Name_The_Table_And_Row_When_An_Activity_Timestamp_In_PostgreSQL_Does_Not_Parse()
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        var dir = TestData.NewTempFolder();
        var config = LoadCrm(dir, c =>
        {
            c["timeline"]!["activities"]!["path"] = "postgres:bad_activities";
            return c;
        });
        TestData.Execute(pg.ConnectionString!, """
            DROP TABLE IF EXISTS bad_activities;
            CREATE TABLE bad_activities AS
            SELECT lead_id, CASE WHEN n = 42 THEN 'next tuesday' ELSE timestamp::text END AS timestamp, activity_type, duration_seconds
            FROM (SELECT *, row_number() OVER () AS n FROM crm_activities LIMIT 100) t ORDER BY n;
            """);

        var result = Train("postgres:crm_leads", config, Path.Combine(dir, "model.zip"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("PostgreSQL table bad_activities, row 42, column 'timestamp': 'next tuesday' is not a timestamp", result.All);
        Assert.DoesNotContain("leadpredict-source-", result.All);
        Assert.False(File.Exists(Path.Combine(dir, "model.zip")));
    }

    [SkippableFact]
    public void Should_Name_The_Setting_And_The_Table_When_A_Timeline_Table_Does_Not_Exist()
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        var dir = TestData.NewTempFolder();
        var config = LoadCrm(dir, c =>
        {
            c["timeline"]!["stages"]!["path"] = "postgres:no_such_stages";
            return c;
        });

        var result = Train("postgres:crm_leads", config, Path.Combine(dir, "model.zip"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("PostgreSQL table no_such_stages does not exist", result.All);
    }
}
