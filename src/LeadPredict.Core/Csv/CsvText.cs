using System.Text;

namespace LeadPredict.Core.Csv;

/// <summary>Writing CSV fields: quoted where the separator, a quote or a line break needs it.</summary>
public static class CsvText
{
    /// <summary>Quotes a field when it holds the separator, a quote or a line break (RFC 4180).</summary>
    public static string Escape(string value, char separator = ',')
    {
        if (value.AsSpan().IndexOfAny(separator, '"', '\n') < 0 && !value.Contains('\r')) return value;
        return "\"" + value.Replace("\"", "\"\"") + "\"";
    }

    public static string JoinRow(IEnumerable<string> fields, char separator = ',')
    {
        var sb = new StringBuilder();
        var first = true;
        foreach (var f in fields)
        {
            if (!first) sb.Append(separator);
            sb.Append(Escape(f, separator));
            first = false;
        }
        return sb.ToString();
    }
}
