using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.TestSupport;
using Xunit.Abstractions;

namespace LeadPredict.Training.Tests;

/// <summary>
/// The Olist marketing funnel (8,000 MQLs, 842 closed deals), trained point in time: the label is "won within 90 days" from the
/// closed-deals table (its other columns are all post-outcome and are not read), one example per lead at first contact, and a
/// time-based holdout (the latest 20% of leads, training on leads whose 90 days ended before the cut-off). The features are
/// the landing page and the origin. Peers on the same exported snapshots: README, model quality.
/// </summary>
public sealed class OlistTrainingTests(ITestOutputHelper output)
{
    private const string Leads = "olist-marketing-funnel/olist_marketing_qualified_leads_dataset.csv";
    private const string Deals = "olist-marketing-funnel/olist_closed_deals_dataset.csv";

    [SkippableFact]
    public void Should_Rank_Olist_Leads_Won_Within_90_Days_Of_First_Contact_Above_The_Floor_On_A_Time_Based_Holdout()
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
                Snapshots = new SnapshotOptions { FirstAfterDays = 0, EveryDays = 30, MaxPerLead = 1 },
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
        Assert.True(card.Holdout.Auc >= 0.66, $"Olist holdout AUC {card.Holdout.Auc:F4} is below the floor 0.66 (0.686 measured; logistic regression 0.688, XGBoost 0.641 on the same snapshots)");
    }
}
