using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.TestSupport;

namespace LeadPredict.Training.Tests;

/// <summary>Bad arguments exit with 2 (as documented) and say which option expected what, in words rather than .NET types.</summary>
public sealed class ArgumentErrorTests
{
    private static CliResult Refused(params string[] args)
    {
        var result = Cli.Train(args);
        Assert.True(result.ExitCode == ExitCodes.BadInput, result.All);
        Assert.DoesNotContain("System.", result.All);
        Assert.DoesNotContain("`1", result.All);
        Assert.StartsWith("error: ", result.Error);
        return result;
    }

    [Fact]
    public void A_word_where_a_whole_number_is_expected_names_the_option_and_the_value()
    {
        var result = Refused("train", "--data", "x.csv", "--label", "y", "--folds", "abc");
        Assert.Contains("--folds expects a whole number, got 'abc'", result.Error);
        Assert.Contains("train --help", result.Error);
    }

    [Fact]
    public void A_negative_seed_for_generate_says_it_must_be_zero_or_more() =>
        Assert.Contains("--seed expects a whole number of 0 or more, got '-1'", Refused("generate", "--output", "x.csv", "--seed", "-1").Error);

    [Fact]
    public void An_impossible_date_says_what_a_date_looks_like() =>
        Assert.Contains("--start expects a date such as 2025-01-31, got '2025-13-01'", Refused("generate", "--output", "x.csv", "--start", "2025-13-01").Error);

    [Fact]
    public void An_unknown_trainer_lists_the_choices() =>
        Assert.Contains("--trainer expects one of fastTree, lightGbm, linear, auto, blend, got 'foo'", Refused("train", "--data", "x.csv", "--trainer", "foo").Error);

    [Fact]
    public void A_missing_value_and_a_missing_required_option_are_both_named()
    {
        Assert.Contains("--trees", Refused("train", "--data", "x.csv", "--trees").Error);
        Assert.Contains("--data is required", Refused("train", "--label", "y").Error);
    }

    [Fact]
    public void An_unknown_option_is_named()
    {
        var result = Refused("train", "--data", "x.csv", "--bogus");
        Assert.Contains("'--bogus'", result.Error);
    }

    [Fact]
    public void No_command_at_all_shows_the_commands_and_exits_with_2()
    {
        var result = Refused();
        Assert.Contains("train", result.Output);
        Assert.Contains("a command is required", result.Error);
    }
}
