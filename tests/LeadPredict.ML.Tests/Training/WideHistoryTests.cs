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
        // As many columns as the screen lets through (ColumnScreen.MaxColumns), every fourth a three-letter category: more slots than FastTree's limit.
        const int columns = ColumnScreen.MaxColumns;
        var rng = new Random(3);
        var sb = new StringBuilder("lead_id,converted," + string.Join(",", Enumerable.Range(1, columns).Select(c => $"c{c}")) + "\n");
        for (var r = 0; r < 300; r++)
        {
            var values = Enumerable.Range(1, columns).Select(_ => rng.Next(100)).ToArray();
            var converted = rng.NextDouble() < 1 / (1 + Math.Exp(-(values[0] - 50) / 15.0));
            sb.Append(r + 1).Append(converted ? ",yes," : ",no,")
                .AppendJoin(',', values.Select((v, i) => i % 4 == 3 ? ((char)('x' + v % 3)).ToString() : v.ToString(System.Globalization.CultureInfo.InvariantCulture))).Append('\n');
        }
        var data = dir.Write("wide.csv", sb.ToString());

        var outcome = Train(dir, data, trees: 40);

        var card = outcome.Report.Card;
        Assert.True(card.FeatureSlots > ModelSelection.FastTreeMaxSlots, $"{card.FeatureSlots} slots");
        Assert.Contains($"FastTree was not tried on {card.FeatureSlots:N0} feature slots (above {ModelSelection.FastTreeMaxSlots:N0})", card.ChosenBy);
        Assert.DoesNotContain(outcome.Report.Candidates, c => c.Name == "FastTree");
        Assert.Contains(outcome.Report.Candidates, c => c.Name == "LightGBM");
        Assert.NotNull(outcome.Report.ImportanceBasis);
        Assert.Contains("holdout leads", outcome.Report.ImportanceBasis!.Description);
        Assert.Equal("c1", outcome.Report.Importance[0].Column);
    }

    /// <summary>The defaults, with fewer trees and folds to keep the test short.</summary>
    private static TrainingOutcome Train(TempDir dir, string data, int trees) =>
        new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
        {
            DataPath = data, ModelPath = dir.File("wide.zip"), Force = true,
            Config = new TrainingConfig
            {
                Label = "converted", Id = "lead_id",
                Trainer = new TrainerOptions { Trees = trees },
                Evaluation = new LeadPredict.Core.EvaluationOptions { Folds = 3 },
            },
        });

    /// <summary>Columns c1..cN of small integers, every fifth a five-letter category; c1, c2, c3 and c5 carry the signal.</summary>
    private static string WideFile(TempDir dir, int columns, int rows, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder("lead_id,converted," + string.Join(",", Enumerable.Range(1, columns).Select(c => $"c{c}")) + "\n");
        for (var r = 0; r < rows; r++)
        {
            var values = Enumerable.Range(1, columns).Select(c => rng.Next(c % 5 == 0 ? 5 : 100)).ToArray();
            var z = (values[0] - 50) / 20.0 + (values[1] - 50) / 25.0 - (values[2] - 50) / 25.0 + (values[4] == 0 ? 1.5 : 0);
            var converted = rng.NextDouble() < 1 / (1 + Math.Exp(-z));
            sb.Append(r + 1).Append(converted ? ",yes" : ",no");
            for (var c = 1; c <= columns; c++) sb.Append(',').Append(c % 5 == 0 ? ((char)('a' + values[c - 1])).ToString() : values[c - 1].ToString(System.Globalization.CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return dir.Write($"wide-{columns}.csv", sb.ToString());
    }

    [Fact]
    public void Should_keep_the_columns_that_carry_the_signal_When_a_wide_file_is_screened()
    {
        using var dir = new TempDir();
        var path = WideFile(dir, 3_000, 400, 5);
        var table = LeadPredict.Core.LeadTable.Load(path);
        var data = LeadPredict.Core.SchemaResolver.Resolve(new TrainingConfig { Label = "converted", Id = "lead_id" }, table);

        var screened = ColumnScreen.For(table, data.Schema, data.LabelledRows, data.Labels, seed: 42);

        Assert.Equal(3_000, data.Schema.Features.Count);
        Assert.Equal(ColumnScreen.MaxColumns, screened.Features.Count);
        Assert.Subset(screened.Features.Select(f => f.Name).ToHashSet(), new HashSet<string> { "c1", "c2", "c3", "c5" });
        var narrow = data.Schema with { Features = data.Schema.Features.Take(ColumnScreen.MaxColumns).ToArray() };
        Assert.Same(narrow, ColumnScreen.For(table, narrow, data.LabelledRows, data.Labels, seed: 42));
    }

    [Fact]
    public void Should_train_a_wide_file_on_the_screened_columns_say_so_and_rank_by_its_signal_When_it_has_more_than_the_limit()
    {
        using var dir = new TempDir();
        var data = WideFile(dir, 2_500, 500, 9);

        var outcome = Train(dir, data, trees: 60);

        var card = outcome.Report.Card;
        Assert.Contains($"2,500 feature columns is more than {ColumnScreen.MaxColumns:N0}: each fit keeps the {ColumnScreen.MaxColumns:N0} columns", card.ChosenBy);
        var bundle = ModelBundle.Load(dir.File("wide.zip"));
        Assert.Equal(ColumnScreen.MaxColumns, bundle.Schema.Features.Count);
        Assert.Equal(ColumnScreen.MaxColumns, bundle.Featurizer.Columns.Count);
        Assert.True(outcome.Report.HoldoutMetrics.Auc >= 0.75, $"holdout AUC {outcome.Report.HoldoutMetrics.Auc:F4} below the floor 0.75");
        Assert.Contains(outcome.Report.Importance.Take(4), i => i.Column is "c1" or "c2" or "c3" or "c5");
    }
}
