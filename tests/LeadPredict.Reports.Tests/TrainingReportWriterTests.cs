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
    public void Should_chart_mean_absolute_contributions_and_say_how_they_were_measured_When_importance_came_from_contributions()
    {
        var report = SampleModels.SampleOutcome.Report;
        var basis = new LeadPredict.ML.ImportanceBasis(LeadPredict.ML.PermutationImportance.Contributions, 80, 80, 0, 3,
            "mean absolute contribution to the log-odds on the 80 holdout leads (test)");
        var wide = report with
        {
            ImportanceBasis = basis,
            Importance = report.Importance.Select((i, n) => i with { AucDrop = 0, StdDev = 0, Contribution = 1.0 / (n + 1) }).ToArray(),
        };

        var html = TrainingReportWriter.Render(wide);

        Assert.Contains("mean absolute contribution to the log-odds on the 80 holdout leads (test)", html);
        Assert.Contains("mean absolute contribution to the log-odds", html);
        Assert.DoesNotContain("holdout AUC drop when the column is shuffled", html);
        Assert.Contains("holdout AUC drop when the column is shuffled", TrainingReportWriter.Render(report));
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

public sealed class FunnelSectionTests
{
    private static readonly DateTime Export = new(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Should_Show_The_Learned_Funnel_With_Its_Gates_When_The_Model_Was_Trained_On_A_Stage_History()
    {
        var stories = Enumerable.Range(0, 60).Select(i =>
        {
            var start = Export.AddDays(-200 + i);
            return i % 3 == 0
                ? new Rules.LeadStory([new(start, "lead"), new(start.AddDays(10 + i % 7), "mql"), new(start.AddDays(30), "Nurturing")], null, null)
                : new Rules.LeadStory([new(start, "lead")], null, start.AddDays(5 + i % 11));
        });
        var learned = Rules.FunnelLearner.Learn(new Rules.Funnel(Rules.Funnel.DefaultStages), stories, Export);
        var gates = new Rules.LearnedGates([new Rules.LearnedGate("Lead", "MQL", 0.04, 0.1, 300, 120, 0.05) { Learned = new(40, 5), HandSet = new(30, 3) }],
            new(40, 5), new(30, 3), Rules.LearnedGates.RuleText(Rules.LearnedGates.DefaultRule));
        var rules = JsonSerializer.SerializeToElement(new { rulesFile = "rules.json", learnedGates = gates }, DatasetConfig.Json);
        var report = SampleModels.SampleOutcome.Report with
        {
            Extensions = new Dictionary<string, JsonElement> { [Rules.LearnedFunnel.Name] = JsonDocument.Parse(learned.ToJson()).RootElement, ["funnel"] = rules },
        };

        var html = TrainingReportWriter.Render(report);

        Assert.Contains("<section id=\"funnel\">", html);
        Assert.Contains("Moves up and losses", html);
        Assert.Contains("Days in stage (stays that ended)", html);
        Assert.Contains("Nurturing&#39; (20 rows, 20 leads)", html);
        Assert.Contains("5 of 40 (12.5 %)", html); // the learned gate's backtest
        Assert.Contains("3 of 30 (10.0 %)", html); // the hand-set gate's
        Assert.DoesNotContain("<section id=\"funnel\">", TrainingReportWriter.Render(SampleModels.SampleOutcome.Report));
    }
}
