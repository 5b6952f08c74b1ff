using LeadPredict.Core;

namespace LeadPredict.CommandLine.Tests;

public sealed class ExitCodesTests
{
    [Theory]
    [InlineData(ProblemKind.BadInput, 2)]
    [InlineData(ProblemKind.NotPromoted, 3)]
    [InlineData(ProblemKind.BadModel, 4)]
    public void Should_Exit_With_The_Documented_Code_When_A_Command_Fails_With_A_Users_Problem(ProblemKind kind, int code) =>
        Assert.Equal(code, ExitCodes.Of(kind));

    [Fact]
    public void Should_Give_Every_Kind_Of_Problem_A_Code_Of_Its_Own_That_Is_Not_Success_A_Bug_Or_Ctrl_C()
    {
        var codes = Enum.GetValues<ProblemKind>().Select(ExitCodes.Of).ToArray();
        Assert.Equal(codes.Length, codes.Distinct().Count());
        Assert.DoesNotContain(ExitCodes.Ok, codes);
        Assert.DoesNotContain(ExitCodes.Internal, codes);
        Assert.DoesNotContain(ExitCodes.Cancelled, codes);
    }
}
