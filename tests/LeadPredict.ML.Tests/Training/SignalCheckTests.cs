using LeadPredict.ML.Evaluation;
using LeadPredict.ML.Training;

namespace LeadPredict.ML.Tests.Training;

/// <summary>The no-signal rule: the AUC's lower end (CV mean − 2 sd, or holdout AUC − 2 standard errors) must reach 0.55.</summary>
public sealed class SignalCheckTests
{
    private static readonly BinaryMetrics Holdout = BinaryMetrics.Compute([0.9, 0.8, 0.3, 0.2], [true, true, false, false], 0.5);

    private static SelectionOutcome Cv(params double[] folds) =>
        new(new ModelRecipe(), [], folds.Length == 0 ? [] : [FoldSummary.Of("AUC", folds)], "test", null, folds.Length);

    [Fact]
    public void Should_find_no_signal_When_the_folds_are_near_chance()
    {
        var check = SignalCheck.Of(Cv(0.52, 0.50, 0.55, 0.49, 0.51), Holdout);
        Assert.True(check.NoSignal);
        Assert.Contains("does not predict conversion better than chance", check.Message);
        Assert.Contains("mean − 2 sd", check.Message);
    }

    [Fact]
    public void Should_find_no_signal_When_the_folds_disagree_too_much_to_trust_a_good_mean()
    {
        Assert.True(SignalCheck.Of(Cv(0.95, 0.55, 0.90, 0.50, 0.85), Holdout).NoSignal);
    }

    [Fact]
    public void Should_find_a_signal_When_every_fold_ranks_well()
    {
        var check = SignalCheck.Of(Cv(0.86, 0.85, 0.88, 0.84, 0.87), Holdout);
        Assert.False(check.NoSignal);
        Assert.Contains("better than chance", check.Message);
    }

    [Fact]
    public void Should_not_call_a_perfect_holdout_of_four_leads_a_signal_When_there_was_no_cross_validation()
    {
        Assert.Equal(1, Holdout.Auc);
        var check = SignalCheck.Of(Cv(), Holdout);
        Assert.True(check.NoSignal, check.Message);
        Assert.Contains("standard errors", check.Message);
    }

    [Fact]
    public void Should_give_hanley_and_mcneils_standard_error_When_it_exceeds_the_spread_under_chance()
    {
        // Hanley and McNeil (1982): AUC 0.6 with 500 and 2,000 leads.
        var q1 = 0.6 / 1.4;
        var q2 = 2 * 0.36 / 1.6;
        var expected = Math.Sqrt((0.6 * 0.4 + 499 * (q1 - 0.36) + 1999 * (q2 - 0.36)) / (500.0 * 2000));
        Assert.Equal(expected, SignalCheck.StandardError(0.6, 500, 2000), 1e-12);
        // At 0.8 Hanley and McNeil's is smaller than the Mann-Whitney spread under chance, which is then the floor.
        Assert.Equal(Math.Sqrt(2501.0 / (12.0 * 500 * 2000)), SignalCheck.StandardError(0.8, 500, 2000), 1e-12);
    }
}
