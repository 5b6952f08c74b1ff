using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests;

/// <summary>A typo in an output path never destroys the leads, the model or the rules: score and outcomes refuse it before any work.</summary>
public sealed class OutputGuardCommandTests
{
    private static void AssertRefused(Action<TempDir> arrange, string[] args, params string[] named)
    {
        using var dir = new TempDir();
        File.Copy(TestPaths.Data("leads-new.csv"), dir.File("leads.csv"));
        File.Copy(TestPaths.Data("rules.json"), dir.File("rules.json"));
        File.Copy(SampleModels.SamplePath, dir.File("m.zip"));
        arrange(dir);
        var before = Snapshot(dir.Path);

        var result = Cli.Run("leadpredict-score", args, workingDirectory: dir.Path);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.All);
        foreach (var name in named) Assert.Contains(name, result.Error);
        Assert.Contains("nothing was done", result.Error);
        Assert.Equal(before, Snapshot(dir.Path));
    }

    private static void AssertRefused(string[] args, params string[] named) => AssertRefused(_ => { }, args, named);

    private static string Snapshot(string dir) => string.Join("\n", Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
        .Select(f => File.Exists(f) ? $"{Path.GetFileName(f)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))}" : f));

    [Fact]
    public void Score_refuses_to_write_the_ranked_file_over_its_input() =>
        AssertRefused(["score", "--model", "m.zip", "--input", "leads.csv", "--output", "leads.csv"], "--output leads.csv", "--input leads.csv");

    [Fact]
    public void Score_refuses_to_write_the_ranked_file_over_the_model() =>
        AssertRefused(["score", "--model", "m.zip", "--input", "leads.csv", "--output", "m.zip"], "--output m.zip", "--model m.zip");

    [Fact]
    public void Score_refuses_to_write_the_ranked_file_over_the_rules() =>
        AssertRefused(["score", "--model", "m.zip", "--input", "leads.csv", "--icp", "rules.json", "--output", "rules.json"], "--output rules.json", "--icp rules.json");

    [SkippableFact]
    public void Score_refuses_an_output_that_is_a_hard_link_to_the_input()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "hard links are made with ln here");
        AssertRefused(d => { using var ln = System.Diagnostics.Process.Start("ln", [d.File("leads.csv"), d.File("ranked.csv")]); ln.WaitForExit(); },
            ["score", "--model", "m.zip", "--input", "leads.csv", "--output", "ranked.csv"], "--output ranked.csv", "--input leads.csv", "hard link");
    }

    [Fact]
    public void Score_refuses_an_output_that_is_a_symbolic_link_to_the_model() =>
        AssertRefused(d => File.CreateSymbolicLink(d.File("ranked.csv"), d.File("m.zip")),
            ["score", "--model", "m.zip", "--input", "leads.csv", "--output", "ranked.csv"], "--output ranked.csv", "--model m.zip");

    [Fact]
    public void Score_refuses_an_existing_folder_as_output() =>
        AssertRefused(d => Directory.CreateDirectory(d.File("out")), ["score", "--model", "m.zip", "--input", "leads.csv", "--output", "out"], "--output out", "folder");

    [Fact]
    public void Outcomes_refuses_a_log_database_that_is_the_outcome_file() =>
        AssertRefused(["outcomes", "--input", "leads.csv", "--model", "m.zip", "--log-db", "leads.csv"], "--log-db leads.csv", "--input leads.csv");

    [Fact]
    public void Outcomes_refuses_a_log_database_that_is_the_model() =>
        AssertRefused(["outcomes", "--input", "leads.csv", "--model", "m.zip", "--log-db", "m.zip"], "--log-db m.zip", "--model m.zip");
}
