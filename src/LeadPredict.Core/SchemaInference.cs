using System.Text.RegularExpressions;

namespace LeadPredict.Core;

/// <summary>What inference found out about one column, and why.</summary>
public sealed record ColumnProfile(
    string Name, ColumnKind Kind, int Missing, int Distinct, IReadOnlyList<string> Examples, string Reason)
{
    public double MissingShare(int rows) => rows == 0 ? 0 : (double)Missing / rows;

    /// <summary>How the column writes its numbers (plain unless it uses thousands separators or a decimal comma).</summary>
    public NumberFormat Number { get; init; }

    /// <summary>How the column writes its dates, as a dateFormat setting ("auto", "dd/MM/yyyy", ...); null for models that predate it.</summary>
    public string? DateFormat { get; init; }

    /// <summary>Something the analyst should know about how the column is read (e.g. numbers that could be read two ways).</summary>
    public string? Note { get; init; }
}

/// <summary>Guesses column kinds, the id column and the positive label from the data itself.</summary>
public static partial class SchemaInference
{
    private static readonly string[] PositiveWords = ["1", "yes", "y", "true", "t", "converted", "won", "closed won", "closed-won", "customer", "success", "positive"];

    /// <summary>Profiles every column of a file: each column's number format comes from its own values, and an ambiguous one
    /// (every value has one separator followed by three digits) is settled by the decimal mark the file's other columns use.</summary>
    public static IReadOnlyList<ColumnProfile> ProfileColumns(IEnumerable<(string Name, string?[] Values)> columns, NumberFormat? numberFormat = null,
        string? dateFormat = null)
    {
        // Each column is profiled on its own (every value parsed), so the columns are shared out between the cores.
        var input = columns.ToArray();
        var profiled = new (string Name, string?[] Values, ColumnProfile Profile, NumberFormats.Detector Numbers)[input.Length];
        Parallel.For(0, input.Length, i =>
        {
            var (name, values) = input[i];
            profiled[i] = (name, values, Profile(name, values, numberFormat, dateFormat, out var numbers), numbers);
        });
        // Columns that show the file's decimal mark: numbers read in one format only, with a separator somewhere.
        var decimalPoint = profiled.Where(p => p.Profile.Kind == ColumnKind.Numeric && p.Numbers.SawSeparator && p.Numbers.Format is not null)
            .Select(p => NumberFormats.Detector.UsesDecimalPoint(p.Profile.Number)).Distinct().ToArray();
        var result = new List<ColumnProfile>(profiled.Length);
        foreach (var (name, values, profile, numbers) in profiled)
        {
            if (!numbers.Ambiguous || numbers.AmbiguousExample is not { } example) { result.Add(profile); continue; }
            string Reading(bool point) => Values.TryParseNumber(example, numbers.FormatIn(point)!.Value, out var x) ? x.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "?";
            if (decimalPoint.Length == 1 && numbers.FormatIn(decimalPoint[0]) is { } settled)
            {
                result.Add(Profile(name, values, settled, dateFormat, out _) with
                {
                    Note = $"numbers like '{example}' could be {Reading(true)} or {Reading(false)}; read as {Reading(decimalPoint[0])}, with a decimal " +
                           $"{(decimalPoint[0] ? "point" : "comma")} like the file's other numbers (set numberFormat to choose).",
                });
                continue;
            }
            result.Add(profile with
            {
                Note = $"numbers like '{example}' could be {Reading(true)} or {Reading(false)}, so the column is not read as numbers; " +
                       $"set numberFormat to \"{NumberFormats.SettingOf(numbers.FormatIn(true)!.Value == NumberFormat.Plain ? NumberFormat.CommaThousands : numbers.FormatIn(true)!.Value)}\" " +
                       $"or \"{NumberFormats.SettingOf(numbers.FormatIn(false)!.Value)}\" to read them.",
            });
        }
        return result;
    }

    /// <summary>The profile of a typed column (computed numbers, NaN = missing): numeric, or ignored when every value is missing.</summary>
    public static ColumnProfile ProfileNumbers(string name, float[] values)
    {
        var missing = 0;
        var distinct = new HashSet<float>();
        var examples = new List<string>(5);
        foreach (var v in values)
        {
            if (float.IsNaN(v)) { missing++; continue; }
            if (distinct.Count <= 200_000 && distinct.Add(v) && examples.Count < 5) examples.Add(LeadTable.NumberText(v)!);
        }
        return missing == values.Length
            ? new(name, ColumnKind.Ignored, missing, 0, examples, "every value is missing")
            : new(name, ColumnKind.Numeric, missing, distinct.Count, examples, "computed as numbers") { Number = NumberFormat.Plain, DateFormat = DateFormats.Auto };
    }

    public static ColumnProfile Profile(string name, string?[] values, NumberFormat? numberFormat = null, string? dateFormat = null) =>
        Profile(name, values, numberFormat, dateFormat, out _);

    private static ColumnProfile Profile(string name, string?[] values, NumberFormat? numberFormat, string? dateFormat, out NumberFormats.Detector numbers)
    {
        var dates = new DateFormats.Detector(dateFormat);
        var missing = 0;
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        numbers = new NumberFormats.Detector(numberFormat);
        bool allBool = true, allDate = true;
        long totalWords = 0;
        var present = 0;
        foreach (var v in values)
        {
            if (v is null) { missing++; continue; }
            present++;
            if (distinct.Count <= 200_000) distinct.Add(v);
            if (allBool && !Values.TryParseBoolean(v, out _)) allBool = false;
            numbers.Add(v);
            if (allDate)
            {
                // A column of numbers is numeric even when its numbers could be dates (20250131).
                if (numbers.AllNumbers) allDate = false;
                else
                {
                    dates.Add(v);
                    allDate = dates.AllDates;
                }
            }
            if (present <= 5000) totalWords += CountWords(v);
        }
        allDate = allDate && dates.Format is not null;
        var format = numbers.Format;
        var allNumber = format is not null;
        var profile = Kind(name, values, numbers, format, allNumber, allBool, allDate, missing, distinct, present, totalWords);
        // Dates that mix day-first and month-first are not dates; say so when that is why.
        var dateNote = profile.Kind == ColumnKind.Date || (dates.Mixed && !numbers.AllNumbers) ? dates.Note : null;
        return profile with { Number = numbers.ReadableFormat ?? NumberFormat.Plain, DateFormat = dates.ReadableFormat, Note = dateNote };
    }

    private static ColumnProfile Kind(string name, string?[] values, NumberFormats.Detector numbers, NumberFormat? format, bool allNumber, bool allBool,
        bool allDate, int missing, HashSet<string> distinct, int present, long totalWords)
    {
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
            return new(name, ColumnKind.Numeric, missing, distinctCount, examples,
                format == NumberFormat.Plain ? "every value is a number" : $"every value is a number written like {NumberFormats.SettingOf(format!.Value)}");
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
