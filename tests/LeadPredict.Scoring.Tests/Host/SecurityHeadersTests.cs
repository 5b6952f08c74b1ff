using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>Every answer carries the headers a page with lead data needs; API answers are never cached.</summary>
public sealed class SecurityHeadersTests : IAsyncLifetime
{
    private const string Key = "headers-test-key-0123456789";
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await RunningHost.StartAsync(settings: new Dictionary<string, string?> { ["ScoringHost:ApiKey"] = Key, ["PredictionLog:Enabled"] = "false" },
            configureServices: s => s.AddSingleton<IStartupFilter, FailingEndpoint>());
        await _host.WaitUntilReadyAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    private HttpRequestMessage Request(HttpMethod method, string path, HttpContent? body = null, bool withKey = true)
    {
        var request = new HttpRequestMessage(method, path) { Content = body };
        if (withKey) request.Headers.Add("X-Api-Key", Key);
        return request;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static TheoryData<string> Requests => new()
    {
        "GET / 200", "GET /assets/app.js 200", "GET /assets/app.css 200", "GET /assets/nope.js 404", "GET /health/ready 200",
        "GET /openapi/v1.json 200", "GET /api/v1/model 200", "POST /api/v1/score 200", "POST /api/v1/score 400", "POST /api/v1/score/csv 200",
        "GET /api/v1/model 401", "GET /boom 500",
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Should_send_csp_nosniff_frame_and_referrer_headers_When_answering_any_request(string what)
    {
        var response = await SendAsync(what);

        var csp = Single(response, "Content-Security-Policy");
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("style-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", Single(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Single(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Single(response, "Referrer-Policy"));
    }

    [Theory]
    [InlineData("GET /api/v1/model 200")]
    [InlineData("POST /api/v1/score 200")]
    [InlineData("POST /api/v1/score 400")]
    [InlineData("POST /api/v1/score/csv 200")]
    [InlineData("GET /api/v1/model 401")]
    public async Task Should_forbid_caching_When_an_api_answer_may_carry_lead_data(string what)
    {
        var response = await SendAsync(what);

        Assert.True(response.Headers.CacheControl?.NoStore == true, $"{what}: Cache-Control is '{response.Headers.CacheControl}'");
    }

    private async Task<HttpResponseMessage> SendAsync(string what)
    {
        var parts = what.Split(' ');
        var (method, path, status) = (new HttpMethod(parts[0]), parts[1], (HttpStatusCode)int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
        HttpContent? body = path switch
        {
            "/api/v1/score" => Json(status == HttpStatusCode.OK ? new JsonArray(Leads.One()).ToJsonString() : "{}"),
            "/api/v1/score/csv" => new ByteArrayContent(await File.ReadAllBytesAsync(LeadPredict.TestSupport.TestPaths.Data("leads-new.csv"))),
            _ => null,
        };
        var response = await _host.Client.SendAsync(Request(method, path, body, withKey: status != HttpStatusCode.Unauthorized));
        Assert.Equal(status, response.StatusCode);
        return response;
    }

    private static string Single(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? Assert.Single(values) : throw new Xunit.Sdk.XunitException($"no {name} header on {response.RequestMessage?.RequestUri}");

    /// <summary>A path that throws, behind the host's whole pipeline: the exception handler clears the response, then answers 500.</summary>
    private sealed class FailingEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Map("/boom", b => b.Run(_ => throw new InvalidOperationException("a bug")));
        };
    }
}
