using System.Globalization;
using System.Text;

namespace LeadPredict.Timeline;

public enum EngagementKind
{
    /// <summary>The lead's age in days at the snapshot's time.</summary>
    LeadAge,
    /// <summary>Activities in the trailing window.</summary>
    Count,
    /// <summary>Days from the first activity (of the type) to the snapshot's time; missing when none.</summary>
    DaysSinceFirst,
    /// <summary>Days from the last activity (of the type) to the snapshot's time; missing when none.</summary>
    DaysSinceLast,
    /// <summary>Distinct UTC days with an activity in the longest window.</summary>
    ActiveDays,
    /// <summary>Rate in the shortest window over the rate in the longest (1 = steady, above 1 = heating up); missing when the longest window is empty.</summary>
    Trend,
    /// <summary>Sum of the activity log's value column in the longest window.</summary>
    ValueSum,
    /// <summary>Days since the lead entered the stage it was in at the snapshot's time; missing without a stage history.</summary>
    DaysInStage,
}

/// <summary>
/// One engagement feature: a stable column name, the name shown in reasons ("Pricing page views, last 30 days"), and what
/// it counts. <see cref="ActivityType"/> is null for "any activity", and <see cref="EngagementSchema.OtherTypes"/> for the pooled rare types.
/// </summary>
public sealed record EngagementFeature(string Name, string DisplayName, EngagementKind Kind, string? ActivityType, int? WindowDays);

/// <summary>
/// Which engagement features exist: the activity types with features of their own (the most frequent before conversion,
/// at most <c>maxActivityTypes</c>), whether rare ones are pooled, the windows, and whether the value column and a stage
/// history are used. Fixed at training and stored with the model, so scoring makes the same columns in the same order.
/// </summary>
public sealed record EngagementSchema
{
    public const string OtherTypes = "(other)";

    public IReadOnlyList<string> ActivityTypes { get; init; } = [];
    /// <summary>Whether types beyond <see cref="ActivityTypes"/> are pooled into one group (they existed in training).</summary>
    public bool PoolOthers { get; init; }
    public IReadOnlyList<int> Windows { get; init; } = [7, 30, 90];
    public bool HasActivities { get; init; }
    /// <summary>The activity log's value column, when it holds numbers (summed per type).</summary>
    public string? ValueColumn { get; init; }
    public bool HasStages { get; init; }
    /// <summary>Types left out everywhere (configured exclusions), compared ignoring case.</summary>
    public IReadOnlyList<string> Excluded { get; init; } = [];

    private IReadOnlyList<EngagementFeature>? _features;

    public IReadOnlyList<EngagementFeature> Features => _features ??= Build();

    public int ShortestWindow => Windows.Min();
    public int LongestWindow => Windows.Max();

    /// <summary>Types in feature order: null ("any activity"), each kept type, then <see cref="OtherTypes"/> when pooled.</summary>
    public IReadOnlyList<string?> Groups =>
        !HasActivities ? [] : [null, .. ActivityTypes, .. PoolOthers ? new[] { OtherTypes } : []];

    /// <summary>Features per activity group, in the order <see cref="Build"/> lays them out.</summary>
    internal int PerGroup => Windows.Count + 4 + (ValueColumn is null ? 0 : 1);

    /// <summary>Offset of the first feature of a group (0 = any activity, 1.. = kept types, then others).</summary>
    internal int GroupOffset(int group) => 1 + (HasStages ? 1 : 0) + group * PerGroup;

    private List<EngagementFeature> Build()
    {
        var list = new List<EngagementFeature> { new("lead_age_days", "Lead age (days)", EngagementKind.LeadAge, null, null) };
        if (HasStages) list.Add(new("days_in_stage", "Days in current stage", EngagementKind.DaysInStage, null, null));
        var windows = Windows.OrderBy(w => w).ToArray();
        foreach (var type in Groups)
        {
            var slug = type is null ? "any" : type == OtherTypes ? "other" : Slug(type);
            var noun = type is null ? "activity" : type == OtherTypes ? "other activity" : Humanize(type);
            var plural = type is null ? "Activities" : type == OtherTypes ? "Other activities" : Capitalize(Plural(noun));
            foreach (var w in windows)
                list.Add(new($"act_{slug}_count_{w}d", $"{plural}, last {w} days", EngagementKind.Count, type, w));
            list.Add(new($"act_{slug}_days_since_first", $"Days since first {noun}", EngagementKind.DaysSinceFirst, type, null));
            list.Add(new($"act_{slug}_days_since_last", $"Days since last {noun}", EngagementKind.DaysSinceLast, type, null));
            list.Add(new($"act_{slug}_active_days_{LongestWindow}d", $"Days with {Plural(noun)}, last {LongestWindow} days", EngagementKind.ActiveDays, type, LongestWindow));
            list.Add(new($"act_{slug}_trend_{ShortestWindow}_{LongestWindow}d", $"{plural}, last {ShortestWindow} vs {LongestWindow} days (rate ratio)", EngagementKind.Trend, type, ShortestWindow));
            if (ValueColumn is not null)
                list.Add(new($"act_{slug}_{Slug(ValueColumn)}_sum_{LongestWindow}d", $"{Capitalize(noun)} {Humanize(ValueColumn)}, total last {LongestWindow} days", EngagementKind.ValueSum, type, LongestWindow));
        }
        // Two types that read the same once slugged ("Page View", "page_view") keep distinct column names.
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var n = seen.GetValueOrDefault(list[i].Name);
            seen[list[i].Name] = n + 1;
            if (n > 0) list[i] = list[i] with { Name = $"{list[i].Name}_{n + 1}" };
        }
        return list;
    }

    internal static string Slug(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text.Trim().ToLowerInvariant())
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        var slug = string.Join('_', sb.ToString().Split('_', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length == 0 ? "type" : slug;
    }

    internal static string Humanize(string text)
    {
        var words = text.Replace('_', ' ').Replace('-', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // CamelCase and ALL CAPS types read as words; acronyms inside mixed-case names stay as they are.
        var spaced = string.Join(' ', words.Select(w => w.Length > 1 && w.All(char.IsUpper) ? w.ToLowerInvariant() : w));
        return spaced.Length == 0 ? text : char.ToLower(spaced[0], CultureInfo.InvariantCulture) + spaced[1..];
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpper(text[0], CultureInfo.InvariantCulture) + text[1..];

    /// <summary>English plural of the last word ("pricing page view" -> "pricing page views", "reply" -> "replies").</summary>
    internal static string Plural(string noun)
    {
        if (noun.Length == 0 || !char.IsLetter(noun[^1])) return noun;
        var lower = noun.ToLowerInvariant();
        if (lower.EndsWith('s') || lower.EndsWith('x') || lower.EndsWith("ch", StringComparison.Ordinal) || lower.EndsWith("sh", StringComparison.Ordinal))
            return lower.EndsWith("ss", StringComparison.Ordinal) || !lower.EndsWith('s') ? noun + "es" : noun;
        if (lower.EndsWith('y') && lower.Length > 1 && "aeiou".IndexOf(lower[^2]) < 0) return noun[..^1] + "ies";
        return noun + "s";
    }
}
