using System.Buffers;
using System.Text;

namespace LeadPredict.Core.Csv;

/// <summary>A run of whole records of a CSV file's body, as UTF-8 bytes in a pooled buffer, with the line its first record starts on.</summary>
public sealed class CsvChunk(byte[] bytes, int length, long firstLine, int index)
{
    public ReadOnlySpan<byte> Bytes => bytes.AsSpan(0, length);
    public long FirstLine { get; } = firstLine;
    /// <summary>0, 1, 2, ... in file order.</summary>
    public int Index { get; } = index;

    /// <summary>Gives the buffer back to the pool; the chunk must not be used afterwards.</summary>
    public void Release()
    {
        if (bytes.Length > 0) ArrayPool<byte>.Shared.Return(bytes);
        bytes = [];
        length = 0;
    }

    /// <summary>
    /// The chunk as text, for a <see cref="CsvRecordReader"/> over it. Invalid UTF-8 is refused with the line it is on.
    /// </summary>
    public int Decode(ref char[] chars, string path)
    {
        var source = Bytes;
        if (chars.Length < source.Length) chars = new char[Math.Max(source.Length, chars.Length * 2)];
        var status = System.Text.Unicode.Utf8.ToUtf16(source, chars, out var read, out var written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
            throw new InputFileException(path, FirstLine + CsvChunker.LineBreaks(source[..read]), null,
                "the file is not valid UTF-8 text; save it as UTF-8 (CSV UTF-8 in Excel).");
        return written;
    }
}

/// <summary>
/// Cuts a CSV file's body into chunks of whole records, quickly, so that several threads can parse the chunks at once.
/// It finds record ends with the same rules as <see cref="CsvRecordReader"/> (a quote opens a quoted field only at the
/// start of a field; inside one, "" is a quote and line breaks are data; a record ends at \n, \r\n or \r) while looking
/// only at quotes and line breaks, and counts lines, so each chunk knows the line it starts on and errors found while
/// parsing it name the right line. The header (the first record) is skipped. UTF-8, with or without a byte-order mark;
/// UTF-16 and UTF-32 files with a byte-order mark are transcoded to UTF-8 first.
/// </summary>
public sealed class CsvChunker : IDisposable
{
    private readonly Stream _stream;
    private readonly byte _separator;
    private byte[] _buffer;
    private int _length;
    private bool _eof;
    private long _line = 1;
    private int _index;

    public CsvChunker(string path, char separator, int chunkBytes = 1 << 20)
    {
        if (separator >= 0x80) throw new ArgumentException($"the separator must be an ASCII character, not '{separator}'.", nameof(separator));
        _separator = (byte)separator;
        _buffer = new byte[Math.Max(16, chunkBytes)];
        _stream = Open(path);
        // Skip the header: the first record.
        while (true)
        {
            var end = FirstRecordEnd();
            if (end >= 0) { Consume(end); break; }
            if (!ReadMore()) { Consume(_length); break; }
        }
    }

    private static Stream Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Span<byte> bom = stackalloc byte[4];
        var n = file.ReadAtLeast(bom, 4, throwOnEndOfStream: false);
        bom = bom[..n];
        Encoding? encoding = bom switch
        {
            [0xFF, 0xFE, 0, 0, ..] => new UTF32Encoding(bigEndian: false, byteOrderMark: true),
            [0, 0, 0xFE, 0xFF, ..] => new UTF32Encoding(bigEndian: true, byteOrderMark: true),
            [0xFF, 0xFE, ..] => Encoding.Unicode,
            [0xFE, 0xFF, ..] => Encoding.BigEndianUnicode,
            _ => null,
        };
        var skip = bom is [0xEF, 0xBB, 0xBF, ..] ? 3 : encoding is null ? 0 : encoding.Preamble.Length;
        file.Position = skip;
        return encoding is null ? file : Encoding.CreateTranscodingStream(file, encoding, Encoding.UTF8);
    }

    /// <summary>The next chunk of about the configured size (more when one record is longer), or null at the end.</summary>
    public CsvChunk? Next()
    {
        if (_length == 0 && !ReadMore()) return null;
        while (true)
        {
            if (!_eof && _length < _buffer.Length) { ReadMore(); continue; }
            var end = LastRecordEnd();
            if (end > 0) return Take(end);
            if (_eof) return Take(_length);
            ReadMore();
        }
    }

    private CsvChunk Take(int length)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(length);
        _buffer.AsSpan(0, length).CopyTo(bytes);
        var chunk = new CsvChunk(bytes, length, _line, _index++);
        Consume(length);
        return chunk;
    }

    private void Consume(int length)
    {
        _line += LineBreaks(_buffer.AsSpan(0, length));
        _buffer.AsSpan(length, _length - length).CopyTo(_buffer);
        _length -= length;
    }

    private bool ReadMore()
    {
        if (_eof) return false;
        if (_length == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2); // one record longer than the buffer
        var read = _stream.Read(_buffer, _length, _buffer.Length - _length);
        if (read == 0) { _eof = true; return false; }
        _length += read;
        return true;
    }

    /// <summary>Where the first record of the buffer ends (after its line break), or -1 when it runs past what is read.</summary>
    private int FirstRecordEnd() => RecordEnds(stopAtFirst: true);

    /// <summary>Where the last whole record in the buffer ends, or 0 when none ends in it.</summary>
    private int LastRecordEnd() => Math.Max(0, RecordEnds(stopAtFirst: false));

    private int RecordEnds(bool stopAtFirst)
    {
        var span = _buffer.AsSpan(0, _length);
        var sep = _separator;
        var last = -1;
        var recordStart = 0;
        var i = 0;
        while (i < span.Length)
        {
            var k = span[i..].IndexOfAny((byte)'"', (byte)'\n', (byte)'\r');
            if (k < 0) break;
            i += k;
            var b = span[i];
            if (b == (byte)'"')
            {
                if (i != recordStart && span[i - 1] != sep) { i++; continue; } // a quote inside a field is data
                // A quoted field: to the quote that is not doubled.
                i++;
                while (true)
                {
                    var q = span[i..].IndexOf((byte)'"');
                    if (q < 0) return last; // runs past the buffer (or is never closed: the rest is one record)
                    i += q + 1;
                    if (i < span.Length && span[i] == (byte)'"') { i++; continue; }
                    if (i == span.Length && !_eof) return last; // cannot tell yet whether the quote is doubled
                    break;
                }
                continue;
            }
            if (b == (byte)'\r')
            {
                if (i + 1 == span.Length && !_eof) return last; // a \n may follow
                i += i + 1 < span.Length && span[i + 1] == (byte)'\n' ? 2 : 1;
            }
            else i++;
            last = recordStart = i;
            if (stopAtFirst) return last;
        }
        return last;
    }

    /// <summary>
    /// The line (counted as <see cref="CsvRecordReader"/> counts them) on which a UTF-8 file first has bytes that are not
    /// UTF-8, or null when it has none. Reads the file again from the start: only for the error message.
    /// </summary>
    internal static long? LineOfInvalidUtf8(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var buffer = new byte[1 << 16];
        var chars = new char[buffer.Length];
        var length = 0;
        long line = 1;
        var first = true;
        while (true)
        {
            var read = file.Read(buffer, length, buffer.Length - length);
            var last = read == 0;
            length += read;
            var start = first && buffer.AsSpan(0, length).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            first = false;
            var block = buffer.AsSpan(start, length - start);
            var status = System.Text.Unicode.Utf8.ToUtf16(block, chars, out var valid, out _, replaceInvalidSequences: false, isFinalBlock: last);
            if (status == OperationStatus.InvalidData) return line + LineBreaks(block[..valid]);
            // Keep an incomplete character, and a final \r whose \n may come next, for the next read.
            var keep = block.Length - valid;
            if (keep == 0 && valid > 0 && block[valid - 1] == (byte)'\r' && !last) keep = 1;
            line += LineBreaks(block[..^keep]);
            if (last) return null;
            block[^keep..].CopyTo(buffer);
            length = keep;
        }
    }

    /// <summary>Line breaks as <see cref="CsvRecordReader"/> counts them: \n, \r\n and a lone \r are one each.</summary>
    internal static long LineBreaks(ReadOnlySpan<byte> text)
    {
        long n = text.Count((byte)'\n');
        var at = 0;
        while (true)
        {
            var r = text[at..].IndexOf((byte)'\r');
            if (r < 0) return n;
            at += r + 1;
            if (at >= text.Length || text[at] != (byte)'\n') n++;
        }
    }

    public void Dispose() => _stream.Dispose();
}
