namespace LeadPredict.Timeline;

/// <summary>
/// A timeline table that is not a file (a PostgreSQL table or query) as the private CSV copy it was streamed into before
/// loading (comma-separated, a header). Messages name <see cref="Name"/> and its rows, never the copy.
/// </summary>
public sealed record StagedTable(string Path, string Name);
