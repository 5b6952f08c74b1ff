using LeadPredict.Core;
using LeadPredict.Core.Csv;
using LeadPredict.ML.Training;
using LeadPredict.SampleData;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Training;

/// <summary>Small and useless histories: they train with plain warnings, or are refused in one sentence; nothing crashes.</summary>
public sealed class SmallHistoryTests
{
    private static readonly Lazy<(string Header, string[] Converted, string[] Not)> Sample = new(() =>
    {
        using var reader = new CsvRecordReader(TestPaths.Data("leads-history.csv"), keepRawRecord: true);
        var label = reader.Header.ToList().IndexOf("converted");
        var fields = new List<string>();
        var converted = new List<string>();
        var not = new List<string>();
        while (reader.Read(fields)) (fields[label] == "yes" ? converted : not).Add(reader.RawRecord!);
        return (CsvText.JoinRow(reader.Header, ','), converted.ToArray(), not.ToArray());
    });

    /// <summary>The first <paramref name="converted"/> converted and <paramref name="not"/> other leads of the sample, in file order.</summary>
    private static string History(TempDir dir, int converted, int not)
    {
        var (header, yes, no) = Sample.Value;
        var lines = yes.Take(converted).Select(l => (Line: l, Id: l[..l.IndexOf(',')]))
            .Concat(no.Take(not).Select(l => (Line: l, Id: l[..l.IndexOf(',')])))
            .OrderBy(l => l.Id, StringComparer.Ordinal).Select(l => l.Line);
        return dir.Write($"history-{converted}-{not}.csv", header + "\n" + string.Join("\n", lines) + "\n");
    }

    public static readonly TheoryData<int, string, bool> Histories = Cases();

    private static TheoryData<int, string, bool> Cases()
    {
        var data = new TheoryData<int, string, bool>();
        var i = 0;
        foreach (var size in new[] { 20, 37, 64, 100, 161, 250, 500 })
            foreach (var balance in new[] { "5 converted", "10% converted", "half converted", "5 not converted" })
                data.Add(size, balance, i++ % 2 == 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(Histories))]
    public void Should_train_with_the_small_history_warning_or_refuse_in_one_sentence_When_the_history_has_at_least_five_of_each_outcome(
        int size, string balance, bool byCreatedDate)
    {
        using var dir = new TempDir();
        var converted = balance switch
        {
            "5 converted" => 5,
            "10% converted" => Math.Max(5, size / 10),
            "half converted" => size / 2,
            _ => size - 5,
        };
        var data = History(dir, converted, size - converted);
        var config = new TrainingConfig
        {
            Label = "converted", Created = byCreatedDate ? "created_at" : null,
            Trainer = new TrainerOptions { Trees = 40 },
        };

        TrainingOutcome outcome;
        try
        {
            outcome = new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
            {
                DataPath = data, Config = config, ModelPath = dir.File("m.zip"), Force = true, ImportanceRepeats = 1,
            });
        }
        catch (LeadPredictException e)
        {
            Assert.Equal(ProblemKind.BadInput, e.Kind);
            Assert.DoesNotContain('\n', e.Message);
            Assert.EndsWith(".", e.Message);
            return;
        }
        Assert.True(outcome.Saved);
        Assert.True(File.Exists(dir.File("m.zip")));
        if (Math.Min(converted, size - converted) < ModelTrainer.SmallHistory)
            Assert.Contains(outcome.Report.Card.Warnings, w => w.Contains("small history", StringComparison.Ordinal) && w.Contains("CV AUC ranges", StringComparison.Ordinal));
        Assert.InRange(outcome.Report.HoldoutMetrics.Auc, 0, 1);
        var scorer = new LeadPredict.ML.Scoring.LeadScorer(ModelBundle.Load(dir.File("m.zip")));
        Assert.All(SampleModels.LeadValues(scorer, TestPaths.Data("leads-new.csv"), 20), lead => Assert.InRange(scorer.Score(lead).Probability, 0, 1));
    }

    [Theory]
    [InlineData(0, 30, "only one class")]
    [InlineData(30, 0, "only one class")]
    [InlineData(4, 200, "at least 5 of each")]
    [InlineData(200, 4, "at least 5 of each")]
    public void Should_refuse_in_one_sentence_When_an_outcome_is_missing_or_has_fewer_than_five_leads(int converted, int not, string expected)
    {
        using var dir = new TempDir();
        var data = History(dir, converted, not);

        var e = Assert.Throws<LeadPredictException>(() => new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
        {
            DataPath = data, Config = new TrainingConfig { Label = "converted", PositiveLabel = "yes" }, ModelPath = dir.File("m.zip"),
        }));

        Assert.Equal(ProblemKind.BadInput, e.Kind);
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(Path.GetFileName(data), e.Message);
        Assert.False(File.Exists(dir.File("m.zip")));
    }

    /// <summary>Generated leads whose outcome is drawn at random (20% converted), so no column predicts it.</summary>
    private static string NoSignal(TempDir dir)
    {
        var generated = dir.File("generated.csv");
        LeadGenerator.WriteCsv(generated, new GeneratorOptions { Rows = 1500, Seed = 11 });
        using var reader = new CsvRecordReader(generated);
        var label = reader.Header.ToList().IndexOf("converted");
        var rng = new Random(3);
        var lines = new List<string> { CsvText.JoinRow(reader.Header, ',') };
        var fields = new List<string>();
        while (reader.Read(fields))
        {
            fields[label] = rng.NextDouble() < 0.2 ? "yes" : "no";
            lines.Add(CsvText.JoinRow(fields, ','));
        }
        return dir.Write("no-signal.csv", string.Join("\n", lines) + "\n");
    }

    private static readonly TrainingConfig NoSignalConfig = new()
    {
        Label = "converted", Trainer = new TrainerOptions { Trees = 40 }, Evaluation = new EvaluationOptions { Folds = 3 },
    };

    [Fact]
    public void Should_say_the_history_does_not_predict_conversion_and_save_nothing_When_the_outcome_is_random()
    {
        using var dir = new TempDir();
        var model = dir.File("m.zip");

        var outcome = new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
        {
            DataPath = NoSignal(dir), Config = NoSignalConfig, ModelPath = model, ImportanceRepeats = 0,
        });

        Assert.False(outcome.Saved);
        Assert.False(outcome.Promoted);
        Assert.False(File.Exists(model));
        Assert.Contains("does not predict conversion better than chance", outcome.Message);
        Assert.Contains("--force", outcome.Message);
        Assert.True(outcome.Report.Card.Signal!.NoSignal);
    }

    [Fact]
    public void Should_save_the_model_with_the_no_signal_message_on_its_card_When_forced()
    {
        using var dir = new TempDir();
        var model = dir.File("m.zip");

        var outcome = new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
        {
            DataPath = NoSignal(dir), Config = NoSignalConfig, ModelPath = model, Force = true, ImportanceRepeats = 0,
        });

        Assert.True(outcome.Saved);
        var card = ModelBundle.Load(model).Card;
        Assert.True(card.Signal!.NoSignal);
        Assert.Contains(card.Warnings, w => w.Contains("ranking by it is close to random", StringComparison.Ordinal));
    }
}
