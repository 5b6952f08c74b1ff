using System.Globalization;

namespace LeadPredict.Rules.Tests;

public sealed class TextTests
{
    [Fact]
    public void A_probability_reads_as_the_invariant_two_decimal_format_would_write_it()
    {
        var random = new Random(5);
        var values = new List<double> { 0, 1, double.Epsilon, 1 - 1e-17, 0.125, 0.115, 0.995, 0.005, 0.675, -0.0, -0.001, 1.004, 1.006, double.NaN };
        for (var k = 0; k <= 100; k++)
        {
            var exact = k / 100.0;
            values.AddRange([exact, exact + 0.005, exact - 0.005, Math.BitIncrement(exact + 0.005), Math.BitDecrement(exact + 0.005), exact + 0.004999999, exact + 0.0050000001]);
        }
        for (var i = 0; i < 200_000; i++) values.Add(random.NextDouble());

        foreach (var p in values)
            Assert.Equal(p.ToString("0.00", CultureInfo.InvariantCulture), Text.Probability(p));
    }

    [Fact]
    public void A_probability_compared_with_a_threshold_never_reads_the_same_as_it()
    {
        Assert.Equal("0.0996", Text.Probability(0.0996, 0.10));
        Assert.Equal("0.11", Text.Probability(0.11, 0.10));
        Assert.Equal("0.10", Text.Probability(0.10, 0.10));
    }
}
