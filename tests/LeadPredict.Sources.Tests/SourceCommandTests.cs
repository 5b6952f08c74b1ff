using LeadPredict.TestSupport;

namespace LeadPredict.Sources.Tests;

/// <summary>train and score reading leads from Parquet and PostgreSQL, through the real command-line tools.</summary>
public sealed class SourceCommandTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    private static readonly string NewLeads = TestPaths.Data("leads-new.csv");

    private Dictionary<string, string?> Env(string? connectionString = null) => new() { [SourceSettings.PostgresVariable] = connectionString ?? pg.ConnectionString };

    private CliResult Score(string input, string output, string? connectionString = null, params string[] more) =>
        Cli.Run("leadpredict-score", ["score", "--model", SampleModels.SamplePath, "--input", input, "--output", output, .. more], environment: Env(connectionString));

    [SkippableFact]
    public void Should_Write_Byte_Identical_Ranked_Files_When_The_Same_Leads_Come_From_Csv_Parquet_And_PostgreSQL()
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        var dir = TestData.NewTempFolder();
        var parquet = Path.Combine(dir, "leads-new.parquet");
        TestData.CsvToParquet(NewLeads, parquet);
        TestData.CsvToPostgres(pg.ConnectionString!, NewLeads, "leads_new");

        var fromCsv = Score(NewLeads, Path.Combine(dir, "csv.csv"));
        var fromParquet = Score(parquet, Path.Combine(dir, "parquet.csv"));
        var fromTable = Score("postgres:leads_new", Path.Combine(dir, "table.csv"));
        var fromQuery = Cli.Run("leadpredict-score", ["score", "--model", SampleModels.SamplePath, "--query", "SELECT * FROM leads_new", "--output", Path.Combine(dir, "query.csv")], environment: Env());

        foreach (var r in new[] { fromCsv, fromParquet, fromTable, fromQuery }) Assert.True(r.ExitCode == 0, r.All);
        var expected = File.ReadAllBytes(Path.Combine(dir, "csv.csv"));
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(dir, "parquet.csv")));
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(dir, "table.csv")));
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(dir, "query.csv")));
    }

    [Fact]
    public void Should_Rank_A_Folder_And_A_Glob_Of_Parquet_Files_Like_The_One_File_They_Were_Cut_From()
    {
        var dir = TestData.NewTempFolder();
        var parts = Directory.CreateDirectory(Path.Combine(dir, "parts")).FullName;
        var rows = File.ReadLines(NewLeads).Count() - 1;
        TestData.CsvToParquet(NewLeads, Path.Combine(parts, "part-1.parquet"), $"LIMIT {rows / 2}");
        TestData.CsvToParquet(NewLeads, Path.Combine(parts, "part-2.parquet"), $"OFFSET {rows / 2}");

        var fromCsv = Score(NewLeads, Path.Combine(dir, "csv.csv"));
        var fromFolder = Score(parts, Path.Combine(dir, "folder.csv"));
        var fromGlob = Score(Path.Combine(parts, "part-*.parquet"), Path.Combine(dir, "glob.csv"));

        foreach (var r in new[] { fromCsv, fromFolder, fromGlob }) Assert.True(r.ExitCode == 0, r.All);
        var expected = File.ReadAllBytes(Path.Combine(dir, "csv.csv"));
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(dir, "folder.csv")));
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(dir, "glob.csv")));
    }

    [SkippableFact]
    public void Should_Train_A_Model_When_The_History_Is_A_PostgreSQL_Table()
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        var dir = TestData.NewTempFolder();
        TestData.CsvToPostgres(pg.ConnectionString!, TestData.SampleHistory, "leads_history");
        var model = Path.Combine(dir, "model.zip");

        var result = Cli.Run("leadpredict-train", ["train", "--data", "postgres:leads_history", "--config", TestPaths.Data("leadpredict.json"),
            "--model", model, "--folds", "2", "--trees", "40"], environment: Env());

        Assert.True(result.ExitCode == 0, result.All);
        Assert.True(File.Exists(model));
        Assert.Contains("\"PostgreSQL table leads_history\"", File.ReadAllText(Path.ChangeExtension(model, ".metrics.json")));
    }

    [SkippableFact]
    public void Should_Name_The_Table_When_The_PostgreSQL_Table_Does_Not_Exist()
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        var dir = TestData.NewTempFolder();

        var result = Score("postgres:no_such_leads", Path.Combine(dir, "out.csv"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("PostgreSQL table no_such_leads does not exist", result.Error);
        Assert.False(File.Exists(Path.Combine(dir, "out.csv")));
    }

    [SkippableFact]
    public void Should_Say_Which_Column_And_What_To_Cast_It_To_When_A_Column_Type_Cannot_Be_Read()
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        TestData.Execute(pg.ConnectionString!, "DROP TABLE IF EXISTS leads_with_photo; CREATE TABLE leads_with_photo (lead_id text, photo bytea); INSERT INTO leads_with_photo VALUES ('L-1', '\\x00')");

        var result = Score("postgres:leads_with_photo", Path.Combine(TestData.NewTempFolder(), "out.csv"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("column 'photo': type bytea", result.Error);
        Assert.Contains("\"photo\"::text AS \"photo\"", result.Error);
    }

    [SkippableFact]
    public void Should_Never_Print_The_Password_When_PostgreSQL_Refuses_The_Credentials()
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        var wrong = new Npgsql.NpgsqlConnectionStringBuilder(pg.ConnectionString) { Username = "nobody_here", Password = "S3cret-Pa55" }.ConnectionString;

        var result = Score("postgres:leads_new", Path.Combine(TestData.NewTempFolder(), "out.csv"), wrong, "--verbose");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("refused the credentials", result.Error);
        Assert.Contains("nobody_here", result.Error);
        Assert.DoesNotContain("S3cret-Pa55", result.All);
    }

    [SkippableFact]
    public void Should_Exit_5_And_Write_Nothing_When_The_Connection_Is_Lost_Mid_Read()
    {
        Skip.If(pg.ConnectionString is null, pg.SkipReason);
        TestData.CsvToPostgres(pg.ConnectionString!, NewLeads, "slow_leads");
        var output = Path.Combine(TestData.NewTempFolder(), "out.csv");
        // Rows come out about 20 ms apart (pg_sleep for each row), so the read is still going when its backend is terminated.
        const string query = "SELECT * FROM slow_leads WHERE pg_sleep(0.02)::text = ''";

        var (result, killed) = TestData.KillMidway(pg.ConnectionString!, "leadpredict-source", "COPY",
            () => Cli.Run("leadpredict-score", ["score", "--model", SampleModels.SamplePath, "--query", query, "--output", output], environment: Env()));

        Assert.True(killed, "the reading connection was never seen copying: " + result.All);
        Assert.Equal(5, result.ExitCode);
        Assert.Contains("was lost while reading PostgreSQL query", result.Error);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(output)!));
    }

    [Fact]
    public void Should_Exit_5_Without_The_Password_When_The_Server_Cannot_Be_Reached()
    {
        var result = Score("postgres:leads", Path.Combine(TestData.NewTempFolder(), "out.csv"),
            "Host=127.0.0.1;Port=1;Username=crm;Password=S3cret-Pa55;Database=crm;Timeout=3");

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("cannot connect to PostgreSQL (user crm on 127.0.0.1:1, database crm)", result.Error);
        Assert.DoesNotContain("S3cret-Pa55", result.All);
    }

    [Fact]
    public void Should_Say_How_To_Give_The_Connection_String_When_None_Is_Set()
    {
        var result = Cli.Run("leadpredict-score", ["score", "--model", SampleModels.SamplePath, "--input", "postgres:leads", "--output", "x.csv"],
            environment: new Dictionary<string, string?> { [SourceSettings.PostgresVariable] = null });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no PostgreSQL connection string: set LEADPREDICT_SOURCE_POSTGRES", result.Error);
    }
}
