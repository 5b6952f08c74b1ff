using System.Text;

namespace LeadPredict.Core.Csv;

/// <summary>Writing CSV fields safely.</summary>
public static class CsvText
{
    /// <summary>Quotes a field when it holds the separator, a quote or a line break (RFC 4180).</summary>
    public static string Escape(string value, char separator = ',')
    {
        if (value.AsSpan().IndexOfAny(separator, '"', '\n') < 0 && !value.Contains('\r')) return value;
        return "\"" + value.Replace("\"", "\"\"") + "\"";
    }

    /// <summary>
    /// Keeps a value from becoming a live formula when the CSV is opened in a spreadsheet (OWASP "CSV injection"):
    /// a value starting with = + - @ tab or carriage return gets a leading apostrophe, which spreadsheets show as text.
    /// Plain numbers such as -12 or +3.5 cannot be formulas and are left as they are, so the data stays readable.
    /// </summary>
    public static string NeutralizeFormula(string value)
    {
        if (value.Length == 0 || !MayStartFormula(value[0])) return value;
        if (value[0] is '+' or '-' && Values.TryParseNumber(value, out _)) return value;
        return "'" + value;
    }

    /// <summary>Whether a value starting with this character may run as a formula (see <see cref="NeutralizeFormula"/>).</summary>
    public static bool MayStartFormula(char first) => first is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>A field as written to a file people open in spreadsheets: formula-neutralized, then quoted as needed.</summary>
    public static string SafeField(string value, char separator = ',') => Escape(NeutralizeFormula(value), separator);

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
