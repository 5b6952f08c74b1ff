using System.Text.Json.Serialization;

namespace LeadPredict.Core;

/// <summary>
/// Time in a CRM export (the <c>timeline</c> section of the configuration): the activity log, when leads converted,
/// the stage history, and how point-in-time examples are made from them. The leads table is the file given to the
/// command, read as always; its <see cref="DatasetConfig.Id"/> column joins the tables and <see cref="DatasetConfig.Created"/>
/// is when each lead began. Paths are relative to the configuration file's folder.
/// Timestamps with an offset (<c>2024-03-01T09:30:00+02:00</c>, <c>...Z</c>) are converted to UTC; timestamps without one
/// (and dates) are read in <see cref="TimeZone"/>, UTC unless set.
/// </summary>
public sealed record TimelineConfig
{
    /// <summary>One row per email open, click, page view, form, meeting, call... (optional).</summary>
    public ActivityLogConfig? Activities { get; init; }

    /// <summary>A column of the leads table holding when the lead converted (empty = not converted); or use <see cref="Outcomes"/>.</summary>
    public string? ConvertedAt { get; init; }

    /// <summary>A table of outcomes (deals, closed-won records) joined on the lead id; or use <see cref="ConvertedAt"/>.</summary>
    public OutcomeTableConfig? Outcomes { get; init; }

    /// <summary>When each lead entered each funnel stage (optional; read and validated, and the stage at each time is given).</summary>
    public StageHistoryConfig? Stages { get; init; }

    /// <summary>An example's label is "converted within this many days after its time".</summary>
    public int HorizonDays { get; init; } = 90;

    /// <summary>
    /// The days for which each lead also gets P(converts within d days) (ranked file columns <c>p_30d</c>, ...), each at most
    /// <see cref="HorizonDays"/>. Default: those of 30, 60 and 90 below the horizon, then the horizon itself.
    /// </summary>
    public IReadOnlyList<int>? WithinDays { get; init; }

    /// <summary><see cref="WithinDays"/> as used: ascending, ending with the horizon.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> WithinDaysOrDefault =>
        (WithinDays ?? DefaultWithinDays.Where(d => d < HorizonDays).ToArray()).Append(HorizonDays).Distinct().Order().ToArray();

    private static readonly int[] DefaultWithinDays = [30, 60, 90];

    public SnapshotOptions Snapshots { get; init; } = new();

    /// <summary>Trailing windows, in days, over which activities are counted.</summary>
    public IReadOnlyList<int> Windows { get; init; } = [7, 30, 90];

    /// <summary>The export date ("as of"): no activity or outcome after it is known. Default: the latest timestamp across the tables.</summary>
    public string? AsOf { get; init; }

    /// <summary>The IANA time zone of timestamps written without an offset (e.g. "Europe/Paris"). Default UTC.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>
    /// A strptime format for timestamps that are not ISO 8601 (e.g. "%d/%m/%Y %H:%M"); ISO 8601 is always accepted.
    /// </summary>
    public string? TimestampFormat { get; init; }

    /// <summary>The most frequent activity types get features of their own; the others are pooled into "other activities".</summary>
    public int MaxActivityTypes { get; init; } = 12;

    /// <summary>Activity types left out of every feature (e.g. ones the leak check names as happening after conversion).</summary>
    public IReadOnlyList<string> ExcludeActivityTypes { get; init; } = [];

    /// <summary>An activity type is named as a likely leak when at least this share of its converted leads' events come at or after conversion.</summary>
    public double PostConversionShare { get; init; } = 0.5;

    [JsonIgnore]
    public int LongestWindow => Windows.Count == 0 ? 0 : Windows.Max();

    /// <summary>Checks values that do not depend on the data; the message names the setting and its value.</summary>
    public string? Validate()
    {
        if (ConvertedAt is null && Outcomes is null)
            return "timeline needs to know when leads converted: set timeline.convertedAt (a date column of the leads table) or timeline.outcomes (a table of outcomes).";
        if (ConvertedAt is not null && Outcomes is not null)
            return "timeline.convertedAt and timeline.outcomes are both set; use one source of conversion dates.";
        if (ConvertedAt is { } c && string.IsNullOrWhiteSpace(c))
            return "timeline.convertedAt is empty; name the leads table's conversion date column.";
        if (HorizonDays is < 1 or > 3650)
            return $"timeline.horizonDays must be between 1 and 3650 (was {HorizonDays}).";
        if (WithinDays is { } within)
        {
            if (within.Count is 0 or > 12)
                return $"timeline.withinDays must list 1 to 12 numbers of days (had {within.Count}).";
            foreach (var d in within)
                if (d < 1 || d > HorizonDays) return $"timeline.withinDays must be between 1 and the horizon, timeline.horizonDays = {HorizonDays} (was {d}).";
            if (within.Distinct().Count() != within.Count)
                return $"timeline.withinDays lists a number of days twice ({string.Join(", ", within)}).";
        }
        if (Windows.Count is 0 or > 8)
            return $"timeline.windows must list 1 to 8 window lengths in days (had {Windows.Count}).";
        foreach (var w in Windows)
            if (w is < 1 or > 3650) return $"timeline.windows must be between 1 and 3650 days (was {w}).";
        if (Windows.Distinct().Count() != Windows.Count)
            return $"timeline.windows lists a window twice ({string.Join(", ", Windows)}).";
        if (MaxActivityTypes is < 1 or > 200)
            return $"timeline.maxActivityTypes must be between 1 and 200 (was {MaxActivityTypes}).";
        if (PostConversionShare is <= 0 or > 1)
            return $"timeline.postConversionShare must be in (0, 1] (was {PostConversionShare}).";
        if (string.IsNullOrWhiteSpace(TimeZone))
            return "timeline.timeZone is empty; use an IANA name such as \"UTC\" or \"Europe/Paris\".";
        if (TimestampFormat is { } f && !f.Contains('%'))
            return $"timeline.timestampFormat '{f}' has no % field; use strptime codes, e.g. \"%d/%m/%Y %H:%M\".";
        if (AsOf is { } a && !Values.TryParseDate(a, out _))
            return $"timeline.asOf '{a}' is not a date; use ISO 8601, e.g. \"2024-06-30\" or \"2024-06-30T18:00:00Z\".";
        return Snapshots.Validate() ?? Activities?.Validate() ?? Outcomes?.Validate() ?? Stages?.Validate();
    }
}

/// <summary>
/// When examples are taken: the first <see cref="FirstAfterDays"/> after a lead's creation, then every
/// <see cref="EveryDays"/> while it is open, at most <see cref="MaxPerLead"/> per lead.
/// </summary>
public sealed record SnapshotOptions
{
    public int FirstAfterDays { get; init; } = 7;
    public int EveryDays { get; init; } = 30;
    public int MaxPerLead { get; init; } = 4;

    public string? Validate() =>
        FirstAfterDays is < 0 or > 3650 ? $"timeline.snapshots.firstAfterDays must be between 0 and 3650 (was {FirstAfterDays})."
        : EveryDays is < 1 or > 3650 ? $"timeline.snapshots.everyDays must be between 1 and 3650 (was {EveryDays})."
        : MaxPerLead is < 1 or > 100 ? $"timeline.snapshots.maxPerLead must be between 1 and 100 (was {MaxPerLead})."
        : null;
}

/// <summary>The activity log: a CSV or Parquet file, a folder or glob of Parquet files, or a PostgreSQL table (<c>postgres:TABLE</c>) or query (<c>postgres:SELECT ...</c>); columns not named are inferred from the header.</summary>
public sealed record ActivityLogConfig
{
    public string Path { get; init; } = "";
    /// <summary>The lead id column; default: the leads table's id column name, or a name like lead_id, contact_id.</summary>
    public string? LeadId { get; init; }
    /// <summary>The timestamp column; default: a name like timestamp, occurred_at, date.</summary>
    public string? Timestamp { get; init; }
    /// <summary>The activity type column; default: a name like type, activity_type, event.</summary>
    public string? Type { get; init; }
    /// <summary>An optional numeric value per activity (duration, amount); summed per type over the longest window.</summary>
    public string? Value { get; init; }
    /// <summary>CSV field separator; detected from the header when absent.</summary>
    public string? Separator { get; init; }

    public string? Validate() =>
        string.IsNullOrWhiteSpace(Path) ? "timeline.activities.path is required: the activity log (a CSV or Parquet file, a folder or glob of Parquet files, or postgres:TABLE)."
        : TableSeparator.Problem(Separator, "timeline.activities.separator");
}

/// <summary>An outcomes table (deals, closed-won records): lead id, date, and optionally a result column.</summary>
public sealed record OutcomeTableConfig
{
    public string Path { get; init; } = "";
    public string? LeadId { get; init; }
    /// <summary>When the outcome happened (the won date).</summary>
    public string Date { get; init; } = "";
    /// <summary>The result column (won/lost, a stage); without it every row is a conversion.</summary>
    public string? Result { get; init; }
    /// <summary>The values of <see cref="Result"/> meaning won (compared ignoring case); other values close the lead as lost.</summary>
    public IReadOnlyList<string> WonValues { get; init; } = ["won", "closed won", "closed-won", "closedwon", "yes", "true", "1", "converted"];
    public string? Separator { get; init; }

    public string? Validate() =>
        string.IsNullOrWhiteSpace(Path) ? "timeline.outcomes.path is required: the outcomes table (a CSV or Parquet file, a folder or glob of Parquet files, or postgres:TABLE)."
        : string.IsNullOrWhiteSpace(Date) ? "timeline.outcomes.date is required: the column saying when the outcome happened."
        : Result is not null && WonValues.Count == 0 ? "timeline.outcomes.wonValues is empty; list the result values meaning won."
        : TableSeparator.Problem(Separator, "timeline.outcomes.separator");
}

/// <summary>The stage history: one row per stage a lead entered, with when.</summary>
public sealed record StageHistoryConfig
{
    public string Path { get; init; } = "";
    public string? LeadId { get; init; }
    public string Stage { get; init; } = "";
    public string EnteredAt { get; init; } = "";
    public string? Separator { get; init; }

    public string? Validate() =>
        string.IsNullOrWhiteSpace(Path) ? "timeline.stages.path is required: the stage history (a CSV or Parquet file, a folder or glob of Parquet files, or postgres:TABLE)."
        : string.IsNullOrWhiteSpace(Stage) ? "timeline.stages.stage is required: the stage column."
        : string.IsNullOrWhiteSpace(EnteredAt) ? "timeline.stages.enteredAt is required: the column saying when the stage was entered."
        : TableSeparator.Problem(Separator, "timeline.stages.separator");
}

/// <summary>The separator setting of one table, read as the leads table's is.</summary>
public static class TableSeparator
{
    public static char? Parse(string? separator) => separator switch
    {
        null or "" => null,
        "\\t" or "tab" or "\t" => '\t',
        "," or ";" or "|" => separator[0],
        _ => null,
    };

    public static string? Problem(string? separator, string setting) =>
        separator is null or "" or "\\t" or "tab" or "\t" or "," or ";" or "|" ? null
        : $"{setting} '{separator}' is not supported; use one of \",\", \";\", \"tab\" or \"|\".";
}
