using System.Text;
using LeadPredict.Core;

namespace LeadPredict.Core.Tests.Csv;

/// <summary>
/// The character-at-a-time reader as it was before the span-based rewrite of <see cref="LeadPredict.Core.Csv.CsvRecordReader"/>,
/// kept unchanged as the reference the differential tests compare the new reader with.
/// A streaming RFC 4180 reader: quoted fields with embedded separators, quotes and newlines,
/// a UTF-8 BOM, Windows or Unix line endings, and `,` `;` `\t` `|` separators (detected from the header when not given).
/// Written by hand rather than with a general CSV library because every error must name the exact line
/// (an unclosed quote is reported at the line where it opened) and the hot path must not allocate per row
/// beyond the field strings themselves.
/// </summary>
internal sealed class ReferenceCsvReader : IDisposable
{
    private static readonly char[] CandidateSeparators = [',', ';', '\t', '|'];
    private readonly TextReader _reader;
    private readonly char[] _buffer = new char[1 << 16];
    private int _pos;
    private int _len;
    private long _line = 1;
    private readonly StringBuilder _field = new();
    private readonly StringBuilder? _raw;

    public ReferenceCsvReader(string path, char? separator = null, bool keepRawRecord = false)
        : this(OpenFile(path), path, separator, keepRawRecord) { }

    public ReferenceCsvReader(TextReader reader, string path, char? separator = null, bool keepRawRecord = false)
    {
        _reader = reader;
        FilePath = path;
        if (keepRawRecord) _raw = new StringBuilder(256);
        var firstLine = PeekFirstLine();
        if (firstLine is null || firstLine.Trim().Length == 0)
            throw new InputFileException(path, null, null, "the file is empty; expected a header row with column names.");
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

    public string FilePath { get; }
    public char Separator { get; }
    public IReadOnlyList<string> Header { get; }

    /// <summary>The line on which the record most recently read starts (the header is line 1).</summary>
    public long RecordLine { get; private set; }

    /// <summary>The record most recently read, exactly as in the file (without its line ending), when requested.</summary>
    public string? RawRecord => _raw?.ToString();

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
        try
        {
            _len = _reader.Read(_buffer, 0, _buffer.Length);
        }
        catch (DecoderFallbackException e)
        {
            throw new InputFileException(FilePath, _line, null, "the file is not valid UTF-8 text; save it as UTF-8 (CSV UTF-8 in Excel).", e);
        }
        _pos = 0;
        return _len > 0;
    }

    private bool ReadRecord(List<string> fields, out bool blank)
    {
        fields.Clear();
        _raw?.Clear();
        blank = false;
        if (!Fill()) return false;
        RecordLine = _line;
        var sep = Separator;
        _field.Clear();
        var inQuotes = false;
        var wasQuoted = false;
        long quoteLine = 0;
        while (true)
        {
            if (_pos >= _len && !Fill())
            {
                if (inQuotes)
                    throw new InputFileException(FilePath, quoteLine, ColumnName(fields.Count),
                        "a quoted field opened on this line is never closed; add the closing quote (\").");
                fields.Add(_field.ToString());
                blank = fields.Count == 1 && fields[0].Length == 0 && !wasQuoted;
                return true;
            }
            var c = _buffer[_pos++];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (_pos >= _len) Fill();
                    if (_pos < _len && _buffer[_pos] == '"')
                    {
                        _field.Append('"');
                        _raw?.Append("\"\"");
                        _pos++;
                        continue;
                    }
                    inQuotes = false;
                    _raw?.Append('"');
                    continue;
                }
                if (c == '\n') _line++;
                else if (c == '\r')
                {
                    if (_pos >= _len) Fill();
                    if (_pos >= _len || _buffer[_pos] != '\n') _line++;
                }
                _field.Append(c);
                _raw?.Append(c);
                continue;
            }
            if (c == sep)
            {
                fields.Add(_field.ToString());
                _field.Clear();
                wasQuoted = false;
                _raw?.Append(c);
                continue;
            }
            if (c == '\n' || c == '\r')
            {
                if (c == '\r')
                {
                    if (_pos >= _len) Fill();
                    if (_pos < _len && _buffer[_pos] == '\n') _pos++;
                }
                _line++;
                fields.Add(_field.ToString());
                blank = fields.Count == 1 && fields[0].Length == 0 && !wasQuoted;
                return true;
            }
            if (c == '"' && _field.Length == 0 && !wasQuoted)
            {
                inQuotes = true;
                wasQuoted = true;
                quoteLine = _line;
                _raw?.Append(c);
                continue;
            }
            _field.Append(c);
            _raw?.Append(c);
        }
    }

    private string? ColumnName(int index) => Header is not null && index < Header.Count ? Header[index] : null;

    public void Dispose() => _reader.Dispose();
}
