using DuckDB.NET.Data;
using LeadPredict.Core;

namespace LeadPredict.Timeline;

/// <summary>
/// How timestamps are read, in one place for every table and for the single-lead path: the session's time zone is the
/// configured one (UTC by default), so text without an offset is read in it and text with one (+02:00, Z) is converted;
/// ISO 8601 is always accepted, and the configured strptime format besides. Times are held as microseconds since
/// 1970-01-01 UTC (BIGINT), which makes windows plain integer arithmetic.
/// </summary>
internal static class TimeSql
{
    public const long MicrosPerDay = 86_400_000_000L;

    /// <summary>Sets the session's time zone and defines <c>lp_ts(text)</c>.</summary>
    public static void Prepare(DuckDBConnection connection, TimelineConfig config)
    {
        var zone = config.TimeZone.Trim();
        var known = connection.Scalar<long>($"SELECT count(*) FROM pg_timezone_names() WHERE name = {Sql.Literal(zone)}") > 0;
        if (!known)
            throw new LeadPredictException($"timeline.timeZone '{zone}' is not a known time zone; use an IANA name such as \"UTC\" or \"Europe/Paris\".");
        connection.Execute($"SET TimeZone = {Sql.Literal(zone)}");
        var iso = "TRY_CAST(s AS TIMESTAMPTZ)";
        var body = config.TimestampFormat is { } format
            ? $"epoch_us(COALESCE({iso}, TRY_CAST(try_strptime(s, {Sql.Literal(format)}) AS TIMESTAMPTZ)))"
            : $"epoch_us({iso})";
        connection.Execute($"CREATE OR REPLACE TEMP MACRO lp_ts(s) AS {body}");
    }

    /// <summary>Whether the configured zone is UTC, so typed timestamps without a zone need no conversion.</summary>
    public static bool IsUtc(TimelineConfig config) =>
        config.TimeZone.Trim() is var z && (z.Equals("UTC", StringComparison.OrdinalIgnoreCase) || z.Equals("Etc/UTC", StringComparison.OrdinalIgnoreCase));

    /// <summary>A SQL expression reading a text expression as a time (NULL when it does not parse).</summary>
    public static string Parse(string textExpression) => $"lp_ts({textExpression})";

    public static string Expected(TimelineConfig config) => config.TimestampFormat is { } f
        ? $"a timestamp (ISO 8601 such as 2024-03-01 09:30:00, or the format '{f}')"
        : "a timestamp (ISO 8601 such as 2024-03-01 09:30:00 or 2024-03-01T09:30:00+02:00; set timeline.timestampFormat for another format)";

    public static DateTime ToDateTime(long micros) => DateTime.UnixEpoch.AddTicks(micros * 10);

    public static long ToMicros(DateTime time) =>
        ((time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc)) - DateTime.UnixEpoch).Ticks / 10;
}
