using System.Text;

namespace LeadPredict.Core.Csv;

/// <summary>
/// A streaming RFC 4180 reader: quoted fields with embedded separators, quotes and newlines,
/// a UTF-8 BOM, Windows or Unix line endings, and `,` `;` `\t` `|` separators (detected from the header when not given).
/// Written by hand rather than with a general CSV library because every error must name the exact line
/// (an unclosed quote is reported at the line where it opened) and the hot path must not allocate per row
/// beyond the field strings themselves.
/// </summary>
public sealed class CsvRecordReader : IDisposable
{
    private static readonly char[] CandidateSeparators = [',', ';', '\t', '|'];
    private readonly TextReader _reader;
    private const int MaxPooled = 100_000;
    private const int MostlyDistinctAfter = 4096;
    private char[] _buffer = new char[1 << 16];
    private int _pos;
    private int _len;
    private bool _eof;
    private long _line = 1;
    private readonly StringBuilder _field = new();
    private readonly bool _keepRaw;
    private int _rawStart;
    private int _rawLength;
    private CsvInternPool? _pool;
    private readonly bool _fromFile;

    public CsvRecordReader(string path, char? separator = null, bool keepRawRecord = false)
        : this(OpenFile(path), path, separator, keepRawRecord, fromFile: true) { }

    public CsvRecordReader(TextReader reader, string path, char? separator = null, bool keepRawRecord = false)
        : this(reader, path, separator, keepRawRecord, fromFile: false) { }

    private CsvRecordReader(TextReader reader, string path, char? separator, bool keepRawRecord, bool fromFile)
    {
        _reader = reader;
        _fromFile = fromFile;
        FilePath = path;
        _keepRaw = keepRawRecord;
        var firstLine = PeekFirstLine();
        if (firstLine is null || firstLine.Trim().Length == 0)
            throw new InputFileException(path, null, null, "the file is empty; expected a header row with column names.");
        // UTF-16 without a byte-order mark decodes as "valid" UTF-8 with a NUL between letters; refuse it instead of mangling it.
        if (firstLine.Contains('\0'))
            throw new InputFileException(path, 1, null, "the file looks like UTF-16 text (it has NUL characters); save it as UTF-8 (CSV UTF-8 in Excel).");
        Separator = separator ?? DetectSeparator(firstLine);
        var header = new List<string>();
        if (!ReadRecord(header, out _))
            throw new InputFileException(path, null, null, "the file is empty; expected a header row with column names.");
        for (var i = 0; i < header.Count; i++)
        {
            header[i] = header[i].Trim();
            if (header[i].Length == 0) header[i] = $"column{i + 1}";
        }
        var duplicate = header.GroupBy(h => h, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InputFileException(path, 1, duplicate.Key, "the header names this column more than once; column names must be unique.");
        Header = header;
    }

    /// <summary>
    /// Reads the records of a chunk of a file's body, already in memory (see <see cref="CsvChunker"/>), with the file's
    /// header and separator; <paramref name="firstLine"/> is the line the chunk starts on, so errors name the file's lines.
    /// </summary>
    public CsvRecordReader(char[] text, int length, string path, char separator, IReadOnlyList<string> header, long firstLine)
    {
        _reader = TextReader.Null;
        FilePath = path;
        _buffer = text;
        _len = length;
        _eof = true;
        _line = firstLine;
        Separator = separator;
        Header = header;
    }

    public string FilePath { get; }
    public char Separator { get; }
    public IReadOnlyList<string> Header { get; }

    /// <summary>The line on which the record most recently read starts (the header is line 1).</summary>
    public long RecordLine { get; private set; }

    /// <summary>The record most recently read, exactly as in the file (without its line ending), when requested.</summary>
    public string? RawRecord => _keepRaw ? new string(RawRecordSpan) : null;

    /// <summary>The record most recently read, exactly as in the file (without its line ending); valid until the next read.</summary>
    public ReadOnlySpan<char> RawRecordSpan => _buffer.AsSpan(_rawStart, _rawLength);

    /// <summary>Where the record most recently read is in the text given to the in-memory constructor (without its line ending).</summary>
    public (int Start, int Length) RawRecordRange => (_rawStart, _rawLength);

    /// <summary>
    /// Makes the reader return one shared string instance for repeated values of a column (up to 100,000 distinct values
    /// per column), looked up without allocating, so a million rows of categories cost one string per distinct value.
    /// Readers of chunks of one file can share <paramref name="pool"/> (one per thread: it is not thread-safe).
    /// </summary>
    public void InternValues(CsvInternPool? pool = null) => _pool = pool ?? new CsvInternPool(Header.Count);

    private static TextReader OpenFile(string path)
    {
        if (Directory.Exists(path))
            throw new InputFileException(path, null, null, "is a folder; expected a CSV file.");
        if (!File.Exists(path))
            throw new InputFileException(path, null, null, $"file not found (looked for {Path.GetFullPath(path)}).");
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, 1 << 16);
    }

    /// <summary>Reads the next record into <paramref name="fields"/>, checking it has as many fields as the header.</summary>
    public bool Read(List<string> fields)
    {
        while (true)
        {
            if (!ReadRecord(fields, out var blank)) return false;
            if (blank) continue;
            if (fields.Count != Header.Count)
                throw new InputFileException(FilePath, RecordLine, null,
                    $"expected {Header.Count} fields (as in the header) but found {fields.Count}; check for an unquoted separator or a missing quote.");
            return true;
        }
    }

    private string? PeekFirstLine()
    {
        Fill();
        if (_len == 0) return null;
        var span = _buffer.AsSpan(0, _len);
        var end = span.IndexOfAny('\r', '\n');
        return end < 0 ? new string(span) : new string(span[..end]);
    }

    private static char DetectSeparator(string header)
    {
        var best = ',';
        var bestCount = 0;
        foreach (var c in CandidateSeparators)
        {
            var count = header.Count(ch => ch == c);
            if (count > bestCount) { best = c; bestCount = count; }
        }
        return best;
    }

    private bool Fill()
    {
        if (_pos < _len) return true;
        _pos = 0;
        _len = 0;
        return ReadMore();
    }

    /// <summary>Reads more text after what is buffered, keeping the current record (from <see cref="_pos"/>) in the buffer.</summary>
    private bool ReadMore()
    {
        if (_eof) return false;
        if (_pos > 0)
        {
            _buffer.AsSpan(_pos, _len - _pos).CopyTo(_buffer);
            _len -= _pos;
            _pos = 0;
        }
        if (_len == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2); // one record longer than the buffer
        int read;
        try
        {
            read = _reader.Read(_buffer, _len, _buffer.Length - _len);
        }
        catch (DecoderFallbackException e)
        {
            // The decoder fails on a whole block read ahead, up to 64 KB past the record being parsed (the line counter's
            // place): the line of the bad bytes themselves is found by reading the file's bytes up to them.
            var line = _fromFile ? CsvChunker.LineOfInvalidUtf8(FilePath) ?? _line : _line;
            throw new InputFileException(FilePath, line, null, "the file is not valid UTF-8 text; save it as UTF-8 (CSV UTF-8 in Excel).", e);
        }
        if (read == 0) { _eof = true; return false; }
        _len += read;
        return true;
    }

    /// <summary>
    /// Reads one record. The record is parsed from the buffer with vectorised searches; when it runs past the end of the
    /// buffer, the buffer is refilled (keeping the record) and the record parsed again, so a record is always contiguous
    /// in the buffer and its raw text is a slice of it.
    /// </summary>
    private bool ReadRecord(List<string> fields, out bool blank)
    {
        _rawLength = 0;
        blank = false;
        if (!Fill()) { fields.Clear(); return false; }
        RecordLine = _line;
        while (true)
        {
            fields.Clear();
            var result = TryParse(fields, out blank);
            if (result != ParseResult.NeedMore) return true;
            _line = RecordLine;
            ReadMore();
        }
    }

    private enum ParseResult { Done, NeedMore }

    private ParseResult TryParse(List<string> fields, out bool blank)
    {
        blank = false;
        var buffer = _buffer;
        var len = _len;
        var sep = Separator;
        var i = _pos;
        var line = _line;
        while (true)
        {
            // At the start of a field.
            string field;
            var wasQuoted = false;
            if (i < len && buffer[i] == '"')
            {
                wasQuoted = true;
                var quoteLine = line;
                _field.Clear();
                i++;
                while (true)
                {
                    var rest = buffer.AsSpan(i, len - i);
                    var q = rest.IndexOf('"');
                    if (q < 0)
                    {
                        if (!_eof) return ParseResult.NeedMore;
                        throw new InputFileException(FilePath, quoteLine, ColumnName(fields.Count),
                            "a quoted field opened on this line is never closed; add the closing quote (\").");
                    }
                    var segment = rest[..q];
                    line += LineBreaks(segment);
                    _field.Append(segment);
                    i += q + 1;
                    if (i >= len && !_eof) return ParseResult.NeedMore;
                    if (i < len && buffer[i] == '"') { _field.Append('"'); i++; continue; }
                    break;
                }
                // Anything after the closing quote up to the separator is kept as it is.
                var tail = buffer.AsSpan(i, len - i);
                var t = tail.IndexOfAny(sep, '\n', '\r');
                if (t < 0)
                {
                    if (!_eof) return ParseResult.NeedMore;
                    t = tail.Length;
                }
                _field.Append(tail[..t]);
                i += t;
                field = _field.ToString();
            }
            else
            {
                var rest = buffer.AsSpan(i, len - i);
                var k = rest.IndexOfAny(sep, '\n', '\r');
                if (k < 0)
                {
                    if (!_eof) return ParseResult.NeedMore;
                    k = rest.Length;
                }
                field = Intern(fields.Count, rest[..k]);
                i += k;
            }

            if (i < len && buffer[i] == sep)
            {
                fields.Add(field);
                i++;
                continue;
            }
            // End of the record: a line break or the end of the file.
            var rawEnd = i;
            if (i < len)
            {
                if (buffer[i] == '\r')
                {
                    if (i + 1 >= len && !_eof) return ParseResult.NeedMore;
                    i += i + 1 < len && buffer[i + 1] == '\n' ? 2 : 1;
                }
                else i++;
                line++;
            }
            fields.Add(field);
            blank = fields.Count == 1 && field.Length == 0 && !wasQuoted;
            _rawStart = _pos;
            _rawLength = rawEnd - _pos;
            _pos = i;
            _line = line;
            return ParseResult.Done;
        }
    }

    private static int LineBreaks(ReadOnlySpan<char> text)
    {
        var n = text.Count('\n');
        if (text.IndexOf('\r') < 0) return n;
        for (var j = 0; j < text.Length; j++)
            if (text[j] == '\r' && (j + 1 >= text.Length || text[j + 1] != '\n')) n++;
        return n;
    }

    private string Intern(int column, ReadOnlySpan<char> value)
    {
        if (value.Length == 0) return "";
        if (_pool is null || column >= _pool.Columns.Length || _pool.Columns[column] is not { } pool) return new string(value);
        var lookups = ++_pool.Lookups[column];
        var lookup = pool.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(value, out var shared)) return shared;
        var s = new string(value);
        // A column of mostly distinct values (ids, amounts, names) is not pooled: interning would only cost lookups and memory.
        if (pool.Count < MaxPooled && (pool.Count < MostlyDistinctAfter || pool.Count * 2 < lookups)) pool[s] = s;
        else _pool.Columns[column] = null;
        return s;
    }

    private string? ColumnName(int index) => Header is not null && index < Header.Count ? Header[index] : null;

    public void Dispose() => _reader.Dispose();
}

/// <summary>The strings a <see cref="CsvRecordReader"/> hands out for repeated values, one pool per column; not thread-safe.</summary>
public sealed class CsvInternPool
{
    public CsvInternPool(int columns)
    {
        Columns = new Dictionary<string, string>?[columns];
        for (var i = 0; i < Columns.Length; i++) Columns[i] = new Dictionary<string, string>(StringComparer.Ordinal);
        Lookups = new long[columns];
    }

    /// <summary>Per column: the pool, or null once the column turned out to hold mostly distinct values.</summary>
    internal Dictionary<string, string>?[] Columns { get; }
    internal long[] Lookups { get; }
}
