using System.Diagnostics;

namespace LeadPredict.TestSupport;

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;
}

/// <summary>Runs the real command-line tools as separate processes, as a user would.</summary>
public static class Cli
{
    public static CliResult Train(params string[] args) => Run("leadpredict-train", args);
    public static CliResult Score(params string[] args) => Run("leadpredict-score", args);

    /// <summary>Runs a tool whose assembly sits next to the test assembly (the test project references it).</summary>
    public static CliResult Run(string tool, string[] args, string? workingDirectory = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, tool + ".dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} not found: reference the tool's project from the test project");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? TestPaths.RepositoryRoot };
        info.ArgumentList.Add(dll);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) info.Environment[name] = value;
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish");
        }
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
