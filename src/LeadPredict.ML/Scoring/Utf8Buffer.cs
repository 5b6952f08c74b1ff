using System.Globalization;
using System.Text;
using LeadPredict.Core;
using LeadPredict.Core.Csv;

namespace LeadPredict.ML.Scoring;

/// <summary>A growable UTF-8 byte buffer with the appends the ranked output needs (CSV escaping as <see cref="CsvText.Escape"/>).</summary>
internal sealed class Utf8Buffer(int capacity)
{
    private byte[] _bytes = new byte[Math.Max(16, capacity)];

    public int Length { get; private set; }
    public ReadOnlySpan<byte> Span => _bytes.AsSpan(0, Length);

    private Span<byte> Reserve(int bytes)
    {
        if (Length + bytes > _bytes.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + bytes));
        return _bytes.AsSpan(Length);
    }

    public void Clear() => Length = 0;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Length += bytes.Length;
    }

    public void Append(char c)
    {
        if (c < 0x80) { Reserve(1)[0] = (byte)c; Length++; }
        else Append([c]);
    }

    public void Append(ReadOnlySpan<char> text)
    {
        var written = Encoding.UTF8.GetBytes(text, Reserve(Encoding.UTF8.GetMaxByteCount(text.Length)));
        Length += written;
    }

    public void AppendInvariant(long value)
    {
        value.TryFormat(Reserve(20), out var written, default, CultureInfo.InvariantCulture);
        Length += written;
    }

    public void AppendProbability(double p)
    {
        // As LeadScorer.FormatProbability: "0.000000", invariant; every lead has one, so it is written digit by digit.
        if (Values.TryRoundProbability(p, 1e6, out var k))
        {
            var to = Reserve(8);
            to[0] = (byte)('0' + k / 1_000_000);
            to[1] = (byte)'.';
            k %= 1_000_000;
            for (var d = 7; d >= 2; d--, k /= 10) to[d] = (byte)('0' + k % 10);
            Length += 8;
            return;
        }
        if (!p.TryFormat(Reserve(64), out var written, "0.000000", CultureInfo.InvariantCulture))
        {
            Append(LeadScorer.FormatProbability(p).AsSpan());
            return;
        }
        Length += written;
    }

    public void AppendEscaped(string value, char sep) => AppendEscaped(value.AsSpan(), sep);

    /// <summary>A field as <see cref="CsvText.SafeField"/> writes it: formula-neutralized, then quoted as needed.</summary>
    public void AppendSafeField(string value, char sep) => AppendEscaped(CsvText.NeutralizeFormula(value), sep);

    public void AppendEscaped(StringBuilder value, char sep)
    {
        foreach (var part in value.GetChunks())
            if (part.Span.IndexOfAny(sep, '"', '\n') >= 0 || part.Span.Contains('\r')) { AppendEscaped(value.ToString().AsSpan(), sep); return; }
        foreach (var part in value.GetChunks()) Append(part.Span);
    }

    public void AppendEscaped(ReadOnlySpan<char> value, char sep)
    {
        if (value.IndexOfAny(sep, '"', '\n') < 0 && !value.Contains('\r')) { Append(value); return; }
        Append('"');
        while (true)
        {
            var q = value.IndexOf('"');
            if (q < 0) { Append(value); break; }
            Append(value[..(q + 1)]);
            Append('"');
            value = value[(q + 1)..];
        }
        Append('"');
    }
}
