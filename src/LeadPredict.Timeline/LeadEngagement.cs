using System.Globalization;
using LeadPredict.Core;

namespace LeadPredict.Timeline;

/// <summary>
/// The engagement features of one lead and its few activities computed in C#, for the API: the same numbers as the batch
/// SQL (<see cref="EngagementSql"/>), bit for bit, which a test checks against the in-memory DuckDB path on many generated
/// leads. It reads only what it can read exactly as DuckDB does: ISO 8601 timestamps (date, minutes, seconds, up to six
/// decimals of a second, an optional Z or ±HH[:MM] offset) in a UTC session or with an offset, plain decimal values, ASCII
/// activity types. Anything else (another time zone without an offset, a configured timestamp format, a text that does not
/// parse, two stages entered at the same time) returns false, and the caller takes the DuckDB path, which also words the errors.
/// </summary>
internal static class LeadEngagement
{
    private const long Day = TimeSql.MicrosPerDay;
    private const string NoType = "(none)";

    private readonly record struct Event(long Ts, int Code, double Value, bool HasValue);

    public static bool TryCompute(EngagementSchema schema, TimelineConfig config, MissingTokens missing, IReadOnlySet<string> excluded,
        string? created, IReadOnlyList<ActivityInput> activities, DateTime asOf, IReadOnlyList<StageInput>? stages,
        out float[] features, out string? stageAt)
    {
        features = [];
        stageAt = null;
        if (config.TimestampFormat is not null) return false;
        var utc = TimeSql.IsUtc(config);
        var t = TimeSql.ToMicros(asOf);
        var width = schema.Features.Count;
        var row = new float[width];
        for (var f = 0; f < width; f++)
            row[f] = schema.Features[f].Kind is EngagementKind.Count or EngagementKind.ActiveDays or EngagementKind.ValueSum ? 0f : float.NaN;

        if (created is not null && missing.Normalize(created) is { } createdText)
        {
            if (!TryParseTime(createdText, utc, out var c)) return false;
            row[0] = (float)((t - c) / (double)Day);
        }

        if (schema.HasStages && stages is { Count: > 0 })
        {
            long best = long.MinValue;
            string? bestStage = null;
            var tie = false;
            foreach (var s in stages)
            {
                var stage = Text(s.Stage, missing, out var stageOk);
                var entered = Text(s.EnteredAt, missing, out var enteredOk);
                if (!stageOk || !enteredOk || stage is null || entered is null || !TryParseTime(entered, utc, out var e)) return false;
                if (e >= t) continue;
                if (e == best) tie = true;
                else if (e > best) (best, bestStage, tie) = (e, stage, false);
            }
            if (tie) return false; // which of two stages entered at once comes first is DuckDB's choice
            if (bestStage is not null)
            {
                stageAt = bestStage;
                row[1] = (float)((t - best) / (double)Day);
            }
        }

        if (schema.HasActivities && activities.Count > 0)
        {
            var codes = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var k = 0; k < schema.ActivityTypes.Count; k++) codes.TryAdd(schema.ActivityTypes[k], k + 1);
            var other = schema.PoolOthers ? schema.ActivityTypes.Count + 1 : 0;
            var events = new List<Event>(activities.Count);
            foreach (var a in activities)
            {
                var tsText = Text(a.Timestamp, missing, out var ok);
                if (!ok) return false;
                if (tsText is null) continue; // no time: not an event, as in the batch
                if (!TryParseTime(tsText, utc, out var ts)) return false;
                var type = Text(a.Type, missing, out ok) ?? NoType;
                if (!ok) return false;
                double value = 0;
                var hasValue = false;
                if (schema.ValueColumn is not null)
                {
                    var valueText = Text(a.Value, missing, out ok);
                    if (!ok) return false;
                    if (valueText is not null)
                    {
                        if (!TryParseValue(valueText, out value)) return false;
                        hasValue = true;
                    }
                }
                if (excluded.Contains(type.ToLowerInvariant())) continue;
                var code = codes.TryGetValue(type, out var kept) ? kept : other;
                if (code == 0 || ts >= t) continue;
                events.Add(new Event(ts, code, value, hasValue));
            }
            if (events.Count > 0)
            {
                // Sorted by time then value, as the batch's ordered sum reads them (missing values last).
                events.Sort((x, y) => x.Ts != y.Ts ? x.Ts.CompareTo(y.Ts)
                    : x.HasValue != y.HasValue ? (x.HasValue ? -1 : 1)
                    : x.Value.CompareTo(y.Value));
                var groups = schema.Groups.Count;
                for (var g = 0; g < groups; g++) Aggregate(schema, events, g, t, row);
            }
        }
        features = row;
        return true;
    }

    /// <summary>One group's features (0 = any kept or pooled activity, else its code), as the batch SQL's GROUPING SETS give them.</summary>
    private static void Aggregate(EngagementSchema schema, List<Event> events, int group, long t, float[] row)
    {
        var windows = schema.Windows.OrderBy(w => w).ToArray();
        var longest = windows[^1];
        var shortest = windows[0];
        var counts = new long[windows.Length];
        long min = long.MaxValue, max = long.MinValue;
        var any = false;
        var start = t - longest * Day;
        var days = new HashSet<long>();
        double sum = 0, err = 0;
        var summed = false;
        foreach (var e in events)
        {
            if (group != 0 && e.Code != group) continue;
            any = true;
            if (e.Ts < min) min = e.Ts;
            if (e.Ts > max) max = e.Ts;
            for (var k = 0; k < windows.Length; k++)
                if (e.Ts >= t - windows[k] * Day) counts[k]++;
            if (e.Ts >= start)
            {
                days.Add((long)Math.Floor(e.Ts / (double)Day));
                if (e.HasValue)
                {
                    // DuckDB's fsum: Kahan's compensated sum, in the order of the events.
                    var diff = e.Value - err;
                    var next = sum + diff;
                    err = next - sum - diff;
                    sum = next;
                    summed = true;
                }
            }
        }
        if (!any) return;
        var at = schema.GroupOffset(group);
        var w = windows.Length;
        for (var k = 0; k < w; k++) row[at + k] = counts[k];
        row[at + w] = (float)((t - min) / (double)Day);
        row[at + w + 1] = (float)((t - max) / (double)Day);
        row[at + w + 2] = days.Count;
        var inShortest = counts[0];
        var inLongest = counts[^1];
        row[at + w + 3] = inLongest == 0 ? float.NaN : (float)(inShortest / (double)shortest / (inLongest / (double)longest));
        if (schema.ValueColumn is not null) row[at + w + 4] = summed ? (float)sum : 0f;
    }

    /// <summary>The SQL's text of a field: trimmed of spaces, null when empty or a missing token; not ok when it is not plain ASCII.</summary>
    private static string? Text(string? raw, MissingTokens missing, out bool ok)
    {
        ok = true;
        if (raw is null) return null;
        foreach (var ch in raw)
            if (ch > 126 || (ch < 32 && ch != ' ')) { ok = false; return null; }
        var trimmed = raw.Trim(' ');
        return trimmed.Length == 0 ? null : missing.Normalize(trimmed);
    }

    /// <summary>A plain decimal number (optional sign, digits, a point, an exponent), as DuckDB's cast to DOUBLE reads it.</summary>
    private static bool TryParseValue(string text, out double value)
    {
        value = 0;
        var i = 0;
        if (i < text.Length && text[i] is '-' or '+') i++;
        var digits = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; digits++; }
        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; digits++; }
        }
        if (digits == 0) return false;
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '-' or '+') i++;
            var exponent = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; exponent++; }
            if (exponent == 0) return false;
        }
        return i == text.Length && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    /// <summary>
    /// An ISO 8601 time as microseconds since 1970 UTC: yyyy-MM-dd, then optionally a space or T and HH:mm[:ss[.ffffff]], then
    /// optionally Z or ±HH[:MM]. Without an offset it is read in the session's zone, so only a UTC session reads it here.
    /// </summary>
    internal static bool TryParseTime(string s, bool utc, out long micros)
    {
        micros = 0;
        var i = 0;
        if (!Digits(s, ref i, 4, out var year) || !Expect(s, ref i, '-') || !Digits(s, ref i, 2, out var month) || !Expect(s, ref i, '-') || !Digits(s, ref i, 2, out var day))
            return false;
        int hour = 0, minute = 0, second = 0;
        long fraction = 0;
        if (i < s.Length && s[i] is ' ' or 'T')
        {
            i++;
            if (!Digits(s, ref i, 2, out hour) || !Expect(s, ref i, ':') || !Digits(s, ref i, 2, out minute)) return false;
            if (i < s.Length && s[i] == ':')
            {
                i++;
                if (!Digits(s, ref i, 2, out second)) return false;
                if (i < s.Length && s[i] == '.')
                {
                    i++;
                    var n = 0;
                    while (i < s.Length && char.IsAsciiDigit(s[i]))
                    {
                        if (++n > 6) return false;
                        fraction = fraction * 10 + (s[i++] - '0');
                    }
                    if (n == 0) return false;
                    for (; n < 6; n++) fraction *= 10;
                }
            }
        }
        long offsetMinutes = 0;
        var hasOffset = false;
        if (i < s.Length && s[i] == 'Z')
        {
            i++;
            hasOffset = true;
        }
        else if (i < s.Length && s[i] is '+' or '-')
        {
            var sign = s[i++] == '-' ? -1 : 1;
            if (!Digits(s, ref i, 2, out var oh)) return false;
            var om = 0;
            if (i < s.Length && s[i] == ':')
            {
                i++;
                if (!Digits(s, ref i, 2, out om)) return false;
            }
            if (oh > 15 || om > 59) return false;
            offsetMinutes = sign * (oh * 60 + om);
            hasOffset = true;
        }
        if (i != s.Length || (!hasOffset && !utc)) return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        var date = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        micros = (date - DateTime.UnixEpoch).Ticks / 10 + fraction - offsetMinutes * 60_000_000L;
        return true;
    }

    private static bool Digits(string s, ref int i, int count, out int value)
    {
        value = 0;
        if (i + count > s.Length) return false;
        for (var k = 0; k < count; k++)
        {
            var c = s[i + k];
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        i += count;
        return true;
    }

    private static bool Expect(string s, ref int i, char c)
    {
        if (i >= s.Length || s[i] != c) return false;
        i++;
        return true;
    }
}
