using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.TestSupport;

namespace LeadPredict.Training.Tests;

/// <summary>A typo in an output path never destroys the user's files: every writing command refuses it before any work.</summary>
public sealed class OutputGuardCommandTests
{
    private static readonly string History = TestPaths.Data("leads-history.csv");

    /// <summary>Runs the command in a folder holding copies of the sample files; asserts exit 2, both names in the message, and nothing changed.</summary>
    private static void AssertRefused(string[] args, params string[] named) => AssertRefused(_ => { }, args, named);

    private static void AssertRefused(Action<TempDir> arrange, string[] args, params string[] named)
    {
        using var dir = new TempDir();
        File.Copy(History, dir.File("leads.csv"));
        File.Copy(TestPaths.Data("leadpredict.json"), dir.File("leadpredict.json"));
        File.Copy(TestPaths.Data("rules.json"), dir.File("rules.json"));
        File.Copy(SampleModels.SamplePath, dir.File("m.zip"));
        Directory.CreateDirectory(dir.File("models"));
        arrange(dir);
        var before = Snapshot(dir.Path);

        var result = Cli.Run("leadpredict-train", args, workingDirectory: dir.Path);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.All);
        foreach (var name in named) Assert.Contains(name, result.Error);
        Assert.Contains("nothing was done", result.Error);
        Assert.DoesNotContain("Reading data", result.Output);
        Assert.Equal(before, Snapshot(dir.Path));
    }

    private static string Snapshot(string dir) => string.Join("\n", Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
        .Select(f => File.Exists(f) ? $"{Path.GetFileName(f)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))}" : f));

    [Fact]
    public void Train_refuses_a_model_path_that_is_the_data_file() =>
        AssertRefused(["train", "--data", "leads.csv", "--label", "converted", "--model", "leads.csv", "--force"], "--model leads.csv", "--data leads.csv");

    [Fact]
    public void Train_refuses_when_the_metrics_file_beside_the_model_would_replace_the_configuration() =>
        AssertRefused(d => File.Copy(d.File("leadpredict.json"), d.File("cfg.metrics.json")),
            ["train", "--data", "leads.csv", "--config", "cfg.metrics.json", "--model", "cfg.zip"], "cfg.metrics.json", "--config cfg.metrics.json");

    [Fact]
    public void Train_refuses_when_the_html_report_beside_the_model_is_a_link_to_the_rules_file() =>
        AssertRefused(d => File.CreateSymbolicLink(d.File("m.report.html"), d.File("rules.json")),
            ["train", "--data", "leads.csv", "--label", "converted", "--icp", "rules.json", "--model", "m.zip"], "m.report.html", "--icp rules.json");

    [Fact]
    public void Train_refuses_a_model_path_that_is_an_existing_folder() =>
        AssertRefused(["train", "--data", "leads.csv", "--label", "converted", "--model", "models"], "--model models", "folder");

    [Fact]
    public void Init_with_force_refuses_to_write_the_configuration_over_the_data() =>
        AssertRefused(["init", "--data", "leads.csv", "--label", "converted", "--output", "leads.csv", "--force"], "--output leads.csv", "--data leads.csv");

    [Fact]
    public void Report_refuses_to_write_the_html_over_the_model() =>
        AssertRefused(["report", "--model", "m.zip", "--output", "m.zip"], "--output m.zip", "--model m.zip");

    [Fact]
    public void Generate_refuses_to_write_over_a_model() =>
        AssertRefused(["generate", "--rows", "100", "--output", "m.zip"], "--output m.zip", "zip");

    [Fact]
    public void Generate_refuses_an_existing_folder() =>
        AssertRefused(["generate", "--rows", "100", "--output", "models"], "--output models", "folder");
}
