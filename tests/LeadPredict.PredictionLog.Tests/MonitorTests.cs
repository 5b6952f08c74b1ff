using LeadPredict.Core;
using LeadPredict.TestSupport;

namespace LeadPredict.PredictionLog.Tests;

public sealed class MonitorTests
{
    private static double[] Uniform(int n, double from, double to, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => from + r.NextDouble() * (to - from)).ToArray();
    }

    [Fact]
    public void Psi_is_near_zero_when_today_looks_like_training()
    {
        var psi = Psi.Numeric("score", Uniform(5000, 0, 1, 1), Uniform(5000, 0, 1, 2));
        Assert.InRange(psi.Psi, 0, 0.02);
        Assert.False(psi.Warning);
    }

    [Fact]
    public void Psi_warns_past_0_2_when_scores_shift()
    {
        var psi = Psi.Numeric("score", Uniform(5000, 0, 1, 1), Uniform(5000, 0.4, 1.4, 2));
        Assert.True(psi.Psi > 0.2, $"PSI was {psi.Psi}");
        Assert.True(psi.Warning);
    }

    [Fact]
    public void Categorical_psi_sees_a_new_mix_of_values()
    {
        string?[] reference = [.. Enumerable.Repeat("Retail", 50), .. Enumerable.Repeat("SaaS", 50)];
        string?[] same = [.. Enumerable.Repeat("SaaS", 25), .. Enumerable.Repeat("Retail", 25)];
        string?[] shifted = [.. Enumerable.Repeat("SaaS", 10), .. Enumerable.Repeat("Mining", 30), .. Enumerable.Repeat<string?>(null, 10)];
        Assert.InRange(Psi.Categorical("industry", reference, same).Psi, 0, 1e-9);
        Assert.True(Psi.Categorical("industry", reference, shifted).Psi > 0.2);
    }

    [Fact]
    public void Deciles_compare_predicted_and_actual_conversion_per_model_version()
    {
        var t = new DateTimeOffset(2026, 6, 25, 0, 0, 0, TimeSpan.Zero);
        var rows = Enumerable.Range(0, 1000).Select(i => new PredictionWithOutcome("v1", i / 1000.0, t, i >= 500))
            .Concat(Enumerable.Range(0, 10).Select(i => new PredictionWithOutcome("v2", 0.5, t.AddDays(1), null))).ToArray();
        var report = DriftMonitor.Build(rows, t.AddDays(2), t.AddDays(-1), t, new Dictionary<string, IReadOnlyList<double>> { ["v1"] = Uniform(1000, 0, 1, 3) });

        var v1 = report.Models.Single(m => m.ModelVersion == "v1");
        Assert.Equal(10, v1.Deciles.Count);
        Assert.Equal(1.0, v1.Deciles[0].ActualRate);     // the top decile all converted
        Assert.Equal(0.0, v1.Deciles[9].ActualRate);
        Assert.InRange(v1.Deciles[0].MeanPredicted, 0.9, 1.0);
        Assert.NotNull(v1.ScoreDrift);
        Assert.False(v1.ScoreDrift!.Warning);
        var v2 = report.Models.Single(m => m.ModelVersion == "v2");
        Assert.Equal(0, v2.WithOutcome);
        Assert.Empty(v2.Deciles);
    }

    [Fact]
    public void Feature_drift_of_the_sample_new_leads_against_history_is_reported_per_column()
    {
        var features = new[] { new FeatureColumn("employees", ColumnKind.Numeric), new FeatureColumn("industry", ColumnKind.Categorical), new FeatureColumn("nope", ColumnKind.Numeric) };
        var drift = FeatureDrift.Compare(features, MissingTokens.Defaults, TestPaths.Data("leads-history.csv"), TestPaths.Data("leads-new.csv"));
        Assert.Equal(["employees", "industry"], drift.Select(d => d.Name).Order().ToArray());
        Assert.All(drift, d => Assert.InRange(d.Psi, 0, 5));
    }

    [Fact]
    public void Outcomes_are_read_from_a_csv_with_yes_and_no()
    {
        using var dir = new TempDir();
        var path = dir.Write("outcomes.csv", "lead_id,converted\nL-1,yes\nL-2,no\nL-3,1\n");
        var outcomes = OutcomeFile.Read(path, "lead_id", "converted", "yes", DateTimeOffset.UnixEpoch);
        Assert.Equal([true, false, true], outcomes.Select(o => o.Converted).ToArray());
        var bad = dir.Write("bad.csv", "lead_id,won\nL-1,maybe\n");
        var e = Assert.Throws<InputFileException>(() => OutcomeFile.Read(bad, "lead_id", "won", null, DateTimeOffset.UnixEpoch));
        Assert.Contains("'maybe' is not an outcome", e.Message);
    }
}
