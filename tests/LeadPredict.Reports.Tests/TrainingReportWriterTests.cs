using System.Text.Json;
using System.Text.RegularExpressions;
using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.TestSupport;

namespace LeadPredict.Reports.Tests;

/// <summary>The HTML report as a file: where it goes, that it is offline and small, and which sections appear when.</summary>
public sealed partial class TrainingReportWriterTests
{
    [Fact]
    public void The_report_of_a_model_goes_next_to_it_named_after_it() =>
        Assert.Equal(Path.Combine("models", "lead-model.report.html"), TrainingReportWriter.PathFor(Path.Combine("models", "lead-model.zip")));

    [Fact]
    public void The_page_is_readable_offline_with_one_inlined_copy_of_plotly_js()
    {
        var html = TrainingReportWriter.Render(SampleModels.SampleOutcome.Report);

        Assert.Single(PlotlyBanner().Matches(html));
        Assert.DoesNotContain("<script src=", html);
        Assert.InRange(html.Length, 3_000_000, 5_000_000); // plotly.js is ~3.6 MB; the charts add little
    }

    [Fact]
    public void Should_say_there_is_no_signal_before_anything_else_When_the_model_ranks_no_better_than_chance()
    {
        var report = SampleModels.SampleOutcome.Report;
        var message = "This history does not predict conversion better than chance: ranking by it is close to random (test).";
        var none = report with
        {
            Card = report.Card with
            {
                Signal = new LeadPredict.ML.SignalCheck(true, 0.52, 0.03, 0.46, "CV AUC", message),
                Warnings = [message, "small history: 30 converted leads (test)"],
            },
        };

        var html = TrainingReportWriter.Render(none);

        var alert = html.IndexOf("class=\"alert nosignal\"", StringComparison.Ordinal);
        Assert.InRange(alert, 0, html.IndexOf("<header>", StringComparison.Ordinal));
        Assert.Contains("ranking by it is close to random", html);
        Assert.Contains("small history: 30 converted leads (test)", html);
        Assert.Single(Regex.Matches(html, "close to random \\(test\\)"));
        Assert.DoesNotContain("class=\"alert nosignal\"", TrainingReportWriter.Render(report));
    }

    [Fact]
    public void Should_list_every_candidate_with_its_CV_AUC_and_mark_the_chosen_one()
    {
        var report = SampleModels.SampleOutcome.Report;
        var html = TrainingReportWriter.Render(report);

        Assert.Contains("id=\"model-choice\"", html);
        Assert.NotEmpty(report.Candidates);
        var text = System.Net.WebUtility.HtmlDecode(html);
        foreach (var c in report.Candidates) Assert.Contains(c.Settings, text);
        Assert.Single(Regex.Matches(html, "<tr class=\"chosen\">"));
        Assert.Contains(report.Card.Model, text);
    }

    [Fact]
    public void The_ICP_and_champion_sections_appear_only_when_there_is_something_to_show()
    {
        var plain = TrainingReportWriter.Render(SampleModels.SampleOutcome.Report);
        var full = TrainingReportWriter.Render(SampleReport.WithChampion(), SampleReport.IcpBacktest());

        Assert.DoesNotContain("id=\"icp\"", plain);
        Assert.DoesNotContain("id=\"champion\"", plain);
        Assert.Contains("id=\"icp\"", full);
        Assert.Contains("Decision-maker", full);
        Assert.Contains("id=\"champion\"", full);
        Assert.Contains("20250101-000000-previous", full);
    }

    [Fact]
    public void The_training_extension_publishes_the_report_with_the_model_stamped_with_its_version()
    {
        using var temp = new TempDir();
        var model = temp.File("lead-model.zip");
        var report = SampleModels.SampleOutcome.Report;
        var context = new TrainingContext(null!, null!, null!, [], report, null!);

        var parts = new HtmlReportExtension().Companions(context, model).ToArray();
        AtomicFile.WriteTogether(model, s => { using var f = File.OpenRead(SampleModels.SamplePath); f.CopyTo(s); }, parts);

        Assert.Equal(["lead-model.report.html", "lead-model.zip"], Directory.GetFiles(temp.Path).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal));
        Assert.Equal(report.Card.Version, TrainingReportWriter.VersionOf(temp.File("lead-model.report.html")));
        Assert.Null(TrainingReportWriter.VersionOf(temp.File("missing.html")));
    }

    [GeneratedRegex(@"\* plotly\.js v\d")]
    private static partial Regex PlotlyBanner();
}
