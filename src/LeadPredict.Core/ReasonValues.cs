using System.Globalization;

namespace LeadPredict.Core;

/// <summary>
/// The one rule for how a lead's value is quoted in a reason ("Days since first demo request = 54.1"), shared by the ranked
/// file, the console, the API and the page; the scoring uses the value itself. Values of columns that are not numeric, whole
/// numbers, numbers of at most four characters and text that does not read as a number are quoted as written. Other numbers
/// are rounded: from 1,000 up to a whole number, from 10 up to one decimal, below 10 to at most four significant digits and
/// four decimals; trailing zeros are dropped, and the decimal mark is the column's (a comma in 1.234,5 and 1 234,5 files).
/// </summary>
public static class ReasonValues
{
    /// <summary>A value as a reason quotes it (see the type's rule).</summary>
    public static string Display(string text, ColumnKind kind, NumberFormat format)
    {
        if (kind != ColumnKind.Numeric || text.Length <= 4) return text;
        if (!Values.TryParseNumber(text, format, out var x) || x == Math.Floor(x)) return text;
        var shown = Number(x);
        return format is NumberFormat.DotThousands or NumberFormat.SpaceThousands ? shown.Replace('.', ',') : shown;
    }

    /// <summary>A number rounded by the rule, written with a decimal point.</summary>
    public static string Number(double x)
    {
        if (!double.IsFinite(x)) return x.ToString(CultureInfo.InvariantCulture);
        var a = Math.Abs(x);
        var decimals = a >= 1000 ? 0 : a >= 10 ? 1 : a == 0 ? 0 : Math.Clamp(3 - (int)Math.Floor(Math.Log10(a)), 0, 4);
        var rounded = Math.Round(x, decimals, MidpointRounding.AwayFromZero);
        if (rounded == 0) return "0";
        return rounded.ToString(decimals == 0 ? "0" : "0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }
}
