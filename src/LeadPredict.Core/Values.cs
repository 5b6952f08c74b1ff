using System.Globalization;

namespace LeadPredict.Core;

/// <summary>Parsing of cell values the way CRM exports write them.</summary>
public static class Values
{
    private static readonly string[] TrueTokens = ["yes", "y", "true", "t", "1", "1.0"];
    private static readonly string[] FalseTokens = ["no", "n", "false", "f", "0", "0.0"];

    public static bool TryParseBoolean(string value, out bool result)
    {
        foreach (var t in TrueTokens)
            if (value.Equals(t, StringComparison.OrdinalIgnoreCase)) { result = true; return true; }
        foreach (var f in FalseTokens)
            if (value.Equals(f, StringComparison.OrdinalIgnoreCase)) { result = false; return true; }
        result = false;
        return false;
    }

    public static bool TryParseNumber(string value, out double result) =>
        TryParseInteger(value, out result)
        || (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out result) && double.IsFinite(result));

    /// <summary>
    /// A number written in <paramref name="format"/>: "4,268" and "871,606,000" in <see cref="NumberFormat.CommaThousands"/>,
    /// "12.521.000,0" in <see cref="NumberFormat.DotThousands"/>. Plain integers take the same fast path in every format.
    /// </summary>
    public static bool TryParseNumber(string value, NumberFormat format, out double result) =>
        format == NumberFormat.Plain ? TryParseNumber(value, out result)
        : TryParseInteger(value, out result) || NumberFormats.TryParseGrouped(value, format, out result);

    /// <summary>
    /// A probability (0 to 1) in units of 1/<paramref name="scale"/> (100 for "0.00", 1e6 for "0.000000"), rounded as the
    /// invariant fixed-decimal format rounds it; false for a value outside 0..1 or within 1e-6 of a rounding midpoint, whose
    /// rounding is the formatter's own, so the caller formats those. Texts of probabilities are written for every lead.
    /// </summary>
    public static bool TryRoundProbability(double p, double scale, out int units)
    {
        units = 0;
        if (p is not (>= 0 and <= 1) || double.IsNegative(p)) return false;
        var scaled = p * scale;
        var floor = Math.Floor(scaled);
        var fraction = scaled - floor;
        if (Math.Abs(fraction - 0.5) <= 1e-6) return false;
        units = (int)floor + (fraction > 0.5 ? 1 : 0);
        return true;
    }

    /// <summary>
    /// Most numbers in a CRM export are plain integers (employees, visits, budgets): read up to 15 digits directly, which
    /// gives exactly what double.TryParse gives (every such integer is exact in a double) at a fraction of the cost.
    /// </summary>
    private static bool TryParseInteger(ReadOnlySpan<char> text, out double result)
    {
        result = 0;
        var negative = text.Length > 0 && text[0] == '-';
        var digits = text.Length > 0 && text[0] is '-' or '+' ? text[1..] : text;
        if (digits.Length is < 1 or > 15) return false;
        long value = 0;
        foreach (var c in digits)
        {
            var d = c - '0';
            if ((uint)d > 9) return false;
            value = value * 10 + d;
        }
        result = negative ? -(double)value : value;
        return true;
    }

    /// <summary>A date in any form LeadPredict knows, slashed dates month-first before day-first (what models without a date format read).</summary>
    public static bool TryParseDate(string value, out DateTime result) => Core.DateFormats.TryParse(value, Core.DateFormats.Legacy, out result);

    /// <summary>A date as a column with this <see cref="Core.DateFormats"/> setting reads it; null reads as <see cref="TryParseDate(string, out DateTime)"/>.</summary>
    public static bool TryParseDate(string value, string? dateFormat, out DateTime result) =>
        dateFormat is null ? TryParseDate(value, out result) : Core.DateFormats.TryParse(value, Core.DateFormats.FormatsOf(dateFormat), out result);
}
