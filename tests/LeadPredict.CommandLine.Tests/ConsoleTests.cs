using System.CommandLine;
using LeadPredict.Core;
using Spectre.Console;

namespace LeadPredict.CommandLine.Tests;

/// <summary>
/// What a user sees on the console when a command fails or runs long. One class, so the tests that swap the process's
/// console never run at the same time.
/// </summary>
public sealed class ConsoleTests : IDisposable
{
    private readonly TextWriter _error = Console.Error;
    private readonly IAnsiConsole _console = AnsiConsole.Console;
    private readonly StringWriter _stderr = new();
    private readonly StringWriter _stdout = new();

    public ConsoleTests()
    {
        Console.SetError(_stderr);
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(_stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
    }

    public void Dispose()
    {
        Console.SetError(_error);
        AnsiConsole.Console = _console;
    }

    public static TheoryData<Exception, int, string> Failures => new()
    {
        { new InputFileException("leads.csv", 12, "employees", "expected a number, got 'many'."), 2, "error: leads.csv, line 12, column 'employees': expected a number, got 'many'." },
        { new LeadPredictException("model file m.zip is corrupt.", ProblemKind.BadModel), 4, "error: model file m.zip is corrupt." },
        { new LeadPredictException("the new model is worse.", ProblemKind.NotPromoted), 3, "error: the new model is worse." },
        { new AggregateException(new LeadPredictException("model file m.zip is corrupt.", ProblemKind.BadModel)), 4, "error: model file m.zip is corrupt." },
        { new OperationCanceledException(), 130, "error: Cancelled; nothing was written." },
        { new IOException("Disk full."), 2, "error: Disk full." },
        { new InvalidOperationException("Sequence contains no elements"), 1, "error: unexpected error: InvalidOperationException: Sequence contains no elements (run with --verbose for details)" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Should_Print_One_Line_And_Exit_With_Its_Code_When_A_Command_Fails(Exception failure, int code, string line)
    {
        Assert.Equal(code, CommandRunner.Report(failure, verbose: false));
        Assert.Equal(line, _stderr.ToString().TrimEnd());
        Assert.DoesNotContain("   at ", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Print_The_Stack_Trace_When_Asked_To_Be_Verbose_About_A_Bug()
    {
        Exception bug;
        try { throw new InvalidOperationException("broken"); }
        catch (InvalidOperationException e) { bug = e; }
        Assert.Equal(ExitCodes.Internal, CommandRunner.Report(bug, verbose: true));
        Assert.Contains("   at ", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Exit_With_The_Problems_Code_When_A_Command_Body_Throws()
    {
        var root = new RootCommand("test");
        var command = new Command("fail");
        command.SetAction(CommandRunner.Action((_, _) => throw new LeadPredictException("model file m.zip not found.", ProblemKind.BadModel)));
        root.Add(command);
        Assert.Equal(ExitCodes.BadModel, CommandRunner.Run(root, ["fail"]));
        Assert.Equal("error: model file m.zip not found.", _stderr.ToString().TrimEnd());
    }

    [Fact]
    public void Should_Print_Each_Finished_Step_With_Its_Detail_And_Mark_The_Last_Failed_When_Not_Completed()
    {
        using (var steps = new StepPrinter())
        {
            steps.Step("Loading model");
            steps.Step("Scoring leads", "1,000 leads");
            steps.Step("Scoring leads", "2,000 leads");
        }
        var lines = _stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("… Loading model", lines[0]);
        Assert.Matches(@"^✓ Loading model [0-9]+\.[0-9] s$", lines[1]);
        Assert.Equal("… Scoring leads (1,000 leads)", lines[2]);
        Assert.Equal("✗ Scoring leads", lines[3]);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public void Should_Print_The_Last_Detail_Of_A_Step_When_Completed()
    {
        using (var steps = new StepPrinter())
        {
            steps.Step("Scoring leads", "1,000 leads");
            steps.Step("Scoring leads", "2,000 leads");
            steps.Complete();
        }
        Assert.Matches(@"✓ Scoring leads \(2,000 leads\) [0-9]+\.[0-9] s", _stdout.ToString());
        Assert.DoesNotContain("✗", _stdout.ToString(), StringComparison.Ordinal);
    }
}
