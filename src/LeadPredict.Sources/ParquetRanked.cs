using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Encoding = System.Text.Encoding;
using System.Text.Json;
using LeadPredict.Core;
using LeadPredict.ML.Scoring;
using ParquetSharp;
using ParquetSharp.Schema;

namespace LeadPredict.Sources;

/// <summary>
/// The ranked leads as Parquet, written from the typed rows batch scoring hands its sink (<see cref="IScoredLeadSink"/>), not
/// from the ranked CSV (batch scoring builds no CSV line then). Each scoring thread packs its leads into compact rows of its
/// own (<see cref="ParquetRows"/>: UTF-8 values and the reasons' column, value and effect; no text is kept twice);
/// <see cref="Finish"/> ranks them the ranked file's way (probability, highest first, ties in input order:
/// <see cref="RankOrder"/>) and writes the row groups in rank order, column by column straight from those bytes (ParquetSharp),
/// so memory is the compact rows plus one row group's buffers. Columns: <c>rank</c> INT64, the id, <c>probability</c> DOUBLE,
/// <c>score</c> INT32, <c>grade</c>, the annotators' columns (DOUBLE when every value is a number, as <c>icp_score</c> and a
/// horizon's probabilities; text otherwise), <c>top_reasons</c> worded as in the ranked CSV, <c>top_reasons_json</c> (JSON:
/// column, value and effect of each reason), then the input's columns as they were read (text; empty values are NULL).
/// Column names are the ranked CSV's.
/// </summary>
public sealed class ParquetRankedWriter : IScoredLeadSink, IDisposable
{
    public const string ReasonsJsonColumn = "top_reasons_json";
    /// <summary>Rows per row group: a 1M-lead file has ten, which readers such as DuckDB read side by side.</summary>
    public const int DefaultRowGroupRows = 100_000;

    private readonly int _rowGroupRows;
    private readonly Lock _create = new();
    private readonly ThreadLocal<ParquetRows> _rows;
    private readonly ReasonColumns _reasonColumns = new();
    private RankedLayout? _layout;

    public ParquetRankedWriter(int rowGroupRows = DefaultRowGroupRows)
    {
        if (rowGroupRows < 1) throw new ArgumentOutOfRangeException(nameof(rowGroupRows), rowGroupRows, "a row group holds at least one row.");
        _rowGroupRows = rowGroupRows;
        _rows = new ThreadLocal<ParquetRows>(() => new ParquetRows(_layout!.AnnotationHeaders.Count, _reasonColumns), trackAllValues: true);
    }

    public bool WantsReasons => true;

    public void Scored(RankedLayout layout, in ScoredRow lead)
    {
        if (_layout is null)
            lock (_create) _layout ??= layout;
        _rows.Value!.Add(lead);
    }

    /// <summary>Ranks every thread's rows and writes the Parquet file to <paramref name="parquet"/> (a private path of the caller's), flushed to disk.</summary>
    public void Finish(string parquet)
    {
        var layout = _layout ?? throw new LeadPredictException("there were no leads to write to the Parquet file.");
        var shards = _rows.Values;
        var leads = ParquetRows.InInputOrder(shards);
        var order = RankOrder.Descending(leads.Select(l => l.Probability).ToArray());
        var annotations = layout.AnnotationHeaders.Count;
        var numeric = Enumerable.Range(0, annotations).Select(a => shards.Any(s => s.Seen[a]) && !shards.Any(s => s.NotNumber[a])).ToArray();

        using var stream = new FileStream(parquet, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using (var properties = new WriterPropertiesBuilder().Compression(Compression.Snappy).Build())
        using (var schema = Schema(layout, numeric))
        using (var file = new ParquetFileWriter(stream, schema, properties, keyValueMetadata: null, leaveOpen: true))
        {
            var group = new RowGroupBuffers(layout.InputHeader.Count, annotations, _reasonColumns);
            for (var from = 0; from < order.Length; from += _rowGroupRows)
            {
                var rows = Math.Min(_rowGroupRows, order.Length - from);
                group.Load(leads, order, from, rows);
                using var writer = file.AppendRowGroup();
                Write(writer, group.Ranks(from));
                group.WriteText(writer, ParquetRows.IdSlot);
                Write(writer, group.Probabilities());
                Write(writer, group.Scores());
                group.WriteText(writer, ParquetRows.GradeSlot);
                for (var a = 0; a < annotations; a++)
                    if (numeric[a]) group.WriteNumbers(writer, ParquetRows.AnnotationSlot(a));
                    else group.WriteText(writer, ParquetRows.AnnotationSlot(a));
                group.WriteReasons(writer);
                for (var f = 0; f < layout.InputHeader.Count; f++) group.WriteText(writer, ParquetRows.FieldSlot(annotations, f));
                writer.Close();
            }
            file.Close();
        }
        stream.Flush(flushToDisk: true);
    }

    private static void Write<T>(RowGroupWriter group, ReadOnlySpan<T> values) where T : unmanaged
    {
        using var column = (ColumnWriter<T>)group.NextColumn();
        column.WriteBatch(values);
    }

    private static GroupNode Schema(RankedLayout layout, bool[] numeric)
    {
        var inputNames = layout.RankedInputHeader.Select(h => string.Equals(h, ReasonsJsonColumn, StringComparison.OrdinalIgnoreCase) ? h + RankedLayout.InputSuffix : h);
        var nodes = new List<Node>
        {
            new PrimitiveNode(RankedLayout.Rank, Repetition.Required, LogicalType.None(), PhysicalType.Int64),
            Text(layout.IdHeader),
            new PrimitiveNode(RankedLayout.Probability, Repetition.Required, LogicalType.None(), PhysicalType.Double),
            new PrimitiveNode(RankedLayout.Score, Repetition.Required, LogicalType.None(), PhysicalType.Int32),
            Text(RankedLayout.Grade),
        };
        nodes.AddRange(layout.AnnotationHeaders.Select((h, a) => numeric[a] ? new PrimitiveNode(h, Repetition.Optional, LogicalType.None(), PhysicalType.Double) : Text(h)));
        nodes.Add(Text(RankedLayout.TopReasons));
        nodes.Add(new PrimitiveNode(ReasonsJsonColumn, Repetition.Required, LogicalType.Json(), PhysicalType.ByteArray));
        nodes.AddRange(inputNames.Select(Text));
        try { return new GroupNode("schema", Repetition.Required, nodes); }
        finally
        {
            foreach (var node in nodes) node.Dispose();
        }

        static Node Text(string name) => new PrimitiveNode(name, Repetition.Optional, LogicalType.String(), PhysicalType.ByteArray);
    }

    public void Dispose() => _rows.Dispose();
}

/// <summary>The columns the reasons name, numbered once for every thread (a reason keeps the number, not the name).</summary>
internal sealed class ReasonColumns
{
    private readonly Lock _lock = new();
    private readonly List<string> _names = [];
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public int Id(string column)
    {
        lock (_lock)
        {
            if (_ids.TryGetValue(column, out var id)) return id;
            _names.Add(column);
            return _ids[column] = _names.Count - 1;
        }
    }

    public string Name(int id)
    {
        lock (_lock) return _names[id];
    }
}

/// <summary>Where one lead's compact row is, and what ranks it.</summary>
internal readonly record struct PackedLead(long Position, double Probability, byte[] Page, int Offset);

/// <summary>
/// One scoring thread's leads, packed: each row is its text values in UTF-8, each after its length (0: empty, written as
/// NULL), in the order id, grade, the annotators' cells, the input's fields; then its reasons (how many, then each one's
/// column number, effect and value). Rows sit one after the other in 1 MB pages (pinned, so the Parquet writer reads the
/// values where they are). Also notes, per annotator column, whether it had a value and whether every value was a number.
/// </summary>
internal sealed class ParquetRows(int annotations, ReasonColumns reasonColumns)
{
    public const int IdSlot = 0;
    public const int GradeSlot = 1;
    public static int AnnotationSlot(int a) => 2 + a;
    public static int FieldSlot(int annotations, int f) => 2 + annotations + f;

    private const int PageBytes = 1 << 20;
    private readonly List<PackedLead> _leads = [];
    private readonly Dictionary<string, int> _reasonIds = new(StringComparer.Ordinal);
    private byte[] _row = new byte[4096];
    private int _length;
    private byte[] _page = [];
    private int _used;

    public readonly bool[] Seen = new bool[annotations];
    public readonly bool[] NotNumber = new bool[annotations];

    public void Add(in ScoredRow lead)
    {
        _length = 0;
        Text(lead.Id);
        Text(lead.Grade);
        var a = 0;
        foreach (var annotation in lead.Annotations)
            foreach (var cell in annotation.Cells)
            {
                if (!string.IsNullOrEmpty(cell))
                {
                    Seen[a] = true;
                    if (!NotNumber[a] && !double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) NotNumber[a] = true;
                }
                Text(cell);
                a++;
            }
        foreach (var field in lead.Fields) Text(field);
        var reasons = lead.Reasons ?? [];
        Varint((uint)reasons.Count);
        foreach (var r in reasons)
        {
            if (!_reasonIds.TryGetValue(r.Column, out var id)) _reasonIds[r.Column] = id = reasonColumns.Id(r.Column);
            Varint((uint)id);
            Reserve(8);
            BitConverter.TryWriteBytes(_row.AsSpan(_length), r.Effect);
            _length += 8;
            Text(r.Value);
        }

        if (_used + _length > _page.Length)
        {
            _page = GC.AllocateUninitializedArray<byte>(Math.Max(PageBytes, _length), pinned: true);
            _used = 0;
        }
        _row.AsSpan(0, _length).CopyTo(_page.AsSpan(_used));
        _leads.Add(new PackedLead(lead.Position, lead.Probability, _page, _used));
        _used += _length;
    }

    private void Text(string? value)
    {
        if (string.IsNullOrEmpty(value)) { Varint(0); return; }
        Reserve(5 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var bytes = Encoding.UTF8.GetByteCount(value);
        Varint((uint)bytes);
        _length += Encoding.UTF8.GetBytes(value, _row.AsSpan(_length));
    }

    private void Varint(uint value)
    {
        Reserve(5);
        for (; value >= 0x80; value >>= 7) _row[_length++] = (byte)(value | 0x80);
        _row[_length++] = (byte)value;
    }

    private void Reserve(int bytes)
    {
        if (_length + bytes > _row.Length) Array.Resize(ref _row, Math.Max(_row.Length * 2, _length + bytes));
    }

    public static int ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        var value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }

    /// <summary>Every thread's leads, in input order (by <see cref="ScoredRow.Position"/>).</summary>
    public static PackedLead[] InInputOrder(IEnumerable<ParquetRows> shards)
    {
        var leads = shards.SelectMany(s => s._leads).ToArray();
        var positions = leads.Select(l => l.Position).ToArray();
        Array.Sort(positions, leads);
        return leads;
    }
}

/// <summary>
/// One row group's rows, in rank order, unpacked into where each value is (page and offset); the text columns are handed to
/// the Parquet writer as pointers into the pinned pages, and <c>top_reasons</c> and <c>top_reasons_json</c> are worded here,
/// a row group at a time. Reused from one row group to the next, so it is the writer's one buffer that grows with the group.
/// </summary>
internal sealed class RowGroupBuffers(int fields, int annotations, ReasonColumns reasonColumns)
{
    private readonly int _slots = 2 + annotations + fields;
    private int _rows;
    private byte[][] _pages = [];
    private int[] _at = [];
    private int[] _length = [];
    private int[] _reasonsAt = [];
    private double[] _probabilities = [];
    private long[] _ranks = [];
    private int[] _scores = [];
    private ByteArray[] _values = [];
    private double[] _numbers = [];
    private short[] _defined = [];
    private readonly Dictionary<(int Column, bool Raised), byte[]> _prefixes = [];
    private readonly List<byte[]> _names = [];
    private readonly ArrayBufferWriter<byte> _worded = new(1 << 20);
    private readonly ArrayBufferWriter<byte> _json = new(1 << 20);

    public void Load(PackedLead[] leads, int[] order, int from, int rows)
    {
        _rows = rows;
        if (_pages.Length < rows)
        {
            _pages = new byte[rows][];
            _at = new int[rows * _slots];
            _length = new int[rows * _slots];
            _reasonsAt = new int[rows];
            _probabilities = new double[rows];
            _ranks = new long[rows];
            _scores = new int[rows];
            _values = new ByteArray[rows];
            _numbers = new double[rows];
            _defined = new short[rows];
        }
        for (var r = 0; r < rows; r++)
        {
            var lead = leads[order[from + r]];
            _pages[r] = lead.Page;
            _probabilities[r] = lead.Probability;
            var bytes = lead.Page.AsSpan();
            var at = lead.Offset;
            for (int s = 0, cell = r * _slots; s < _slots; s++, cell++)
            {
                var length = ParquetRows.ReadVarint(bytes, ref at);
                _at[cell] = at;
                _length[cell] = length;
                at += length;
            }
            _reasonsAt[r] = at;
        }
    }

    public ReadOnlySpan<long> Ranks(int from)
    {
        for (var r = 0; r < _rows; r++) _ranks[r] = from + r + 1L;
        return _ranks.AsSpan(0, _rows);
    }

    public ReadOnlySpan<double> Probabilities() => _probabilities.AsSpan(0, _rows);

    public ReadOnlySpan<int> Scores()
    {
        for (var r = 0; r < _rows; r++) _scores[r] = LeadScorer.ToScore(_probabilities[r]);
        return _scores.AsSpan(0, _rows);
    }

    public void WriteText(RowGroupWriter group, int slot)
    {
        var n = 0;
        for (int r = 0, cell = slot; r < _rows; r++, cell += _slots)
        {
            var length = _length[cell];
            _defined[r] = (short)(length == 0 ? 0 : 1);
            if (length > 0) _values[n++] = new ByteArray(Marshal.UnsafeAddrOfPinnedArrayElement(_pages[r], _at[cell]), length);
        }
        using var column = (ColumnWriter<ByteArray>)group.NextColumn();
        column.WriteBatch(_rows, _defined.AsSpan(0, _rows), default, _values.AsSpan(0, n));
    }

    /// <summary>A column whose every value is a number, as the number its text says (the ranked CSV's text, parsed).</summary>
    public void WriteNumbers(RowGroupWriter group, int slot)
    {
        var n = 0;
        for (int r = 0, cell = slot; r < _rows; r++, cell += _slots)
        {
            var length = _length[cell];
            _defined[r] = (short)(length == 0 ? 0 : 1);
            if (length > 0) _numbers[n++] = double.Parse(_pages[r].AsSpan(_at[cell], length), NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        using var column = (ColumnWriter<double>)group.NextColumn();
        column.WriteBatch(_rows, _defined.AsSpan(0, _rows), default, _numbers.AsSpan(0, n));
    }

    /// <summary><c>top_reasons</c> ("▲ Demo Requested = yes | …", as the ranked CSV words it) and <c>top_reasons_json</c>.</summary>
    public void WriteReasons(RowGroupWriter group)
    {
        _worded.ResetWrittenCount();
        _json.ResetWrittenCount();
        var wordedEnds = new int[_rows];
        var jsonEnds = new int[_rows];
        using (var json = new Utf8JsonWriter(_json))
            for (var r = 0; r < _rows; r++)
            {
                var bytes = _pages[r].AsSpan();
                var at = _reasonsAt[r];
                var count = ParquetRows.ReadVarint(bytes, ref at);
                json.Reset(_json);
                json.WriteStartArray();
                for (var k = 0; k < count; k++)
                {
                    var id = ParquetRows.ReadVarint(bytes, ref at);
                    var effect = BitConverter.ToDouble(bytes.Slice(at, 8));
                    at += 8;
                    var length = ParquetRows.ReadVarint(bytes, ref at);
                    var value = bytes.Slice(at, length);
                    at += length;
                    if (k > 0) _worded.Write(" | "u8);
                    _worded.Write(Prefix(id, effect >= 0));
                    _worded.Write(value);
                    json.WriteStartObject();
                    json.WriteString("column"u8, Name(id));
                    json.WriteString("value"u8, value);
                    json.WriteNumber("effect"u8, Math.Round(effect, 6));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.Flush();
                wordedEnds[r] = _worded.WrittenCount;
                jsonEnds[r] = _json.WrittenCount;
            }
        WritePinned(group, _worded, wordedEnds, optional: true);
        WritePinned(group, _json, jsonEnds, optional: false);
    }

    private void WritePinned(RowGroupWriter group, ArrayBufferWriter<byte> text, int[] ends, bool optional)
    {
        if (!MemoryMarshal.TryGetArray(text.WrittenMemory, out var segment)) throw new InvalidOperationException("the worded reasons are not in an array.");
        var handle = GCHandle.Alloc(segment.Array, GCHandleType.Pinned);
        try
        {
            var start = handle.AddrOfPinnedObject() + segment.Offset;
            var n = 0;
            for (var r = 0; r < _rows; r++)
            {
                var from = r == 0 ? 0 : ends[r - 1];
                var length = ends[r] - from;
                _defined[r] = (short)(length == 0 ? 0 : 1);
                if (length > 0 || !optional) _values[n++] = new ByteArray(start + from, length);
            }
            using var column = (ColumnWriter<ByteArray>)group.NextColumn();
            column.WriteBatch(_rows, optional ? _defined.AsSpan(0, _rows) : default, default, _values.AsSpan(0, n));
        }
        finally { handle.Free(); }
    }

    private byte[] Prefix(int column, bool raised)
    {
        if (!_prefixes.TryGetValue((column, raised), out var prefix))
            _prefixes[(column, raised)] = prefix = Encoding.UTF8.GetBytes(ScoreFactor.Prefix(reasonColumns.Name(column), raised));
        return prefix;
    }

    private ReadOnlySpan<byte> Name(int column)
    {
        while (_names.Count <= column) _names.Add(Encoding.UTF8.GetBytes(reasonColumns.Name(_names.Count)));
        return _names[column];
    }
}

/// <summary>Several sinks fed with the same leads (a scores table and a Parquet file).</summary>
public sealed class ScoredLeadSinks(IReadOnlyList<IScoredLeadSink> sinks) : IScoredLeadSink
{
    public bool WantsReasons => sinks.Any(s => s.WantsReasons);

    public void Scored(RankedLayout layout, in ScoredRow lead)
    {
        foreach (var sink in sinks) sink.Scored(layout, lead);
    }

    /// <summary>The one sink, the sinks together, or null when there is none.</summary>
    public static IScoredLeadSink? Of(params IScoredLeadSink?[] sinks)
    {
        var given = sinks.OfType<IScoredLeadSink>().ToArray();
        return given.Length == 0 ? null : given.Length == 1 ? given[0] : new ScoredLeadSinks(given);
    }
}
