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
    /// <summary>Rows per row group: a 1M-lead file has twenty, which readers such as DuckDB read side by side; one is buffered while it is written.</summary>
    public const int DefaultRowGroupRows = 50_000;

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
        var shards = _rows.Values.ToArray();
        var leads = ParquetRows.InInputOrder(shards);
        var order = RankOrder.Descending(leads.Select(l => l.Probability).ToArray());
        var annotations = layout.AnnotationHeaders.Count;
        var numeric = Enumerable.Range(0, annotations).Select(a => shards.Any(s => s.Seen[a]) && !shards.Any(s => s.NotNumber[a])).ToArray();

        var workers = Math.Max(1, Environment.ProcessorCount);
        using var stream = new FileStream(parquet, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using (var properties = Properties())
        using (var schema = Schema(layout, numeric))
        using (var file = new ParquetFileWriter(stream, schema, properties, keyValueMetadata: null, leaveOpen: true))
        {
            // While one row group is written (column after column, as Parquet lays them out), the next is unpacked and its
            // reasons worded on the other cores.
            var words = new ReasonWords(_reasonColumns.Names());
            RowGroupBuffers NewGroup() => new(layout.InputHeader.Count, annotations, numeric, words);
            var (current, spare) = (NewGroup(), NewGroup());
            current.Load(leads, order, 0, Math.Min(_rowGroupRows, order.Length), workers);
            for (var from = 0; from < order.Length; from += _rowGroupRows)
            {
                var nextFrom = from + _rowGroupRows;
                var filling = spare;
                var next = nextFrom < order.Length
                    ? Task.Run(() => filling.Load(leads, order, nextFrom, Math.Min(_rowGroupRows, order.Length - nextFrom), workers))
                    : Task.CompletedTask;
                try
                {
                    using var writer = file.AppendRowGroup();
                    for (var column = 0; column < current.Columns; column++) current.Write(writer, column, from + 1L);
                    writer.Close();
                }
                finally { next.Wait(); }
                (current, spare) = (spare, current);
            }
            file.Close();
        }
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Snappy (fast; what DuckDB and pyarrow write by default), without dictionary encoding (hashing every value took a sixth
    /// of the writer's time at 500k leads, perf, for a file about a fifth smaller), min/max statistics on the numbers only
    /// (comparing every text value took another twentieth; no reader prunes row groups by a company name).
    /// </summary>
    private static WriterProperties Properties()
    {
        using var builder = new WriterPropertiesBuilder().Compression(Compression.Snappy).DisableDictionary().DisableStatistics();
        foreach (var number in new[] { RankedLayout.Rank, RankedLayout.Probability, RankedLayout.Score }) builder.EnableStatistics(number);
        return builder.Build();
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

    /// <summary>Every column numbered so far, by number.</summary>
    public IReadOnlyList<string> Names()
    {
        lock (_lock) return [.. _names];
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

    /// <summary>Every thread's leads, in input order (by <see cref="ScoredRow.Position"/>); the threads' lists are let go.</summary>
    public static PackedLead[] InInputOrder(IReadOnlyList<ParquetRows> shards)
    {
        var leads = new PackedLead[shards.Sum(s => s._leads.Count)];
        var at = 0;
        foreach (var shard in shards)
        {
            shard._leads.CopyTo(leads, at);
            at += shard._leads.Count;
            shard._leads.Clear();
            shard._leads.TrimExcess();
        }
        var positions = leads.Select(l => l.Position).ToArray();
        Array.Sort(positions, leads);
        return leads;
    }
}

/// <summary>
/// One row group's rows, in rank order, unpacked into where each value is (page and offset), with <c>top_reasons</c> and
/// <c>top_reasons_json</c> worded (<see cref="Load"/>, on several threads); then its columns written one after the other.
/// The text columns are handed to the Parquet writer as pointers into the pinned pages. Reused from one row group to the
/// next: its buffers grow with the row group, not with the file.
/// </summary>
internal sealed class RowGroupBuffers(int fields, int annotations, bool[] numeric, ReasonWords words)
{
    private readonly int _slots = 2 + annotations + fields;
    private int _rows;
    private byte[][] _pages = [];
    private int[] _at = [];
    private int[] _length = [];
    private int[] _reasonsAt = [];
    private double[] _probabilities = [];
    private readonly Scratch _scratch = new();
    private readonly ByteBuffer _worded = new();
    private readonly ByteBuffer _json = new();
    private int[] _wordedLengths = [];
    private int[] _jsonLengths = [];

    /// <summary>How many columns the Parquet file has.</summary>
    public int Columns => 5 + annotations + 2 + fields;

    public void Load(PackedLead[] leads, int[] order, int from, int rows, int workers)
    {
        _rows = rows;
        if (_pages.Length < rows)
        {
            _pages = new byte[rows][];
            _at = new int[rows * _slots];
            _length = new int[rows * _slots];
            _reasonsAt = new int[rows];
            _probabilities = new double[rows];
            _wordedLengths = new int[rows];
            _jsonLengths = new int[rows];
        }
        var parts = Math.Clamp(rows / 10_000, 1, 4 * workers);
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = workers }, part =>
        {
            for (int r = (int)((long)rows * part / parts), to = (int)((long)rows * (part + 1) / parts); r < to; r++)
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
        });
        Parallel.Invoke(new ParallelOptions { MaxDegreeOfParallelism = workers },
            () => Word(_worded, _wordedLengths, words.Worded), () => Word(_json, _jsonLengths, words.Json));
    }

    private void Word(ByteBuffer text, int[] lengths, Action<byte[], int, ByteBuffer> word)
    {
        text.ResetWrittenCount();
        for (var r = 0; r < _rows; r++)
        {
            var start = text.WrittenCount;
            word(_pages[r], _reasonsAt[r], text);
            lengths[r] = text.WrittenCount - start;
        }
    }

    /// <summary>Writes column <paramref name="column"/> of the row group (the next one).</summary>
    public void Write(RowGroupWriter group, int column, long firstRank)
    {
        var scratch = _scratch.Sized(_rows);
        var reasonsAt = 5 + annotations;
        switch (column)
        {
            case 0:
                for (var r = 0; r < _rows; r++) scratch.Ranks[r] = firstRank + r;
                Write(group, column, scratch.Ranks.AsSpan(0, _rows));
                break;
            case 1: WriteText(group, column, ParquetRows.IdSlot, scratch); break;
            case 2: Write(group, column, _probabilities.AsSpan(0, _rows)); break;
            case 3:
                for (var r = 0; r < _rows; r++) scratch.Scores[r] = LeadScorer.ToScore(_probabilities[r]);
                Write(group, column, scratch.Scores.AsSpan(0, _rows));
                break;
            case 4: WriteText(group, column, ParquetRows.GradeSlot, scratch); break;
            case var c when c < reasonsAt:
                var a = c - 5;
                if (numeric[a]) WriteNumbers(group, column, ParquetRows.AnnotationSlot(a), scratch);
                else WriteText(group, column, ParquetRows.AnnotationSlot(a), scratch);
                break;
            case var c when c == reasonsAt || c == reasonsAt + 1:
                if (c == reasonsAt) WriteWorded(group, _worded, _wordedLengths, optional: true, scratch);
                else WriteWorded(group, _json, _jsonLengths, optional: false, scratch);
                break;
            default: WriteText(group, column, ParquetRows.FieldSlot(annotations, column - reasonsAt - 2), scratch); break;
        }
    }

    private static void Write<T>(RowGroupWriter group, int column, ReadOnlySpan<T> values) where T : unmanaged
    {
        using var writer = (ColumnWriter<T>)group.NextColumn();
        writer.WriteBatch(values);
    }

    private void WriteText(RowGroupWriter group, int column, int slot, Scratch scratch)
    {
        var n = 0;
        for (int r = 0, cell = slot; r < _rows; r++, cell += _slots)
        {
            var length = _length[cell];
            scratch.Defined[r] = (short)(length == 0 ? 0 : 1);
            if (length > 0) scratch.Values[n++] = new ByteArray(Marshal.UnsafeAddrOfPinnedArrayElement(_pages[r], _at[cell]), length);
        }
        using var writer = (ColumnWriter<ByteArray>)group.NextColumn();
        writer.WriteBatch(_rows, scratch.Defined.AsSpan(0, _rows), default, scratch.Values.AsSpan(0, n));
    }

    /// <summary>A column whose every value is a number, as the number its text says (the ranked CSV's text, parsed).</summary>
    private void WriteNumbers(RowGroupWriter group, int column, int slot, Scratch scratch)
    {
        var n = 0;
        for (int r = 0, cell = slot; r < _rows; r++, cell += _slots)
        {
            var length = _length[cell];
            scratch.Defined[r] = (short)(length == 0 ? 0 : 1);
            if (length > 0) scratch.Numbers[n++] = double.Parse(_pages[r].AsSpan(_at[cell], length), NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        using var writer = (ColumnWriter<double>)group.NextColumn();
        writer.WriteBatch(_rows, scratch.Defined.AsSpan(0, _rows), default, scratch.Numbers.AsSpan(0, n));
    }

    /// <summary><c>top_reasons</c> ("▲ Demo Requested = yes | …", as the ranked CSV words it; NULL without reasons), or <c>top_reasons_json</c> (always an array).</summary>
    private void WriteWorded(RowGroupWriter group, ByteBuffer text, int[] lengths, bool optional, Scratch scratch)
    {
        var handle = GCHandle.Alloc(text.Bytes, GCHandleType.Pinned);
        try
        {
            var at = handle.AddrOfPinnedObject();
            var n = 0;
            for (var r = 0; r < _rows; r++)
            {
                var length = lengths[r];
                scratch.Defined[r] = (short)(length == 0 ? 0 : 1);
                if (length > 0 || !optional) scratch.Values[n++] = new ByteArray(at, length);
                at += length;
            }
            using var writer = (ColumnWriter<ByteArray>)group.NextColumn();
            writer.WriteBatch(_rows, optional ? scratch.Defined.AsSpan(0, _rows) : default, default, scratch.Values.AsSpan(0, n));
        }
        finally { handle.Free(); }
    }

    /// <summary>The buffers a column is handed to the writer in.</summary>
    private sealed class Scratch
    {
        public ByteArray[] Values = [];
        public short[] Defined = [];
        public double[] Numbers = [];
        public long[] Ranks = [];
        public int[] Scores = [];

        public Scratch Sized(int rows)
        {
            if (Values.Length >= rows) return this;
            (Values, Defined, Numbers, Ranks, Scores) = (new ByteArray[rows], new short[rows], new double[rows], new long[rows], new int[rows]);
            return this;
        }
    }
}

/// <summary>
/// A lead's packed reasons worded as the ranked CSV words them (<see cref="ScoreFactor"/>: "▲ Demo Requested = yes | …") and
/// as JSON, the scores table's (<see cref="ScoreTableWriter.ReasonsJson"/>: column, value and effect rounded to 6 decimals,
/// strings escaped as <see cref="Utf8JsonWriter"/> escapes them). Thread-safe.
/// </summary>
internal sealed class ReasonWords(IReadOnlyList<string> columns)
{
    private readonly byte[][] _raised = columns.Select(c => Encoding.UTF8.GetBytes(ScoreFactor.Prefix(c, raised: true))).ToArray();
    private readonly byte[][] _lowered = columns.Select(c => Encoding.UTF8.GetBytes(ScoreFactor.Prefix(c, raised: false))).ToArray();
    private readonly byte[][] _json = columns.Select(c => (byte[])[.. "{\"column\":\""u8, .. JsonEncodedText.Encode(c).EncodedUtf8Bytes, .. "\",\"value\":\""u8]).ToArray();

    public void Worded(byte[] page, int at, ByteBuffer to)
    {
        var count = ParquetRows.ReadVarint(page, ref at);
        for (var k = 0; k < count; k++)
        {
            var value = Next(page, ref at, out var id, out var effect);
            if (k > 0) to.Write(" | "u8);
            to.Write(effect >= 0 ? _raised[id] : _lowered[id]);
            to.Write(value);
        }
    }

    public void Json(byte[] page, int at, ByteBuffer to)
    {
        var count = ParquetRows.ReadVarint(page, ref at);
        to.Write("["u8);
        for (var k = 0; k < count; k++)
        {
            var value = Next(page, ref at, out var id, out var effect);
            if (k > 0) to.Write(","u8);
            to.Write(_json[id]);
            if (NeedsEscaping(value)) to.Write(JsonEncodedText.Encode(value).EncodedUtf8Bytes);
            else to.Write(value);
            to.Write("\",\"effect\":"u8);
            Effect(effect, to);
            to.Write("}"u8);
        }
        to.Write("]"u8);
    }

    private static ReadOnlySpan<byte> Next(ReadOnlySpan<byte> page, ref int at, out int id, out double effect)
    {
        id = ParquetRows.ReadVarint(page, ref at);
        effect = BitConverter.ToDouble(page.Slice(at, 8));
        at += 8;
        var length = ParquetRows.ReadVarint(page, ref at);
        var value = page.Slice(at, length);
        at += length;
        return value;
    }

    /// <summary>Whether <see cref="Utf8JsonWriter"/> would escape a byte of the value (the default encoder: controls, quotes, backslash, HTML-sensitive characters, anything not ASCII).</summary>
    private static bool NeedsEscaping(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
            if (b < 0x20 || b >= 0x7F || b is (byte)'"' or (byte)'\\' or (byte)'<' or (byte)'>' or (byte)'&' or (byte)'\'' or (byte)'+' or (byte)'`') return true;
        return false;
    }

    /// <summary>Math.Round(effect, 6) in decimal digits ("0.41", "-1.5", "0"): the same number the scores table's JSON holds.</summary>
    private static void Effect(double effect, ByteBuffer to)
    {
        var scaled = Math.Round(effect * 1e6);
        if (!(Math.Abs(scaled) < 1e15))
        {
            var span = to.GetSpan(32);
            Math.Round(effect, 6).TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
            to.Advance(written);
            return;
        }
        var k = (long)scaled;
        var digits = to.GetSpan(24);
        var n = 0;
        if (k < 0) { digits[n++] = (byte)'-'; k = -k; }
        var whole = k / 1_000_000;
        whole.TryFormat(digits[n..], out var w, default, CultureInfo.InvariantCulture);
        n += w;
        var fraction = (int)(k % 1_000_000);
        if (fraction != 0)
        {
            digits[n++] = (byte)'.';
            var last = n + 5;
            for (var d = last; d >= n; d--, fraction /= 10) digits[d] = (byte)('0' + fraction % 10);
            n = last + 1;
            while (digits[n - 1] == (byte)'0') n--;
        }
        to.Advance(n);
    }
}

/// <summary>Bytes written one after the other into one array, which grows (what the reasons' columns are worded into).</summary>
internal sealed class ByteBuffer
{
    public byte[] Bytes { get; private set; } = new byte[1 << 20];
    public int WrittenCount { get; private set; }

    public void ResetWrittenCount() => WrittenCount = 0;

    public Span<byte> GetSpan(int size)
    {
        if (WrittenCount + size > Bytes.Length)
        {
            var bigger = new byte[Math.Max(Bytes.Length * 2, WrittenCount + size)];
            Bytes.AsSpan(0, WrittenCount).CopyTo(bigger);
            Bytes = bigger;
        }
        return Bytes.AsSpan(WrittenCount);
    }

    public void Advance(int count) => WrittenCount += count;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        WrittenCount += bytes.Length;
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
