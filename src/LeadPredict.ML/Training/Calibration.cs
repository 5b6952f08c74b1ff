using LeadPredict.ML.Evaluation;

namespace LeadPredict.ML.Training;

/// <summary>
/// Platt scaling: probability = σ(a × log-odds + b), fitted by maximum likelihood on out-of-fold log-odds. A straight line
/// in log-odds keeps the reasons exact (each contribution is scaled by a), which isotonic regression would not.
/// </summary>
public static class Platt
{
    /// <summary>The slope and offset that maximise the likelihood of <paramref name="labels"/> given <paramref name="logOdds"/> (Newton's method).</summary>
    public static (double Slope, double Offset) Fit(IReadOnlyList<double> logOdds, IReadOnlyList<bool> labels)
    {
        double a = 1, b = 0;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            // Gradient and Hessian of the mean negative log-likelihood, with a tiny ridge towards (1, 0) for flat data.
            double ga = 1e-6 * (a - 1), gb = 1e-6 * b, haa = 1e-6, hab = 0, hbb = 1e-6;
            var n = logOdds.Count;
            for (var i = 0; i < n; i++)
            {
                var z = logOdds[i];
                var p = Sigmoid(a * z + b);
                var r = (p - (labels[i] ? 1 : 0)) / n;
                var w = Math.Max(p * (1 - p), 1e-12) / n;
                ga += r * z; gb += r;
                haa += w * z * z; hab += w * z; hbb += w;
            }
            var det = haa * hbb - hab * hab;
            if (!(det > 0)) break;
            var da = (hbb * ga - hab * gb) / det;
            var db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-10) break;
        }
        return double.IsFinite(a) && double.IsFinite(b) ? (a, b) : (1, 0);
    }

    public static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));
}

/// <summary>
/// Whether Platt scaling helped the chosen model, measured on out-of-fold scores: each fold calibrated by a fit on the other
/// folds, compared with no calibration. Applied when it lowers the cross-validated log-loss by at least
/// <see cref="MinimumGain"/> (relative).
/// </summary>
public sealed record CalibrationCheck(double Slope, double Offset, bool Applied, double LogLossBefore, double LogLossAfter, double EceBefore, double EceAfter)
{
    public const double MinimumGain = 0.001;

    public string Describe() => Applied
        ? $"Platt scaling on out-of-fold scores (slope {Slope:0.###}, offset {Offset:+0.###;-0.###}): CV log-loss {LogLossBefore:0.0000} → {LogLossAfter:0.0000} nats, calibration error {EceBefore:0.0000} → {EceAfter:0.0000}"
        : $"not applied: Platt scaling on out-of-fold scores would not lower the CV log-loss by {MinimumGain:P1} ({LogLossBefore:0.0000} → {LogLossAfter:0.0000} nats; calibration error {EceBefore:0.0000} → {EceAfter:0.0000})";

    public static CalibrationCheck Measure(double[] logOdds, bool[] labels, int[] folds, int k)
    {
        var calibrated = new double[logOdds.Length];
        for (var f = 0; f < k; f++)
        {
            var others = Enumerable.Range(0, logOdds.Length).Where(i => folds[i] != f).ToArray();
            var (a, b) = Platt.Fit(others.Select(i => logOdds[i]).ToArray(), others.Select(i => labels[i]).ToArray());
            for (var i = 0; i < logOdds.Length; i++)
                if (folds[i] == f) calibrated[i] = Platt.Sigmoid(a * logOdds[i] + b);
        }
        var before = BinaryMetrics.Compute(logOdds.Select(Platt.Sigmoid).ToArray(), labels, 0.5, withCurves: false);
        var after = BinaryMetrics.Compute(calibrated, labels, 0.5, withCurves: false);
        var (slope, offset) = Platt.Fit(logOdds, labels);
        var applied = after.LogLossNats < before.LogLossNats * (1 - MinimumGain);
        return new CalibrationCheck(slope, offset, applied, before.LogLossNats, after.LogLossNats, before.Ece, after.Ece);
    }
}
