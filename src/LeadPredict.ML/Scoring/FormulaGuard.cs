using LeadPredict.Core;
using LeadPredict.Core.Csv;

namespace LeadPredict.ML.Scoring;

/// <summary>What the ranked file does to a value a spreadsheet would run as a formula when a rep opens the file.</summary>
public static class FormulaGuard
{
    /// <summary>
    /// Keeps a value from becoming a live formula when the CSV is opened in a spreadsheet (OWASP "CSV injection"):
    /// a value starting with = + - @ tab or carriage return gets a leading apostrophe, which spreadsheets show as text.
    /// Plain numbers such as -12 or +3.5 cannot be formulas and are left as they are, so the data stays readable.
    /// </summary>
    public static string Neutralize(string value)
    {
        if (value.Length == 0 || !MayStartFormula(value[0])) return value;
        if (value[0] is '+' or '-' && Values.TryParseNumber(value, out _)) return value;
        return "'" + value;
    }

    /// <summary>Whether a value starting with this character may run as a formula (see <see cref="Neutralize"/>).</summary>
    public static bool MayStartFormula(char first) => first is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>A field as written to a file people open in spreadsheets: formula-neutralized, then quoted as needed.</summary>
    public static string SafeField(string value, char separator = ',') => CsvText.Escape(Neutralize(value), separator);
}
