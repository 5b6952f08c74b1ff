namespace LeadPredict.Core;

/// <summary>
/// A problem the user can fix (bad input file, bad configuration, unusable model).
/// The message is one sentence meant to be printed as it is; commands exit with the code of its <see cref="Kind"/>.
/// </summary>
public class LeadPredictException : Exception
{
    public LeadPredictException(string message, ProblemKind kind = ProblemKind.BadInput, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    public ProblemKind Kind { get; }
}

/// <summary>What kind of problem a <see cref="LeadPredictException"/> is; each tool maps it to its exit code.</summary>
public enum ProblemKind
{
    /// <summary>Bad input data, configuration or arguments.</summary>
    BadInput,
    /// <summary>The model file is missing, corrupt, or not a LeadPredict model.</summary>
    BadModel,
    /// <summary>The trained candidate cannot replace the champion.</summary>
    NotPromoted,
    /// <summary>A database the command reads or writes could not be reached or dropped the connection: worth retrying later.</summary>
    Unavailable,
}

/// <summary>A problem located in an input file: names the file, line and column.</summary>
public sealed class InputFileException(string file, long? line, string? column, string problem, Exception? inner = null)
    : LeadPredictException(Format(file, line, column, problem), ProblemKind.BadInput, inner)
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
