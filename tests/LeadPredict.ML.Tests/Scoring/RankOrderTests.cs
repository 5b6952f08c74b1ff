using LeadPredict.ML.Scoring;

namespace LeadPredict.ML.Tests.Scoring;

public sealed class RankOrderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1_000)]
    [InlineData(200_000)]
    public void Leads_are_ranked_by_probability_highest_first_with_ties_in_file_order(int leads)
    {
        var random = new Random(leads);
        // Many exact ties (a few hundred distinct values), the ends of the range, and tiny and near-one values.
        var distinct = Enumerable.Range(0, 300).Select(_ => random.NextDouble()).Concat([0.0, -0.0, 1.0, 1e-300, double.Epsilon, 1 - 1e-16, 0.5]).ToArray();
        var probabilities = Enumerable.Range(0, leads).Select(_ => random.Next(3) == 0 ? random.NextDouble() : distinct[random.Next(distinct.Length)]).ToArray();

        var expected = Enumerable.Range(0, leads).OrderByDescending(i => probabilities[i]).ThenBy(i => i).ToArray();
        Assert.Equal(expected, RankOrder.Descending(probabilities));
    }
}
