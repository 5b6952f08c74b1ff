using System.CommandLine;
using System.CommandLine.Parsing;
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
        root.Add(CommandSettings.SettingsOption);
        try
        {
            args = CommandSettings.Apply(root, args);
        }
        catch (LeadPredictException e)
        {
            return Report(e, verbose: false);
        }
        // Logs and CI output are read later in wide windows; the 80-column default would wrap every table.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 140;
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction) return ParseErrors(root, parse);
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

    /// <summary>
    /// Bad arguments: one line each naming the option and what it expects, in words (not .NET type names), a pointer to the
    /// command's help, and exit code 2, as for any other bad input.
    /// </summary>
    private static int ParseErrors(RootCommand root, ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (command == root && root.Subcommands.Count > 0 && args(parse).Length == 0)
        {
            root.Parse("--help").Invoke();
            Error($"a command is required: {string.Join(", ", root.Subcommands.Select(c => c.Name))}.");
            return ExitCodes.BadInput;
        }
        var help = command == root ? $"{root.Name} --help" : $"{root.Name} {command.Name} --help";
        foreach (var error in parse.Errors.Select(Describe).Distinct())
            Error($"{error} (see '{help}').");
        return ExitCodes.BadInput;

        static string[] args(ParseResult p) => p.Tokens.Select(t => t.Value).ToArray();
    }

    private static string Describe(ParseError error)
    {
        var message = error.Message.TrimEnd('.');
        var option = error.SymbolResult switch
        {
            OptionResult o => o.Option,
            ArgumentResult { Parent: OptionResult o } => o.Option,
            _ => null,
        };
        if (option is not null && message.StartsWith("Cannot parse argument", StringComparison.Ordinal))
            return $"{option.Name} expects {Expected(option.ValueType)}, got '{string.Join(' ', error.SymbolResult!.Tokens.Select(t => t.Value))}'";
        if (option is not null && message.StartsWith("Required argument missing", StringComparison.Ordinal))
            return $"{option.Name} needs a value: {Expected(option.ValueType)}";
        if (message.StartsWith("Option '", StringComparison.Ordinal) && message.EndsWith("' is required", StringComparison.Ordinal))
            return $"{message["Option '".Length..^"' is required".Length]} is required";
        if (message == "Required command was not provided" && error.SymbolResult is CommandResult { Command: var parent })
            return $"a command is required: {string.Join(", ", parent.Subcommands.Select(c => c.Name))}";
        if (message.StartsWith("Unrecognized command or argument ", StringComparison.Ordinal))
            return $"unknown option or argument {message["Unrecognized command or argument ".Length..]}";
        return message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message;
    }

    /// <summary>What an option's value must be, as a user would say it.</summary>
    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray) return Expected(type.GetElementType()!);
        if (type.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(type).Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 => "a whole number",
            TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64 => "a whole number of 0 or more",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
            TypeCode.Boolean => "true or false",
            _ when type == typeof(DateOnly) || type == typeof(DateTime) || type == typeof(DateTimeOffset) => "a date such as 2025-01-31",
            _ when type == typeof(FileInfo) => "a file path",
            _ when type == typeof(DirectoryInfo) => "a folder path",
            _ => "a value",
        };
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
                return ExitCodes.Of(lp.Kind);
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
