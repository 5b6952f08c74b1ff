namespace LeadPredict.CommandLine.Tests;

public sealed class SplitListTests
{
    [Fact]
    public void Should_Read_A_List_Given_With_Commas_Or_As_Repeated_Flags_When_Parsing_An_Option() =>
        Assert.Equal(["Tags", "Lead Quality", "stage"], CommandRunner.SplitList(["Tags, Lead Quality", "stage", " ,"]));

    [Fact]
    public void Should_Give_An_Empty_List_When_The_Option_Is_Absent() => Assert.Empty(CommandRunner.SplitList(null));
}
