using LeadPredict.CommandLine;
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
    public void A_latin1_character_is_reported_on_its_own_line()
    {
        using var dir = new TempDir();
        var lines = File.ReadAllLines(History).Take(1600).Select(System.Text.Encoding.UTF8.GetBytes).ToArray();
        lines[1500] = [.. lines[1500], 0xE9]; // line 1501 ends with é in Latin-1
        var data = dir.File("latin1.csv");
        File.WriteAllBytes(data, lines.SelectMany(l => l.Append((byte)'\n')).ToArray());
        var result = Cli.Train("train", "--data", data, "--label", "converted", "--model", dir.File("m.zip"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("latin1.csv, line 1501: the file is not valid UTF-8", result.Error);
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
    public void Force_replaces_a_corrupt_model_cleanly_and_keeps_the_corrupt_file_for_inspection()
    {
        using var dir = new TempDir();
        var model = dir.Write("m.zip", "PK\u0003\u0004 truncated download");

        var refused = Cli.Train("train", "--data", History, "--label", "converted", "--model", model, "--folds", "0", "--trees", "20");
        Assert.Equal(ExitCodes.BadModel, refused.ExitCode);
        Assert.Contains("--force", refused.Error);

        var forced = Cli.Train("train", "--data", History, "--label", "converted", "--model", model, "--folds", "0", "--trees", "20", "--force");
        Assert.True(forced.ExitCode == 0, forced.All);
        Assert.NotNull(LeadPredict.ML.ModelBundle.Load(model));
        Assert.Equal("PK\u0003\u0004 truncated download", File.ReadAllText(dir.File("m.corrupt.zip")));
        Assert.False(File.Exists(dir.File("m.previous.zip")), "a corrupt file is not a previous model to go back to");
        Assert.Contains("m.corrupt.zip", forced.Output);
        Assert.Contains("\"championAuc\": \"NaN\"", File.ReadAllText(dir.File("m.metrics.json")));
    }

    [Fact]
    public void A_rule_whose_other_leads_never_convert_is_stored_with_an_infinite_lift()
    {
        using var dir = new TempDir();
        // Every converter is in segment 'a'; leads outside it never convert, so the rule's lift is infinite.
        var rows = Enumerable.Range(0, 400).Select(i => $"L{i},{(i % 4 == 0 ? "a" : i % 2 == 0 ? "a" : "b")},{i % 37},{(i % 4 == 0 ? "yes" : "no")}");
        var data = dir.Write("h.csv", "id,segment,visits,converted\n" + string.Join("\n", rows) + "\n");
        var rules = dir.Write("rules.json", """{ "icp": [ { "name": "Segment A", "column": "segment", "op": "in", "values": ["a"] } ] }""");

        var result = Cli.Train("train", "--data", data, "--label", "converted", "--icp", rules, "--model", dir.File("m.zip"), "--folds", "0", "--trees", "20");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("∞", result.Output);
        Assert.Contains("\"lift\": \"Infinity\"", File.ReadAllText(dir.File("m.metrics.json")));
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
