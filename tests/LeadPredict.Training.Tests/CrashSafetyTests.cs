using System.Diagnostics;
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
}
