namespace LeadPredict.PredictionLog;

/// <summary>One score decile: how many leads, the mean predicted probability, and the share that actually converted.</summary>
public sealed record MonitorDecile(int Decile, int Leads, double MeanPredicted, double ActualRate);

/// <summary>What the monitor says about one model version.</summary>
public sealed record ModelVersionReport(
    string ModelVersion, int Predictions, int WithOutcome, double? MeanPredicted, double? ActualRate,
    IReadOnlyList<MonitorDecile> Deciles, PsiResult? ScoreDrift);

public sealed record MonitorReport(
    DateTimeOffset GeneratedAt, DateTimeOffset Since, DateTimeOffset RecentSince,
    IReadOnlyList<ModelVersionReport> Models, IReadOnlyList<PsiResult> FeatureDrift, IReadOnlyList<string> Warnings);

/// <summary>
/// Predicted against actual conversion per model version, by score decile (decile 1 = the highest scores),
/// and drift: today's scores against the model's holdout scores from training, and (when given) feature drift.
/// </summary>
public static class DriftMonitor
{
    public static MonitorReport Build(
        IReadOnlyList<PredictionWithOutcome> rows, DateTimeOffset now, DateTimeOffset since, DateTimeOffset recentSince,
        IReadOnlyDictionary<string, IReadOnlyList<double>> trainingScoresByVersion, IReadOnlyList<PsiResult>? featureDrift = null)
    {
        var models = new List<ModelVersionReport>();
        var warnings = new List<string>();
        foreach (var group in rows.GroupBy(r => r.ModelVersion).OrderBy(g => g.Min(r => r.ScoredAt)))
        {
            var all = group.ToArray();
            var known = all.Where(r => r.Converted is not null).OrderByDescending(r => r.Probability).ToArray();
            var deciles = new List<MonitorDecile>();
            if (known.Length > 0)
            {
                for (var d = 0; d < 10; d++)
                {
                    var from = (int)((long)d * known.Length / 10);
                    var to = (int)((long)(d + 1) * known.Length / 10);
                    if (to <= from) continue;
                    var slice = known[from..to];
                    deciles.Add(new MonitorDecile(d + 1, slice.Length, slice.Average(r => r.Probability), slice.Average(r => r.Converted!.Value ? 1.0 : 0.0)));
                }
            }
            PsiResult? drift = null;
            var recent = all.Where(r => r.ScoredAt >= recentSince).Select(r => r.Probability).ToArray();
            if (trainingScoresByVersion.TryGetValue(group.Key, out var training) && training.Count > 0 && recent.Length > 0)
            {
                drift = Psi.Numeric("score", training, recent);
                if (drift.Warning)
                    warnings.Add($"model {group.Key}: recent scores have drifted from the training holdout (PSI {drift.Psi:F3} > {PsiResult.WarningThreshold}).");
            }
            models.Add(new ModelVersionReport(group.Key, all.Length, known.Length,
                all.Length > 0 ? all.Average(r => r.Probability) : null,
                known.Length > 0 ? known.Average(r => r.Converted!.Value ? 1.0 : 0.0) : null, deciles, drift));
        }
        foreach (var f in featureDrift ?? [])
            if (f.Warning) warnings.Add($"feature '{f.Name}' has drifted from the training data (PSI {f.Psi:F3} > {PsiResult.WarningThreshold}).");
        return new MonitorReport(now, since, recentSince, models, featureDrift ?? [], warnings);
    }
}
