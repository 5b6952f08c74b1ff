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
    /// <summary>For a model trained on a timeline: each lead's <c>activities</c> (timestamp, type, value) as sent; empty otherwise.</summary>
    public IReadOnlyList<IReadOnlyList<LeadPredict.Timeline.ActivityInput>> Activities { get; init; } = [];
    /// <summary>For a model trained on a timeline: each lead's <c>stages</c> (stage, enteredAt) as sent.</summary>
    public IReadOnlyList<IReadOnlyList<LeadPredict.Timeline.StageInput>> Stages { get; init; } = [];

    /// <summary>The keys of a lead that carry its history rather than a column (with a model trained on a timeline).</summary>
    public const string ActivitiesKey = "activities";
    public const string StagesKey = "stages";

    public static LeadRequest Parse(ReadOnlyMemory<byte> body, ScoringModel model, int maxLeads, int parallelThreshold = int.MaxValue)
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

            // Pass 1 (in order): every lead is an object; the header is the union of their keys in order of first use.
            var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var header = new List<string>();
            var timeline = model.Timeline is not null;
            bool History(string name) => timeline && (name.Equals(ActivitiesKey, StringComparison.OrdinalIgnoreCase) || name.Equals(StagesKey, StringComparison.OrdinalIgnoreCase));
            var leads = new JsonElement[count];
            var i = 0;
            foreach (var lead in root.EnumerateArray())
            {
                if (lead.ValueKind != JsonValueKind.Object)
                    throw new RequestProblem($"leads[{i}]", $"each lead must be a JSON object keyed by column name; leads[{i}] is {Describe(lead.ValueKind)}.");
                var j = 0;
                foreach (var p in lead.EnumerateObject())
                {
                    // Leads of one request usually share their keys and order: compare in place before allocating the name.
                    if (j < header.Count && NameEquals(p, header[j], i)) { j++; continue; }
                    j++;
                    var name = Name(p, i);
                    if (!History(name) && !columns.ContainsKey(name)) { columns[name] = header.Count; header.Add(name); }
                }
                leads[i++] = lead;
            }

            // Pass 2 (in parallel for big batches): values, types and fingerprints; the first problem by lead index is reported.
            var rows = new string[count][];
            var fingerprints = new string[count];
            var activities = new IReadOnlyList<LeadPredict.Timeline.ActivityInput>[timeline ? count : 0];
            var stages = new IReadOnlyList<LeadPredict.Timeline.StageInput>[timeline ? count : 0];
            var problems = new RequestProblem?[count];
            var idName = model.Bundle.Schema.Id;
            void Range(int from, int to)
            {
                var buffer = new ArrayBufferWriter<byte>(1024);
                using var writer = new Utf8JsonWriter(buffer, Canonical);
                var props = new List<(string Name, JsonElement Value)>(header.Count);
                for (var k = from; k < to; k++)
                {
                    try
                    {
                        var row = new string[header.Count];
                        Array.Fill(row, "");
                        props.Clear();
                        var hasId = idName is null;
                        if (timeline) { activities[k] = []; stages[k] = []; }
                        foreach (var p in leads[k].EnumerateObject())
                        {
                            var name = Name(p, k); // JsonProperty.Name allocates: read it once
                            if (History(name))
                            {
                                if (name.Equals(ActivitiesKey, StringComparison.OrdinalIgnoreCase))
                                    activities[k] = Objects(p.Value, $"leads[{k}].{ActivitiesKey}", (o, f) => new LeadPredict.Timeline.ActivityInput(Field(o, "timestamp", f), Field(o, "type", f), Field(o, "value", f)));
                                else
                                    stages[k] = Objects(p.Value, $"leads[{k}].{StagesKey}", (o, f) => new LeadPredict.Timeline.StageInput(Field(o, "stage", f), Field(o, "enteredAt", f)));
                                props.Add((name, p.Value));
                                continue;
                            }
                            var value = Scalar(name, p.Value, k, model);
                            row[columns[name]] = value;
                            props.Add((name, p.Value));
                            if (!hasId && string.Equals(name, idName, StringComparison.OrdinalIgnoreCase) && value.Trim().Length > 0) hasId = true;
                        }
                        if (!hasId) throw new RequestProblem($"leads[{k}].{idName}", $"leads[{k}] has no '{idName}'; every lead needs its id.");
                        rows[k] = row;
                        fingerprints[k] = Fingerprint(props, buffer, writer);
                    }
                    catch (RequestProblem problem) { problems[k] = problem; return; }
                }
            }
            if (count < parallelThreshold) Range(0, count);
            else Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, count, Math.Max(16, count / (Environment.ProcessorCount * 4))), r => Range(r.Item1, r.Item2));
            foreach (var problem in problems) if (problem is not null) throw problem;
            return new LeadRequest { Header = header, Rows = rows, Fingerprints = fingerprints, Activities = activities, Stages = stages };
        }
    }

    /// <summary>A lead's list of history records: an array of objects, each read by <paramref name="read"/>.</summary>
    private static T[] Objects<T>(JsonElement array, string field, Func<JsonElement, string, T> read)
    {
        if (array.ValueKind == JsonValueKind.Null) return [];
        if (array.ValueKind != JsonValueKind.Array)
            throw new RequestProblem(field, $"expected an array of objects, got {Describe(array.ValueKind)}.");
        var result = new T[array.GetArrayLength()];
        var j = 0;
        foreach (var o in array.EnumerateArray())
        {
            var at = $"{field}[{j}]";
            if (o.ValueKind != JsonValueKind.Object) throw new RequestProblem(at, $"expected an object, got {Describe(o.ValueKind)}.");
            result[j++] = read(o, at);
        }
        return result;
    }

    /// <summary>One text field of a history record (a number is taken as written); null when absent.</summary>
    private static string? Field(JsonElement o, string name, string at)
    {
        foreach (var p in o.EnumerateObject())
        {
            if (!p.NameEquals(name) && !string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) continue;
            return p.Value.ValueKind switch
            {
                JsonValueKind.String => HistoryText(p.Value, $"{at}.{name}"),
                JsonValueKind.Number => p.Value.GetRawText(),
                JsonValueKind.Null => null,
                _ => throw new RequestProblem($"{at}.{name}", $"expected a string, got {Describe(p.Value.ValueKind)}."),
            };
        }
        return null;
    }

    private static string Scalar(string name, JsonElement v, int i, ScoringModel model)
    {
        string Field() => $"leads[{i}].{name}";
        string text = v.ValueKind switch
        {
            JsonValueKind.String => Text(v, name, i),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "",
            _ => throw new RequestProblem(Field(), $"expected a string, number, boolean or null, got {Describe(v.ValueKind)}."),
        };
        if (!model.FeatureKinds.TryGetValue(name, out var kind)) return text;
        // A JSON number is a plain number; a column trained on decimal commas reads it written that way.
        if (v.ValueKind == JsonValueKind.Number && kind == ColumnKind.Numeric && model.NumberFormats[name] is NumberFormat.DotThousands or NumberFormat.SpaceThousands)
            text = v.GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture).Replace('.', ',');
        var normalized = model.Scorer.NormalizeValue(text);
        if (normalized is null) return text;
        switch (kind)
        {
            case ColumnKind.Numeric when v.ValueKind is JsonValueKind.True or JsonValueKind.False || !Values.TryParseNumber(normalized, model.NumberFormats[name], out _):
                throw new RequestProblem(Field(), $"expected a number, got {Quote(v)}.");
            case ColumnKind.Boolean when !Values.TryParseBoolean(normalized, out _):
                throw new RequestProblem(Field(), $"expected a yes/no value (true/false, yes/no, 1/0), got {Quote(v)}.");
            case ColumnKind.Date when v.ValueKind != JsonValueKind.String || !Values.TryParseDate(normalized, model.DateFormats[name], out _):
                throw new RequestProblem(Field(), $"expected a date such as \"2026-06-25\", got {Quote(v)}.");
        }
        return text;
    }

    private const string NotUnicode = "is not valid Unicode text: it has a lone surrogate (an escape from \\ud800 to \\udfff without its pair) or bytes that are not UTF-8";

    // JsonDocument accepts such strings and only fails when they are turned into .NET strings.
    private static string Text(JsonElement v, string name, int lead)
    {
        try { return v.GetString()!; }
        catch (InvalidOperationException) { throw new RequestProblem($"leads[{lead}].{name}", $"the value {NotUnicode}."); }
    }

    private static string HistoryText(JsonElement v, string field)
    {
        try { return v.GetString()!; }
        catch (InvalidOperationException) { throw new RequestProblem(field, $"the value {NotUnicode}."); }
    }

    private static string Name(JsonProperty p, int lead)
    {
        try { return p.Name; }
        catch (InvalidOperationException) { throw KeyNotUnicode(lead); }
    }

    private static bool NameEquals(JsonProperty p, string name, int lead)
    {
        try { return p.NameEquals(name); }
        catch (InvalidOperationException) { throw KeyNotUnicode(lead); }
    }

    private static RequestProblem KeyNotUnicode(int lead) => new($"leads[{lead}]", $"a key of leads[{lead}] {NotUnicode}.");

    private static readonly Comparison<(string Name, JsonElement Value)> ByName = (a, b) => string.CompareOrdinal(a.Name, b.Name);

    /// <summary>SHA-256 (hex) of the lead as canonical JSON: keys sorted by ordinal, no whitespace, values as sent.</summary>
    private static string Fingerprint(List<(string Name, JsonElement Value)> props, ArrayBufferWriter<byte> buffer, Utf8JsonWriter w)
    {
        buffer.ResetWrittenCount();
        w.Reset(buffer);
        props.Sort(ByName);
        w.WriteStartObject();
        foreach (var p in props)
        {
            w.WritePropertyName(p.Name);
            p.Value.WriteTo(w);
        }
        w.WriteEndObject();
        w.Flush();
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
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
