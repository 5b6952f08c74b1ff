using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>Hostile but plausible requests: broken text, non-ASCII warnings, cut-off uploads. Each gets a 400 or a 200, never a 500.</summary>
public sealed class HostileRequestTests : IAsyncLifetime
{
    private readonly ServerRecorder _server = new();
    private RunningHost _host = null!;
    private HttpClient Client => _host.Client;

    public async Task InitializeAsync()
    {
        _host = await RunningHost.StartAsync(settings: new Dictionary<string, string?> { ["PredictionLog:Enabled"] = "false" }, configureServices: _server.AddTo);
        await _host.WaitUntilReadyAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    private static ByteArrayContent JsonBytes(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return content;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static TheoryData<string, string, string> BrokenTexts => new()
    {
        { "a lone high surrogate in the id", """[{"lead_id":"\ud800"}]""", "leads[0].lead_id" },
        { "a lone low surrogate in a value", """[{"lead_id":"L-1","company":"Acme \udc00 Ltd"}]""", "leads[0].company" },
        { "a reversed surrogate pair in the second lead", """[{"lead_id":"L-1"},{"lead_id":"L-2","job_title":"\udc00\ud800"}]""", "leads[1].job_title" },
        { "a lone surrogate in a key", """[{"lead_id":"L-1","\ud800":"x"}]""", "leads[0]" },
    };

    [Theory]
    [MemberData(nameof(BrokenTexts))]
    public async Task Should_answer_400_naming_the_field_When_a_json_string_escapes_a_lone_surrogate(string what, string body, string field)
    {
        var problem = await ProblemAsync(await Client.PostAsync("/api/v1/score", new StringContent(body, Encoding.UTF8, "application/json")));
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var detail), $"{what}: {problem}");
        Assert.Contains("Unicode", detail[0].GetString());
    }

    [Fact]
    public async Task Should_answer_400_naming_the_field_When_a_json_string_holds_bytes_that_are_not_utf8()
    {
        var body = Encoding.UTF8.GetBytes("""[{"lead_id":"L-1","company":"Acme XX"}]""");
        var at = Array.IndexOf(body, (byte)'X');
        body[at] = 0xFF;
        body[at + 1] = 0xC3; // a lead byte with no continuation
        var problem = await ProblemAsync(await Client.PostAsync("/api/v1/score", JsonBytes(body)));
        Assert.True(problem.GetProperty("errors").TryGetProperty("leads[0].company", out _), problem.ToString());
    }

    [Fact]
    public async Task Should_answer_400_When_a_json_key_holds_bytes_that_are_not_utf8()
    {
        var body = Encoding.UTF8.GetBytes("""[{"lead_id":"L-1","compXny":"Acme"}]""");
        body[Array.IndexOf(body, (byte)'X')] = 0xFE;
        var problem = await ProblemAsync(await Client.PostAsync("/api/v1/score", JsonBytes(body)));
        Assert.True(problem.GetProperty("errors").TryGetProperty("leads[0]", out _), problem.ToString());
    }

    [Fact]
    public async Task Should_rank_the_file_and_send_the_warning_readably_When_a_csv_warning_quotes_a_non_ascii_value()
    {
        var lines = await File.ReadAllLinesAsync(TestPaths.Data("leads-new.csv"));
        var employees = Array.IndexOf(lines[0].Split(','), "employees");
        var fields = lines[1].Split(',');
        fields[employees] = "50–100"; // an en dash, as people type ranges
        var csv = string.Join("\n", [lines[0], string.Join(",", fields), .. lines[2..]]) + "\n";

        var response = await Client.PostAsync("/api/v1/score/csv", new StringContent(csv, Encoding.UTF8, "text/csv"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"got {(int)response.StatusCode}: {text}");
        Assert.Equal(lines.Length, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var header = response.Headers.GetValues("X-Scoring-Warnings").Single();
        Assert.All(header, c => Assert.InRange(c, ' ', '~'));
        Assert.Contains("50–100", Uri.UnescapeDataString(header));
    }

    [Fact]
    public async Task Should_answer_400_When_a_multipart_upload_ends_before_its_closing_boundary()
    {
        var csv = await File.ReadAllTextAsync(TestPaths.Data("leads-new.csv"));
        var body = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\nContent-Type: text/csv\r\n\r\n" + csv[..(csv.Length / 2)];
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=XyZ");

        var problem = await ProblemAsync(await Client.PostAsync("/api/v1/score/csv", content));

        Assert.True(problem.GetProperty("errors").TryGetProperty("file", out var detail), problem.ToString());
        Assert.Contains("cut short", detail[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/live")).StatusCode);
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=XyZ")]
    [InlineData("text/csv")]
    [InlineData("application/json")]
    public async Task Should_end_the_request_without_a_server_error_When_the_client_stops_sending_before_the_declared_length(string contentType)
    {
        var url = contentType == "application/json" ? "/api/v1/score" : "/api/v1/score/csv";
        var part = contentType.StartsWith("multipart", StringComparison.Ordinal)
            ? "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\nContent-Type: text/csv\r\n\r\nlead_id,company\r\nL-1,Ac"
            : contentType == "text/csv" ? "lead_id,company\r\nL-1,Ac" : "[{\"lead_id\":\"L-1\",\"comp";

        // Kestrel drops a connection whose client closed its side mid-body, so only the server knows what the answer was.
        await SendCutShortAsync(_host.BaseAddress, url, contentType, Encoding.UTF8.GetBytes(part), declaredLength: 100_000);

        var answer = await AnswerAsync(url);
        Assert.True(answer is 400 or 499, $"the host answered {answer}");
        Assert.Empty(_server.Errors);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/live")).StatusCode);
    }

    private async Task<int> AnswerAsync(string path)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            foreach (var (p, status) in _server.Answers) if (p == path) return status;
            if (DateTime.UtcNow > until) throw new TimeoutException($"the host recorded no answer to {path}");
            await Task.Delay(20);
        }
    }

    /// <summary>Sends a request whose body is shorter than its Content-Length, closes the sending side, and waits for the host to close.</summary>
    internal static async Task SendCutShortAsync(Uri baseAddress, string path, string contentType, byte[] body, long declaredLength)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var head = $"POST {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nContent-Type: {contentType}\r\nContent-Length: {declaredLength}\r\nConnection: close\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        await socket.SendAsync(body);
        socket.Shutdown(SocketShutdown.Send);
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0) { } }
        catch (SocketException) { } // reset by the host: the same as a close here
    }
}
