using System.CommandLine;
using System.Runtime.InteropServices;
using LeadPredict.Core;
using Spectre.Console;

namespace LeadPredict.CommandLine;

/// <summary>
/// Runs a command the way every LeadPredict tool does: a user error prints one clear sentence and a non-zero exit code,
/// Ctrl-C cancels cleanly (no half-written files: outputs are written atomically), and an unexpected error prints
/// its type and message with a pointer to --verbose for the stack trace.
/// </summary>
public static class CommandRunner
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Print stack traces and extra detail.", Recursive = true };

    public static int Run(RootCommand root, string[] args)
    {
        root.Add(Verbose);
        // Logs and CI output are read later in wide windows; the 80-column default would wrap every table.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 140;
        var parse = root.Parse(args);
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        // `kill`, systemd and docker stop send SIGTERM, a closed terminal SIGHUP: cancel as for Ctrl-C, so temporaries go too.
        using var term = OnSignal(PosixSignal.SIGTERM, cts);
        using var hangUp = OnSignal(PosixSignal.SIGHUP, cts);
        try
        {
            return parse.InvokeAsync(new InvocationConfiguration(), cts.Token).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            return Report(e, parse.GetValue(Verbose));
        }
    }

    private static PosixSignalRegistration? OnSignal(PosixSignal signal, CancellationTokenSource cts)
    {
        try { return PosixSignalRegistration.Create(signal, c => { c.Cancel = true; cts.Cancel(); }); }
        catch (PlatformNotSupportedException) { return null; }
    }

    /// <summary>Wraps a command body: returns its exit code, or reports the error and returns the matching code.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Action(Func<ParseResult, CancellationToken, int> body) =>
        (parse, ct) =>
        {
            try { return Task.FromResult(body(parse, ct)); }
            catch (Exception e) { return Task.FromResult(Report(e, parse.GetValue(Verbose))); }
        };

    public static int Report(Exception e, bool verbose)
    {
        switch (e)
        {
            case OperationCanceledException:
                Error("Cancelled; nothing was written.");
                return ExitCodes.Cancelled;
            case AggregateException { InnerExceptions.Count: 1 } agg:
                return Report(agg.InnerExceptions[0], verbose);
            case LeadPredictException lp:
                Error(lp.Message);
                if (verbose && lp.InnerException is not null) Console.Error.WriteLine(lp.InnerException);
                return lp.ExitCode;
            case UnauthorizedAccessException or IOException:
                Error(e.Message);
                return ExitCodes.BadInput;
            default:
                Error($"unexpected error: {e.GetType().Name}: {e.Message}" + (verbose ? "" : " (run with --verbose for details)"));
                if (verbose) Console.Error.WriteLine(e);
                return ExitCodes.Internal;
        }
    }

    // Errors and warnings are single unwrapped lines on stderr, so scripts and logs can grep them.
    public static void Error(string message) => WriteStderr("error", "31", message);

    public static void Warning(string message) => WriteStderr("warning", "33", message);

    private static void WriteStderr(string label, string color, string message)
    {
        Console.Out.Flush();
        Console.Error.WriteLine(Console.IsErrorRedirected ? $"{label}: {message}" : $"\u001b[{color}m{label}:\u001b[0m {message}");
    }

    /// <summary>Comma-separated list option values ("a,b" or repeated flags).</summary>
    public static IReadOnlyList<string> SplitList(IEnumerable<string>? values) =>
        values?.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray() ?? [];
}
