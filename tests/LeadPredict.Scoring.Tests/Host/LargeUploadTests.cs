using System.Net;
using System.Net.Sockets;
using System.Text;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>Big uploads are ranked a few at a time, a few more wait, the rest are told when to come back; small ones are never held up.</summary>
public sealed class LargeUploadTests
{
    private static readonly byte[] Large = File.ReadAllBytes(TestPaths.Data("leads-new.csv")); // 64 KB: large with the threshold below
    private static readonly byte[] Small = Encoding.UTF8.GetBytes(string.Join("\n", File.ReadLines(TestPaths.Data("leads-new.csv")).Take(3)) + "\n");

    private static Task<RunningHost> StartAsync(int queue) => RunningHost.StartAsync(settings: new Dictionary<string, string?>
    {
        ["PredictionLog:Enabled"] = "false",
        ["ScoringHost:LargeUploadBytes"] = "4096",
        ["ScoringHost:MaxConcurrentLargeUploads"] = "1",
        ["ScoringHost:LargeUploadQueue"] = queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    private static Task<HttpResponseMessage> UploadAsync(RunningHost host, byte[] csv)
    {
        var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new("text/csv");
        return host.Client.PostAsync("/api/v1/score/csv", content);
    }

    /// <summary>A large upload that has sent its headers and a little of its body, and holds its turn until disposed.</summary>
    private static async Task<Socket> HoldATurnAsync(RunningHost host)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(host.BaseAddress.Host, host.BaseAddress.Port);
        var head = $"POST /api/v1/score/csv HTTP/1.1\r\nHost: {host.BaseAddress.Authority}\r\nContent-Type: text/csv\r\nContent-Length: {Large.Length}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        await socket.SendAsync(Large.AsMemory(0, 1000));
        return socket;
    }

    /// <summary>Sends large uploads until one is refused: the held one has then surely taken its turn.</summary>
    private static async Task<HttpResponseMessage> UntilRefusedAsync(RunningHost host)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var response = await UploadAsync(host, Large);
            if (response.StatusCode == HttpStatusCode.TooManyRequests || DateTime.UtcNow > until) return response;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Should_answer_429_with_retry_after_and_still_rank_small_files_When_every_turn_for_large_uploads_is_taken()
    {
        await using var host = await StartAsync(queue: 0);
        await host.WaitUntilReadyAsync();

        using (var held = await HoldATurnAsync(host))
        {
            var refused = await UntilRefusedAsync(host);

            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(10), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("send the file again in 10 seconds", await refused.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await UploadAsync(host, Small)).StatusCode);
        }

        var until = DateTime.UtcNow.AddSeconds(20);
        HttpResponseMessage after;
        while ((after = await UploadAsync(host, Large)).StatusCode != HttpStatusCode.OK && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Should_rank_a_waiting_upload_once_the_turn_is_free_When_the_queue_has_room()
    {
        await using var host = await StartAsync(queue: 1);
        await host.WaitUntilReadyAsync();
        var held = await HoldATurnAsync(host);
        Task<HttpResponseMessage> waiting;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1)); // the held upload's headers reach the host and it takes the turn
            // Two more at once: one waits in the queue, the other finds it full, whichever the host saw first.
            var first = UploadAsync(host, Large);
            var second = UploadAsync(host, Large);
            var answered = await Task.WhenAny(first, second);
            var refused = await answered;
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            waiting = answered == first ? second : first;
            Assert.False(waiting.IsCompleted, "the queued upload was answered while the turn was still taken");
        }
        finally
        {
            held.Dispose();
        }

        var answer = await waiting;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal((File.ReadLines(TestPaths.Data("leads-new.csv")).Count() - 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            answer.Headers.GetValues("X-Leads-Scored").Single());
    }

    [Theory]
    [InlineData("ScoringHost:MaxConcurrentLargeUploads", "0", "ScoringHost:MaxConcurrentLargeUploads must be between 1 and 64 (was 0).")]
    [InlineData("ScoringHost:LargeUploadQueue", "-1", "ScoringHost:LargeUploadQueue must be between 0 and 1000 (was -1).")]
    [InlineData("ScoringHost:LargeUploadBytes", "-5", "ScoringHost:LargeUploadBytes must not be negative (was -5).")]
    public async Task Should_refuse_to_start_with_a_precise_message_When_an_upload_limit_is_out_of_range(string key, string value, string message)
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => RunningHost.StartAsync(settings: new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(message, e.Message);
    }
}
