namespace LeadPredict.Core;

/// <summary>Ranking metrics computed exactly (ties get average ranks).</summary>
public static class RankMetrics
{
    /// <summary>ROC AUC: the chance that a random converted lead scores above a random non-converted one.</summary>
    public static double Auc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        var n = scores.Length;
        if (n != labels.Length) throw new ArgumentException("scores and labels differ in length");
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        double positives = 0, rankSum = 0;
        var r = 0;
        while (r < n)
        {
            var end = r;
            while (end + 1 < n && keys[end + 1] == keys[r]) end++;
            var avgRank = (r + end) / 2.0 + 1;
            for (var k = r; k <= end; k++)
                if (labels[order[k]]) { positives++; rankSum += avgRank; }
            r = end + 1;
        }
        var negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }
}
