namespace LeadPredict.SampleData.Crm;

/// <summary>Times in the generated history are whole seconds since 1970-01-01 UTC; these turn them into <see cref="DateTime"/>s.</summary>
public static class CrmTime
{
    public static DateTime ToDateTime(long seconds) => DateTime.UnixEpoch.AddSeconds(seconds);

    /// <summary>The whole second at or after <paramref name="time"/> (read as UTC unless it says local).</summary>
    public static long CeilingSeconds(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        var ticks = (utc - DateTime.UnixEpoch).Ticks;
        return ticks / TimeSpan.TicksPerSecond + (ticks % TimeSpan.TicksPerSecond > 0 ? 1 : 0);
    }
}

/// <summary>A lead entered a stage at a time (seconds since 1970 UTC).</summary>
public readonly record struct StageEntry(CrmStage Stage, long At)
{
    public DateTime EnteredAt => CrmTime.ToDateTime(At);
}

/// <summary>One row of the activity log: a type (index into <see cref="ActivityType.AllNames"/>), when, and its value columns.</summary>
public readonly record struct CrmActivity(long At, int Type, int DurationSeconds, string? Page)
{
    public string TypeName => ActivityType.AllNames[Type];
    public DateTime Timestamp => CrmTime.ToDateTime(At);
    public bool IsModeled => Type < ActivityType.Modeled.Count;
}

/// <summary>
/// One generated lead with its complete story: firmographics as recorded (null = left empty), its hidden intent level and fit
/// class, its whole stage path and outcome (also beyond the export date, which the files do not show) and its activities up to
/// the export.
/// </summary>
public sealed record CrmLead
{
    public required int Index { get; init; }
    public required string LeadId { get; init; }
    public required long CreatedAtSeconds { get; init; }
    public DateTime CreatedAt => CrmTime.ToDateTime(CreatedAtSeconds);
    public required string Company { get; init; }
    public string? Industry { get; init; }
    public int? Employees { get; init; }
    public long? AnnualRevenue { get; init; }
    public string? Country { get; init; }
    public string? JobTitle { get; init; }
    public required string LeadSource { get; init; }
    public long? Budget { get; init; }

    public required IntentLevel Level { get; init; }
    public required int FitClass { get; init; }
    internal double SourceIntent { get; init; }

    /// <summary>Every stage entered, in time order, to the end of the lead's story (customer, or the last stage before a loss).</summary>
    public required IReadOnlyList<StageEntry> Stages { get; init; }

    /// <summary>When the lead converted (entered customer) or was lost; exactly one is set (the story always ends).</summary>
    public long? WonAt { get; init; }
    public long? LostAt { get; init; }

    /// <summary>The activity log's rows for this lead, before the export, in time order.</summary>
    public required IReadOnlyList<CrmActivity> Activities { get; init; }

    /// <summary>The stage history file lists this lead's rows out of time order (as some CRM exports do).</summary>
    public required bool StageRowsOutOfOrder { get; init; }

    /// <summary>The lead entered as an MQL: the CRM wrote "lead" and "MQL" with the same timestamp.</summary>
    public bool StartedAsMql => Stages.Count > 1 && Stages[1].At == Stages[0].At;

    public long? ClosedAt => WonAt ?? LostAt;
}
