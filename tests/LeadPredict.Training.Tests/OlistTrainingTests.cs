using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.TestSupport;
using Xunit.Abstractions;

namespace LeadPredict.Training.Tests;

/// <summary>
/// The Olist marketing funnel (8,000 MQLs, 842 closed deals), trained point in time: the label is "won within 90 days" from the
/// closed-deals table (its other columns are all post-outcome and are not read), snapshots at first contact and every 30 days
/// after, at most 4, and a time-based holdout. The features are the landing page, the origin and the lead's age.
/// Peers on the same exported snapshots (README, model quality): XGBoost 0.5739, logistic regression 0.5789, scikit-learn's
/// HistGradientBoosting 0.5345 without landing_page_id (it refuses the column's 495 values), ours 0.5546 without it.
/// </summary>
public sealed class OlistTrainingTests(ITestOutputHelper output)
{
    private const string Leads = "olist-marketing-funnel/olist_marketing_qualified_leads_dataset.csv";
    private const string Deals = "olist-marketing-funnel/olist_closed_deals_dataset.csv";

    [SkippableFact]
    public void Should_Rank_Olist_Leads_Won_Within_90_Days_Above_The_Floor_On_A_Time_Based_Holdout()
    {
        Skip.If(TestPaths.SharedDataset(Leads) is null || TestPaths.SharedDataset(Deals) is null, TestPaths.SkipMessage("olist-marketing-funnel"));
        using var dir = new TempDir();
        var leads = TestPaths.SharedDataset(Leads)!;
        var config = new TrainingConfig
        {
            Id = "mql_id", Created = "first_contact_date",
            Timeline = new TimelineConfig
            {
                Outcomes = new OutcomeTableConfig { Path = Path.GetFileName(Deals), Date = "won_date" },
                HorizonDays = 90,
                Snapshots = new SnapshotOptions { FirstAfterDays = 0, EveryDays = 30, MaxPerLead = 4 },
            },
        };
        var request = new TrainingRequest { DataPath = leads, Config = config, ModelPath = dir.File("olist.zip"), ConfigSource = "olist" };
        var prepared = TimelineTraining.Prepare(request, Path.GetDirectoryName(leads)!, SilentObserver.Instance, CancellationToken.None);
        var outcome = new ModelTrainer(TimeProvider.System, prepared.Extensions).Train(prepared.Request);
        var card = outcome.Report.Card;
        var time = card.Time!;
        output.WriteLine($"holdout AUC {card.Holdout.Auc:F4} on {time.HoldoutExamples:N0} snapshots of {time.HoldoutLeads:N0} leads after {time.Cutoff:yyyy-MM-dd} " +
                         $"({outcome.Report.HoldoutLabels.Count(y => y)} won within 90 days); trained on {time.TrainingExamples:N0} snapshots; {card.Model}");
        Assert.NotNull(time.Cutoff);
        Assert.True(time.GapDays >= 90);
        Assert.Equal(["olist_closed_deals_dataset.csv"], card.HistoryFiles.Select(f => f.Split(' ')[0]));
        Assert.True(card.Holdout.Auc >= 0.55, $"Olist holdout AUC {card.Holdout.Auc:F4} is below the floor 0.55 (peers on the same snapshots: 0.53-0.58)");
    }
}
