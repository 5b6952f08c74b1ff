using System.Text.Json;

namespace LeadPredict.Scoring.Host;

/// <summary>
/// Reads the body of POST /api/v1/outcomes strictly: an array of objects with exactly <c>leadId</c> (a non-empty string)
/// and <c>converted</c> (true or false), spelled as documented. A missing field is never taken as a default (which would
/// record "not converted" over an earlier "converted"), and an unknown or wrong-case key is named, not ignored.
/// </summary>
internal static class OutcomeRequest
{
    public const string LeadId = "leadId";
    public const string Converted = "converted";

    public static IReadOnlyList<OutcomeDto> Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 }); }
        catch (JsonException e)
        {
            throw new RequestProblem("body", $"the body is not valid JSON ({e.Message.Split(". ")[0]}); send [{{\"{LeadId}\": \"...\", \"{Converted}\": true|false}}, ...].");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new RequestProblem("body", $"expected a JSON array of outcomes, got {Kind(doc.RootElement)}: [{{\"{LeadId}\": \"...\", \"{Converted}\": true|false}}, ...].");
            var result = new List<OutcomeDto>(doc.RootElement.GetArrayLength());
            var i = 0;
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                result.Add(One(item, $"outcomes[{i}]"));
                i++;
            }
            if (result.Count == 0) throw new RequestProblem("body", "the array of outcomes is empty.");
            return result;
        }
    }

    private static OutcomeDto One(JsonElement item, string at)
    {
        if (item.ValueKind != JsonValueKind.Object)
            throw new RequestProblem(at, $"each outcome must be an object {{\"{LeadId}\": \"...\", \"{Converted}\": true|false}}, got {Kind(item)}.");
        string? id = null;
        bool? converted = null;
        foreach (var p in item.EnumerateObject())
        {
            var field = $"{at}.{p.Name}";
            if (p.NameEquals(LeadId))
            {
                if (id is not null) throw new RequestProblem(field, $"'{LeadId}' is given twice.");
                if (p.Value.ValueKind != JsonValueKind.String) throw new RequestProblem(field, $"'{LeadId}' must be a string, got {Kind(p.Value)}.");
                id = p.Value.GetString()!.Trim();
                if (id.Length == 0) throw new RequestProblem(field, $"'{LeadId}' is empty.");
            }
            else if (p.NameEquals(Converted))
            {
                if (converted is not null) throw new RequestProblem(field, $"'{Converted}' is given twice.");
                converted = p.Value.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw new RequestProblem(field, $"'{Converted}' must be true or false, got {Kind(p.Value)}."),
                };
            }
            else
            {
                var meant = string.Equals(p.Name, LeadId, StringComparison.OrdinalIgnoreCase) ? LeadId
                    : string.Equals(p.Name, Converted, StringComparison.OrdinalIgnoreCase) ? Converted : null;
                throw new RequestProblem(field, meant is not null
                    ? $"unknown field '{p.Name}': field names are case-sensitive, write '{meant}'."
                    : $"unknown field '{p.Name}': an outcome has only '{LeadId}' and '{Converted}'.");
            }
        }
        if (id is null) throw new RequestProblem($"{at}.{LeadId}", $"'{LeadId}' is required: the id the lead was scored with.");
        if (converted is null) throw new RequestProblem($"{at}.{Converted}", $"'{Converted}' is required: true if the lead converted, false if not.");
        return new OutcomeDto(id, converted.Value);
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Shorten(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Shorten(e.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
