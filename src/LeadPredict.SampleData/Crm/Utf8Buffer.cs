using System.Buffers.Text;
using System.Text;
using LeadPredict.Core.Csv;

namespace LeadPredict.SampleData.Crm;

/// <summary>CSV text of one batch of rows as UTF-8 bytes, formatted without intermediate strings for the hot columns.</summary>
internal sealed class Utf8Buffer(int capacity = 1 << 16)
{
    private byte[] _bytes = new byte[capacity];
    private int _length;

    public int Length => _length;

    private Span<byte> Reserve(int n)
    {
        if (_length + n > _bytes.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + n));
        return _bytes.AsSpan(_length);
    }

    public void Byte(byte b)
    {
        Reserve(1)[0] = b;
        _length++;
    }

    public void Comma() => Byte((byte)',');

    public void NewLine() => Byte((byte)'\n');

    /// <summary>Text known to need no quoting (ids, type names, stage values, paths).</summary>
    public void Plain(string text) => _length += Encoding.UTF8.GetBytes(text, Reserve(Encoding.UTF8.GetMaxByteCount(text.Length)));

    /// <summary>Any text, quoted when it holds a comma, quote or line break.</summary>
    public void Field(string? text)
    {
        if (text is not null) Plain(CsvText.Escape(text));
    }

    public void Number(long value)
    {
        Utf8Formatter.TryFormat(value, Reserve(20), out var n);
        _length += n;
    }

    public void Number(double value, char format = 'F', byte digits = 6)
    {
        if (double.IsNaN(value)) return;
        Utf8Formatter.TryFormat(value, Reserve(64), out var n, new System.Buffers.StandardFormat(format, digits));
        _length += n;
    }

    private static readonly int EpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>A time in seconds since 1970 UTC as <c>yyyy-MM-dd HH:mm:ss</c>.</summary>
    public void Timestamp(long seconds)
    {
        var day = Math.DivRem(seconds, ActivityCalendar.SecondsPerDay, out var rest);
        if (rest < 0) { day--; rest += ActivityCalendar.SecondsPerDay; }
        var date = DateOnly.FromDayNumber(EpochDay + (int)day);
        var s = Reserve(19);
        Digits(s, 0, date.Year, 4);
        s[4] = (byte)'-';
        Digits(s, 5, date.Month, 2);
        s[7] = (byte)'-';
        Digits(s, 8, date.Day, 2);
        s[10] = (byte)' ';
        Digits(s, 11, (int)(rest / 3600), 2);
        s[13] = (byte)':';
        Digits(s, 14, (int)(rest / 60 % 60), 2);
        s[16] = (byte)':';
        Digits(s, 17, (int)(rest % 60), 2);
        _length += 19;
    }

    private static void Digits(Span<byte> s, int at, int value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            s[at + i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    public void Row(IReadOnlyList<string> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0) Comma();
            Field(fields[i]);
        }
        NewLine();
    }

    public void WriteTo(Stream stream) => stream.Write(_bytes, 0, _length);

    public void Clear() => _length = 0;
}
