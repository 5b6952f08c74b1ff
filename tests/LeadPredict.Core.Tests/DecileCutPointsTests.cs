namespace LeadPredict.Core.Tests;

public sealed class DecileCutPointsTests
{
    [Fact]
    public void The_cut_points_are_the_probabilities_at_each_tenth_of_the_ascending_order()
    {
        var probabilities = Enumerable.Range(0, 100).Select(i => (99 - i) / 100.0).ToArray(); // in any order

        Assert.Equal([0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.90], DecileCutPoints.Of(probabilities));
    }

    [Fact]
    public void A_handful_of_probabilities_still_gives_nine_cut_points_within_them()
    {
        var cuts = DecileCutPoints.Of([0.2, 0.9, 0.5]);

        Assert.Equal(9, cuts.Length);
        Assert.Equal(0.2, cuts[0]);
        Assert.Equal(0.9, cuts[^1]);
    }

    [Fact]
    public void No_probabilities_is_an_error_that_says_so() =>
        Assert.Contains("no probabilities", Assert.Throws<LeadPredictException>(() => DecileCutPoints.Of([])).Message);
}
