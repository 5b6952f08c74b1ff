using System.Globalization;

namespace LeadPredict.Core;

/// <summary>How a column writes its numbers: plain (1234.5), or with thousands separators as different countries do.</summary>
public enum NumberFormat
{
    /// <summary>1234.5 (and 1e6): what every CSV tool writes by default; read on the fast path.</summary>
    Plain,
    /// <summary>1,234.5 and 871,606,000 (US, UK).</summary>
    CommaThousands,
    /// <summary>1.234,5 and 12.521.000,0 (Germany, Italy, Brazil, ...).</summary>
    DotThousands,
    /// <summary>1 234,5 (France, Scandinavia; a normal, no-break or narrow no-break space).</summary>
    SpaceThousands,
}

/// <summary>
/// The <c>numberFormat</c> setting and the rules of each format. In a grouped format the thousands separator may appear
/// only between groups of exactly three digits ("4,268", not "42,68"), and a number without separators reads as it does
/// plainly, so plain integers are read the same way whatever the format.
/// </summary>
public static class NumberFormats
{
    /// <summary>The setting's values, as written in leadpredict.json.</summary>
    public static readonly IReadOnlyList<string> Settings = ["auto", "plain", "1,234.5", "1.234,5", "1 234,5"];

    /// <summary>Reads the setting: null (absent or "auto") means detect per column; false for an unknown value.</summary>
    public static bool TryParseSetting(string? setting, out NumberFormat? format)
    {
        format = null;
        switch (setting?.Trim())
        {
            case null or "" or "auto": return true;
            case "plain": format = NumberFormat.Plain; return true;
            case "1,234.5": format = NumberFormat.CommaThousands; return true;
            case "1.234,5": format = NumberFormat.DotThousands; return true;
            case "1 234,5" or "1\u00A0234,5" or "1\u202F234,5": format = NumberFormat.SpaceThousands; return true;
            default: return false;
        }
    }

    /// <summary>The setting that selects the format ("1,234.5").</summary>
    public static string SettingOf(NumberFormat format) => Settings[(int)format + 1];

    internal static bool IsThousands(NumberFormat format, char c) => format switch
    {
        NumberFormat.CommaThousands => c == ',',
        NumberFormat.DotThousands => c == '.',
        NumberFormat.SpaceThousands => c is ' ' or '\u00A0' or '\u202F',
        _ => false,
    };

    private static char DecimalMark(NumberFormat format) => format is NumberFormat.DotThousands or NumberFormat.SpaceThousands ? ',' : '.';

    /// <summary>A number in a grouped format (not <see cref="NumberFormat.Plain"/>); see <see cref="Values.TryParseNumber(string, NumberFormat, out double)"/>.</summary>
    internal static bool TryParseGrouped(ReadOnlySpan<char> text, NumberFormat format, out double result)
    {
        result = 0;
        var mark = DecimalMark(format);
        var hasMark = false;
        var hasThousands = false;
        foreach (var c in text)
        {
            if (c == mark) hasMark = true;
            else if (IsThousands(format, c)) hasThousands = true;
            else if (c is '.' or ',') return false; // the other format's separators
        }
        // Without separators a number reads as it does plainly (integers, and 1.5 in the formats whose decimal mark is '.').
        if (!hasThousands && (!hasMark || mark == '.'))
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out result) && double.IsFinite(result);

        Span<char> plain = text.Length <= 128 ? stackalloc char[text.Length] : new char[text.Length];
        var n = 0;
        var i = 0;
        if (i < text.Length && text[i] is '-' or '+') plain[n++] = text[i++];
        // The integer part: digits, or groups of three after a first group of one to three that does not start with 0.
        var groupStart = i;
        var firstGroup = -1;
        while (i < text.Length && text[i] != mark)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c)) { plain[n++] = c; i++; continue; }
            if (!IsThousands(format, c)) return false;
            var length = i - groupStart;
            if (firstGroup < 0)
            {
                if (length is < 1 or > 3 || text[groupStart] == '0') return false;
                firstGroup = length;
            }
            else if (length != 3) return false;
            groupStart = ++i;
        }
        if (firstGroup >= 0 && i - groupStart != 3) return false;
        if (n == 0 || !char.IsAsciiDigit(plain[n - 1])) return false;
        if (i < text.Length)
        {
            // The decimal mark, then at least one digit.
            plain[n++] = '.';
            i++;
            if (i == text.Length) return false;
            for (; i < text.Length; i++)
            {
                if (!char.IsAsciiDigit(text[i])) return false;
                plain[n++] = text[i];
            }
        }
        return double.TryParse(plain[..n], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out result);
    }

    /// <summary>
    /// Works out a column's format from all its values (each value narrows the formats it can be read in), in one pass.
    /// A column whose values read as different numbers in the two families (1,234 is 1234 with comma thousands and 1.234
    /// with a decimal comma; 93.994 is 93.994 plainly and 93994 with dot thousands) is ambiguous: no format is guessed for
    /// it, though the other columns of the file may settle it (<see cref="FormatIn"/>).
    /// </summary>
    public sealed class Detector(NumberFormat? configured = null)
    {
        private const int AllFormats = 0b1111;
        private const int PointDecimal = (1 << (int)NumberFormat.Plain) | (1 << (int)NumberFormat.CommaThousands);
        private const int CommaDecimal = (1 << (int)NumberFormat.DotThousands) | (1 << (int)NumberFormat.SpaceThousands);
        private int _candidates = configured is { } f ? 1 << (int)f : AllFormats;
        private long _seen, _notNumbers;

        /// <summary>A value read differently in the two families, for the message; null when none was.</summary>
        public string? AmbiguousExample { get; private set; }

        /// <summary>The first value that is a number in no format still possible (the column is then not numeric, though the
        /// analyst may declare it so: then <see cref="ReadableFormat"/> reads the rest).</summary>
        public string? NotANumber { get; private set; }

        /// <summary>Some value had a separator (a decimal mark or thousands), so the column says which family the file uses.</summary>
        public bool SawSeparator { get; private set; }

        /// <summary>False once a value was not a number in any format still possible.</summary>
        public bool AllNumbers => NotANumber is null && _candidates != 0;

        public void Add(string value)
        {
            // A column of words (most values not numbers) is not read as numbers: stop paying for the checks.
            if (_notNumbers > 100 && _notNumbers * 2 > _seen) return;
            _seen++;
            var plain = Values.TryParseNumber(value, out _);
            var separated = value.AsSpan().IndexOfAny(Separators) >= 0;
            // Plain integers read the same in every format; a plain number with a point needs no more work once the
            // decimal-comma formats are ruled out (the comma-thousands format reads it as plainly).
            if (plain && !separated) return;
            SawSeparator |= separated;
            if (plain && (_candidates & CommaDecimal) == 0) return;
            var valid = 0;
            for (var f = 0; f < 4; f++)
                if ((_candidates & (1 << f)) != 0 && Values.TryParseNumber(value, (NumberFormat)f, out _)) valid |= 1 << f;
            if (valid == 0)
            {
                NotANumber ??= value; // not a number at all (or not in this column's format): it does not narrow the format
                _notNumbers++;
                return;
            }
            if ((valid & PointDecimal) != 0 && (valid & CommaDecimal) != 0) AmbiguousExample ??= value;
            _candidates &= valid;
        }

        private static readonly System.Buffers.SearchValues<char> Separators = System.Buffers.SearchValues.Create(".,\u00A0\u202F ");

        /// <summary>Both families still read every value, and some value reads differently in them.</summary>
        public bool Ambiguous => AmbiguousExample is not null && (_candidates & PointDecimal) != 0 && (_candidates & CommaDecimal) != 0;

        /// <summary>The format to read the column with: null when some value is not a number, or when the column is ambiguous.</summary>
        public NumberFormat? Format => AllNumbers ? ReadableFormat : null;

        /// <summary>The format that reads the values that are numbers (for a column declared numeric), or null when ambiguous.</summary>
        public NumberFormat? ReadableFormat => Ambiguous ? null : FirstOf(_candidates);

        /// <summary>The format of the given family (decimal point or decimal comma) that reads every value, if any.</summary>
        public NumberFormat? FormatIn(bool decimalPoint) => FirstOf(_candidates & (decimalPoint ? PointDecimal : CommaDecimal));

        /// <summary>Whether a format uses a decimal point (plain, 1,234.5) rather than a decimal comma.</summary>
        public static bool UsesDecimalPoint(NumberFormat format) => format is NumberFormat.Plain or NumberFormat.CommaThousands;

        private static NumberFormat? FirstOf(int candidates)
        {
            for (var f = 0; f < 4; f++)
                if ((candidates & (1 << f)) != 0) return (NumberFormat)f;
            return null;
        }
    }
}
