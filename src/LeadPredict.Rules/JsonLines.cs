using System.Text.Json;

namespace LeadPredict.Rules;

/// <summary>
/// The line on which each JSON object starts, by path ("icp[0]", "funnel.gates.SQL.evidence[1]"),
/// so errors found after parsing can still point at the rule that caused them.
/// </summary>
internal static class JsonLines
{
    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;
        public bool IsArray { get; } = isArray;
        public int Index { get; set; }
    }

    public static Dictionary<string, long> ObjectStarts(ReadOnlySpan<byte> json)
    {
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var stack = new Stack<Frame>();
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    var path = stack.Count == 0 ? ""
                        : stack.Peek().IsArray ? $"{stack.Peek().Path}[{stack.Peek().Index}]"
                        : stack.Peek().Path.Length == 0 ? property ?? "" : $"{stack.Peek().Path}.{property}";
                    if (reader.TokenType == JsonTokenType.StartObject)
                        lines.TryAdd(path, 1 + json[..(int)reader.TokenStartIndex].Count((byte)'\n'));
                    stack.Push(new Frame(path, reader.TokenType == JsonTokenType.StartArray));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    stack.Pop();
                    if (stack.Count > 0 && stack.Peek().IsArray) stack.Peek().Index++;
                    break;
                default:
                    if (stack.Count > 0 && stack.Peek().IsArray) stack.Peek().Index++;
                    break;
            }
        }
        return lines;
    }

    /// <summary>The line and column (1-based) where the value at <paramref name="path"/> ("funnel.learned.stalledFactor") starts; null when absent.</summary>
    public static (long Line, long Column)? ValueStart(ReadOnlySpan<byte> json, string path)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var stack = new Stack<string>();
        string? property = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName) { property = reader.GetString(); continue; }
            if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) { stack.Pop(); continue; }
            var here = stack.Count == 0 ? "" : stack.Peek().Length == 0 ? property ?? "" : $"{stack.Peek()}.{property}";
            if (string.Equals(here, path, StringComparison.OrdinalIgnoreCase))
            {
                var before = json[..(int)reader.TokenStartIndex];
                var lineStart = before.LastIndexOf((byte)'\n') + 1;
                return (1 + before.Count((byte)'\n'), 1 + System.Text.Encoding.UTF8.GetCharCount(before[lineStart..]));
            }
            // Arrays are not walked into: the settings found this way are object members.
            if (reader.TokenType == JsonTokenType.StartObject) stack.Push(here);
            else if (reader.TokenType == JsonTokenType.StartArray) { reader.Skip(); }
        }
        return null;
    }
}
