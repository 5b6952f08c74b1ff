using LeadPredict.Core;

namespace LeadPredict.ML.Evaluation;

/// <summary>Conversion in one tenth of the leads, ranked by probability (decile 1 = the top 10%).</summary>
public sealed record DecileRow(int Decile, int Leads, int Conversions, double MinProbability, double MaxProbability,
    double ConversionRate, double Lift, double CumulativeGain);

public sealed record CurvePoint(double X, double Y, double Threshold);

public sealed record CalibrationBin(double MeanPredicted, double ObservedRate, int Leads);

/// <summary>How well probabilities rank and how trustworthy they are as probabilities, on one set of leads.</summary>
public sealed record BinaryMetrics
{
    public required int Leads { get; init; }
    public required int Conversions { get; init; }
    public required double BaseRate { get; init; }
    public required double Auc { get; init; }
    public required double PrAuc { get; init; }
    /// <summary>Mean negative log-likelihood in nats (natural log), as scikit-learn reports it.</summary>
    public required double LogLossNats { get; init; }
    public required double Brier { get; init; }
    /// <summary>Expected calibration error over 10 equal-count bins.</summary>
    public required double Ece { get; init; }
    public required double Threshold { get; init; }
    public required double Accuracy { get; init; }
    public required double Precision { get; init; }
    public required double Recall { get; init; }
    public required double F1 { get; init; }
    public required IReadOnlyList<DecileRow> Deciles { get; init; }
    public IReadOnlyList<CurvePoint> Roc { get; init; } = [];
    public IReadOnlyList<CurvePoint> PrecisionRecall { get; init; } = [];
    public IReadOnlyList<CalibrationBin> Calibration { get; init; } = [];

    public static BinaryMetrics Compute(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels, double threshold, bool withCurves = true)
    {
        var n = probabilities.Count;
        if (n == 0 || n != labels.Count) throw new ArgumentException("probabilities and labels must be non-empty and of equal length");
        var p = probabilities.ToArray();
        var y = labels.ToArray();
        var positives = y.Count(b => b);
        double logLoss = 0, brier = 0;
        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < n; i++)
        {
            var q = Math.Clamp(p[i], 1e-15, 1 - 1e-15);
            logLoss -= y[i] ? Math.Log(q) : Math.Log(1 - q);
            brier += (p[i] - (y[i] ? 1 : 0)) * (p[i] - (y[i] ? 1 : 0));
            var predicted = p[i] >= threshold;
            if (predicted && y[i]) tp++; else if (predicted) fp++; else if (y[i]) fn++; else tn++;
        }
        var order = Enumerable.Range(0, n).OrderByDescending(i => p[i]).ThenBy(i => i).ToArray();
        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        return new BinaryMetrics
        {
            Leads = n,
            Conversions = positives,
            BaseRate = (double)positives / n,
            Auc = RankMetrics.Auc(p, y),
            PrAuc = AveragePrecision(order, p, y, positives),
            LogLossNats = logLoss / n,
            Brier = brier / n,
            Ece = CalibrationBins(order, p, y, 10).Sum(b => b.Leads * Math.Abs(b.MeanPredicted - b.ObservedRate)) / n,
            Threshold = threshold,
            Accuracy = (double)(tp + tn) / n,
            Precision = precision,
            Recall = recall,
            F1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
            Deciles = DecileTable(order, p, y, positives),
            Roc = withCurves ? RocCurve(order, p, y, positives) : [],
            PrecisionRecall = withCurves ? PrCurve(order, p, y, positives) : [],
            Calibration = withCurves ? CalibrationBins(order, p, y, 10) : [],
        };
    }

    private static double AveragePrecision(int[] order, double[] p, bool[] y, int positives)
    {
        if (positives == 0) return double.NaN;
        double ap = 0;
        int tp = 0, seen = 0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            var tiedTp = 0;
            while (j < order.Length && p[order[j]] == p[order[i]]) { if (y[order[j]]) tiedTp++; j++; }
            seen += j - i;
            tp += tiedTp;
            ap += (double)tiedTp / positives * ((double)tp / seen);
            i = j;
        }
        return ap;
    }

    private static IReadOnlyList<DecileRow> DecileTable(int[] order, double[] p, bool[] y, int positives)
    {
        var n = order.Length;
        var baseRate = (double)positives / n;
        var rows = new List<DecileRow>();
        var cumulative = 0;
        for (var d = 0; d < 10; d++)
        {
            var from = (int)((long)n * d / 10);
            var to = (int)((long)n * (d + 1) / 10);
            if (to <= from) continue;
            var conv = 0;
            for (var k = from; k < to; k++) if (y[order[k]]) conv++;
            cumulative += conv;
            var rate = (double)conv / (to - from);
            rows.Add(new DecileRow(d + 1, to - from, conv, p[order[to - 1]], p[order[from]], rate,
                baseRate == 0 ? 0 : rate / baseRate, positives == 0 ? 0 : (double)cumulative / positives));
        }
        return rows;
    }

    private static IReadOnlyList<CalibrationBin> CalibrationBins(int[] order, double[] p, bool[] y, int bins)
    {
        var n = order.Length;
        var result = new List<CalibrationBin>();
        for (var b = bins - 1; b >= 0; b--)
        {
            var from = (int)((long)n * b / bins);
            var to = (int)((long)n * (b + 1) / bins);
            if (to <= from) continue;
            double sum = 0;
            var conv = 0;
            for (var k = from; k < to; k++) { sum += p[order[k]]; if (y[order[k]]) conv++; }
            result.Add(new CalibrationBin(sum / (to - from), (double)conv / (to - from), to - from));
        }
        return result;
    }

    private static IReadOnlyList<CurvePoint> RocCurve(int[] order, double[] p, bool[] y, int positives)
    {
        var negatives = order.Length - positives;
        var points = new List<CurvePoint> { new(0, 0, 1) };
        int tp = 0, fp = 0;
        var stride = Math.Max(1, order.Length / 400);
        for (var k = 0; k < order.Length; k++)
        {
            if (y[order[k]]) tp++; else fp++;
            var last = k == order.Length - 1;
            if (last || (k % stride == 0 && p[order[k + 1]] != p[order[k]]))
                points.Add(new CurvePoint(negatives == 0 ? 0 : (double)fp / negatives, positives == 0 ? 0 : (double)tp / positives, p[order[k]]));
        }
        return points;
    }

    private static IReadOnlyList<CurvePoint> PrCurve(int[] order, double[] p, bool[] y, int positives)
    {
        var points = new List<CurvePoint>();
        var tp = 0;
        var stride = Math.Max(1, order.Length / 400);
        for (var k = 0; k < order.Length; k++)
        {
            if (y[order[k]]) tp++;
            var last = k == order.Length - 1;
            if (last || (k % stride == 0 && p[order[k + 1]] != p[order[k]]))
                points.Add(new CurvePoint(positives == 0 ? 0 : (double)tp / positives, (double)tp / (k + 1), p[order[k]]));
        }
        return points;
    }
}

/// <summary>Mean and spread of a metric over cross-validation folds.</summary>
public sealed record FoldSummary(string Metric, double Mean, double StdDev, IReadOnlyList<double> Folds)
{
    public static FoldSummary Of(string metric, IReadOnlyList<double> values)
    {
        var mean = values.Average();
        var sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return new FoldSummary(metric, mean, sd, values);
    }
}
