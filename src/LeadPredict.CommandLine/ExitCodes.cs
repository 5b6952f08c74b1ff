using LeadPredict.Core;

namespace LeadPredict.CommandLine;

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
    /// <summary>A database source or sink could not be reached, or the connection was lost: nothing was written; retry later.</summary>
    public const int Unavailable = 5;
    /// <summary>Interrupted by the user (Ctrl-C).</summary>
    public const int Cancelled = 130;

    /// <summary>The exit code of a user's problem.</summary>
    public static int Of(ProblemKind kind) => kind switch
    {
        ProblemKind.BadModel => BadModel,
        ProblemKind.NotPromoted => NotPromoted,
        ProblemKind.Unavailable => Unavailable,
        _ => BadInput,
    };
}
