namespace LeadPredict.Core.Tests;

public sealed class MissingTokensTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("NA")]
    [InlineData("na")]
    [InlineData(" N/A ")]
    [InlineData("NULL")]
    [InlineData("none")]
    [InlineData("NaN")]
    [InlineData("select")]
    public void The_default_tokens_mean_missing_in_any_case_and_with_spaces_around(string raw) =>
        Assert.Null(new MissingTokens(MissingTokens.Defaults).Normalize(raw));

    [Theory]
    [InlineData("no", "no")]
    [InlineData("Nancy", "Nancy")]
    [InlineData("N/B", "N/B")]
    [InlineData("Selected", "Selected")]
    [InlineData(" 123 ", "123")]
    [InlineData("Ñone", "Ñone")]
    public void Other_values_are_kept_trimmed(string raw, string expected) =>
        Assert.Equal(expected, new MissingTokens(MissingTokens.Defaults).Normalize(raw));

    [Fact]
    public void Configured_tokens_of_any_length_and_alphabet_mean_missing()
    {
        var tokens = new MissingTokens(["-", "unknown", "не указано", new string('x', 70)]);
        Assert.Null(tokens.Normalize("-"));
        Assert.Null(tokens.Normalize("UNKNOWN"));
        Assert.Null(tokens.Normalize("НЕ УКАЗАНО"));
        Assert.Null(tokens.Normalize(new string('X', 70)));
        Assert.Equal("", tokens.Normalize(""));
        Assert.Equal("known", tokens.Normalize("known"));
    }
}
