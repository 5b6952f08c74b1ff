using System.Diagnostics;
using LeadPredict.Benchmarks;
using LeadPredict.TestSupport;

namespace LeadPredict.Benchmarks.Tests;

/// <summary>The bench command's timeline benchmark at a small size, so it cannot rot, and its pandas peer checked against ours.</summary>
public sealed class TimelineBenchTests
{
    private static TimelineBenchReport Run(TempDir dir, bool peers) => TimelineBench.Run(new TimelineBenchOptions
    {
        Leads = 2_000, ActivitiesPerLead = 20, Repeats = 1, WorkDir = dir.Path, InProcess = true, Peers = peers, SingleLeadCalls = 20,
    });

    [Fact]
    public void Should_Build_Features_For_A_Generated_Parquet_History_And_Time_The_Single_Lead_Path()
    {
        using var dir = new TempDir();
        var report = Run(dir, peers: false);
        Assert.True(report.MedianSeconds > 0);
        Assert.True(report.SingleLeadMedianMs > 0);
        Assert.True(report.SingleLeadSqlMedianMs > 0);
        Assert.Contains("bit for bit equal", report.Table);
        Assert.Null(report.ChecksumsAgree);
        Assert.Contains("training snapshots with features", report.Table);
    }

    [SkippableFact]
    public void Should_Compute_The_Same_Point_In_Time_Features_As_The_Pandas_Implementation()
    {
        Skip.IfNot(PandasAvailable(), "needs /usr/bin/python3 with pandas (apt-get install python3-pandas)");
        using var dir = new TempDir();
        var report = Run(dir, peers: true);
        Assert.True(report.ChecksumsAgree, report.Table);
    }

    private static bool PandasAvailable()
    {
        if (!File.Exists("/usr/bin/python3")) return false;
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", "-c \"import pandas, numpy\"") { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}
