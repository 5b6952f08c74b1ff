using System.Text;
using LeadPredict.ML.Training;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Training;

/// <summary>
/// Wide exports (more columns than leads): training stays bounded. FastTree, whose cost grows with the width, is left out of
/// the model choice above <see cref="ModelSelection.FastTreeMaxSlots"/> slots, and the output says so; importance says how it
/// was measured and counts the columns the model never reads as 0.
/// </summary>
public sealed class WideHistoryTests
{
    [Fact]
    public void Should_leave_FastTree_out_of_the_choice_and_say_so_When_the_featurized_leads_are_wider_than_the_limit()
    {
        using var dir = new TempDir();
        const int columns = 1_100;
        var rng = new Random(3);
        var sb = new StringBuilder("lead_id,converted," + string.Join(",", Enumerable.Range(1, columns).Select(c => $"c{c}")) + "\n");
        for (var r = 0; r < 300; r++)
        {
            var values = Enumerable.Range(1, columns).Select(_ => rng.Next(100)).ToArray();
            var converted = rng.NextDouble() < 1 / (1 + Math.Exp(-(values[0] - 50) / 15.0));
            sb.Append(r + 1).Append(converted ? ",yes," : ",no,").AppendJoin(',', values).Append('\n');
        }
        var data = dir.Write("wide.csv", sb.ToString());

        var outcome = new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
        {
            DataPath = data, ModelPath = dir.File("wide.zip"), Force = true,
            Config = new TrainingConfig
            {
                Label = "converted", Id = "lead_id",
                Trainer = new TrainerOptions { Trees = 40 },
                Evaluation = new LeadPredict.Core.EvaluationOptions { Folds = 3 },
            },
        });

        var card = outcome.Report.Card;
        Assert.True(card.FeatureSlots > ModelSelection.FastTreeMaxSlots, $"{card.FeatureSlots} slots");
        Assert.Contains($"FastTree was not tried on {card.FeatureSlots:N0} feature slots (above {ModelSelection.FastTreeMaxSlots:N0})", card.ChosenBy);
        Assert.DoesNotContain(outcome.Report.Candidates, c => c.Name == "FastTree");
        Assert.Contains(outcome.Report.Candidates, c => c.Name == "LightGBM");
        Assert.NotNull(outcome.Report.ImportanceBasis);
        Assert.Contains("holdout leads", outcome.Report.ImportanceBasis!.Description);
        Assert.Equal("c1", outcome.Report.Importance[0].Column);
    }
}
