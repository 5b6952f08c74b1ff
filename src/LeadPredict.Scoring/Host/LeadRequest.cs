using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using LeadPredict.Core;

namespace LeadPredict.Scoring.Host;

/// <summary>A request's problem, located: the field ("leads[3].employees", "body") and what is wrong with it.</summary>
public sealed class RequestProblem(string field, string detail) : Exception(detail)
{
    public string Field { get; } = field;
}

/// <summary>
/// The leads of one JSON request as rows of strings under one header (the union of the leads' keys, in order of first use),
/// validated against the model's columns, with each lead's fingerprint (SHA-256 of its canonical JSON).
/// </summary>
public sealed class LeadRequest
{
    private static readonly JsonWriterOptions Canonical = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public required IReadOnlyList<string> Header { get; init; }
    public required IReadOnlyList<string[]> Rows { get; init; }
    public required IReadOnlyList<string> Fingerprints { get; init; }

    public static LeadRequest Parse(ReadOnlyMemory<byte> body, ScoringModel model, int maxLeads)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new RequestProblem("body", $"the body is not valid JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}): {FirstSentence(e.Message)}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
                throw new RequestProblem("body", $"expected a JSON array of leads (objects keyed by column name), got {Describe(root.ValueKind)}; send one lead as [{{...}}].");
            var count = root.GetArrayLength();
            if (count == 0) throw new RequestProblem("body", "the array of leads is empty; send at least one lead.");
            if (count > maxLeads)
                throw new RequestProblem("body", $"{count} leads is more than the limit of {maxLeads} per request; split the batch or upload a CSV to /api/v1/score/csv.");

            var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var header = new List<string>();
            var kinds = model.Scorer.FeatureColumns.ToDictionary(c => c.Name, c => c.Kind, StringComparer.OrdinalIgnoreCase);
            var idName = model.Bundle.Schema.Id;
            var rows = new List<string[]>(count);
            var cells = new List<(int Column, string Value)>();
            var fingerprints = new string[count];
            var buffer = new ArrayBufferWriter<byte>(512);
            var i = 0;
            foreach (var lead in root.EnumerateArray())
            {
                if (lead.ValueKind != JsonValueKind.Object)
                    throw new RequestProblem($"leads[{i}]", $"each lead must be a JSON object keyed by column name; leads[{i}] is {Describe(lead.ValueKind)}.");
                cells.Clear();
                var hasId = idName is null;
                foreach (var p in lead.EnumerateObject())
                {
                    var value = Scalar(p, i, kinds, model);
                    if (!columns.TryGetValue(p.Name, out var c))
                    {
                        c = header.Count;
                        columns[p.Name] = c;
                        header.Add(p.Name);
                    }
                    cells.Add((c, value));
                    if (!hasId && string.Equals(p.Name, idName, StringComparison.OrdinalIgnoreCase) && value.Trim().Length > 0) hasId = true;
                }
                if (!hasId) throw new RequestProblem($"leads[{i}].{idName}", $"leads[{i}] has no '{idName}'; every lead needs its id.");
                var row = new string[header.Count];
                foreach (var (c, v) in cells) row[c] = v;
                rows.Add(row);
                fingerprints[i] = Fingerprint(lead, buffer);
                i++;
            }
            // Rows read before a column first appeared are shorter; pad them with empty (missing) values.
            for (var r = 0; r < rows.Count; r++)
            {
                if (rows[r].Length < header.Count) { var padded = new string[header.Count]; rows[r].CopyTo(padded, 0); rows[r] = padded; }
                for (var c = 0; c < header.Count; c++) rows[r][c] ??= "";
            }
            return new LeadRequest { Header = header, Rows = rows, Fingerprints = fingerprints };
        }
    }

    private static string Scalar(JsonProperty p, int i, Dictionary<string, ColumnKind> kinds, ScoringModel model)
    {
        var v = p.Value;
        var field = $"leads[{i}].{p.Name}";
        string text = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "",
            _ => throw new RequestProblem(field, $"expected a string, number, boolean or null, got {Describe(v.ValueKind)}."),
        };
        if (!kinds.TryGetValue(p.Name, out var kind)) return text;
        var normalized = model.Scorer.NormalizeValue(text);
        if (normalized is null) return text;
        switch (kind)
        {
            case ColumnKind.Numeric when v.ValueKind is JsonValueKind.True or JsonValueKind.False || !Values.TryParseNumber(normalized, out _):
                throw new RequestProblem(field, $"expected a number, got {Quote(v)}.");
            case ColumnKind.Boolean when !Values.TryParseBoolean(normalized, out _):
                throw new RequestProblem(field, $"expected a yes/no value (true/false, yes/no, 1/0), got {Quote(v)}.");
            case ColumnKind.Date when v.ValueKind != JsonValueKind.String || !Values.TryParseDate(normalized, out _):
                throw new RequestProblem(field, $"expected a date such as \"2026-06-25\", got {Quote(v)}.");
        }
        return text;
    }

    /// <summary>SHA-256 (hex) of the lead as canonical JSON: keys sorted by ordinal, no whitespace, values as sent.</summary>
    private static string Fingerprint(JsonElement lead, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(buffer, Canonical))
        {
            w.WriteStartObject();
            foreach (var p in lead.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                w.WritePropertyName(p.Name);
                p.Value.WriteTo(w);
            }
            w.WriteEndObject();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>The same fingerprint for a CSV record (every value a string).</summary>
    public static string Fingerprint(IReadOnlyList<string> header, IReadOnlyList<string> fields, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(buffer, Canonical))
        {
            w.WriteStartObject();
            foreach (var c in Enumerable.Range(0, header.Count).OrderBy(c => header[c], StringComparer.Ordinal))
                w.WriteString(header[c], c < fields.Count ? fields[c] : "");
            w.WriteEndObject();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static string Quote(JsonElement v)
    {
        var raw = v.GetRawText();
        return raw.Length > 60 ? raw[..57] + "..." : raw;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };

    private static string FirstSentence(string message)
    {
        foreach (var marker in (string[])[" Path:", " LineNumber:"])
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0) message = message[..cut];
        }
        return message.Trim();
    }

    internal static string Invariant(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
