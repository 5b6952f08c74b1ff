using System.Diagnostics;
using LeadPredict.Benchmarks;
using LeadPredict.TestSupport;

namespace LeadPredict.Benchmarks.Tests;

/// <summary>The whole point-in-time job of the bench command (real train and score processes next to pandas + HistGradientBoosting), tiny.</summary>
public sealed class TimelinePipelineBenchTests
{
    [SkippableFact]
    public void Should_Train_Score_As_Of_And_Report_Both_Sides_When_The_History_Is_Tiny()
    {
        Skip.IfNot(File.Exists("/usr/bin/time"), "needs GNU time at /usr/bin/time (apt-get install time) for each process's peak memory");
        Skip.IfNot(SklearnAvailable(), "needs /usr/bin/python3 with pandas and scikit-learn (apt-get install python3-pandas python3-sklearn)");
        using var dir = new TempDir();

        var report = TimelinePipelineBench.Run(new TimelineBenchOptions
        {
            Leads = 2_000, ActivitiesPerLead = 20, Repeats = 1, WorkDir = dir.Path, TrainArguments = ["--folds", "0"],
        });

        var ours = Assert.Single(report.Ours);
        var theirs = Assert.Single(report.Theirs);
        Assert.True(ours.FeaturesSeconds > 0 && ours.TrainSeconds > 0 && ours.ScoreSeconds > 0, report.Table);
        Assert.True(ours.TrainPeakBytes > 0 && ours.ScorePeakBytes > 0 && theirs.PeakBytes > 0, report.Table);
        // Both sides rank the same open leads and learn something from the same snapshots.
        Assert.Equal(ours.Scored, theirs.Scored);
        Assert.True(ours.Scored > 0);
        Assert.InRange(ours.HoldoutAuc, 0.5, 1.0);
        Assert.InRange(theirs.HoldoutAuc, 0.5, 1.0);
        Assert.Equal(ours.Examples, theirs.Examples);
        Assert.Contains("pandas + HistGradientBoosting", report.Table);
        Assert.Contains("holdout AUC", report.Table);
        Assert.True(File.Exists(Path.Combine(dir.Path, "results-timeline-e2e-2000.md")));
    }

    private static bool SklearnAvailable()
    {
        if (!File.Exists("/usr/bin/python3")) return false;
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", "-c \"import pandas, numpy, sklearn\"") { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}
