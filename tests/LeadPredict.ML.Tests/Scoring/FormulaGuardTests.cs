using LeadPredict.ML.Scoring;

namespace LeadPredict.ML.Tests.Scoring;

/// <summary>A value a spreadsheet would run as a formula is written as text; plain numbers and text are left alone.</summary>
public sealed class FormulaGuardTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")")]
    [InlineData("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0")]
    [InlineData("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0")]
    [InlineData("@SUM(A1:A9)", "'@SUM(A1:A9)")]
    [InlineData("\t=1+1", "'\t=1+1")]
    [InlineData("\r=1+1", "'\r=1+1")]
    [InlineData("-12", "-12")]
    [InlineData("+3.5", "+3.5")]
    [InlineData("Acme = best", "Acme = best")]
    [InlineData("", "")]
    public void Values_that_a_spreadsheet_would_run_as_formulas_are_neutralized(string value, string expected) =>
        Assert.Equal(expected, FormulaGuard.Neutralize(value));

    [Fact]
    public void A_neutralized_field_with_a_separator_is_still_quoted()
    {
        Assert.Equal("\"'=1,2\"", FormulaGuard.SafeField("=1,2"));
    }
}
