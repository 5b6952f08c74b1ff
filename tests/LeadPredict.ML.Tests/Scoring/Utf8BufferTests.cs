using System.Text;
using LeadPredict.ML.Scoring;

namespace LeadPredict.ML.Tests.Scoring;

public sealed class Utf8BufferTests
{
    [Fact]
    public void A_probability_is_written_as_the_invariant_six_decimal_format_would_write_it()
    {
        var random = new Random(11);
        var values = new List<double> { 0, 1, -0.0, double.Epsilon, 1 - 1e-17, 0.0000005, 0.0000015, 0.9999995, 0.1234565, -0.25, 1.5, double.NaN };
        for (var i = 0; i < 2_000; i++)
        {
            var midpoint = (random.Next(1_000_000) + 0.5) / 1e6;
            values.AddRange([midpoint, Math.BitIncrement(midpoint), Math.BitDecrement(midpoint), midpoint + 1e-12, midpoint - 1e-12]);
        }
        for (var i = 0; i < 200_000; i++) values.Add(random.NextDouble());

        var buffer = new Utf8Buffer(64);
        foreach (var p in values)
        {
            buffer.Clear();
            buffer.AppendProbability(p);
            Assert.Equal(LeadScorer.FormatProbability(p), Encoding.UTF8.GetString(buffer.Span));
        }
    }
}
