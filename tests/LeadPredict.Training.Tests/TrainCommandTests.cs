using LeadPredict.Core;
using LeadPredict.TestSupport;

namespace LeadPredict.Training.Tests;

/// <summary>The train command as a user runs it: exit codes, one-sentence errors, nothing half-written.</summary>
public sealed class TrainCommandTests
{
    private static readonly string History = TestPaths.Data("leads-history.csv");

    [Fact]
    public void Training_the_sample_prints_the_quality_table_and_writes_the_model_and_its_metrics()
    {
        using var dir = new TempDir();
        var model = dir.File("m.zip");
        var result = Cli.Train("train", "--data", History, "--config", TestPaths.Data("leadpredict.json"), "--icp", TestPaths.Data("rules.json"), "--model", model, "--folds", "0");
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("ROC AUC", result.Output);
        Assert.Contains("log-loss", result.Output);
        Assert.Contains("nats", result.Output);
        Assert.Contains("Conversion by score decile", result.Output);
        Assert.Contains("ICP backtest", result.Output);
        Assert.True(File.Exists(model));
        var metrics = File.ReadAllText(dir.File("m.metrics.json"));
        Assert.Contains("\"auc\"", metrics);
        Assert.Contains("\"funnel\"", metrics);
        Assert.Contains("\"backtest\"", metrics);
    }

    [Fact]
    public void A_missing_label_column_fails_with_the_columns_that_exist_and_writes_nothing()
    {
        using var dir = new TempDir();
        var result = Cli.Train("train", "--data", History, "--label", "won", "--model", dir.File("m.zip"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("label column 'won'", result.Error);
        Assert.Contains("lead_id, created_at", result.Error);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_missing_data_file_fails_with_exit_code_2()
    {
        using var dir = new TempDir();
        var result = Cli.Train("train", "--data", dir.File("nope.csv"), "--label", "converted", "--model", dir.File("m.zip"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("nope.csv: file not found", result.Error);
    }

    [Fact]
    public void A_malformed_row_names_its_line()
    {
        using var dir = new TempDir();
        var lines = File.ReadAllLines(History).Take(50).ToList();
        lines[30] = lines[30] + ",extra";
        var data = dir.Write("bad.csv", string.Join("\n", lines));
        var result = Cli.Train("train", "--data", data, "--label", "converted", "--model", dir.File("m.zip"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("bad.csv, line 31", result.Error);
        Assert.False(File.Exists(dir.File("m.zip")));
    }

    [Fact]
    public void A_rules_file_naming_a_missing_column_stops_before_training()
    {
        using var dir = new TempDir();
        var rules = dir.Write("rules.json", """{ "icp": [ { "column": "revenue_band", "op": "in", "values": ["big"] } ] }""");
        var result = Cli.Train("train", "--data", History, "--label", "converted", "--icp", rules, "--model", dir.File("m.zip"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("revenue_band", result.Error);
        Assert.DoesNotContain("Cross-validating", result.Output);
    }

    [Fact]
    public void Without_a_label_the_command_says_how_to_give_one()
    {
        using var dir = new TempDir();
        var result = Cli.Train("train", "--data", History, "--model", dir.File("m.zip"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("--label", result.Error);
    }

    [Fact]
    public void Every_command_has_help()
    {
        foreach (var command in new[] { "train", "init", "generate" })
        {
            var result = Cli.Train(command, "--help");
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Usage:", result.Output);
        }
    }
}

/// <summary>Issue 17's small files and issue 13's honesty, as a user meets them on the command line.</summary>
public sealed class TrainCommandSmallHistoryTests
{
    private static readonly string[] Sample = File.ReadAllLines(TestPaths.Data("leads-history.csv"));

    [Fact]
    public void Should_train_the_first_160_leads_with_the_small_history_warning_and_every_candidates_score()
    {
        using var dir = new TempDir();
        var data = dir.Write("h.csv", string.Join("\n", Sample.Take(161)) + "\n");

        var result = Cli.Train("train", "--data", data, "--label", "converted", "--model", dir.File("h.zip"));

        Assert.True(result.ExitCode == ExitCodes.Ok, result.All);
        Assert.Contains("small history", result.All);
        Assert.Contains("CV AUC ranges", result.All);
        Assert.Contains("Models compared by cross-validation", result.Output);
        Assert.Contains("logistic regression", result.Output);
        Assert.Contains("chosen", result.Output);
        Assert.Contains("refit on all 160 labelled rows", System.Text.RegularExpressions.Regex.Replace(result.Output, @"\s+", " "));
        Assert.True(File.Exists(dir.File("h.zip")));
    }

    [Fact]
    public void Should_refuse_to_save_a_model_no_better_than_chance_without_force_and_save_it_with_force()
    {
        using var dir = new TempDir();
        // Ten converted and ten other leads, no cross-validation: the holdout has four leads, far too few to show a signal.
        var yes = Sample.Skip(1).Where(l => l.EndsWith(",yes", StringComparison.Ordinal)).Take(10);
        var no = Sample.Skip(1).Where(l => l.EndsWith(",no", StringComparison.Ordinal)).Take(10);
        var data = dir.Write("t.csv", string.Join("\n", yes.Concat(no).Prepend(Sample[0])) + "\n");

        var refused = Cli.Train("train", "--data", data, "--label", "converted", "--model", dir.File("t.zip"), "--folds", "0");
        Assert.Equal(ExitCodes.NotPromoted, refused.ExitCode);
        Assert.Contains("does not predict conversion better than chance", refused.All);
        Assert.Contains("--force", refused.All);
        Assert.False(File.Exists(dir.File("t.zip")));

        var forced = Cli.Train("train", "--data", data, "--label", "converted", "--model", dir.File("t.zip"), "--folds", "0", "--force");
        Assert.True(forced.ExitCode == ExitCodes.Ok, forced.All);
        Assert.True(File.Exists(dir.File("t.zip")));
    }

    [Fact]
    public void Should_fail_in_one_sentence_with_exit_code_2_When_fewer_than_five_leads_converted()
    {
        using var dir = new TempDir();
        var yes = Sample.Skip(1).Where(l => l.EndsWith(",yes", StringComparison.Ordinal)).Take(4);
        var no = Sample.Skip(1).Where(l => l.EndsWith(",no", StringComparison.Ordinal)).Take(100);
        var data = dir.Write("four.csv", string.Join("\n", yes.Concat(no).Prepend(Sample[0])) + "\n");

        var result = Cli.Train("train", "--data", data, "--label", "converted", "--model", dir.File("m.zip"));

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("four.csv: too few examples of one outcome", result.Error);
        Assert.Contains("at least 5 of each", result.Error);
        Assert.DoesNotContain("   at ", result.All);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.zip"));
    }
}
