using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LeadPredict.Core.Csv;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>The API over real HTTP on loopback: one host for the class.</summary>
public sealed class ScoringApiTests : IAsyncLifetime
{
    private RunningHost _host = null!;
    private HttpClient Client => _host.Client;

    public async Task InitializeAsync()
    {
        _host = await RunningHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["ScoringHost:MaxLeadsPerRequest"] = "2000",
            ["ScoringHost:MaxJsonBytes"] = "2000000",
        });
        await _host.WaitUntilReadyAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The rows a query of the host's prediction log returns, each as its values (null for SQL NULL).</summary>
    private List<object?[]> Predictions(string sql)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_host.Dir.File("predictions.db")}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (r.Read()) rows.Add(Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? null : r.GetValue(i)).ToArray());
        return rows;
    }

    [Fact]
    public async Task One_lead_gets_its_probability_score_grade_and_reasons()
    {
        var response = await Client.PostAsync("/api/v1/score", Json(new JsonArray(Leads.One(1)).ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var lead = doc.RootElement.GetProperty("leads").EnumerateArray().Single();
        Assert.Equal("L-900002", lead.GetProperty("id").GetString());
        Assert.Equal(1, lead.GetProperty("rank").GetInt32());
        var p = lead.GetProperty("probability").GetDouble();
        Assert.InRange(p, 0, 1);
        Assert.Equal((int)Math.Round(p * 100, MidpointRounding.AwayFromZero), lead.GetProperty("score").GetInt32());
        Assert.Contains(lead.GetProperty("grade").GetString(), new[] { "A", "B", "C", "D" });
        Assert.NotEmpty(lead.GetProperty("reasons").EnumerateArray());
        Assert.Equal(SampleModels.LoadSample().Card.Version, doc.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task A_batch_comes_back_in_the_order_sent_with_ranks_best_first_and_matches_the_csv_scores()
    {
        var batch = Leads.Batch(1000);
        var response = await Client.PostAsync("/api/v1/score", Json(batch.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var leads = doc.RootElement.GetProperty("leads").EnumerateArray().ToArray();
        Assert.Equal(1000, leads.Length);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"T-{i}"), leads.Select(l => l.GetProperty("id").GetString()));
        Assert.Equal(Enumerable.Range(1, 1000), leads.Select(l => l.GetProperty("rank").GetInt32()).Order());
        var byRank = leads.OrderBy(l => l.GetProperty("rank").GetInt32()).Select(l => l.GetProperty("probability").GetDouble()).ToArray();
        Assert.True(byRank.Zip(byRank.Skip(1)).All(x => x.First >= x.Second));
    }

    [Fact]
    public async Task A_csv_upload_returns_the_ranked_csv()
    {
        var content = new ByteArrayContent(await File.ReadAllBytesAsync(TestPaths.Data("leads-new.csv")));
        content.Headers.ContentType = new("text/csv");
        var response = await Client.PostAsync("/api/v1/score/csv", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Leads.SampleCount + 1, lines.Length);
        Assert.StartsWith("rank,lead_id,probability,score,grade,", lines[0]);
        Assert.StartsWith("1,", lines[1]);

        // The JSON endpoint agrees with the CSV on the top lead.
        var topId = lines[1].Split(',')[1];
        var topP = double.Parse(lines[1].Split(',')[2], System.Globalization.CultureInfo.InvariantCulture);
        var index = Enumerable.Range(0, Leads.SampleCount).First(i => Leads.One(i)["lead_id"]!.GetValue<string>() == topId);
        var json = await Client.PostAsync("/api/v1/score", Json(new JsonArray(Leads.One(index)).ToJsonString()));
        using var doc = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.Equal(topP, doc.RootElement.GetProperty("leads")[0].GetProperty("probability").GetDouble(), 6);
    }

    [Fact]
    public async Task A_csv_upload_as_a_form_file_works_too()
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(await File.ReadAllBytesAsync(TestPaths.Data("leads-new.csv")));
        file.Headers.ContentType = new("text/csv");
        form.Add(file, "file", "leads-new.csv");
        var response = await Client.PostAsync("/api/v1/score/csv", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Leads.SampleCount.ToString(), response.Headers.GetValues("X-Leads-Scored").Single());
    }

    [Fact]
    public async Task The_model_card_says_version_training_time_data_and_metrics()
    {
        using var doc = JsonDocument.Parse(await Client.GetStringAsync("/api/v1/model"));
        var card = doc.RootElement.GetProperty("card");
        var expected = SampleModels.LoadSample().Card;
        Assert.Equal(expected.Version, card.GetProperty("version").GetString());
        Assert.Equal(expected.TrainedAt, card.GetProperty("trainedAt").GetDateTimeOffset());
        Assert.EndsWith("leads-history.csv", card.GetProperty("dataFile").GetString());
        Assert.InRange(card.GetProperty("holdout").GetProperty("auc").GetDouble(), 0.6, 1);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_endpoints()
    {
        using var doc = JsonDocument.Parse(await Client.GetStringAsync("/openapi/v1.json"));
        var paths = doc.RootElement.GetProperty("paths");
        foreach (var p in new[] { "/api/v1/score", "/api/v1/score/csv", "/api/v1/model", "/health/ready", "/health/live" })
            Assert.True(paths.TryGetProperty(p, out _), $"{p} is not in the OpenAPI document");
    }

    [Fact]
    public async Task Every_scored_lead_is_recorded_in_the_prediction_log_with_its_fingerprint()
    {
        var before = _host.Log.Status.Written;
        await Client.PostAsync("/api/v1/score", Json(Leads.Batch(7).ToJsonString()));
        await _host.Log.FlushAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(before + 7, _host.Log.Status.Written);
        var row = Assert.Single(Predictions("SELECT lead_id, model_version, grade, input_sha256 FROM predictions WHERE lead_id = 'T-3' ORDER BY id DESC LIMIT 1"));
        Assert.Equal(SampleModels.LoadSample().Card.Version, row[1]);
        Assert.Matches("^[0-9a-f]{64}$", (string)row[3]!);
    }

    [Fact]
    public async Task Every_lead_of_a_csv_upload_is_recorded_as_ranked_with_the_fingerprint_of_its_input_record()
    {
        // The sample leads under ids of their own, so this upload's records are told apart from the other tests', and one
        // company that the ranked file neutralizes as a formula: the fingerprint is of the value sent.
        IReadOnlyList<string> header;
        var leads = new List<string[]>();
        using (var reader = new CsvRecordReader(TestPaths.Data("leads-new.csv")))
        {
            header = reader.Header;
            var fields = new List<string>();
            while (reader.Read(fields))
            {
                fields[0] = $"CSV-{leads.Count}";
                if (leads.Count == 3) fields[2] = "=HYPERLINK(\"http://x\")";
                leads.Add([.. fields]);
            }
        }
        var csv = CsvText.JoinRow(header) + "\n" + string.Join("", leads.Select(l => CsvText.JoinRow(l) + "\n"));
        var response = await Client.PostAsync("/api/v1/score/csv", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ranked = new Dictionary<string, (double P, string Grade, string Stage, string Action)>();
        using (var reader = new CsvRecordReader(new StringReader(await response.Content.ReadAsStringAsync()), "ranked"))
        {
            var at = reader.Header.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => x.i);
            var fields = new List<string>();
            while (reader.Read(fields))
                ranked[fields[1]] = (double.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture), fields[4], fields[at["suggested_stage"]], fields[at["action"]]);
        }
        await _host.Log.FlushAsync(TimeSpan.FromSeconds(10));

        var logged = Predictions("SELECT lead_id, probability, grade, suggested_stage, action, input_sha256 FROM predictions WHERE lead_id LIKE 'CSV-%'")
            .ToDictionary(r => (string)r[0]!, r => ((double)r[1]!, (string)r[2]!, r[3] as string ?? "", r[4] as string ?? "", (string)r[5]!));
        Assert.Equal(leads.Count, logged.Count);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (var lead in leads)
        {
            var (p, grade, stage, action, sha) = logged[lead[0]];
            var expected = ranked[lead[0]];
            Assert.Equal(expected.P, p, 6);
            Assert.Equal((expected.Grade, expected.Stage, expected.Action), (grade, stage, action));
            Assert.Equal(LeadPredict.Scoring.Host.LeadRequest.Fingerprint(header, lead, buffer), sha);
        }
    }

    [Fact]
    public async Task The_same_lead_has_the_same_fingerprint_whatever_the_key_order()
    {
        var a = Leads.One(4);
        var b = new JsonObject(a.Reverse().Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));
        a["lead_id"] = "FP-1";
        b["lead_id"] = "FP-1";
        await Client.PostAsync("/api/v1/score", Json(new JsonArray(a).ToJsonString()));
        await Client.PostAsync("/api/v1/score", Json(new JsonArray(b).ToJsonString()));
        await _host.Log.FlushAsync(TimeSpan.FromSeconds(10));
        Assert.Single(Predictions("SELECT DISTINCT input_sha256 FROM predictions WHERE lead_id = 'FP-1'"));
    }

    [Fact]
    public async Task Outcomes_posted_to_the_api_show_up_in_the_monitor()
    {
        await Client.PostAsync("/api/v1/score", Json(Leads.Batch(50).ToJsonString()));
        await _host.Log.FlushAsync(TimeSpan.FromSeconds(10));
        var outcomes = Enumerable.Range(0, 50).Select(i => new { leadId = $"T-{i}", converted = i % 4 == 0 }).ToArray();
        var posted = await Client.PostAsJsonAsync("/api/v1/outcomes", outcomes);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        using var doc = JsonDocument.Parse(await Client.GetStringAsync("/api/v1/monitor"));
        var model = doc.RootElement.GetProperty("models").EnumerateArray().Single();
        Assert.True(model.GetProperty("withOutcome").GetInt32() >= 50);
        Assert.NotEmpty(model.GetProperty("deciles").EnumerateArray());
        Assert.True(model.GetProperty("scoreDrift").GetProperty("psi").GetDouble() >= 0);
    }

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "malformed JSON", "[{\"lead_id\": ", "body" },
        { "not an array", "{\"lead_id\": \"L-1\"}", "body" },
        { "a lead that is not an object", "[\"L-1\"]", "leads[0]" },
        { "a nested value", "[{\"lead_id\": \"L-1\", \"employees\": [1, 2]}]", "leads[0].employees" },
        { "a wrong type", "[{\"lead_id\": \"L-1\", \"employees\": \"many\"}]", "leads[0].employees" },
        { "a boolean for a number", "[{\"lead_id\": \"L-1\", \"website_visits\": true}]", "leads[0].website_visits" },
        { "a bad yes/no", "[{\"lead_id\": \"L-1\", \"demo_requested\": \"perhaps\"}]", "leads[0].demo_requested" },
        { "a missing id", "[{\"company\": \"Acme\"}]", "leads[0].lead_id" },
        { "an empty array", "[]", "body" },
        { "an empty body", "", "body" },
        { "the wrong columns", "[{\"lead_id\": \"L-1\", \"colour\": \"blue\"}]", "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_request_gets_400_with_a_problem_naming_the_field(string what, string body, string field)
    {
        var response = await Client.PostAsync("/api/v1/score", Json(body));
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: got {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(doc.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"{what}: {doc.RootElement}");
        Assert.DoesNotContain("   at ", doc.RootElement.ToString());
    }

    [Fact]
    public async Task Too_many_leads_get_400_naming_the_limit()
    {
        var response = await Client.PostAsync("/api/v1/score", Json(Leads.Batch(2001).ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("limit of 2000", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_body_over_the_size_limit_gets_400_not_413_or_a_crash()
    {
        var big = "[" + string.Join(",", Enumerable.Repeat(new JsonArray(Leads.One()).ToJsonString()[1..^1], 6000)) + "]";
        Assert.True(Encoding.UTF8.GetByteCount(big) > 2_000_000);
        var response = await Client.PostAsync("/api/v1/score", Json(big));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("more than the limit of 2,000,000 bytes", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task A_csv_that_is_not_a_lead_list_gets_400_naming_the_problem()
    {
        var content = new StringContent("colour,size\nblue,3\n", Encoding.UTF8, "text/csv");
        var response = await Client.PostAsync("/api/v1/score/csv", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("lead_id", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Cors_is_closed_by_default()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/score");
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        var response = await Client.SendAsync(request);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task The_page_is_served_with_its_script_and_styles()
    {
        var html = await Client.GetStringAsync("/");
        Assert.Contains("<script src=\"/assets/app.js\">", html);
        Assert.Contains("textContent", await Client.GetStringAsync("/assets/app.js"));
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/assets/app.css")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/assets/nope.js")).StatusCode);
    }
}
