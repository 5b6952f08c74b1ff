namespace LeadPredict.Core.Tests;

public sealed class DecileCutPointsTests
{
    [Fact]
    public void Should_Cut_At_Each_Tenth_Of_The_Ascending_Order_When_The_Probabilities_Come_In_Any_Order()
    {
        var probabilities = Enumerable.Range(0, 100).Select(i => (99 - i) / 100.0).ToArray(); // in any order

        Assert.Equal([0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.90], DecileCutPoints.Of(probabilities));
    }

    [Fact]
    public void Should_Give_Nine_Cut_Points_Within_The_Range_When_There_Are_Only_A_Few_Probabilities()
    {
        var cuts = DecileCutPoints.Of([0.2, 0.9, 0.5]);

        Assert.Equal(9, cuts.Length);
        Assert.Equal(0.2, cuts[0]);
        Assert.Equal(0.9, cuts[^1]);
    }

    [Fact]
    public void Should_Say_There_Are_No_Probabilities_When_Given_None() =>
        Assert.Contains("no probabilities", Assert.Throws<LeadPredictException>(() => DecileCutPoints.Of([])).Message);
}
