using LeadPredict.ML.Evaluation;

namespace LeadPredict.ML.Tests.Evaluation;

public sealed class BinaryMetricsTests
{
    [Fact]
    public void A_perfect_ranking_has_auc_1_and_all_conversions_in_the_top_deciles()
    {
        var p = Enumerable.Range(0, 100).Select(i => i / 100.0).ToArray();
        var y = p.Select(x => x >= 0.8).ToArray();
        var m = BinaryMetrics.Compute(p, y, 0.5);
        Assert.Equal(1.0, m.Auc, 9);
        Assert.Equal(1.0, m.PrAuc, 9);
        Assert.Equal(1.0, m.Deciles[0].ConversionRate);
        Assert.Equal(0, m.Deciles[^1].Conversions);
        Assert.Equal(1.0, m.Deciles[1].CumulativeGain, 9);
    }

    [Fact]
    public void Log_loss_is_in_nats_and_brier_is_the_mean_squared_error()
    {
        var m = BinaryMetrics.Compute([0.8, 0.2], [true, false], 0.5);
        Assert.Equal(-Math.Log(0.8), m.LogLossNats, 9);
        Assert.Equal(0.04, m.Brier, 9);
        Assert.Equal(1.0, m.Accuracy);
    }

    [Fact]
    public void Calibration_error_is_zero_when_predicted_rates_match_observed_rates()
    {
        var p = Enumerable.Repeat(0.25, 400).ToArray();
        var y = Enumerable.Range(0, 400).Select(i => i % 4 == 0).ToArray();
        Assert.Equal(0, BinaryMetrics.Compute(p, y, 0.5).Ece, 9);
    }

    [Fact]
    public void Tied_scores_count_half_in_the_auc()
    {
        Assert.Equal(0.5, BinaryMetrics.Compute([0.3, 0.3], [true, false], 0.5).Auc, 9);
    }
}
