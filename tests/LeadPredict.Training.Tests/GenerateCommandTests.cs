using LeadPredict.TestSupport;

namespace LeadPredict.Training.Tests;

public sealed class GenerateCommandTests
{
    [Fact]
    public void Generate_writes_the_requested_number_of_leads_deterministically()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Cli.Train("generate", "--rows", "300", "--output", dir.File("a.csv")).ExitCode);
        Assert.Equal(0, Cli.Train("generate", "--rows", "300", "--output", dir.File("b.csv")).ExitCode);
        Assert.Equal(301, File.ReadAllLines(dir.File("a.csv")).Length);
        Assert.Equal(File.ReadAllBytes(dir.File("a.csv")), File.ReadAllBytes(dir.File("b.csv")));
    }

    [Fact]
    public void Generate_refuses_zero_rows()
    {
        using var dir = new TempDir();
        var result = Cli.Train("generate", "--rows", "0", "--output", dir.File("a.csv"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Rows", result.Error);
    }
}

public sealed class GenerateCrmCommandTests
{
    private static readonly string[] Tables = ["leads.csv", "activities.csv", "outcomes.csv", "stage-history.csv"];

    [Fact]
    public void Should_Write_The_Crm_Tables_Their_Truth_And_Manifest_The_Same_Way_Twice()
    {
        using var dir = new TempDir();
        var a = Cli.Train("generate", "--crm", "--leads", "300", "--output-dir", dir.File("a"), "--with-truth", "--stage-names", "labels", "--horizons", "30,90");
        Assert.Equal(0, a.ExitCode);
        Assert.Contains("open at the export", a.Output);
        Assert.Equal(0, Cli.Train("generate", "--crm", "--leads", "300", "--output-dir", dir.File("b"), "--with-truth", "--stage-names", "labels", "--horizons", "30,90").ExitCode);
        foreach (var file in Tables.Concat(["truth.csv", "funnel-truth.csv", "crm.json"]))
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("a"), file)), File.ReadAllBytes(Path.Combine(dir.File("b"), file)));
        Assert.Equal(301, File.ReadAllLines(Path.Combine(dir.File("a"), "leads.csv")).Length);
        Assert.Contains("Marketing Qualified Lead", File.ReadAllText(Path.Combine(dir.File("a"), "stage-history.csv")));
        Assert.StartsWith("lead_id,stage,days_in_stage,true_probability_30d,true_probability_90d,",
            File.ReadAllLines(Path.Combine(dir.File("a"), "truth.csv"))[0]);
    }

    [Fact]
    public void Should_Need_An_Output_Folder_With_Crm()
    {
        var result = Cli.Train("generate", "--crm", "--leads", "10");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--crm needs --output-dir", result.Error);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public void Should_Refuse_Crm_Options_Without_Crm_And_Flat_Options_With_It()
    {
        using var dir = new TempDir();
        var flat = Cli.Train("generate", "--rows", "10", "--output", dir.File("a.csv"), "--export-date", "2026-01-01");
        Assert.Equal(2, flat.ExitCode);
        Assert.Contains("need --crm", flat.Error);
        var crm = Cli.Train("generate", "--crm", "--output-dir", dir.File("x"), "--new");
        Assert.Equal(2, crm.ExitCode);
        Assert.Contains("are for the flat file", crm.Error);
        Assert.False(Directory.Exists(dir.File("x")));
    }

    [Fact]
    public void Should_Explain_Bad_Crm_Values_In_One_Sentence()
    {
        using var dir = new TempDir();
        var days = Cli.Train("generate", "--crm", "--output-dir", dir.Path, "--days", "0");
        Assert.Equal(2, days.ExitCode);
        Assert.Contains("Days must be between 1 and 3650 (was 0).", days.Error);
        var horizons = Cli.Train("generate", "--crm", "--output-dir", dir.Path, "--horizons", "30,soon");
        Assert.Equal(2, horizons.ExitCode);
        Assert.Contains("'soon' is not a whole number of days", horizons.Error);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Should_List_The_Crm_Options_In_Help()
    {
        var help = Cli.Train("generate", "--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var option in new[] { "--crm", "--output-dir", "--export-date", "--stage-names", "--converted-at", "--horizons", "--stage-horizon", "--leads" })
            Assert.Contains(option, help.Output);
    }
}
