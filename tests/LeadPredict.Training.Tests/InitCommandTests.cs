using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.TestSupport;
using LeadPredict.ML.Training;

namespace LeadPredict.Training.Tests;

public sealed class InitCommandTests
{
    [Fact]
    public void Init_drafts_a_configuration_with_kinds_id_positive_label_and_created_date()
    {
        using var dir = new TempDir();
        var output = dir.File("leadpredict.json");
        var result = Cli.Train("init", "--data", TestPaths.Data("leads-history.csv"), "--label", "converted", "--output", output);
        Assert.True(result.ExitCode == 0, result.All);
        var config = TrainingConfig.Load(output);
        Assert.Equal("yes", config.PositiveLabel);
        Assert.Equal("lead_id", config.Id);
        Assert.Equal("created_at", config.Created);
        Assert.Equal(ColumnKind.Boolean, config.Columns["demo_requested"]);
        Assert.Equal(ColumnKind.Numeric, config.Columns["employees"]);
        Assert.Equal(ColumnKind.Categorical, config.Columns["industry"]);
    }

    [Fact]
    public void Init_writes_the_order_of_day_and_month_that_the_dates_settle()
    {
        using var dir = new TempDir();
        var lines = File.ReadAllLines(TestPaths.Data("leads-history.csv"));
        for (var i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',', 3);
            lines[i] = $"{f[0]},{DateTime.ParseExact(f[1], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture):dd/MM/yyyy},{f[2]}";
        }
        var data = dir.Write("dmy.csv", string.Join("\n", lines) + "\n");
        var result = Cli.Train("init", "--data", data, "--label", "converted", "--output", dir.File("c.json"));
        Assert.True(result.ExitCode == 0, result.All);
        var config = TrainingConfig.Load(dir.File("c.json"));
        Assert.Equal("dd/MM/yyyy", config.DateFormat);
        Assert.Equal("created_at", config.Created);
        Assert.Equal(ColumnKind.Date, config.Columns["created_at"]);
    }

    [SkippableFact]
    public void Init_on_x_education_puts_the_likely_leaks_in_the_exclude_list()
    {
        var path = TestPaths.SharedDataset("x-education-leads/Leads.csv");
        Skip.If(path is null, TestPaths.SkipMessage("x-education-leads/Leads.csv"));
        using var dir = new TempDir();
        var output = dir.File("x.json");
        var result = Cli.Train("init", "--data", path!, "--label", "Converted", "--output", output);
        Assert.True(result.ExitCode == 0, result.All);
        var config = TrainingConfig.Load(output);
        Assert.Contains("Tags", config.Exclude);
        Assert.Contains("Lead Quality", config.Exclude);
        Assert.Contains("likely leak", result.Output);
    }

    [Fact]
    public void Init_does_not_overwrite_an_existing_file_without_force()
    {
        using var dir = new TempDir();
        var output = dir.Write("leadpredict.json", "mine");
        var result = Cli.Train("init", "--data", TestPaths.Data("leads-history.csv"), "--label", "converted", "--output", output);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal("mine", File.ReadAllText(output));
    }
}
