using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeadPredict.Core;

/// <summary>
/// A JSON file (configuration, rules) that is valid JSON but holds a value of the wrong type, or a field that does not exist,
/// said the way the person who wrote the file thinks of it: "'trainer.trees' must be a whole number, got "fifty"", not
/// "could not be converted to System.Int32". Found from the serializer's error path, the target type and the document.
/// </summary>
public sealed record JsonFieldProblem(IReadOnlyList<string> Path, string? Expected, string? Got, string? Unknown, IReadOnlyList<string> Known)
{
    /// <summary>The path as written in the file, dotted: "trainer.trees", "icp[1].min".</summary>
    public string Field => string.Concat(Path.Select((p, i) => p.StartsWith('[') || i == 0 ? p : "." + p));

    /// <summary>The problem with the field named <paramref name="field"/> (the whole path by default).</summary>
    public string Describe(string? field = null)
    {
        field ??= Field;
        return Unknown is not null
            ? $"'{field}' is not a known field{(Known.Count > 0 ? $"; use one of {string.Join(", ", Known)}" : "")}"
            : $"'{field}' must be {Expected}{(Got is null ? "" : $", got {Got}")}";
    }

    /// <summary>What is wrong, or null when the error is not about one field's type or name (then the serializer's message stands).</summary>
    public static JsonFieldProblem? From(JsonException e, ReadOnlySpan<byte> json, Type root)
    {
        var path = ParsePath(e.Path);
        if (path is null) return null;
        var unknown = UnknownMember(e.Message);
        if (unknown is not null)
        {
            // The path may or may not already end with the unknown name.
            if (path.Count > 0 && string.Equals(path[^1], unknown, StringComparison.Ordinal)) path.RemoveAt(path.Count - 1);
            var owner = TypeAt(root, path);
            path.Add(unknown);
            return new JsonFieldProblem(path, null, null, unknown, owner is null ? [] : Members(owner));
        }
        if (!e.Message.Contains("could not be converted", StringComparison.Ordinal)) return null;
        var type = TypeAt(root, path);
        if (type is null) return null;
        return new JsonFieldProblem(path, ExpectedOf(type), ValueText(json, path), null, []);
    }

    private static string? UnknownMember(string message)
    {
        const string start = "The JSON property '";
        if (!message.StartsWith(start, StringComparison.Ordinal)) return null;
        var end = message.IndexOf("' could not be mapped", start.Length, StringComparison.Ordinal);
        return end < 0 ? null : message[start.Length..end];
    }

    /// <summary>"$.icp[1].min" or "$['odd name'].x" as segments ("icp", "[1]", "min").</summary>
    private static List<string>? ParsePath(string? path)
    {
        if (path is null || !path.StartsWith('$')) return null;
        var parts = new List<string>();
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0) end = path.Length;
                parts.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0) return null;
                parts.Add(path[(i + 2)..end]);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0) return null;
                parts.Add(path[i..(end + 1)]);
                i = end + 1;
            }
            else return null;
        }
        return parts;
    }

    private static Type? TypeAt(Type root, IReadOnlyList<string> path)
    {
        Type? type = root;
        foreach (var part in path)
        {
            if (type is null) return null;
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (part.StartsWith('[')) type = ElementType(type);
            else if (DictionaryValueType(type) is { } value) type = value;
            else type = Property(type, part)?.PropertyType;
        }
        return type;
    }

    private static PropertyInfo? Property(Type type, string name) =>
        SettableProperties(type).FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null && p.GetIndexParameters().Length == 0);

    private static IReadOnlyList<string> Members(Type type) =>
        DictionaryValueType(type) is null ? SettableProperties(type).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToArray() : [];

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[^1]
        : null;

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericArguments().Length == 2 && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[1] : null;

    /// <summary>What a value of the type looks like in JSON, in words.</summary>
    private static string ExpectedOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
            return "one of " + string.Join(", ", Enum.GetNames(type).Select(n => $"\"{JsonNamingPolicy.CamelCase.ConvertName(n)}\""));
        switch (Type.GetTypeCode(type))
        {
            case TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64: return "a whole number";
            case TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64: return "a whole number of 0 or more";
            case TypeCode.Single or TypeCode.Double or TypeCode.Decimal: return "a number";
            case TypeCode.Boolean: return "true or false";
            case TypeCode.String: return "text in quotes";
        }
        if (DictionaryValueType(type) is not null) return "an object of names and values ({ \"name\": ... })";
        if (ElementType(type) is { } element)
            return element == typeof(string) ? "a list of texts in quotes ([\"a\", \"b\"])" : $"a list ([...]) of {Plural(ExpectedOf(element))}";
        return "an object ({ ... })";
    }

    private static string Plural(string expected) => expected.StartsWith("a ", StringComparison.Ordinal) ? expected[2..] + "s" : expected;

    /// <summary>The value at the path as written in the file (shortened), or null when it cannot be found.</summary>
    private static string? ValueText(ReadOnlySpan<byte> json, IReadOnlyList<string> path) => At(json, path, element => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        _ => element.GetRawText() is { Length: > 40 } text ? text[..37] + "..." : element.GetRawText(),
    });

    /// <summary>The text at the path (e.g. the name of the rule that holds the bad field), or null when it is not text.</summary>
    public static string? TextAt(ReadOnlySpan<byte> json, IReadOnlyList<string> path) =>
        At(json, path, element => element.ValueKind == JsonValueKind.String ? element.GetString() : null);

    private static string? At(ReadOnlySpan<byte> json, IReadOnlyList<string> path, Func<JsonElement, string?> read)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var element = doc.RootElement;
            foreach (var part in path)
            {
                if (part.StartsWith('['))
                {
                    if (element.ValueKind != JsonValueKind.Array || !int.TryParse(part[1..^1], out var index) || index >= element.GetArrayLength()) return null;
                    element = element[index];
                }
                else
                {
                    if (element.ValueKind != JsonValueKind.Object) return null;
                    JsonElement? found = null;
                    foreach (var p in element.EnumerateObject())
                        if (string.Equals(p.Name, part, StringComparison.OrdinalIgnoreCase)) { found = p.Value; break; }
                    if (found is not { } value) return null;
                    element = value;
                }
            }
            return read(element);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
