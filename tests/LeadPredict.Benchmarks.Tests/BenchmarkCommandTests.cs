using LeadPredict.Benchmarks;
using LeadPredict.TestSupport;

namespace LeadPredict.Benchmarks.Tests;

/// <summary>
/// The end-to-end benchmark runs on a small size in every test run, so it cannot rot. It checks that every figure
/// was produced, never how fast: timings on a shared CI machine mean nothing.
/// </summary>
public sealed class BenchmarkCommandTests
{
    [Fact]
    public void Should_Produce_Every_Figure_When_Run_On_20000_Rows()
    {
        using var dir = new TempDir();
        var output = new StringWriter();
        var report = EndToEnd.Run(new BenchOptions
        {
            Rows = 20_000, ScoreRows = [5_000, 20_000], Repeats = 1, WorkDir = dir.Path, Peers = false, Out = output,
        });

        Assert.True(report.TrainSeconds > 0);
        Assert.NotEmpty(report.TrainPhases);
        // CPU time is shown beside wall time, so a ratio to the peers can be judged on a busy machine.
        Assert.True(report.TrainProcessCpuSeconds > 0);
        Assert.All(report.TrainPhases, p => Assert.True(p.CpuSeconds >= 0, $"{p.Name}: CPU {p.CpuSeconds}"));
        Assert.InRange(report.HoldoutAuc, 0.75, 1);
        Assert.InRange(report.BestPossibleAuc, report.HoldoutAuc - 0.02, 1);
        Assert.Equal(4, report.Scoring.Count);
        Assert.All(report.Scoring, s =>
        {
            Assert.True(s.MedianSeconds > 0);
            Assert.True(s.PeakBytes > 0);
            Assert.NotEmpty(s.Phases);
        });
        Assert.True(report.SingleLeadMicros > 0);
        Assert.True(report.SingleLeadMicrosNoReasons > 0);
        Assert.Equal(20_000 + 1, File.ReadLines(Path.Combine(dir.Path, "ranked-20000.csv")).Count());
        var text = output.ToString();
        Assert.Contains("| train 20,000 rows", text, StringComparison.Ordinal);
        Assert.Contains("| score 20,000 leads", text, StringComparison.Ordinal);
        Assert.Contains("peers not run", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir.Path, "results-20000.md")));
    }
}
