using System.Text.Json.Nodes;
using LeadPredict.Core.Csv;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>Test leads built from the bundled sample file (data/leads-new.csv), as JSON objects keyed by its columns.</summary>
public static class Leads
{
    private static readonly Lazy<IReadOnlyList<JsonObject>> Sample = new(() =>
    {
        using var reader = new CsvRecordReader(TestPaths.Data("leads-new.csv"));
        var fields = new List<string>();
        var result = new List<JsonObject>();
        while (reader.Read(fields))
        {
            var o = new JsonObject();
            for (var i = 0; i < reader.Header.Count; i++)
                o[reader.Header[i]] = long.TryParse(fields[i], out var n) ? JsonValue.Create(n) : fields[i].Length == 0 ? null : JsonValue.Create(fields[i]);
            result.Add(o);
        }
        return result;
    });

    public static JsonObject One(int i = 0) => (JsonObject)Sample.Value[i % Sample.Value.Count].DeepClone();

    public static JsonArray Batch(int n) => new(Enumerable.Range(0, n).Select(i =>
    {
        var o = One(i);
        o["lead_id"] = $"T-{i}";
        return (JsonNode)o;
    }).ToArray());

    public static int SampleCount => Sample.Value.Count;
}
