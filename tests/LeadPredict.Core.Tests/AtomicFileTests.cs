using LeadPredict.Core;

namespace LeadPredict.Core.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("atomic-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_write_that_fails_halfway_leaves_the_old_file_and_no_temporary_file()
    {
        var path = Path.Combine(_dir, "model.zip");
        File.WriteAllText(path, "the good model");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("half a mod"u8);
            throw new InvalidOperationException("crash");
        }));
        Assert.Equal("the good model", File.ReadAllText(path));
        Assert.Equal(["model.zip"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void A_successful_write_replaces_the_file()
    {
        var path = Path.Combine(_dir, "out.csv");
        File.WriteAllText(path, "old");
        AtomicFile.WriteText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
    }
}

/// <summary>Temporaries are private while written, removed on failure, and those left by killed processes are cleaned up.</summary>
public sealed class AtomicFileTemporaryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("atomic-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Files() => Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The id of a process that has exited (ids are not reused right away).</summary>
    private static int GonePid()
    {
        using var p = System.Diagnostics.Process.Start("true")!;
        p.WaitForExit();
        return p.Id;
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_temporary_is_private_while_written_and_the_published_file_gets_the_usual_mode()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes");
        var path = Path.Combine(_dir, "ranked.csv");
        UnixFileMode? during = null;
        AtomicFile.Write(path, s =>
        {
            s.Write("lead data"u8);
            during = File.GetUnixFileMode(Directory.GetFiles(_dir, ".ranked.csv.*.tmp").Single());
        });
        Assert.Equal(PrivateFiles.FileMode, during);
        Assert.Equal(PrivateFiles.DefaultFileMode, File.GetUnixFileMode(path));

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        AtomicFile.WriteText(path, "replaced");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_temporary_left_by_a_process_that_is_gone_is_removed_when_the_same_target_is_written_next()
    {
        var gone = GonePid();
        var stale = Path.Combine(_dir, $".ranked.csv.{gone}.{Guid.NewGuid():N}.tmp");
        var running = Path.Combine(_dir, $".ranked.csv.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var otherTarget = Path.Combine(_dir, $".other.csv.{gone}.{Guid.NewGuid():N}.tmp");
        var notOurs = Path.Combine(_dir, ".ranked.csv.backup.tmp");
        foreach (var f in new[] { stale, running, otherTarget, notOurs }) File.WriteAllText(f, "lead data");

        AtomicFile.WriteText(Path.Combine(_dir, "ranked.csv"), "new");

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(running), "a temporary of a running process was removed");
        Assert.True(File.Exists(otherTarget), "a temporary of another target was removed");
        Assert.True(File.Exists(notOurs), "a file not named by LeadPredict was removed");
    }

    [Fact]
    public void Files_published_together_are_all_replaced_and_a_failure_before_publishing_changes_none()
    {
        var model = Path.Combine(_dir, "m.zip");
        var report = Path.Combine(_dir, "m.report.html");
        AtomicFile.WriteTogether(model, s => s.Write("v1"u8), [new(report, s => s.Write("report of v1"u8))]);
        Assert.Equal(("v1", "report of v1"), (File.ReadAllText(model), File.ReadAllText(report)));

        Assert.Throws<IOException>(() => AtomicFile.WriteTogether(model, s => s.Write("v2"u8),
            [new(report, _ => throw new IOException("disk full"))]));
        Assert.Equal(("v1", "report of v1"), (File.ReadAllText(model), File.ReadAllText(report)));
        Assert.Throws<IOException>(() => AtomicFile.WriteTogether(model, _ => throw new IOException("disk full"),
            [new(report, s => s.Write("report of v2"u8))]));
        Assert.Equal(("v1", "report of v1"), (File.ReadAllText(model), File.ReadAllText(report)));
        Assert.Equal(["m.report.html", "m.zip"], Files());

        AtomicFile.WriteTogether(model, s => s.Write("v2"u8), [new(report, s => s.Write("report of v2"u8))]);
        Assert.Equal(("v2", "report of v2"), (File.ReadAllText(model), File.ReadAllText(report)));
        Assert.Equal(["m.report.html", "m.zip"], Files());
    }
}
