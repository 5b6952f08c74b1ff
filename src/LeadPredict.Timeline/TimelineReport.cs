namespace LeadPredict.Timeline;

/// <summary>A join or data problem that was not fatal: what happened, how many rows, an example, and what was done.</summary>
public sealed record TimelineWarning(string File, string Problem, long Count, string? Example)
{
    public override string ToString() =>
        $"{File}: {Count:N0} {Problem}{(Example is null ? "" : $" (e.g. {Example})")}.";
}

/// <summary>
/// An activity type with its events among leads that converted, and the share of those at or after conversion: types that
/// occur mostly after conversion (onboarding, invoice, renewal) would leak the outcome if counted over all time.
/// </summary>
public sealed record ActivityTypeStats(string Type, long Events, long Leads, long EventsOfConvertedLeads, long EventsAfterConversion, bool LikelyLeak, bool Excluded)
{
    /// <summary>Share of the converted leads' events of this type that come at or after their conversion (NaN when none converted).</summary>
    public double ShareAfterConversion => EventsOfConvertedLeads == 0 ? double.NaN : (double)EventsAfterConversion / EventsOfConvertedLeads;

    /// <summary>Events that can enter features: before the lead's conversion (or of leads that did not convert).</summary>
    public long EventsBeforeConversion => Events - EventsAfterConversion;
}

/// <summary>What reading the tables found, for the command's output and the report.</summary>
public sealed record TimelineLoadReport
{
    public required DateTime AsOf { get; init; }
    /// <summary>"set in the configuration" or "the latest timestamp across the tables (file)".</summary>
    public required string AsOfSource { get; init; }
    public required int Leads { get; init; }
    public required int ConvertedLeads { get; init; }
    public required int LostLeads { get; init; }
    public long Activities { get; init; }
    public long StageRows { get; init; }
    public string TimeZone { get; init; } = "UTC";
    public IReadOnlyList<TimelineWarning> Warnings { get; init; } = [];
    public IReadOnlyList<ActivityTypeStats> ActivityTypes { get; init; } = [];
    /// <summary>Types whose converted leads' events come mostly at or after conversion.</summary>
    public IEnumerable<ActivityTypeStats> LikelyLeaks => ActivityTypes.Where(t => t.LikelyLeak);
    /// <summary>Notes that are not problems (e.g. a value column of text, not used as a feature).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>How the snapshots of a training set came out: examples, and the snapshot times that were not examples and why.</summary>
public sealed record SnapshotCounts
{
    public long Examples { get; init; }
    public long Positives { get; init; }
    /// <summary>Snapshot times whose horizon runs past the export date: their outcome is not known yet, so they are not negatives.</summary>
    public long Censored { get; init; }
    /// <summary>Snapshot times at or after the lead's conversion.</summary>
    public long ConvertedBefore { get; init; }
    /// <summary>Snapshot times at or after the lead was closed as lost.</summary>
    public long ClosedBefore { get; init; }
    /// <summary>Leads without a creation date, which cannot be placed in time.</summary>
    public long LeadsWithoutCreated { get; init; }
    public double LabelRate => Examples == 0 ? double.NaN : (double)Positives / Examples;
    public double CensoredShare => Examples + Censored == 0 ? double.NaN : (double)Censored / (Examples + Censored);
}
