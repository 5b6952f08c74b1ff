using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>The shipped settings log warnings and a periodic summary, not a line per request; request logging is one setting away.</summary>
public sealed partial class LoggingTests
{
    private static async Task<RunningHost> StartAsync(CapturingLogs logs, Dictionary<string, string?> settings)
    {
        settings["Logging:LogLevel:Default"] = null; // the test host's own default goes: the shipped appsettings.json decides
        settings["PredictionLog:Enabled"] = "false";
        var host = await RunningHost.StartAsync(settings: settings, configureServices: s => s.AddSingleton<ILoggerProvider>(logs));
        await host.WaitUntilReadyAsync();
        return host;
    }

    private static async Task ScoreAsync(RunningHost host, int requests)
    {
        for (var i = 0; i < requests; i++)
        {
            var response = await host.Client.PostAsync("/api/v1/score", new StringContent(new JsonArray(Leads.One(i)).ToJsonString(), Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }
        await host.Client.PostAsync("/api/v1/score", new StringContent("{}", Encoding.UTF8, "application/json"));
    }

    [Fact]
    public async Task Should_log_a_periodic_summary_and_no_line_per_request_When_running_with_the_shipped_settings()
    {
        var logs = new CapturingLogs();
        await using (var host = await StartAsync(logs, new() { ["ScoringHost:SummaryInterval"] = "00:00:00.300" }))
        {
            await ScoreAsync(host, 30);
            var until = DateTime.UtcNow.AddSeconds(20);
            while (Summaries(logs).Sum(s => s.Requests) < 31 && DateTime.UtcNow < until) await Task.Delay(50);
        }

        var summaries = Summaries(logs);
        Assert.Equal(31, summaries.Sum(s => s.Requests));
        Assert.Equal(1, summaries.Sum(s => s.Refused));
        Assert.Equal(30, summaries.Sum(s => s.Leads));
        Assert.DoesNotContain(logs.Lines, l => l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        var others = logs.Lines.Where(l => !l.Category.EndsWith("RequestSummaryLogger", StringComparison.Ordinal)).ToArray();
        Assert.True(others.Length < 10, "lines besides the summary: " + string.Join("\n", others.Select(l => l.Category + ": " + l.Text)));
        Assert.Contains(logs.Lines, l => l.Text.StartsWith("Serving model ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_log_the_requests_since_the_last_summary_When_the_host_stops()
    {
        var logs = new CapturingLogs();
        await using (var host = await StartAsync(logs, new() { ["ScoringHost:SummaryInterval"] = "01:00:00" }))
            await ScoreAsync(host, 5);

        var summary = Assert.Single(Summaries(logs));
        Assert.Equal((6L, 1L, 5L), summary);
    }

    [Fact]
    public async Task Should_log_each_request_When_request_logging_is_turned_on_in_the_usual_logging_settings()
    {
        var logs = new CapturingLogs();
        await using (var host = await StartAsync(logs, new() { ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information" }))
            await ScoreAsync(host, 3);

        Assert.Equal(4, logs.Lines.Count(l => l.Text.StartsWith("Request finished HTTP/1.1 POST", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Should_refuse_to_start_When_the_summary_interval_is_too_short()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => RunningHost.StartAsync(settings: new Dictionary<string, string?> { ["ScoringHost:SummaryInterval"] = "00:00:00.010" }));
        Assert.Contains("ScoringHost:SummaryInterval must be at least 100 ms, or 0 to turn the summary off", e.Message);
    }

    private static (long Requests, long Refused, long Leads)[] Summaries(CapturingLogs logs) =>
        logs.Lines.Select(l => SummaryLine().Match(l.Text)).Where(m => m.Success)
            .Select(m => (long.Parse(m.Groups[1].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture),
                          long.Parse(m.Groups[2].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture),
                          long.Parse(m.Groups[3].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture))).ToArray();

    [GeneratedRegex(@"^Last \d+ s: ([\d,]+) requests \(([\d,]+) refused as bad requests, 0 server errors\), ([\d,]+) leads scored; latency p50 ≤ [\d.,]+ ms, p99 ≤ [\d.,]+ ms, max [\d.,]+ ms$")]
    private static partial Regex SummaryLine();

    internal sealed class CapturingLogs : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Text)> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);
        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }
}
