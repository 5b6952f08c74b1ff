using System.Text.RegularExpressions;
using LeadPredict.TestSupport;

namespace LeadPredict.Training.Tests;

/// <summary>The report command as a user runs it: the regenerated report shows what the one written by training showed.</summary>
public sealed partial class ReportCommandTests
{
    [Fact]
    public void The_report_regenerated_from_a_model_trained_with_an_ICP_has_the_same_ICP_backtest_section()
    {
        using var dir = new TempDir();
        var model = dir.File("m.zip");
        var trained = Cli.Train("train", "--data", TestPaths.Data("leads-history.csv"), "--config", TestPaths.Data("leadpredict.json"),
            "--icp", TestPaths.Data("rules.json"), "--model", model, "--folds", "0", "--trees", "20");
        Assert.True(trained.ExitCode == 0, trained.All);
        var written = IcpSection(File.ReadAllText(dir.File("m.report.html")));

        var result = Cli.Train("report", "--model", model, "--output", dir.File("again.html"));

        Assert.True(result.ExitCode == 0, result.All);
        var regenerated = IcpSection(File.ReadAllText(dir.File("again.html")));
        Assert.Contains("ICP backtest", regenerated);
        Assert.Contains("Decision-maker", regenerated);
        Assert.Equal(written, regenerated);
    }

    [Fact]
    public void The_report_of_a_model_trained_without_rules_has_no_ICP_section()
    {
        using var dir = new TempDir();
        var model = dir.File("m.zip");
        var trained = Cli.Train("train", "--data", TestPaths.Data("leads-history.csv"), "--config", TestPaths.Data("leadpredict.json"),
            "--model", model, "--folds", "0", "--trees", "20");
        Assert.True(trained.ExitCode == 0, trained.All);

        var result = Cli.Train("report", "--model", model, "--output", dir.File("again.html"));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.DoesNotContain("id=\"icp\"", File.ReadAllText(dir.File("again.html")));
    }

    private static string IcpSection(string html)
    {
        var match = IcpSectionPattern().Match(html);
        Assert.True(match.Success, "the report has no ICP backtest section");
        // Plotly figures get a fresh element id each time they are drawn; the rest must match.
        return FigureId().Replace(match.Value, "ID");
    }

    [GeneratedRegex("<section id=\"icp\">.*?</section>\\s*<table class=\"icp\">.*?</table>", RegexOptions.Singleline)]
    private static partial Regex IcpSectionPattern();

    [GeneratedRegex("[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")]
    private static partial Regex FigureId();
}
