using LeadPredict.Core;
using LeadPredict.ML.Linear;

namespace LeadPredict.ML.Tests.Linear;

/// <summary>The logistic regression: the L-BFGS fit against a plain Newton method on the same objective, bins, and exact parts.</summary>
public sealed class LogisticRegressionTests
{
    /// <summary>
    /// Leads with a skewed number, a 0/1 flag, a one-hot pair and a constant slot; the outcome drawn from a known logistic
    /// model, plus a bump in the number that a straight line cannot follow.
    /// </summary>
    private static (float[][] X, bool[] Y) Leads(int n, int seed, bool bump = false)
    {
        var rng = new Random(seed);
        var x = new float[n][];
        var y = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var size = (float)Math.Exp(rng.NextDouble() * 6);
            var flag = rng.NextDouble() < 0.3 ? 1f : 0f;
            var a = rng.NextDouble() < 0.5 ? 1f : 0f;
            x[i] = [size, flag, a, 1 - a, 7f];
            var z = -1.5 + 0.004 * size + 1.2 * flag + 0.5 * a;
            if (bump) z = -2 + (size is > 20 and < 80 ? 3 : 0);
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z));
        }
        return (x, y);
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(1.0)]
    [InlineData(10.0)]
    public void Should_reach_the_log_odds_a_plain_newton_method_reaches_When_both_minimise_the_same_objective(double c)
    {
        var (x, y) = Leads(600, 3);
        var design = LinearDesign.Build(x, binned: false);
        var model = LogisticRegression.FitPath(design, y, [c])[0];
        var scorer = new LinearScorer(model, Enumerable.Range(0, x[0].Length).ToArray());

        var reference = NewtonReference(design, x, y, c);

        for (var i = 0; i < x.Length; i++) Assert.Equal(reference(x[i]), scorer.LogOdds(x[i]), 1e-4);
    }

    /// <summary>
    /// The same objective minimised by Newton's method on the dense standardized matrix: mean log-loss plus ‖u‖² / (2·C·n),
    /// intercept free. Returns a function giving the log-odds of a lead.
    /// </summary>
    private static Func<float[], double> NewtonReference(LinearDesign design, float[][] x, bool[] y, double c)
    {
        var n = x.Length;
        var d = design.Columns;
        double[] Row(float[] lead)
        {
            var z = new double[d + 1];
            z[0] = 1;
            for (var j = 0; j < d; j++) z[j + 1] = (lead[design.Source[j]] - design.Mean[j]) / design.Scale[j];
            return z;
        }
        var rows = x.Select(Row).ToArray();
        var theta = new double[d + 1];
        for (var iteration = 0; iteration < 100; iteration++)
        {
            var g = new double[d + 1];
            var h = new double[d + 1, d + 1];
            for (var i = 0; i < n; i++)
            {
                var z = 0.0;
                for (var j = 0; j <= d; j++) z += theta[j] * rows[i][j];
                var p = 1 / (1 + Math.Exp(-z));
                for (var j = 0; j <= d; j++)
                {
                    g[j] += (p - (y[i] ? 1 : 0)) * rows[i][j] / n;
                    for (var k = 0; k <= d; k++) h[j, k] += p * (1 - p) * rows[i][j] * rows[i][k] / n;
                }
            }
            for (var j = 1; j <= d; j++)
            {
                g[j] += theta[j] / (c * n);
                h[j, j] += 1 / (c * n);
            }
            var step = Solve(h, g);
            for (var j = 0; j <= d; j++) theta[j] -= step[j];
            if (step.Max(Math.Abs) < 1e-12) break;
        }
        return lead => Row(lead).Select((v, j) => v * theta[j]).Sum();
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        var m = new double[n, n + 1];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++) m[i, j] = a[i, j];
            m[i, n] = b[i];
        }
        for (var col = 0; col < n; col++)
        {
            var pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(m[r, col]));
            for (var j = 0; j <= n; j++) (m[col, j], m[pivot, j]) = (m[pivot, j], m[col, j]);
            for (var r = 0; r < n; r++)
            {
                if (r == col) continue;
                var f = m[r, col] / m[col, col];
                for (var j = col; j <= n; j++) m[r, j] -= f * m[col, j];
            }
        }
        return Enumerable.Range(0, n).Select(i => m[i, n] / m[i, i]).ToArray();
    }

    [Fact]
    public void Should_leave_a_constant_slot_out_and_scale_only_the_slots_that_are_not_zero_or_one()
    {
        var (x, _) = Leads(300, 5);
        var design = LinearDesign.Build(x, binned: false);

        Assert.DoesNotContain(4, design.Source);
        Assert.Equal(1, design.Scale[Array.IndexOf(design.Source, 1)]);
        Assert.NotEqual(1, design.Scale[Array.IndexOf(design.Source, 0)]);
    }

    [Fact]
    public void Should_follow_a_bump_a_straight_line_misses_When_numerics_are_binned()
    {
        var (x, y) = Leads(4000, 11, bump: true);
        var (tx, ty) = Leads(4000, 12, bump: true);
        double TestAuc(bool binned)
        {
            var model = LogisticRegression.FitPath(LinearDesign.Build(x, binned), y, [1.0])[0];
            var scorer = new LinearScorer(model, Enumerable.Range(0, x[0].Length).ToArray());
            return RankMetrics.Auc(tx.Select(l => scorer.LogOdds(l)).ToArray(), ty);
        }

        var plain = TestAuc(binned: false);
        var binned = TestAuc(binned: true);

        Assert.True(binned > plain + 0.1, $"binned AUC {binned:F3} vs plain {plain:F3}");
    }

    [Fact]
    public void Should_put_a_value_equal_to_a_threshold_in_the_lower_bin_as_a_linear_scan_does()
    {
        float[] thresholds = [-1f, 0f, 2.5f, 2.5000002f, 10f];
        float[] values = [-5f, -1f, -0.5f, 0f, 1e-7f, 2.5f, 2.5000002f, 3f, 10f, 11f, float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        foreach (var v in values)
        {
            var scan = float.IsNaN(v) ? thresholds.Length : thresholds.Count(t => v > t);
            Assert.Equal(scan, LinearScorer.Bin(thresholds, v));
        }
    }

    [Fact]
    public void Should_split_the_log_odds_into_the_intercept_and_each_columns_part()
    {
        var (x, y) = Leads(800, 9);
        var model = LogisticRegression.FitPath(LinearDesign.Build(x, binned: true), y, [0.3])[0];
        // Slots 2 and 3 (the one-hot pair) belong to one column.
        var scorer = new LinearScorer(model, [0, 1, 2, 2, 3]);
        foreach (var lead in x.Take(100))
        {
            var byColumn = new double[scorer.Groups];
            var logOdds = scorer.LogOdds(lead, byColumn);
            Assert.Equal(logOdds, scorer.Intercept + byColumn.Sum(), 1e-9);
            Assert.Equal(logOdds, scorer.LogOdds(lead));
        }
        // The intercept is the average training lead's log-odds: the parts average to zero over the training leads.
        var mean = x.Average(lead => scorer.LogOdds(lead)) - scorer.Intercept;
        Assert.Equal(0, mean, 1e-9);
    }
}
