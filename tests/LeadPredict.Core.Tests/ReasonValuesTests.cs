using LeadPredict.Core;

namespace LeadPredict.Core.Tests;

public sealed class ReasonValuesTests
{
    [Theory]
    [InlineData("54.08315", "54.1")]
    [InlineData("54.04999", "54")]
    [InlineData("1234.5678", "1235")]
    [InlineData("123456.7", "123457")]
    [InlineData("1.333333", "1.333")]
    [InlineData("0.30000000000000004", "0.3")]
    [InlineData("0.012345", "0.0123")]
    [InlineData("1.157407E-05", "0")]
    [InlineData("-54.08315", "-54.1")]
    public void Should_Round_A_Long_Number_When_A_Reason_Quotes_It(string written, string quoted) =>
        Assert.Equal(quoted, ReasonValues.Display(written, ColumnKind.Numeric, NumberFormat.Plain));

    [Theory]
    [InlineData("12521000")]
    [InlineData("4")]
    [InlineData("0.25")]
    [InlineData("871606000")]
    [InlineData("n/a?")]
    public void Should_Quote_Whole_Short_Or_Unreadable_Numbers_As_Written(string written) =>
        Assert.Equal(written, ReasonValues.Display(written, ColumnKind.Numeric, NumberFormat.Plain));

    [Fact]
    public void Should_Quote_As_Written_When_The_Column_Is_Not_Numeric() =>
        Assert.Equal("3.14159265", ReasonValues.Display("3.14159265", ColumnKind.Categorical, NumberFormat.Plain));

    [Fact]
    public void Should_Keep_The_Column_S_Decimal_Comma_When_The_File_Writes_1_234_5()
    {
        Assert.Equal("54,1", ReasonValues.Display("54,08315", ColumnKind.Numeric, NumberFormat.DotThousands));
        Assert.Equal("1.234.567", ReasonValues.Display("1.234.567", ColumnKind.Numeric, NumberFormat.DotThousands));
    }
}
