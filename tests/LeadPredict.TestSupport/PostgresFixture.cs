using System.Diagnostics;

namespace LeadPredict.TestSupport;

/// <summary>
/// A throwaway PostgreSQL started once for the test class by scripts/start-postgres.sh (or the one named by
/// LEADPREDICT_TEST_POSTGRES), stopped and deleted afterwards. <see cref="SkipReason"/> says why when it cannot start.
/// </summary>
public sealed class PostgresFixture : IDisposable
{
    private readonly string? _dir;

    public PostgresFixture()
    {
        if (Environment.GetEnvironmentVariable("LEADPREDICT_TEST_POSTGRES") is { Length: > 0 } given)
        {
            ConnectionString = given;
            return;
        }
        var script = Path.Combine(TestPaths.RepositoryRoot, "scripts", "start-postgres.sh");
        try
        {
            var psi = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(60_000)) { p.Kill(true); SkipReason = "scripts/start-postgres.sh did not finish in 60 s"; return; }
            foreach (var line in stdout.Result.Split('\n'))
            {
                if (line.StartsWith("export LEADPREDICT_TEST_POSTGRES='", StringComparison.Ordinal)) ConnectionString = line["export LEADPREDICT_TEST_POSTGRES='".Length..].TrimEnd('\'');
                if (line.StartsWith("export LEADPREDICT_TEST_POSTGRES_DIR=", StringComparison.Ordinal)) _dir = line["export LEADPREDICT_TEST_POSTGRES_DIR=".Length..].Trim();
            }
            if (p.ExitCode != 0 || ConnectionString is null)
                SkipReason = $"PostgreSQL could not be started by scripts/start-postgres.sh (exit {p.ExitCode}): {stderr.Result.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            SkipReason = $"cannot run bash to start PostgreSQL: {e.Message}";
        }
    }

    public string? ConnectionString { get; }
    public string? SkipReason { get; }

    public void Dispose()
    {
        if (_dir is null) return;
        using var p = Process.Start(new ProcessStartInfo("bash", [Path.Combine(TestPaths.RepositoryRoot, "scripts", "start-postgres.sh"), "stop", _dir]));
        p?.WaitForExit(30_000);
    }
}
