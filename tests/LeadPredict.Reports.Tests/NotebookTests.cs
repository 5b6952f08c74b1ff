using System.Diagnostics;
using LeadPredict.TestSupport;

namespace LeadPredict.Reports.Tests;

/// <summary>
/// Every notebook (notebooks/*.cs, .NET 10 file-based apps) still runs on the bundled sample and writes its page, so a notebook
/// that rots fails CI. One test per notebook; in one class, so they run one after the other (two builds of the same
/// referenced projects at once would fight over obj/).
/// </summary>
public sealed class NotebookTests
{
    [Fact]
    public void The_explore_leads_notebook_runs_on_the_bundled_sample_and_writes_its_page() => Run("explore-leads.cs");

    [Fact]
    public void The_feature_importance_notebook_runs_on_the_bundled_sample_and_writes_its_page() => Run("feature-importance.cs");

    [Theory]
    [InlineData("explore-leads.cs")]
    [InlineData("feature-importance.cs")]
    public void A_notebook_refuses_to_write_its_page_over_the_data(string notebook)
    {
        using var temp = new TempDir();
        var data = temp.File("leads.csv");
        File.Copy(TestPaths.Data("leads-history.csv"), data);
        var before = File.ReadAllBytes(data);

        var (exitCode, log) = Start(notebook, data, data);

        Assert.True(exitCode == 2, log);
        Assert.Contains("OUT.html", log);
        Assert.Contains("DATA.csv", log);
        Assert.Contains("nothing was done", log);
        Assert.Equal(before, File.ReadAllBytes(data));
    }

    [Fact]
    public void Every_notebook_has_a_test()
    {
        var notebooks = Directory.GetFiles(Path.Combine(TestPaths.RepositoryRoot, "notebooks"), "*.cs").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "explore-leads.cs", "feature-importance.cs" }, notebooks);
    }

    private static void Run(string notebook)
    {
        using var temp = new TempDir();
        var output = temp.File(Path.ChangeExtension(notebook, ".html"));
        var (exitCode, log) = Start(notebook, TestPaths.Data("leads-history.csv"), output);
        Assert.True(exitCode == 0, $"{notebook} exited with {exitCode}:\n{log}");
        Assert.True(File.Exists(output), $"{notebook} did not write {output}:\n{log}");
        var html = File.ReadAllText(output);
        Assert.Contains("Plotly.newPlot", html);
        Assert.DoesNotContain("<script src=", html); // offline: plotly.js is inlined, nothing is fetched
        Assert.Contains("Wrote ", log);
    }

    private static (int ExitCode, string Log) Start(string notebook, string data, string output)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = TestPaths.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "run", "--file", Path.Combine("notebooks", notebook), "--", data, output },
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{notebook} did not finish within 5 minutes.\n{stdout.Result}\n{stderr.Result}");
        }
        return (process.ExitCode, $"{stdout.Result}\n{stderr.Result}");
    }
}
