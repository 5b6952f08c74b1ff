using System.Globalization;
using System.Text;
using LeadPredict.Core;

namespace LeadPredict.Rules;

internal static class Text
{
    /// <summary>Runs of whitespace become one space; returns the same instance when nothing changes (the usual case).</summary>
    public static string CollapseSpaces(string s)
    {
        if (IsCollapsed(s)) return s;
        var sb = new StringBuilder(s.Length);
        var space = false;
        foreach (var c in s.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (space && sb.Length > 0) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>As <see cref="CollapseSpaces(string)"/>, written into <paramref name="buffer"/> so that matching allocates nothing.</summary>
    public static ReadOnlySpan<char> CollapseSpaces(string s, Span<char> buffer)
    {
        if (IsCollapsed(s)) return s;
        if (s.Length > buffer.Length) return CollapseSpaces(s);
        var n = 0;
        var space = false;
        foreach (var c in s.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (space && n > 0) buffer[n++] = ' ';
            space = false;
            buffer[n++] = c;
        }
        return buffer[..n];
    }

    /// <summary>Whether <see cref="CollapseSpaces(string)"/> would return the string as it is.</summary>
    public static bool IsCollapsed(string s)
    {
        if (s.Length > 0 && (char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1]))) return false;
        for (var i = 0; i < s.Length; i++)
            if (char.IsWhiteSpace(s[i]) && (s[i] != ' ' || s[i + 1] == ' ')) return false;
        return true;
    }

    /// <summary>Letters and digits only, lower case: "Marketing Qualified Lead" and "marketingqualifiedlead" are one stage.</summary>
    public static string StageKey(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
        return sb.ToString();
    }

    public static string Number(double d) => d.ToString("0.##########", CultureInfo.InvariantCulture);

    /// <summary>A probability in words, "0.00" invariant: "0.37".</summary>
    public static string Probability(double p)
    {
        // Reasons quote a lead's probability for most leads, so the 101 texts from 0.00 to 1.00 are made once.
        if (Values.TryRoundProbability(p, 100, out var hundredths)) return Hundredths[hundredths];
        return p.ToString("0.00", CultureInfo.InvariantCulture);
    }

    private static readonly string[] Hundredths =
        Enumerable.Range(0, 101).Select(k => (k / 100.0).ToString("0.00", CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// A probability compared with a threshold, with enough decimals that the two never print alike:
    /// 0.0996 against a floor of 0.10 reads "0.0996", not "0.10 is below 0.10".
    /// </summary>
    public static string Probability(double p, double threshold) => Probability(p, threshold, Probability(threshold));

    /// <summary>As <see cref="Probability(double, double)"/>, with the threshold already in words (it is the same for every lead).</summary>
    public static string Probability(double p, double threshold, string thresholdText)
    {
        var text = Probability(p);
        for (var decimals = 3; decimals <= 6 && p != threshold && text == thresholdText; decimals++)
            text = p.ToString("0." + new string('0', decimals - 1) + "#", CultureInfo.InvariantCulture);
        return text;
    }

    public static string Percent(double rate) => rate.ToString("0.0%", CultureInfo.InvariantCulture);

    public static string List(IReadOnlyList<string> values, int max = 6) =>
        values.Count <= max ? string.Join(", ", values) : string.Join(", ", values.Take(max)) + $" and {values.Count - max} more";

    /// <summary>The known name closest to a misspelt one, when it is close enough to be a likely typo.</summary>
    public static string? Closest(string name, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            var d = Distance(name.ToLowerInvariant(), k.ToLowerInvariant());
            if (d < bestDistance) { bestDistance = d; best = k; }
        }
        return bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
