using LeadPredict.CommandLine;
using System.Diagnostics;
using System.Runtime.Versioning;
using LeadPredict.Core;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests;

/// <summary>
/// A ranked file holds lead data: its temporary is private, goes away on Ctrl-C or SIGTERM, and one left by a SIGKILL is
/// removed by the next `score` that writes the same file.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class ScoreTemporaryFileTests : IClassFixture<ScoreTemporaryFileTests.BigInput>
{
    private readonly BigInput _input;

    public ScoreTemporaryFileTests(BigInput input) => _input = input;

    /// <summary>460,000 generated leads: long enough to write that the temporary can be caught.</summary>
    public sealed class BigInput : IDisposable
    {
        private readonly TempDir _dir = new();

        public BigInput()
        {
            Path = _dir.File("leads.csv");
            var result = Cli.Train("generate", "--rows", "460000", "--new", "--output", Path);
            if (result.ExitCode != 0) throw new InvalidOperationException(result.All);
        }

        public string Path { get; }
        public void Dispose() => _dir.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>
    /// Starts `score`, waits until its temporary appears, then sends <paramref name="signal"/> at once (9 SIGKILL, 2 SIGINT,
    /// 15 SIGTERM). Tries again when the run finished before the signal arrived.
    /// </summary>
    private (string Temporary, int ExitCode, string Output) Interrupt(string output, int signal)
    {
        for (var attempt = 0; ; attempt++)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { System.IO.Path.Combine(AppContext.BaseDirectory, "leadpredict-score.dll"), "score", "--model", SampleModels.SamplePath,
                         "--input", _input.Path, "--output", output })
                info.ArgumentList.Add(a);
            using var p = Process.Start(info)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            var dir = System.IO.Path.GetDirectoryName(output)!;
            var pattern = $".{System.IO.Path.GetFileName(output)}.{p.Id}.*.tmp";
            var until = DateTime.UtcNow.AddSeconds(120);
            string? temp = null;
            while (temp is null && !p.HasExited && DateTime.UtcNow < until)
                temp = Directory.GetFiles(dir, pattern).FirstOrDefault();
            if (temp is not null) kill(p.Id, signal);
            Assert.True(p.WaitForExit(60_000), "score did not stop");
            var text = stdout.Result + stderr.Result;
            if (temp is not null && p.ExitCode != 0) return (temp, p.ExitCode, text);
            Assert.True(attempt < 3 && p.ExitCode == 0, $"the temporary never appeared (exit {p.ExitCode}):\n{text}");
            File.Delete(output);
        }
    }

    [Fact]
    public void A_score_killed_while_writing_leaves_a_private_temporary_that_the_next_score_removes()
    {
        using var dir = new TempDir();
        var output = dir.File("ranked.csv");
        var (temp, _, _) = Interrupt(output, 9);
        Assert.True(File.Exists(temp), "SIGKILL gives no chance to clean up: the temporary should still be there");
        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(temp));
        Assert.False(File.Exists(output));

        var again = Cli.Score("score", "--model", SampleModels.SamplePath, "--input", TestPaths.Data("leads-new.csv"), "--output", output);
        Assert.True(again.ExitCode == 0, again.All);
        Assert.False(File.Exists(temp), "the stale temporary of the killed run is still there");
        Assert.Equal(["ranked.csv"], Directory.GetFiles(dir.Path).Select(f => System.IO.Path.GetFileName(f)!));
    }

    [Theory]
    [InlineData(2)] // SIGINT, Ctrl-C
    [InlineData(15)] // SIGTERM
    public void A_score_stopped_by_a_signal_removes_its_temporary_and_writes_nothing(int signal)
    {
        using var dir = new TempDir();
        var output = dir.File("ranked.csv");
        var (temp, exitCode, text) = Interrupt(output, signal);
        Assert.True(exitCode == ExitCodes.Cancelled, $"exit code {exitCode}: {text}");
        Assert.False(File.Exists(temp), "the temporary is still there");
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
