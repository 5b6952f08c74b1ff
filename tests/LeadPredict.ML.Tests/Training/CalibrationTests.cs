using LeadPredict.ML.Training;

namespace LeadPredict.ML.Tests.Training;

public sealed class CalibrationTests
{
    /// <summary>Log-odds that are off by a known line: the true log-odds are 0.5 × z − 1.</summary>
    private static (double[] Z, bool[] Y) Scores(int n, int seed)
    {
        var rng = new Random(seed);
        var z = new double[n];
        var y = new bool[n];
        for (var i = 0; i < n; i++)
        {
            z[i] = rng.NextDouble() * 8 - 4;
            y[i] = rng.NextDouble() < Platt.Sigmoid(0.5 * z[i] - 1);
        }
        return (z, y);
    }

    [Fact]
    public void Should_recover_the_line_that_maps_scores_to_true_log_odds()
    {
        var (z, y) = Scores(50_000, 1);
        var (slope, offset) = Platt.Fit(z, y);
        Assert.Equal(0.5, slope, 0.03);
        Assert.Equal(-1, offset, 0.05);
    }

    [Fact]
    public void Should_be_applied_When_it_lowers_the_cross_fitted_log_loss()
    {
        var (z, y) = Scores(5_000, 2);
        var folds = Enumerable.Range(0, z.Length).Select(i => i % 5).ToArray();
        var check = CalibrationCheck.Measure(z, y, folds, 5);
        Assert.True(check.Applied);
        Assert.True(check.LogLossAfter < check.LogLossBefore);
        Assert.True(check.EceAfter < check.EceBefore);
        Assert.StartsWith("Platt scaling", check.Describe());
    }

    [Fact]
    public void Should_not_be_applied_When_the_scores_are_already_calibrated()
    {
        var (z, y) = Scores(5_000, 3);
        var calibrated = z.Select(v => 0.5 * v - 1).ToArray();
        var folds = Enumerable.Range(0, z.Length).Select(i => i % 5).ToArray();
        var check = CalibrationCheck.Measure(calibrated, y, folds, 5);
        Assert.False(check.Applied);
        Assert.StartsWith("not applied", check.Describe());
    }
}
