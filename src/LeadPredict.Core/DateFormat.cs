using System.Collections.Concurrent;
using System.Globalization;

namespace LeadPredict.Core;

/// <summary>
/// The <c>dateFormat</c> setting and how a column's dates are read. ISO dates (2025-01-31, with or without a time), 2025/01/31,
/// 20250131 and dotted day-first dates (31.01.2025) mean one thing and are always read. Slashed or dashed dates
/// (01/02/2025) are day-first in most of the world and month-first in the US: a column is read one way, decided from all its
/// values (a first part above 12 means day-first, a second part above 12 month-first) or by the setting, never value by value.
/// </summary>
public static class DateFormats
{
    /// <summary>Detect per column (the default).</summary>
    public const string Auto = "auto";
    public const string DayFirst = "dd/MM/yyyy";
    public const string MonthFirst = "MM/dd/yyyy";

    private static readonly string[] Unambiguous =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd HH:mm", "yyyy/MM/dd", "yyyyMMdd",
        "dd.MM.yyyy", "d.M.yyyy", "dd.MM.yyyy HH:mm", "dd.MM.yyyy HH:mm:ss",
    ];

    private static readonly string[] DayFirstFamily =
    [
        "dd/MM/yyyy", "d/M/yyyy", "dd/MM/yyyy HH:mm", "d/M/yyyy H:mm", "dd/MM/yyyy HH:mm:ss", "dd-MM-yyyy", "d-M-yyyy",
    ];

    private static readonly string[] MonthFirstFamily =
    [
        "MM/dd/yyyy", "M/d/yyyy", "MM/dd/yyyy HH:mm", "M/d/yyyy H:mm", "M/d/yyyy h:mm tt", "MM/dd/yyyy HH:mm:ss", "MM-dd-yyyy", "M-d-yyyy",
    ];

    /// <summary>What models from before this setting read: every format, month-first before day-first.</summary>
    internal static readonly string[] Legacy =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd HH:mm", "yyyy/MM/dd", "dd.MM.yyyy", "MM/dd/yyyy", "M/d/yyyy",
        "MM/dd/yyyy HH:mm", "M/d/yyyy H:mm", "M/d/yyyy h:mm tt", "dd/MM/yyyy", "yyyyMMdd",
    ];

    private static readonly ConcurrentDictionary<string, string[]> Readers = new(StringComparer.Ordinal);

    /// <summary>
    /// The formats a column with this setting is read with: <see cref="Auto"/> reads only unambiguous dates; dd/MM/yyyy and
    /// MM/dd/yyyy (or any .NET format with d and M, tried first) add the day-first or month-first slashed and dashed forms.
    /// </summary>
    public static string[] FormatsOf(string setting) => Readers.GetOrAdd(setting, s => s switch
    {
        Auto => Unambiguous,
        DayFirst => [.. Unambiguous, .. DayFirstFamily],
        MonthFirst => [.. Unambiguous, .. MonthFirstFamily],
        _ => [s, .. Unambiguous, .. (DayBeforeMonth(s) ? DayFirstFamily : MonthFirstFamily)],
    });

    private static bool DayBeforeMonth(string format) => format.IndexOf('d') < format.IndexOf('M');

    /// <summary>Checks a setting; returns the problem in words, or null when it is usable.</summary>
    public static string? Problem(string? setting)
    {
        if (setting is null or Auto) return null;
        if (!setting.Contains('d') || !setting.Contains('M') || !setting.Contains("yy", StringComparison.Ordinal))
            return $"dateFormat '{setting}' must be \"auto\" or a date pattern with day (d), month (M) and year (yyyy), such as \"yyyy-MM-dd\", \"dd/MM/yyyy\" or \"MM/dd/yyyy\".";
        var sample = new DateTime(2025, 1, 31, 0, 0, 0, DateTimeKind.Utc);
        try
        {
            var text = sample.ToString(setting, CultureInfo.InvariantCulture);
            if (!DateTime.TryParseExact(text, setting, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var back)
                || back.Date != sample.Date)
                return $"dateFormat '{setting}' does not read back the dates it writes ('{text}'); use a pattern such as \"dd/MM/yyyy\".";
        }
        catch (FormatException)
        {
            return $"dateFormat '{setting}' is not a valid date pattern; use one such as \"yyyy-MM-dd\", \"dd/MM/yyyy\" or \"MM/dd/yyyy\".";
        }
        return null;
    }

    internal static bool TryParse(string value, string[] formats, out DateTime result) =>
        DateTime.TryParseExact(value, formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out result);

    /// <summary>
    /// Works out how a column writes its dates from all its values, in one pass: whether every value is a date in some form,
    /// and for slashed or dashed dates, whether the day or the month comes first.
    /// </summary>
    public sealed class Detector(string? configured = null)
    {
        private readonly string[] _formats = FormatsOf(configured ?? Auto);
        private readonly bool _auto = configured is null or Auto;

        private long _seen, _notDates;

        /// <summary>False once a value is not a date in any form the column may use.</summary>
        public bool AllDates => _notDates == 0;
        /// <summary>A value whose first part is above 12 (13/01/2025): the day comes first.</summary>
        public string? DayFirstExample { get; private set; }
        /// <summary>A value whose second part is above 12 (01/13/2025): the month comes first.</summary>
        public string? MonthFirstExample { get; private set; }
        /// <summary>A value that reads either way (01/02/2025).</summary>
        public string? AmbiguousExample { get; private set; }

        public void Add(string value)
        {
            // A column of words (most values not dates) is not read as dates: stop paying for the checks.
            if (_notDates > 100 && _notDates * 2 > _seen) return;
            _seen++;
            if (TryParse(value, _formats, out _)) return;
            if (!_auto || !TryDayMonth(value, out var first, out var second)) { _notDates++; return; }
            var dayFirst = first <= 31 && second <= 12 && TryParse(value, FormatsOf(DayFirst), out _);
            var monthFirst = first <= 12 && second <= 31 && TryParse(value, FormatsOf(MonthFirst), out _);
            if (dayFirst && monthFirst) AmbiguousExample ??= value;
            else if (dayFirst) DayFirstExample ??= value;
            else if (monthFirst) MonthFirstExample ??= value;
            else _notDates++;
        }

        /// <summary>The day-first and month-first forms both occur: the column mixes two conventions.</summary>
        public bool Mixed => DayFirstExample is not null && MonthFirstExample is not null;

        /// <summary>Slashed dates occur and no value settles which part is the day.</summary>
        public bool Ambiguous => _auto && AmbiguousExample is not null && DayFirstExample is null && MonthFirstExample is null;

        /// <summary>
        /// The setting to read the column with: the configured one, "auto" when it has no slashed dates, else the order its
        /// values settle (month-first when nothing settles it: see <see cref="Ambiguous"/>); null when it is not all dates or mixed.
        /// </summary>
        public string? Format => AllDates ? ReadableFormat : null;

        /// <summary>As <see cref="Format"/>, from the values seen, for a column declared to hold dates though some values are not.</summary>
        public string? ReadableFormat =>
            Mixed ? null
            : !_auto ? configured
            : DayFirstExample is not null ? DayFirst
            : MonthFirstExample is not null || AmbiguousExample is not null ? MonthFirst
            : Auto;

        /// <summary>What the analyst should know about the column's dates (two conventions, or no way to tell), or null.</summary>
        public string? Note =>
            Mixed ? $"dates like '{DayFirstExample}' are day-first and dates like '{MonthFirstExample}' month-first, so the column is not read as dates; " +
                    "make them consistent or set dateFormat."
            : Ambiguous ? $"dates like '{AmbiguousExample}' could be day-first or month-first (no value has a day above 12 to tell); they are read " +
                          $"month-first: set dateFormat to \"{DayFirst}\" or \"{MonthFirst}\" to be sure."
            : null;
    }

    /// <summary>The two leading numbers of a slashed or dashed date ("13/01/2025 10:00" gives 13 and 1).</summary>
    private static bool TryDayMonth(string value, out int first, out int second)
    {
        first = second = 0;
        var span = value.AsSpan();
        var a = span.IndexOfAny('/', '-');
        if (a is < 1 or > 2 || !int.TryParse(span[..a], NumberStyles.None, CultureInfo.InvariantCulture, out first)) return false;
        var rest = span[(a + 1)..];
        var b = rest.IndexOf(span[a]);
        return b is >= 1 and <= 2 && int.TryParse(rest[..b], NumberStyles.None, CultureInfo.InvariantCulture, out second);
    }
}
