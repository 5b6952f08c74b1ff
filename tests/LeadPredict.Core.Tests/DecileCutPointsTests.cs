namespace LeadPredict.Core.Tests;

public sealed class DecileCutPointsTests
{
    [Fact]
    public void Should_cut_at_each_tenth_of_the_ascending_order_When_the_probabilities_come_in_any_order()
    {
        var probabilities = Enumerable.Range(0, 100).Select(i => (99 - i) / 100.0).ToArray(); // in any order

        Assert.Equal([0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.90], DecileCutPoints.Of(probabilities));
    }

    [Fact]
    public void Should_give_nine_cut_points_within_the_range_When_there_are_only_a_few_probabilities()
    {
        var cuts = DecileCutPoints.Of([0.2, 0.9, 0.5]);

        Assert.Equal(9, cuts.Length);
        Assert.Equal(0.2, cuts[0]);
        Assert.Equal(0.9, cuts[^1]);
    }

    [Fact]
    public void Should_say_there_are_no_probabilities_When_given_none() =>
        Assert.Contains("no probabilities", Assert.Throws<LeadPredictException>(() => DecileCutPoints.Of([])).Message);
}
