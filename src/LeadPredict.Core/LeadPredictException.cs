namespace LeadPredict.Core;

/// <summary>
/// A problem the user can fix (bad input file, bad configuration, unusable model).
/// The message is one sentence meant to be printed as it is; commands exit non-zero.
/// </summary>
public class LeadPredictException : Exception
{
    public LeadPredictException(string message, int exitCode = ExitCodes.BadInput, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;

    public int ExitCode { get; }
}

/// <summary>A problem located in an input file: names the file, line and column.</summary>
public sealed class InputFileException(string file, long? line, string? column, string problem, Exception? inner = null)
    : LeadPredictException(Format(file, line, column, problem), ExitCodes.BadInput, inner)
{
    public string File { get; } = file;
    public long? Line { get; } = line;
    public string? Column { get; } = column;
    public string Problem { get; } = problem;

    private static string Format(string file, long? line, string? column, string problem)
    {
        var where = Path.GetFileName(file);
        if (line is not null) where += $", line {line}";
        if (column is not null) where += $", column '{column}'";
        return $"{where}: {problem}";
    }
}

/// <summary>Exit codes shared by every LeadPredict command.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Unexpected failure (a bug): the stack trace goes to the log.</summary>
    public const int Internal = 1;
    /// <summary>Bad input data, configuration or arguments.</summary>
    public const int BadInput = 2;
    /// <summary>The trained candidate was worse than the champion and was not promoted.</summary>
    public const int NotPromoted = 3;
    /// <summary>The model file is missing, corrupt, or not a LeadPredict model.</summary>
    public const int BadModel = 4;
    /// <summary>Interrupted by the user (Ctrl-C).</summary>
    public const int Cancelled = 130;
}
