using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LeadPredict.Scoring.Host;
using LeadPredict.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LeadPredict.Scoring.Tests.Host;

public sealed class HotSwapTests
{
    private static StringContent Body(JsonArray leads) => new(leads.ToJsonString(), Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_model_card_with_undefined_metrics_is_served_rather_than_failing_the_request()
    {
        await using var host = await RunningHost.StartAsync(withModel: false);
        // A holdout of one class has no AUC; training saves such a card, so the host must serve it.
        ModelFiles.WriteVersion(host.ModelPath, "undefined-metrics", c => c with { Holdout = c.Holdout with { Auc = double.NaN, PrAuc = double.NaN } });
        await host.WaitUntilReadyAsync("undefined-metrics");

        var response = await host.Client.GetAsync("/api/v1/model");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("NaN", doc.RootElement.GetProperty("card").GetProperty("holdout").GetProperty("auc").GetString());
    }

    [Fact]
    public async Task The_host_is_live_but_not_ready_until_the_model_file_appears()
    {
        await using var host = await RunningHost.StartAsync(withModel: false);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/live")).StatusCode);
        var notReady = await host.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("not ready", await notReady.Content.ReadAsStringAsync());
        var score = await host.Client.PostAsync("/api/v1/score", Body(new JsonArray(Leads.One())));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, score.StatusCode);
        Assert.Equal("application/problem+json", score.Content.Headers.ContentType!.MediaType);

        File.Copy(SampleModels.SamplePath, host.ModelPath);
        await host.WaitUntilReadyAsync();
        var ready = await host.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains(SampleModels.LoadSample().Card.Version, await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_new_model_is_swapped_in_under_concurrent_requests_without_a_failed_request()
    {
        await using var host = await RunningHost.StartAsync();
        await host.WaitUntilReadyAsync();
        var versions = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var batch = Leads.Batch(50);
        var clients = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var response = await host.Client.PostAsync("/api/v1/score", Body(i++ % 2 == 0 ? new JsonArray(Leads.One(c)) : batch));
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK) { failures.Enqueue($"{(int)response.StatusCode}: {text}"); continue; }
                using var doc = JsonDocument.Parse(text);
                versions.AddOrUpdate(doc.RootElement.GetProperty("model").GetString()!, 1, (_, n) => n + 1);
            }
        })).ToArray();

        foreach (var v in new[] { "swap-2", "swap-3" })
        {
            await Task.Delay(400);
            ModelFiles.WriteVersion(host.ModelPath, v);
            await host.WaitUntilReadyAsync(v);
        }
        await Task.Delay(400);
        stop.Cancel();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.Contains("swap-2", versions.Keys);
        Assert.Contains("swap-3", versions.Keys);
        Assert.True(versions.Values.Sum() > 50, $"only {versions.Values.Sum()} requests ran");
    }

    [Fact]
    public async Task A_broken_model_file_is_rejected_and_the_old_model_keeps_serving()
    {
        await using var host = await RunningHost.StartAsync();
        await host.WaitUntilReadyAsync();
        var holder = host.App.Services.GetRequiredService<ModelHolder>();
        var version = holder.Current!.Version;

        ModelFiles.WriteBroken(host.ModelPath);
        var until = DateTime.UtcNow.AddSeconds(20);
        while (holder.FailedLoads == 0 && DateTime.UtcNow < until) await Task.Delay(20);
        Assert.Equal(1, holder.FailedLoads);
        Assert.Contains("lead-model.zip", holder.LastLoadError);

        var response = await host.Client.PostAsync("/api/v1/score", Body(new JsonArray(Leads.One())));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(version, await response.Content.ReadAsStringAsync());
        var ready = await host.Client.GetStringAsync("/health/ready");
        Assert.Contains("\"modelLoadFailures\":1", ready);

        ModelFiles.WriteVersion(host.ModelPath, "after-broken");
        await host.WaitUntilReadyAsync("after-broken");
    }

    [Fact]
    public async Task Invalid_settings_stop_the_host_with_a_precise_message()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => RunningHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["ScoringHost:MaxLeadsPerRequest"] = "0",
            ["ScoringHost:ApiKey"] = "short",
        }));
        Assert.Contains("ScoringHost:MaxLeadsPerRequest must be between 1 and 1000000 (was 0).", e.Failures);
        Assert.Contains("the API key (ScoringHost:ApiKey or LEADPREDICT_API_KEY) must be at least 16 characters when set.", e.Failures);
    }

    [Fact]
    public async Task A_prediction_log_database_that_cannot_be_opened_does_not_fail_scoring_and_shows_in_health()
    {
        await using var host = await RunningHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["PredictionLog:SqlitePath"] = "/proc/leadpredict/cannot/create.db",
            ["PredictionLog:RetryDelay"] = "00:00:00.050",
        });
        await host.WaitUntilReadyAsync();
        var response = await host.Client.PostAsync("/api/v1/score", Body(Leads.Batch(20)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var until = DateTime.UtcNow.AddSeconds(10);
        string ready;
        do { ready = await host.Client.GetStringAsync("/health/ready"); await Task.Delay(20); }
        while (!ready.Contains("\"databaseReachable\":false") && DateTime.UtcNow < until);
        Assert.Contains("\"status\":\"degraded\"", ready);
        Assert.Contains("\"databaseReachable\":false", ready);
    }
}
