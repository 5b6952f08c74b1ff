using System.Collections.Concurrent;
using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>
/// Generated hostile bodies for both scoring endpoints: broken UTF-8, lone surrogates, control characters, non-ASCII text in
/// values and headers, and bodies cut off anywhere (multipart forms too). Every answer is a 200 or a 400, as the client and
/// as the server saw it, and the host logs no error.
/// </summary>
public sealed class ScoringFuzzTests : IAsyncLifetime
{
    private readonly ServerRecorder _server = new();
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await RunningHost.StartAsync(settings: new Dictionary<string, string?> { ["PredictionLog:Enabled"] = "false" }, configureServices: _server.AddTo);
        await _host.WaitUntilReadyAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    // Byte sequences people and attackers produce: broken UTF-8 (a stray continuation, a lead byte alone, an overlong '/',
    // an encoded surrogate), control characters, JSON escapes of lone surrogates, and plausible non-ASCII text.
    private static readonly byte[][] Nasty =
    [
        [0xFF], [0xFE, 0xFF], [0x80], [0xC3], [0xE2, 0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0x00], [0x07], [0x1B], [(byte)'\r'], [(byte)'\n'], [(byte)'\t'], [0x7F],
        "\\ud800"u8.ToArray(), "\\udfff"u8.ToArray(), "\\udc00\\ud800"u8.ToArray(), "\\u0000"u8.ToArray(), "\\u001b"u8.ToArray(),
        "50–100"u8.ToArray(), "Größe"u8.ToArray(), "深圳"u8.ToArray(), "😀"u8.ToArray(), "\u2028"u8.ToArray(), "=cmd|' /C calc'!A0"u8.ToArray(),
        "\""u8.ToArray(), ","u8.ToArray(), ";"u8.ToArray(),
    ];

    private static readonly Gen<byte[]> NastyGen = Gen.Elements(Nasty);

    /// <summary>Puts a few nasty sequences at random places of a valid body, and sometimes cuts it off.</summary>
    internal static Gen<byte[]> Spoil(byte[] valid) =>
        from count in Gen.Choose(0, 3)
        from edits in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, valid.Length), NastyGen), count)
        from cut in Gen.Frequency((3, Gen.Constant(-1)), (1, Gen.Choose(0, valid.Length)))
        select Apply(valid, edits, cut);

    private static byte[] Apply(byte[] valid, (int At, byte[] Insert)[] edits, int cut)
    {
        var bytes = valid.ToList();
        foreach (var (at, insert) in edits.OrderByDescending(e => e.At)) bytes.InsertRange(Math.Min(at, bytes.Count), insert);
        return cut >= 0 && cut < bytes.Count ? bytes.Take(cut).ToArray() : bytes.ToArray();
    }

    private static readonly Lazy<string[]> SampleLines = new(() => File.ReadAllLines(TestPaths.Data("leads-new.csv")));

    [Fact]
    public void No_generated_json_body_with_broken_text_gets_a_server_error()
    {
        var lead =
            from i in Gen.Choose(0, Leads.SampleCount - 1)
            from n in Gen.Choose(1, 3)
            select Encoding.UTF8.GetBytes("[" + Leads.One(i).ToJsonString() + (n > 1 ? "," + Leads.One(i + 1).ToJsonString() : "") + "]");
        var body = lead.SelectMany(Spoil);
        Run("/api/v1/score", body.Select(b => (b, "application/json")), 250);
    }

    [Fact]
    public void No_generated_csv_upload_with_broken_text_or_cut_off_gets_a_server_error()
    {
        var csv =
            from start in Gen.Choose(1, SampleLines.Value.Length - 6)
            from rows in Gen.Choose(1, 5)
            select Encoding.UTF8.GetBytes(string.Join("\n", SampleLines.Value.Take(1).Concat(SampleLines.Value.Skip(start).Take(rows))) + "\n");
        var raw = csv.SelectMany(Spoil).Select(b => (b, "text/csv"));
        var form =
            from file in csv.SelectMany(Spoil)
            from closed in Gen.Elements(true, false)
            from cut in Gen.Frequency((3, Gen.Constant(-1)), (1, Gen.Choose(0, 400)))
            select Multipart(file, closed, cut);
        Run("/api/v1/score/csv", Gen.OneOf(raw, form), 250);
    }

    private void Run(string url, Gen<(byte[] Body, string Type)> bodies, int tests)
    {
        var statuses = new ConcurrentBag<HttpStatusCode>();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(tests), Prop.ForAll(bodies.ToArbitrary(), body =>
        {
            var content = new ByteArrayContent(body.Body);
            content.Headers.TryAddWithoutValidation("Content-Type", body.Type);
            var response = _host.Client.PostAsync(url, content).GetAwaiter().GetResult();
            statuses.Add(response.StatusCode);
            var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            return (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest).Label($"{(int)response.StatusCode} for {Shown(body.Body)}: {text[..Math.Min(300, text.Length)]} {_server.Errors.FirstOrDefault()}");
        }));
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.Contains(HttpStatusCode.BadRequest, statuses);
        Assert.DoesNotContain(_server.Answers, a => a.Status >= 500);
        Assert.True(_server.Errors.IsEmpty, string.Join("\n", _server.Errors.Take(3)));
    }

    private static string Shown(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        return text.Length > 600 ? text[..600] + "…" : text;
    }

    /// <summary>A form with the file as its one part; the closing boundary may be missing, and the whole body may be cut short.</summary>
    private static (byte[], string) Multipart(byte[] file, bool closed, int cut)
    {
        var body = new List<byte>();
        body.AddRange("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\nContent-Type: text/csv\r\n\r\n"u8.ToArray());
        body.AddRange(file);
        if (closed) body.AddRange("\r\n--b0undary--\r\n"u8.ToArray());
        return (cut >= 0 && cut < body.Count ? body.Take(cut).ToArray() : body.ToArray(), "multipart/form-data; boundary=b0undary");
    }
}
