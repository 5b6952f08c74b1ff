using LeadPredict.Core.Csv;

namespace LeadPredict.Core;

/// <summary>
/// A CRM export held in memory column by column, with missing-value tokens already turned into null.
/// Repeated values in a column share one string instance, so a million rows of categories stay small.
/// Columns computed as numbers (engagement features) can be held typed (<see cref="Numbers(int)"/>, NaN = missing): the
/// featurizer reads them as floats, and their text is made only if something asks for <see cref="Column(int)"/>.
/// </summary>
public sealed class LeadTable
{
    private readonly string?[]?[] _columns;
    private readonly float[]?[] _numbers;
    private readonly long[] _lines;
    /// <summary>Each name's first column, ignoring case: every column is looked up by name, and a scan per lookup made a 20,000-column file take over a minute to read.</summary>
    private readonly Dictionary<string, int> _index;

    public LeadTable(string sourcePath, char separator, IReadOnlyList<string> columnNames, string?[][] columns, long[] lines)
        : this(sourcePath, separator, columnNames, columns, new float[]?[columns.Length], lines)
    {
    }

    /// <summary>A table whose column <c>i</c> is typed when <paramref name="numbers"/>[i] is set (then <paramref name="columns"/>[i] is null).</summary>
    public LeadTable(string sourcePath, char separator, IReadOnlyList<string> columnNames, string?[]?[] columns, float[]?[] numbers, long[] lines)
    {
        if (columns.Length != columnNames.Count || numbers.Length != columnNames.Count)
            throw new ArgumentException("one column of values (text or numbers) per column name is needed.", nameof(columns));
        for (var i = 0; i < columns.Length; i++)
            if ((columns[i] is null) == (numbers[i] is null))
                throw new ArgumentException($"column '{columnNames[i]}' needs either text or numbers.", nameof(numbers));
        SourcePath = sourcePath;
        Separator = separator;
        ColumnNames = columnNames;
        _columns = columns;
        _numbers = numbers;
        _lines = lines;
        RowCount = lines.Length;
        _index = new Dictionary<string, int>(columnNames.Count, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < columnNames.Count; i++) _index.TryAdd(columnNames[i], i);
    }

    public string SourcePath { get; }
    public char Separator { get; }
    public IReadOnlyList<string> ColumnNames { get; }
    public int RowCount { get; }

    /// <summary>The first column of that name, ignoring case; -1 when there is none.</summary>
    public int IndexOf(string column) => _index.TryGetValue(column, out var at) ? at : -1;

    public bool HasColumn(string column) => IndexOf(column) >= 0;

    public string?[] Column(string column)
    {
        var i = IndexOf(column);
        if (i < 0)
            throw new InputFileException(SourcePath, 1, column, $"no such column; the file has: {string.Join(", ", ColumnNames)}.");
        return Column(i);
    }

    /// <summary>A column's values as text; a typed column's are made once, on first use (<see cref="NumberText"/>).</summary>
    public string?[] Column(int index)
    {
        if (_columns[index] is { } text) return text;
        var made = NumbersAsText(_numbers[index]!);
        return Interlocked.CompareExchange(ref _columns[index], made, null) ?? made;
    }

    /// <summary>A typed column's values by name (NaN = missing), or null when the column is text or absent.</summary>
    public float[]? Numbers(string column) => IndexOf(column) is >= 0 and var i ? _numbers[i] : null;

    /// <summary>A typed column's values (NaN = missing), or null when the column is text.</summary>
    public float[]? Numbers(int index) => _numbers[index];

    /// <summary>Whether any column is typed.</summary>
    public bool HasNumbers => _numbers.Any(n => n is not null);

    /// <summary>
    /// A typed value as text: round-trip ("R") so reading it back gives the same float bit for bit, null when missing.
    /// What a typed column was before it was typed (the text path), kept as the reference the typed path is checked against.
    /// </summary>
    public static string? NumberText(float value) => float.IsNaN(value) ? null : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static string?[] NumbersAsText(float[] numbers)
    {
        var text = new string?[numbers.Length];
        // Repeated values (counts, whole days) share one string, as the CSV reader does.
        var interned = new Dictionary<float, string>();
        for (var i = 0; i < numbers.Length; i++)
        {
            var v = numbers[i];
            if (float.IsNaN(v)) continue;
            if (!interned.TryGetValue(v, out var t))
            {
                t = NumberText(v)!;
                if (interned.Count < 100_000) interned[v] = t;
            }
            text[i] = t;
        }
        return text;
    }

    /// <summary>The line of the file on which a row starts (for error messages).</summary>
    public long LineOf(int row) => _lines[row];

    /// <summary>A new table with the given rows (in that order), sharing the value strings.</summary>
    public LeadTable Select(IReadOnlyList<int> rows)
    {
        var cols = new string?[]?[_columns.Length];
        var numbers = new float[]?[_columns.Length];
        for (var c = 0; c < cols.Length; c++)
        {
            if (_numbers[c] is { } typed)
            {
                var n = new float[rows.Count];
                for (var r = 0; r < rows.Count; r++) n[r] = typed[rows[r]];
                numbers[c] = n;
                continue;
            }
            var src = _columns[c]!;
            var dst = new string?[rows.Count];
            for (var r = 0; r < rows.Count; r++) dst[r] = src[rows[r]];
            cols[c] = dst;
        }
        var lines = new long[rows.Count];
        for (var r = 0; r < rows.Count; r++) lines[r] = _lines[rows[r]];
        return new LeadTable(SourcePath, Separator, ColumnNames, cols, numbers, lines);
    }

    /// <summary>A copy of the table with one column's values replaced (used for permutation importance).</summary>
    public LeadTable WithColumn(int index, string?[] values)
    {
        var cols = (string?[]?[])_columns.Clone();
        var numbers = (float[]?[])_numbers.Clone();
        cols[index] = values;
        numbers[index] = null;
        return new LeadTable(SourcePath, Separator, ColumnNames, cols, numbers, _lines);
    }

    /// <summary>Files at least this large are read on every core (<see cref="LoadParallel"/>); smaller ones on one thread.</summary>
    public const long ParallelFromBytes = 4 << 20;

    /// <summary>
    /// Reads a CSV export: from <see cref="ParallelFromBytes"/> up, one thread cuts the file into chunks of whole records
    /// (<see cref="CsvChunker"/>, as scoring does) while every core parses them; the table is the same, value for value and
    /// line for line, as <see cref="LoadSequential"/> reads it (a test compares them on awkward files).
    /// </summary>
    public static LeadTable Load(string path, char? separator = null, IEnumerable<string>? missingTokens = null,
        IProgress<long>? rowsRead = null, CancellationToken cancellationToken = default)
    {
        var parallel = Environment.ProcessorCount > 1 && File.Exists(path) && new FileInfo(path).Length >= ParallelFromBytes;
        return parallel
            ? LoadParallel(path, separator, missingTokens, rowsRead, cancellationToken: cancellationToken)
            : LoadSequential(path, separator, missingTokens, rowsRead, cancellationToken);
    }

    /// <summary>The simple reader: one record after another on this thread (the reference for <see cref="LoadParallel"/>).</summary>
    public static LeadTable LoadSequential(string path, char? separator = null, IEnumerable<string>? missingTokens = null,
        IProgress<long>? rowsRead = null, CancellationToken cancellationToken = default)
    {
        using var reader = new CsvRecordReader(path, separator);
        reader.InternValues();
        var missing = new MissingTokens(missingTokens ?? MissingTokens.Defaults);
        var n = reader.Header.Count;
        var builders = new List<string?>[n];
        for (var i = 0; i < n; i++) builders[i] = new List<string?>(1024);
        var pools = new TrimmedPools(n);
        var lines = new List<long>(1024);
        var fields = new List<string>(n);
        while (reader.Read(fields))
        {
            for (var i = 0; i < n; i++) builders[i].Add(pools.Normalize(missing, i, fields[i]));
            lines.Add(reader.RecordLine);
            if ((lines.Count & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                rowsRead?.Report(lines.Count);
            }
        }
        if (lines.Count == 0)
            throw new InputFileException(path, null, null, "the file has a header but no data rows.");
        rowsRead?.Report(lines.Count);
        return new LeadTable(path, reader.Separator, reader.Header, builders.Select(b => b.ToArray()).ToArray(), lines.ToArray());
    }

    /// <summary>
    /// Reads the file on <paramref name="workers"/> threads (default: every core) while this thread cuts it into chunks of
    /// about <paramref name="chunkBytes"/>. A bad record stops the reading; the error reported is the first in the file.
    /// Each worker keeps its own pool of shared strings, so a repeated value has at most one instance per worker.
    /// </summary>
    public static LeadTable LoadParallel(string path, char? separator = null, IEnumerable<string>? missingTokens = null,
        IProgress<long>? rowsRead = null, int chunkBytes = 1 << 20, int workers = 0, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> header;
        char sep;
        using (var first = new CsvRecordReader(path, separator))
        {
            header = first.Header;
            sep = first.Separator;
        }
        if (sep >= 0x80) return LoadSequential(path, separator, missingTokens, rowsRead, cancellationToken); // the chunker cuts on ASCII
        var missing = new MissingTokens(missingTokens ?? MissingTokens.Defaults);
        var n = header.Count;
        workers = workers > 0 ? workers : Environment.ProcessorCount;
        var parts = new List<(int Index, string?[][] Columns, long[] Lines)>();
        var firstBad = int.MaxValue;
        Exception? badRecord = null;
        long rows = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var queue = new System.Collections.Concurrent.BlockingCollection<CsvChunk>(2 * workers);
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? error = null;
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(() =>
        {
            try
            {
                var pool = new CsvInternPool(n);
                var pools = new TrimmedPools(n);
                var chars = Array.Empty<char>();
                var fields = new List<string>(n);
                foreach (var chunk in queue.GetConsumingEnumerable(stop.Token))
                {
                    if (chunk.Index > Volatile.Read(ref firstBad)) { chunk.Release(); continue; }
                    try
                    {
                        int length;
                        try { length = chunk.Decode(ref chars, path); }
                        finally { chunk.Release(); }
                        var reader = new CsvRecordReader(chars, length, path, sep, header, chunk.FirstLine);
                        reader.InternValues(pool);
                        // A record has at least one character a field, so a chunk holds at most length / n records: sized by
                        // that, a 20,000-column file no longer sets aside 4,096 rows a column in every 1 MB chunk (13 GB in all).
                        var capacity = Math.Min(4096, length / n + 1);
                        var builders = new List<string?>[n];
                        for (var i = 0; i < n; i++) builders[i] = new List<string?>(capacity);
                        var lines = new List<long>(capacity);
                        while (reader.Read(fields))
                        {
                            for (var i = 0; i < n; i++) builders[i].Add(pools.Normalize(missing, i, fields[i]));
                            lines.Add(reader.RecordLine);
                        }
                        var part = (chunk.Index, builders.Select(b => b.ToArray()).ToArray(), lines.ToArray());
                        lock (parts)
                        {
                            parts.Add(part);
                            rows += part.Item3.Length;
                            rowsRead?.Report(rows);
                        }
                    }
                    catch (InputFileException e)
                    {
                        lock (parts)
                            if (chunk.Index < firstBad) (firstBad, badRecord) = (chunk.Index, e);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref error, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e), null);
                stop.Cancel();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        try
        {
            using var chunker = new CsvChunker(path, sep, chunkBytes);
            while (Volatile.Read(ref firstBad) == int.MaxValue && chunker.Next() is { } chunk)
                queue.Add(chunk, stop.Token);
        }
        catch (OperationCanceledException) when (error is not null || cancellationToken.IsCancellationRequested) { }
        finally
        {
            queue.CompleteAdding();
            Task.WaitAll(tasks, CancellationToken.None); // the workers stop on their own token; wait for every one before returning
            while (queue.TryTake(out var left)) left.Release();
        }
        error?.Throw();
        cancellationToken.ThrowIfCancellationRequested();
        if (badRecord is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(badRecord);
        if (rows == 0)
            throw new InputFileException(path, null, null, "the file has a header but no data rows.");

        parts.Sort((a, b) => a.Index.CompareTo(b.Index));
        var total = checked((int)rows);
        var columns = new string?[n][];
        Parallel.For(0, n, c =>
        {
            var column = new string?[total];
            var at = 0;
            foreach (var p in parts)
            {
                p.Columns[c].CopyTo(column, at);
                at += p.Columns[c].Length;
            }
            columns[c] = column;
        });
        var allLines = new long[total];
        var offset = 0;
        foreach (var p in parts)
        {
            p.Lines.CopyTo(allLines, offset);
            offset += p.Lines.Length;
        }
        return new LeadTable(path, sep, header, columns, allLines);
    }

    /// <summary>Shares one string per value changed by trimming (the reader already shares the values it read), per column.</summary>
    private sealed class TrimmedPools(int columns)
    {
        private readonly Dictionary<string, string>?[] _pools = Enumerable.Range(0, columns).Select(_ => new Dictionary<string, string>(StringComparer.Ordinal)).ToArray();

        public string? Normalize(MissingTokens missing, int column, string field)
        {
            var value = missing.Normalize(field);
            if (value is not null && !ReferenceEquals(value, field) && _pools[column] is { } pool)
            {
                if (pool.TryGetValue(value, out var shared)) value = shared;
                else if (pool.Count < 100_000) pool[value] = value;
                else _pools[column] = null; // a near-unique column: interning would only cost memory
            }
            return value;
        }
    }
}

/// <summary>Values that mean "not known" in a CRM export: empty, NA, N/A, null, and placeholders like "Select".</summary>
public sealed class MissingTokens
{
    public static readonly IReadOnlyList<string> Defaults = ["", "NA", "N/A", "null", "None", "NaN", "Select"];

    private readonly HashSet<string> _tokens;
    // Every value of every lead is checked, so most are let through on their length and first letter without hashing.
    private readonly ulong _lengths;
    private readonly bool[] _firsts = new bool[128];
    private readonly bool _checkAll;

    public MissingTokens(IEnumerable<string> tokens)
    {
        _tokens = new HashSet<string>(tokens.Select(t => t.Trim()), StringComparer.OrdinalIgnoreCase);
        foreach (var t in _tokens)
        {
            if (t.Length == 0) continue;
            if (t.Length >= 64 || t[0] >= 128) { _checkAll = true; continue; }
            _lengths |= 1UL << t.Length;
            _firsts[char.ToLowerInvariant(t[0])] = _firsts[char.ToUpperInvariant(t[0])] = true;
        }
    }

    /// <summary>The trimmed value, or null when it is a missing-value token.</summary>
    public string? Normalize(string? raw)
    {
        if (raw is null) return null;
        var span = raw.AsSpan().Trim();
        if (span.Length == 0) return _tokens.Contains("") ? null : "";
        var value = span.Length == raw.Length ? raw : span.ToString();
        // Case-insensitive equality needs equal lengths; a non-ASCII first letter is left to the hash set's own comparison.
        var maybe = _checkAll || span.Length >= 64 || ((_lengths & (1UL << span.Length)) != 0 && (span[0] >= 128 || _firsts[span[0]]));
        return maybe && _tokens.Contains(value) ? null : value;
    }
}
