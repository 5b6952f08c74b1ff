namespace LeadPredict.Core;

/// <summary>
/// Column names for people, from the words of the name (<see cref="SchemaInference.Words"/>): <see cref="Display"/> as a
/// label ("Days Since Last Activity = 3" in a lead's top reasons) and <see cref="InSentence"/> inside a sentence
/// ("Days since last activity is missing" in the funnel's reasons and the ICP's failed rules).
/// </summary>
public static class ColumnNames
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    /// <summary>"days_since_last_activity" reads "Days Since Last Activity"; worked out once per name (reasons name columns for every scored lead).</summary>
    public static string Display(string column) => Cache.Count < 10_000 ? Cache.GetOrAdd(column, Title) : Title(column);

    /// <summary>"job_title", "JobTitle" and "job title" all read "Job title".</summary>
    public static string InSentence(string column)
    {
        var words = SchemaInference.Words(column);
        if (words.Count == 0) return column;
        var joined = string.Join(' ', words);
        return char.ToUpperInvariant(joined[0]) + joined[1..];
    }

    private static string Title(string column)
    {
        var words = SchemaInference.Words(column);
        if (words.Count == 0) return column;
        return string.Join(' ', words.Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
    }
}
