using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.SampleData;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Training;

/// <summary>Quality floors on fixed seeds: the bundled sample against the best possible AUC, and real public lead data against peer tools.</summary>
public sealed class ModelQualityTests
{
    [Fact]
    public void On_the_bundled_sample_the_holdout_auc_reaches_98_percent_of_the_best_possible()
    {
        var outcome = SampleModels.SampleOutcome;
        var config = TrainingConfig.Load(TestPaths.Data("leadpredict.json"));
        var table = LeadTable.Load(TestPaths.Data("leads-history.csv"));
        var data = SchemaResolver.Resolve(config, table);
        var split = HoldoutSplit.Create(table, data, config.Evaluation.HoldoutFraction, config.Trainer.Seed);

        // The generator knows each lead's true conversion probability: ranking by it gives the best possible AUC.
        var truth = LeadGenerator.Generate(new GeneratorOptions { Rows = 8000, Seed = 7 }).ToDictionary(l => l.LeadId, l => l.TrueProbability);
        var ids = table.Column("lead_id");
        var best = RankMetrics.Auc(split.HoldoutRows.Select(r => truth[ids[r]!]).ToArray(), split.HoldoutLabels);

        Assert.InRange(best, 0.85, 0.95);
        Assert.Equal(split.HoldoutRows.Length, outcome.Report.HoldoutMetrics.Leads);
        Assert.True(outcome.Report.HoldoutMetrics.Auc >= 0.98 * best,
            $"holdout AUC {outcome.Report.HoldoutMetrics.Auc:F4} is below 98% of the best possible {best:F4}");
    }

    [SkippableFact]
    public void On_x_education_leads_without_sales_filled_columns_the_holdout_auc_is_at_least_0_880()
    {
        var path = TestPaths.SharedDataset("x-education-leads/Leads.csv");
        Skip.If(path is null, TestPaths.SkipMessage("x-education-leads/Leads.csv"));
        using var dir = new TempDir();
        var config = new TrainingConfig
        {
            Label = "Converted",
            Exclude = ["Tags", "Lead Quality", "Lead Profile", "Asymmetrique Activity Index", "Asymmetrique Profile Index",
                "Asymmetrique Activity Score", "Asymmetrique Profile Score", "Last Activity", "Last Notable Activity", "Prospect ID", "Lead Number"],
        };
        var outcome = new ModelTrainer(TimeProvider.System).Train(new TrainingRequest { DataPath = path!, Config = config, ModelPath = dir.File("m.zip") });
        Assert.True(outcome.Report.HoldoutMetrics.Auc >= 0.880, $"holdout AUC {outcome.Report.HoldoutMetrics.Auc:F4} < 0.880");
        Assert.Contains(outcome.Report.Candidates, c => c.Chosen);
        Assert.DoesNotContain(outcome.Report.LeakSuspects, s => !s.Excluded && s.SingleColumnAuc >= 0.9);
    }

    [SkippableFact]
    public void On_x_education_leads_with_every_column_tags_and_lead_quality_are_named_as_likely_leaks()
    {
        var path = TestPaths.SharedDataset("x-education-leads/Leads.csv");
        Skip.If(path is null, TestPaths.SkipMessage("x-education-leads/Leads.csv"));
        var table = LeadTable.Load(path!);
        var data = SchemaResolver.Resolve(new TrainingConfig { Label = "Converted" }, table);
        var suspects = LeakGuard.Find(table, data, seed: 42);
        var tags = Assert.Single(suspects, s => s.Column == "Tags");
        Assert.InRange(tags.SingleColumnAuc, 0.88, 0.96);
        Assert.Contains(suspects, s => s.Column == "Lead Quality");
        Assert.DoesNotContain(suspects, s => s.Column is "TotalVisits" or "Lead Source");
    }

    [SkippableFact]
    public void On_uci_bank_marketing_without_duration_the_random_holdout_auc_is_at_least_0_795()
    {
        var path = TestPaths.SharedDataset("uci-bank-marketing/bank-additional-full.csv");
        Skip.If(path is null, TestPaths.SkipMessage("uci-bank-marketing/bank-additional-full.csv"));
        using var dir = new TempDir();
        var config = new TrainingConfig { Label = "y", Exclude = ["duration"] };
        var outcome = new ModelTrainer(TimeProvider.System).Train(new TrainingRequest { DataPath = path!, Config = config, ModelPath = dir.File("m.zip") });
        Assert.StartsWith("stratified random", outcome.Report.Card.HoldoutMethod);
        Assert.True(outcome.Report.HoldoutMetrics.Auc >= 0.795, $"holdout AUC {outcome.Report.HoldoutMetrics.Auc:F4} < 0.795");
    }
}
