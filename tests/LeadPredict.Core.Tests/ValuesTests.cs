using System.Globalization;

namespace LeadPredict.Core.Tests;

public sealed class ValuesTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("+7")]
    [InlineData("007")]
    [InlineData("999999999999999")]
    [InlineData("-999999999999999")]
    [InlineData("1234567890123456")]
    [InlineData("12.5")]
    [InlineData("1e3")]
    [InlineData(" 42 ")]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData("")]
    [InlineData("4-2")]
    [InlineData("1e400")]
    [InlineData("NaN")]
    public void Numbers_read_exactly_as_double_parse_reads_them(string text) => AssertSameAsDoubleParse(text);

    [Fact]
    public void Random_integers_of_every_length_read_exactly_as_double_parse_reads_them()
    {
        var random = new Random(9);
        for (var i = 0; i < 20_000; i++)
        {
            var digits = new string(Enumerable.Range(0, random.Next(1, 18)).Select(_ => (char)('0' + random.Next(10))).ToArray());
            AssertSameAsDoubleParse(random.Next(3) switch { 0 => "-", 1 => "+", _ => "" } + digits);
        }
    }

    private static void AssertSameAsDoubleParse(string text)
    {
        var expectedOk = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var expected) && double.IsFinite(expected);
        Assert.Equal(expectedOk, Values.TryParseNumber(text, out var actual));
        if (expectedOk) Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));
    }
}
