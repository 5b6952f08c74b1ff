using System.Text;

namespace LeadPredict.Scoring.Host;

/// <summary>
/// Text for a response header, which may carry only visible ASCII: every other character (an en dash in a quoted value, a
/// non-Latin column name, a line break) and '%' itself are percent-encoded as UTF-8, so the text stays readable where it is
/// ASCII and decodes exactly with decodeURIComponent / urllib.parse.unquote / Uri.UnescapeDataString.
/// </summary>
internal static class HeaderText
{
    /// <summary>Headers longer than this are cut (with an encoded "…"): proxies commonly refuse header blocks over 8 KiB.</summary>
    public const int MaxLength = 4096;

    public static string Encode(string text, int maxLength = MaxLength)
    {
        const string ellipsis = "%E2%80%A6";
        var sb = new StringBuilder(Math.Min(text.Length + 16, maxLength));
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            var before = sb.Length;
            if (rune.Value is >= ' ' and <= '~' && rune.Value != '%') sb.Append((char)rune.Value);
            else
            {
                var n = rune.EncodeToUtf8(utf8);
                for (var i = 0; i < n; i++) sb.Append('%').Append(utf8[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            if (sb.Length > maxLength - ellipsis.Length)
            {
                sb.Length = before;
                return sb.Append(ellipsis).ToString();
            }
        }
        return sb.ToString();
    }
}
