using System.Text.RegularExpressions;

namespace LeadPredict.Core;

/// <summary>What inference found out about one column, and why.</summary>
public sealed record ColumnProfile(
    string Name, ColumnKind Kind, int Missing, int Distinct, IReadOnlyList<string> Examples, string Reason)
{
    public double MissingShare(int rows) => rows == 0 ? 0 : (double)Missing / rows;
}

/// <summary>Guesses column kinds, the id column and the positive label from the data itself.</summary>
public static partial class SchemaInference
{
    private static readonly string[] PositiveWords = ["1", "yes", "y", "true", "t", "converted", "won", "closed won", "closed-won", "customer", "success", "positive"];

    public static ColumnProfile Profile(string name, string?[] values)
    {
        var missing = 0;
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        bool allBool = true, allNumber = true, allDate = true;
        long totalWords = 0;
        var present = 0;
        foreach (var v in values)
        {
            if (v is null) { missing++; continue; }
            present++;
            if (distinct.Count <= 200_000) distinct.Add(v);
            if (allBool && !Values.TryParseBoolean(v, out _)) allBool = false;
            if (allNumber && !Values.TryParseNumber(v, out _)) allNumber = false;
            if (allDate && (allNumber || !Values.TryParseDate(v, out _))) allDate = false;
            if (present <= 5000) totalWords += CountWords(v);
        }
        var examples = distinct.Take(5).ToArray();
        var distinctCount = distinct.Count;
        if (present == 0) return new(name, ColumnKind.Ignored, missing, 0, examples, "every value is missing");
        if (allBool && distinct.Select(d => d.ToLowerInvariant()).Distinct().Count() <= 2 && !(allNumber && distinctCount > 2))
            return new(name, ColumnKind.Boolean, missing, distinctCount, examples, "two values such as yes/no or 1/0");
        var uniqueShare = (double)distinctCount / present;
        if (LooksLikeIdName(name) && uniqueShare > 0.5)
            return new(name, ColumnKind.Identifier, missing, distinctCount, examples, "named like a key and mostly unique");
        if (LooksLikeNameOfThing(name) && distinctCount > 100)
            return new(name, ColumnKind.Identifier, missing, distinctCount, examples, "a name with many distinct values (not a feature)");
        if (allNumber)
            return new(name, ColumnKind.Numeric, missing, distinctCount, examples, "every value is a number");
        if (allDate) return new(name, ColumnKind.Date, missing, distinctCount, examples, "every value is a date");
        var avgWords = (double)totalWords / Math.Min(present, 5000);
        if (uniqueShare > 0.9 && present >= 20 && avgWords < 2.5)
            return new(name, ColumnKind.Identifier, missing, distinctCount, examples, "almost every value is unique");
        if (avgWords >= 1.8 && distinctCount > 30)
            return new(name, ColumnKind.Text, missing, distinctCount, examples, "free text of several words");
        return new(name, ColumnKind.Categorical, missing, distinctCount, examples, $"{distinctCount} distinct values");
    }

    public static bool LooksLikeIdName(string name)
    {
        var words = Words(name);
        return words.Count > 0 && (IdWords.Contains(words[^1]) || words[0] is "id" or "email" or "phone");
    }

    /// <summary>Columns whose name says they hold a key (for choosing the id column).</summary>
    public static bool LooksLikeKeyName(string name)
    {
        var words = Words(name);
        return words.Count > 0 && (words[^1] is "id" or "uuid" or "guid" or "key" or "number" or "no" or "nr" || words[0] == "id");
    }

    private static bool LooksLikeNameOfThing(string name)
    {
        var words = Words(name);
        return words.Count > 0 && words[^1] is "company" or "organization" or "organisation" or "account" or "firm" or "employer" or "name";
    }

    private static readonly HashSet<string> IdWords =
        ["id", "uuid", "guid", "key", "number", "no", "nr", "email", "mail", "phone", "mobile", "name", "url"];

    /// <summary>Names of columns typically filled in by the sales team after contact.</summary>
    public static bool LooksFilledAfterContact(string name)
    {
        var words = Words(name);
        var joined = string.Join(' ', words);
        return words.Any(AfterContactWords.Contains)
            || joined is "last activity" or "last notable activity" or "lead profile" or "lead quality";
    }

    private static readonly HashSet<string> AfterContactWords =
    [
        "tag", "tags", "quality", "status", "disposition", "outcome", "result", "closed", "won", "lost",
        "asymmetrique", "duration", "rating", "verdict",
    ];

    /// <summary>Lower-case words of a column name: "LastActivity", "last_activity" and "Last Activity" all give "last activity".</summary>
    public static IReadOnlyList<string> Words(string name) =>
        WordSplit().Split(CamelBoundary().Replace(name, "$1 $2")).Where(w => w.Length > 0).Select(w => w.ToLowerInvariant()).ToArray();

    public static string? InferPositiveLabel(IEnumerable<string> classes)
    {
        var list = classes.ToList();
        foreach (var word in PositiveWords)
        {
            var hit = list.FirstOrDefault(c => c.Trim().Equals(word, StringComparison.OrdinalIgnoreCase));
            if (hit is not null) return hit;
        }
        return null;
    }

    private static int CountWords(string v)
    {
        var words = 0;
        var inWord = false;
        foreach (var c in v)
        {
            var letter = char.IsLetterOrDigit(c);
            if (letter && !inWord) words++;
            inWord = letter;
        }
        return words;
    }

    [GeneratedRegex(@"[^\p{L}\p{N}]+")]
    private static partial Regex WordSplit();

    [GeneratedRegex(@"(\p{Ll})(\p{Lu})")]
    private static partial Regex CamelBoundary();
}
