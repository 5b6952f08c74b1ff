using LeadPredict.CommandLine;
using System.Net;
using System.Net.Sockets;
using LeadPredict.Core;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>`serve` that cannot start says why in one sentence and exits with 2: no framework stack trace before it.</summary>
public sealed class ServeCommandTests
{
    private static void AssertOneSentence(CliResult result, string expected)
    {
        Assert.True(result.ExitCode == ExitCodes.BadInput, $"exit {result.ExitCode}: {result.All}");
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("   at ", result.All);
        Assert.DoesNotContain("Exception", result.All);
        Assert.DoesNotContain("fail:", result.All);
        Assert.DoesNotContain("crit:", result.All);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Should_print_only_the_sentence_and_exit_2_When_the_port_is_in_use()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var result = Cli.Score("serve", "--model", SampleModels.SamplePath, "--urls", url, "--no-log");

        AssertOneSentence(result, $"cannot listen on {url}: the address is already in use; choose another with --urls.");
    }

    [Fact]
    public void Should_print_only_the_sentence_and_exit_2_When_the_api_key_is_too_short()
    {
        using var dir = new TempDir();
        dir.Write("appsettings.json", """{ "ScoringHost": { "ApiKey": "short" } }""");

        var result = Cli.Run("leadpredict-score", ["serve", "--model", SampleModels.SamplePath, "--urls", "http://127.0.0.1:0", "--no-log"], workingDirectory: dir.Path);

        AssertOneSentence(result, "must be at least 16 characters");
    }

    [Fact]
    public void Should_print_only_the_sentence_and_exit_2_When_the_urls_are_not_urls()
    {
        var result = Cli.Score("serve", "--model", SampleModels.SamplePath, "--urls", "127.0.0.1:80:80", "--no-log");

        AssertOneSentence(result, "--urls");
    }

    [Fact]
    public void Should_print_only_the_sentence_and_exit_2_When_the_timeline_config_does_not_exist()
    {
        using var dir = new TempDir();
        var missing = dir.File("nowhere.json");

        var result = Cli.Score("serve", "--model", SampleModels.SamplePath, "--urls", "http://127.0.0.1:0", "--no-log", "--timeline-config", missing);

        AssertOneSentence(result, $"ScoringHost:TimelineConfig '{missing}' does not exist.");
    }
}
