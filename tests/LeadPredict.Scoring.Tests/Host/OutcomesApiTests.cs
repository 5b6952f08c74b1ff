using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>POST /api/v1/outcomes takes exactly what it documents: a missing, unknown or wrong-case field is a 400 naming it.</summary>
public sealed class OutcomesApiTests : IAsyncLifetime
{
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await RunningHost.StartAsync();
        await _host.WaitUntilReadyAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    private Task<HttpResponseMessage> Post(string json) =>
        _host.Client.PostAsync("/api/v1/outcomes", new StringContent(json, Encoding.UTF8, "application/json"));

    private long? Stored(string leadId)
    {
        using var c = new SqliteConnection($"Data Source={_host.Dir.File("predictions.db")};Mode=ReadOnly;Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT converted FROM outcomes WHERE lead_id = $id";
        cmd.Parameters.AddWithValue("$id", leadId);
        return cmd.ExecuteScalar() as long?;
    }

    private static async Task<JsonElement> Errors(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("errors").Clone();
    }

    [Fact]
    public async Task An_outcome_without_converted_gets_400_naming_the_field_and_an_earlier_true_stays()
    {
        Assert.Equal(HttpStatusCode.OK, (await Post("""[{"leadId": "O-1", "converted": true}]""")).StatusCode);
        Assert.Equal(1L, Stored("O-1"));

        var errors = await Errors(await Post("""[{"leadId": "O-1"}]"""));
        Assert.True(errors.TryGetProperty("outcomes[0].converted", out var message), errors.ToString());
        Assert.Contains("required", message[0].GetString());
        Assert.Equal(1L, Stored("O-1"));
    }

    public static TheoryData<string, string, string> BadOutcomes => new()
    {
        { """[{"LeadId": "O-2", "converted": true}]""", "outcomes[0].LeadId", "leadId" },
        { """[{"leadId": "O-2", "Converted": false}]""", "outcomes[0].Converted", "converted" },
        { """[{"leadId": "O-2", "converted": true, "stage": "won"}]""", "outcomes[0].stage", "unknown" },
        { """[{"leadId": "O-2", "converted": "yes"}]""", "outcomes[0].converted", "true or false" },
        { """[{"leadId": "O-2", "converted": null}]""", "outcomes[0].converted", "true or false" },
        { """[{"leadId": 12, "converted": true}]""", "outcomes[0].leadId", "string" },
        { """[{"leadId": "O-2", "converted": true}, {"converted": true}]""", "outcomes[1].leadId", "required" },
        { """[{"leadId": "O-2", "converted": true, "converted": false}]""", "outcomes[0].converted", "twice" },
        { """[{"leadId": "O-2", "converted": true}, 5]""", "outcomes[1]", "object" },
        { """{"leadId": "O-2", "converted": true}""", "body", "array" },
    };

    [Theory]
    [MemberData(nameof(BadOutcomes))]
    public async Task A_bad_outcome_gets_400_naming_the_field_and_nothing_is_stored(string body, string field, string says)
    {
        var errors = await Errors(await Post(body));
        Assert.True(errors.TryGetProperty(field, out var message), $"{body}: {errors}");
        Assert.Contains(says, message[0].GetString());
        Assert.Null(Stored("O-2"));
    }
}
