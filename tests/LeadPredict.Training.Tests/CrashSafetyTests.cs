using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeadPredict.ML;
using LeadPredict.TestSupport;

namespace LeadPredict.Training.Tests;

/// <summary>Killing training at any moment, SIGKILL included, leaves the previous champion intact and loadable.</summary>
public sealed class CrashSafetyTests
{
    [Fact]
    public void Killing_training_at_any_moment_leaves_the_champion_intact()
    {
        using var dir = new TempDir();
        var model = dir.File("lead-model.zip");
        File.Copy(SampleModels.SamplePath, model);
        var champion = File.ReadAllBytes(model);
        var dll = Path.Combine(AppContext.BaseDirectory, "leadpredict-train.dll");
        var kills = 0;

        // Kill points spread over the run: while reading, during cross-validation, training, and around the save.
        foreach (var delayMs in new[] { 300, 900, 1500, 2500, 4000, 6000, 8000, 10000 })
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { dll, "train", "--data", TestPaths.Data("leads-history.csv"), "--config", TestPaths.Data("leadpredict.json"), "--model", model, "--force" })
                info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            var finished = process.WaitForExit(delayMs);
            if (!finished)
            {
                process.Kill(entireProcessTree: true); // SIGKILL on Linux: no chance to clean up
                process.WaitForExit();
                kills++;
                Assert.Equal(champion, File.ReadAllBytes(model));
            }
            else
            {
                // The run completed before the kill: the file was replaced by a complete new model.
                champion = File.ReadAllBytes(model);
            }
            ModelBundle.Load(model); // whatever happened, the model file loads and verifies
        }
        Assert.True(kills >= 4, $"only {kills} runs were killed before finishing; the kill points are too late");
    }

    private static string[] TrainArgs(string model, string? data = null) =>
        ["train", "--data", data ?? TestPaths.Data("leads-history.csv"), "--config", TestPaths.Data("leadpredict.json"), "--model", model, "--folds", "0", "--force"];

    /// <summary>The version in the model file's card, read without loading the model.</summary>
    private static string ZipVersion(string model)
    {
        using var zip = ZipFile.OpenRead(model);
        using var card = JsonDocument.Parse(zip.GetEntry("card.json")!.Open());
        return card.RootElement.GetProperty("version").GetString()!;
    }

    private static string? MetricsVersion(string metrics) =>
        File.Exists(metrics) ? JsonDocument.Parse(File.ReadAllText(metrics)).RootElement.GetProperty("card").GetProperty("version").GetString() : null;

    private static string? ReportVersion(string html) =>
        File.Exists(html) ? Regex.Match(File.ReadAllText(html), "<title>LeadPredict model (.*?)</title>").Groups[1].Value : null;

    [Fact]
    public void Killing_training_while_it_publishes_never_leaves_a_report_or_metrics_of_another_model_beside_it()
    {
        using var dir = new TempDir();
        var model = dir.File("lead-model.zip");
        var metrics = dir.File("lead-model.metrics.json");
        var html = dir.File("lead-model.report.html");
        var data = dir.File("history.csv"); // small, so each run gets to its save step quickly
        var generated = Cli.Train("generate", "--rows", "2000", "--output", data);
        Assert.True(generated.ExitCode == 0, generated.All);
        var first = Cli.Train(TrainArgs(model, data));
        Assert.True(first.ExitCode == 0, first.All);
        var dll = Path.Combine(AppContext.BaseDirectory, "leadpredict-train.dll");
        var kills = 0;

        // Kill points from the start of the save step to past its end: the renames happen in between.
        foreach (var afterMs in new[] { 5, 30, 80, 160, 320, 640 })
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { dll }.Concat(TrainArgs(model, data))) info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            _ = process.StandardError.ReadToEndAsync();
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null && !line.Contains("Saving", StringComparison.Ordinal)) { }
            Assert.True(line is not null, "training ended without a save step");
            Thread.Sleep(afterMs);
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                kills++;
            }
            process.WaitForExit();

            var version = ZipVersion(model);
            var described = (Metrics: MetricsVersion(metrics), Report: ReportVersion(html));
            Assert.True(described.Metrics is null || described.Metrics == version, $"killed {afterMs} ms into the save: the metrics describe {described.Metrics}, the model is {version}");
            Assert.True(described.Report is null || described.Report == version, $"killed {afterMs} ms into the save: the report describes {described.Report}, the model is {version}");
        }
        Assert.True(kills >= 3, $"only {kills} runs were killed before finishing");

        // The next run finds what a kill left (temporaries, a model without its report) and puts it right before it starts.
        var next = Cli.Train(TrainArgs(model, data));
        Assert.True(next.ExitCode == 0, next.All);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        var final = ZipVersion(model);
        Assert.Equal((final, final), (MetricsVersion(metrics), ReportVersion(html)));
    }

    [Fact]
    public void Temporaries_of_a_killed_training_are_removed_and_a_missing_report_is_rewritten_when_training_starts_again()
    {
        using var dir = new TempDir();
        var model = dir.File("lead-model.zip");
        File.Copy(SampleModels.SamplePath, model);
        using var gone = Process.Start("true")!;
        gone.WaitForExit();
        var stale = new[] { "lead-model.zip", "lead-model.metrics.json", "lead-model.report.html", "lead-model.candidate.zip" }
            .Select(n => dir.Write($".{n}.{gone.Id}.{Guid.NewGuid():N}.tmp", "half a file")).ToArray();
        var cancelled = Cli.Train([.. TrainArgs(model).Select(a => a == TestPaths.Data("leads-history.csv") ? dir.Write("empty.csv", "") : a)]);
        Assert.NotEqual(0, cancelled.ExitCode); // the data is unusable: training stops at once, after the check beside the model

        Assert.All(stale, f => Assert.False(File.Exists(f), $"{Path.GetFileName(f)} is still there"));
        Assert.Equal(ZipVersion(model), MetricsVersion(dir.File("lead-model.metrics.json")));
        Assert.Equal(ZipVersion(model), ReportVersion(dir.File("lead-model.report.html")));
        Assert.Contains("Rewrote", cancelled.Output);
    }
}
