using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using LeadPredict.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>Who may call, and what a hostile caller gets: 401 without the key, 400 for garbage, never a 500 or a stack trace.</summary>
public sealed class SecurityTests
{
    private const string Key = "test-key-0123456789abcdef";

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    [Fact]
    public async Task With_an_api_key_configured_requests_without_it_get_401_and_with_it_succeed()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = await RunningHost.StartAsync(settings: new Dictionary<string, string?> { ["ScoringHost:ApiKey"] = Key, ["Logging:LogLevel:Default"] = "Debug" },
            configureServices: s => s.AddSingleton<ILoggerProvider>(logs));
        await host.WaitUntilReadyAsync();

        var none = await host.Client.PostAsync("/api/v1/score", Json(new JsonArray(Leads.One())));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("X-Api-Key", await none.Content.ReadAsStringAsync());

        var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/v1/model");
        wrong.Headers.Add("X-Api-Key", Key + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.SendAsync(wrong)).StatusCode);

        var right = new HttpRequestMessage(HttpMethod.Post, "/api/v1/score") { Content = Json(new JsonArray(Leads.One())) };
        right.Headers.Add("X-Api-Key", Key);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(right)).StatusCode);

        var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/v1/model");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(bearer)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/")).StatusCode);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(Key, StringComparison.Ordinal));
        Assert.NotEmpty(logs.Lines);
    }

    [Fact]
    public async Task A_short_api_key_is_refused_at_start_up()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => RunningHost.StartAsync(settings: new Dictionary<string, string?> { ["ScoringHost:ApiKey"] = "short" }));
        Assert.Contains("at least 16 characters", e.Message);
    }

    [Fact]
    public async Task With_a_rules_file_the_api_returns_the_icp_check_and_stage_advice()
    {
        await using var host = await RunningHost.StartAsync(settings: new Dictionary<string, string?> { ["ScoringHost:RulesPath"] = TestPaths.Data("rules.json") });
        await host.WaitUntilReadyAsync();
        var response = await host.Client.PostAsync("/api/v1/score", Json(new JsonArray(Leads.One(), Leads.One(1))));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Contains("icp_fit", text.Replace("icpFit", "icp_fit"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("suggested", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Errors_never_show_stack_traces_or_server_paths()
    {
        await using var host = await RunningHost.StartAsync();
        await host.WaitUntilReadyAsync();
        var bodies = new HttpContent[]
        {
            new StringContent("lead_id,\"broken\n1,2", Encoding.UTF8, "text/csv"),
            new StringContent("{\"not\":\"an array\"}", Encoding.UTF8, "application/json"),
            new StringContent(new string('[', 5000), Encoding.UTF8, "application/json"),
        };
        foreach (var (body, url) in bodies.Zip(new[] { "/api/v1/score/csv", "/api/v1/score", "/api/v1/score" }))
        {
            var response = await host.Client.PostAsync(url, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.DoesNotContain("   at ", text);
            Assert.DoesNotContain(host.Dir.Path, text);
            Assert.DoesNotContain("/tmp/", text);
            Assert.DoesNotContain("Exception", text);
        }
    }

    [Fact]
    public async Task No_generated_json_body_makes_the_score_endpoint_fail_with_a_server_error()
    {
        await using var host = await RunningHost.StartAsync(settings: new Dictionary<string, string?> { ["PredictionLog:Enabled"] = "false" });
        await host.WaitUntilReadyAsync();
        var plausible = Gen.Elements("1", "\"yes\"", "\"\"", "null", "\"=cmd|x\"", "\"<script>alert(1)</script>\"", "\"深圳\"", "0.5", "12");
        var odd = Gen.Elements("-1e309", "1e400", "true", "[]", "{}", "\"\\u0000\"");
        var values = Gen.Frequency((8, plausible), (1, odd));
        var keys = Gen.Elements("lead_id", "employees", "industry", "demo_requested", "pricing_page_views", "job_title", "stage", "created_at", "", "x", "EMPLOYEES");
        // Real leads from the sample with a few fields overwritten, removed or added: most requests are plausible, some are not.
        var lead =
            from index in Gen.Choose(0, Leads.SampleCount - 1)
            from n in Gen.Choose(0, 4)
            from changes in Gen.ArrayOf(Gen.Zip(keys, values), n)
            from removeNulls in Gen.Elements(true, false)
            select Mutate(index, changes, removeNulls);
        var item = Gen.Frequency((6, lead), (1, values));
        var body = Gen.OneOf(
            lead.Select(l => "[" + l + "]"),
            Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(item, n)).Select(items => "[" + string.Join(",", items) + "]"),
            lead,
            Gen.ArrayOf(Gen.Elements('[', ']', '{', '}', '"', ',', ':', '1', 'a', ' ')).Select(cs => new string(cs)));
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var examples = new ConcurrentQueue<string>();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(body.ToArbitrary(), json =>
        {
            var response = host.Client.PostAsync("/api/v1/score", new StringContent(json, Encoding.UTF8, "application/json")).GetAwaiter().GetResult();
            statuses.Add(response.StatusCode);
            if (examples.Count < 3) examples.Enqueue(json[..Math.Min(200, json.Length)] + " => " + response.Content.ReadAsStringAsync().GetAwaiter().GetResult()[..100]);
            return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest;
        }));
        Assert.True(statuses.Contains(HttpStatusCode.OK), string.Join("\n", examples));
        Assert.Contains(HttpStatusCode.BadRequest, statuses);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/live")).StatusCode);
    }

    private static string Mutate(int index, (string Key, string Value)[] changes, bool removeNulls)
    {
        var o = Leads.One(index);
        foreach (var (k, v) in changes)
        {
            if (removeNulls && v == "null") o.Remove(k);
            else o[k] = JsonNode.Parse(v);
        }
        return o.ToJsonString();
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(Lines);
        public void Dispose() { }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception) + exception);
        }
    }
}
