namespace LeadPredict.Timeline;

/// <summary>
/// One lead's stage history as loaded (rows up to the export date, in file order), with its conversion and loss dates as of
/// the export date: what the learned funnel is estimated from.
/// </summary>
public sealed record StageStory(int LeadRow, IReadOnlyList<(DateTime At, string Stage)> Rows, DateTime? ConvertedAt, DateTime? LostAt);
