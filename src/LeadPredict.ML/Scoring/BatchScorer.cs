using System.Globalization;
using System.Text;
using LeadPredict.Core;
using LeadPredict.Core.Csv;

namespace LeadPredict.ML.Scoring;

/// <summary>Adds columns to the ranked output (e.g. the ICP check and the stage suggestion) without the ML library knowing them.</summary>
public interface IScoreAnnotator
{
    IReadOnlyList<string> Headers { get; }
    /// <summary>Binds to an input file's header; throws a configuration error when a needed column is missing.</summary>
    IRowAnnotator Bind(IReadOnlyList<string> header, string source);
}

public interface IRowAnnotator
{
    /// <summary>Fills <paramref name="destination"/> (one slot per header) for one lead. Must be thread-safe.</summary>
    void Annotate(IReadOnlyList<string> fields, double probability, Span<string> destination);
    /// <summary>Lines for the printed summary after all leads are scored.</summary>
    IReadOnlyList<(string Title, IReadOnlyList<(string Key, int Count)> Counts)> Summary();
}

/// <summary>
/// An annotator that can also write its columns straight into the ranked file (no string per cell), which batch scoring
/// prefers; it must write exactly what <see cref="IRowAnnotator.Annotate"/> would give, one cell per header.
/// </summary>
public interface IRowCsvWriter
{
    /// <summary>Writes this lead's cells, in header order. Must be thread-safe.</summary>
    void Write(IReadOnlyList<string> fields, double probability, CsvCells cells);
}

/// <summary>The cells of one ranked line, written as the ranked CSV writes every cell: formula-neutralized, then quoted as needed.</summary>
public sealed class CsvCells
{
    private readonly Utf8Buffer _buffer;
    private readonly char _separator;

    internal CsvCells(Utf8Buffer buffer, char separator) => (_buffer, _separator) = (buffer, separator);

    public void Cell(string value)
    {
        _buffer.AppendSafeField(value, _separator);
        _buffer.Append(_separator);
    }

    public void Cell(StringBuilder value)
    {
        // A text that may run as a spreadsheet formula is rare; it takes the string path, which neutralizes it.
        if (value.Length > 0 && CsvText.MayStartFormula(value[0])) { Cell(value.ToString()); return; }
        _buffer.AppendEscaped(value, _separator);
        _buffer.Append(_separator);
    }
}

public sealed record BatchScoringOptions
{
    public bool Reasons { get; init; } = true;
    public int TopRows { get; init; } = 10;
    /// <summary>About how many bytes of the input each unit of parallel work holds (whole records; at least 16).</summary>
    public int ChunkBytes { get; init; } = 1 << 20;
    /// <summary>How many leads go through the trees together (see <see cref="LeadScorer.ScoreFeatures"/>).</summary>
    public int BatchSize { get; init; } = 256;
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

public sealed record RankedRow(int Rank, string Id, double Probability, int Score, string Grade, string[] Extra, string Reasons, IReadOnlyList<string> Fields);

public sealed record BatchSummary(
    int Leads, string IdHeader, IReadOnlyList<string> ExtraHeaders, IReadOnlyDictionary<string, int> Grades,
    IReadOnlyList<string> Warnings, IReadOnlyList<RankedRow> Top,
    IReadOnlyList<(string Title, IReadOnlyList<(string Key, int Count)> Counts)> Sections)
{
    /// <summary>Seconds spent in each phase (read, score, sort, write), for benchmarks; phases that overlap are timed on their own thread.</summary>
    public IReadOnlyDictionary<string, double>? Timings { get; init; }
}

/// <summary>
/// Ranks a file of new leads. One thread cuts the file into chunks of whole records (<see cref="CsvChunker"/>: it only looks
/// at quotes and line breaks) while the others parse, featurize and score the chunks, the trees a batch of leads at a time;
/// then the leads are sorted by probability (ties keep file order) and the ranked CSV is written atomically, in the input's
/// separator, with the input's columns after the scores. Each scored lead is kept only as its finished output line (UTF-8)
/// and its probability, so memory grows with the output, not with parsed fields. The result is the same for any chunk
/// size and degree of parallelism, and a bad record is reported at its line, the first in the file when there are several.
/// </summary>
public sealed class BatchScorer(LeadScorer scorer, IReadOnlyList<IScoreAnnotator>? annotators = null)
{
    private readonly IReadOnlyList<IScoreAnnotator> _annotators = annotators ?? [];

    /// <summary>A scored chunk: each lead's probability and finished output line (everything after the rank), in file order.</summary>
    private sealed class ScoredChunk(int index, int bytes)
    {
        public readonly int Index = index;
        public readonly List<double> Probabilities = new(bytes / 100 + 1);
        public readonly List<int> OutEnds = new(bytes / 100 + 1);
        /// <summary>The output lines, one after the other (see <see cref="OutEnds"/>).</summary>
        public byte[] Out = [];
        public readonly int[] Grades = new int[4];
        public int Count => Probabilities.Count;
    }

    public BatchSummary ScoreFile(string input, string output, BatchScoringOptions? options = null,
        IProgress<long>? progress = null, CancellationToken ct = default)
    {
        options ??= new BatchScoringOptions();
        var workers = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : Environment.ProcessorCount;
        IReadOnlyList<string> header;
        char sep;
        using (var first = new CsvRecordReader(input, separator: null))
        {
            header = first.Header;
            sep = first.Separator;
        }
        var binding = scorer.Bind(header, input);
        var rowAnnotators = _annotators.Select(a => a.Bind(header, input)).ToArray();
        var extraHeaders = _annotators.SelectMany(a => a.Headers).ToArray();
        var issues = new FeaturizeIssues(scorer.FeatureColumns.Count);
        var withReasons = options.Reasons && scorer.CanExplain;
        var gradeOptions = scorer.Bundle.Card.Grades;
        var total = System.Diagnostics.Stopwatch.StartNew();

        var done = new List<ScoredChunk>();
        long scored = 0;
        long scoreTicks = 0;
        long annotateTicks = 0;
        // A bad record stops the reading; chunks after the first bad one are skipped, so the error reported is the first in the file.
        var firstBad = int.MaxValue;
        InputFileException? badRecord = null;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var queue = new System.Collections.Concurrent.BlockingCollection<CsvChunk>(Math.Max(2, 2 * workers));
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? error = null;
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(() =>
        {
            try
            {
                var worker = new Worker(this, scorer, input, header, sep, binding, rowAnnotators, extraHeaders.Length, issues, withReasons, gradeOptions, options.BatchSize);
                foreach (var chunk in queue.GetConsumingEnumerable(failed.Token))
                {
                    if (chunk.Index > Volatile.Read(ref firstBad)) { chunk.Release(); continue; }
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    ScoredChunk result;
                    try { result = worker.Score(chunk); }
                    catch (InputFileException e)
                    {
                        lock (done)
                            if (chunk.Index < firstBad) (firstBad, badRecord) = (chunk.Index, e);
                        continue;
                    }
                    Interlocked.Add(ref scoreTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
                    Interlocked.Add(ref annotateTicks, worker.AnnotateTicks);
                    worker.AnnotateTicks = 0;
                    lock (done)
                    {
                        done.Add(result);
                        scored += result.Count;
                        progress?.Report(scored);
                    }
                }
            }
            catch (OperationCanceledException) when (failed.IsCancellationRequested) { }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref error, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e), null);
                failed.Cancel();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        long readTicks = 0;
        try
        {
            using var chunker = new CsvChunker(input, sep, options.ChunkBytes);
            var readStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            while (Volatile.Read(ref firstBad) == int.MaxValue && chunker.Next() is { } chunk)
            {
                readTicks += System.Diagnostics.Stopwatch.GetTimestamp() - readStarted;
                queue.Add(chunk, failed.Token);
                readStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            }
            readTicks += System.Diagnostics.Stopwatch.GetTimestamp() - readStarted;
        }
        catch (OperationCanceledException) when (error is not null) { }
        finally
        {
            queue.CompleteAdding();
            Task.WaitAll(tasks);
            while (queue.TryTake(out var left)) left.Release();
            queue.Dispose();
        }
        error?.Throw();
        ct.ThrowIfCancellationRequested();
        if (badRecord is not null) throw badRecord;

        done.Sort((a, b) => a.Index.CompareTo(b.Index));
        var n = done.Sum(c => c.Count);
        if (n == 0)
            throw new InputFileException(input, null, null, "the file has a header but no leads to score.");

        var sortStart = total.Elapsed.TotalSeconds;
        var probabilities = new double[n];
        var chunkOf = new int[n];
        var rowOf = new int[n];
        var lengths = new int[n];
        var grades = new Dictionary<string, int> { ["A"] = 0, ["B"] = 0, ["C"] = 0, ["D"] = 0 };
        var g = 0;
        for (var c = 0; c < done.Count; c++)
        {
            var chunk = done[c];
            for (var i = 0; i < chunk.Count; i++, g++)
            {
                probabilities[g] = chunk.Probabilities[i];
                chunkOf[g] = c;
                rowOf[g] = i;
                lengths[g] = chunk.OutEnds[i] - (i == 0 ? 0 : chunk.OutEnds[i - 1]);
            }
            grades["A"] += chunk.Grades[0];
            grades["B"] += chunk.Grades[1];
            grades["C"] += chunk.Grades[2];
            grades["D"] += chunk.Grades[3];
        }
        var order = RankOrder.Descending(probabilities);

        var idHeader = scorer.Bundle.Schema.Id ?? "line";
        // The input's columns follow the scores unchanged; one named like an output column (the id itself, or the CRM's own
        // "stage") is headed "<name>_input", so every column name in the file is unique. A header cell named like a formula is
        // neutralized as values are (RankedColumnName).
        var outputNames = new HashSet<string>(["rank", idHeader, "probability", "score", "grade", "top_reasons", .. extraHeaders], StringComparer.OrdinalIgnoreCase);
        var inputHeader = header.Select(h => RankedColumnName(h, outputNames)).ToArray();
        var writeStart = total.Elapsed.TotalSeconds;
        var head = new List<string> { "rank", CsvText.NeutralizeFormula(idHeader), "probability", "score", "grade" };
        head.AddRange(extraHeaders);
        head.Add("top_reasons");
        var headerLine = new UTF8Encoding(false).GetBytes(CsvText.JoinRow(head, sep) + sep + CsvText.JoinRow(inputHeader, sep) + "\n");
        // Where each ranked line starts in the file, so several threads can write their share of the ranks at once.
        var starts = new long[n + 1];
        starts[0] = headerLine.Length;
        for (var k = 0; k < n; k++)
            starts[k + 1] = starts[k] + Digits(k + 1) + 1 + lengths[order[k]];
        var written = 0.0;
        AtomicFile.WriteHandle(output, file =>
        {
            var writing = total.Elapsed.TotalSeconds;
            RandomAccess.Write(file, headerLine, 0);
            var parts = Math.Clamp(workers, 1, Math.Max(1, n / 10_000));
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = ct }, part =>
            {
                var from = (int)((long)n * part / parts);
                var to = (int)((long)n * (part + 1) / parts);
                var buffer = new byte[1 << 20];
                var used = 0;
                var at = starts[from];
                for (var k = from; k < to; k++)
                {
                    var line = Line(done[chunkOf[order[k]]], rowOf[order[k]]);
                    if (used + line.Length + 12 > buffer.Length)
                    {
                        RandomAccess.Write(file, buffer.AsSpan(0, used), at);
                        at += used;
                        used = 0;
                        if (line.Length + 12 > buffer.Length) buffer = new byte[line.Length + 12];
                    }
                    (k + 1).TryFormat(buffer.AsSpan(used), out var digits, default, CultureInfo.InvariantCulture);
                    used += digits;
                    buffer[used++] = (byte)sep;
                    line.CopyTo(buffer.AsSpan(used));
                    used += line.Length;
                    if ((k & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
                }
                RandomAccess.Write(file, buffer.AsSpan(0, used), at);
            });
            written = total.Elapsed.TotalSeconds - writing;
        });
        var writeSeconds = total.Elapsed.TotalSeconds - writeStart;

        var warnings = new List<string>();
        if (binding.MissingFeatures.Count > 0)
            warnings.Add($"{binding.MissingFeatures.Count} feature column(s) are missing from {Path.GetFileName(input)} and were scored as missing for every lead: {string.Join(", ", binding.MissingFeatures)}.");
        if (issues.Problems().Any()) warnings.Add(FeaturizeIssues.Describe(scorer.Bundle.Featurizer, issues) + ".");
        if (options.Reasons && !scorer.CanExplain) warnings.Add("this model's trainer cannot explain single predictions; top_reasons is empty.");

        var top = order.Take(options.TopRows).Select((i, k) =>
        {
            var f = ParseLine(inputHeader, extraHeaders.Length, Encoding.UTF8.GetString(Line(done[chunkOf[i]], rowOf[i])), sep);
            var p = probabilities[i];
            var e = extraHeaders.Length;
            return new RankedRow(k + 1, f[0], p, LeadScorer.ToScore(p), gradeOptions.GradeOf(p), f.Skip(4).Take(e).ToArray(), f[4 + e], f.Skip(5 + e).ToArray());
        }).ToArray();
        var sections = rowAnnotators.SelectMany(a => a.Summary()).ToArray();
        var tick = (double)System.Diagnostics.Stopwatch.Frequency;
        return new BatchSummary(order.Length, idHeader, extraHeaders, grades, warnings, top, sections)
        {
            Timings = new Dictionary<string, double>
            {
                ["read (cut into chunks, thread time)"] = readTicks / tick,
                ["score (parse, featurize, trees, annotate; all workers, thread time)"] = scoreTicks / tick,
                ["of which annotators (thread time)"] = annotateTicks / tick,
                ["read+score (elapsed)"] = sortStart,
                ["sort"] = writeStart - sortStart,
                ["write"] = writeSeconds,
                ["of which lines to the OS"] = written,
            },
        };
    }

    private static int Digits(int value)
    {
        var digits = 1;
        for (; value >= 10; value /= 10) digits++;
        return digits;
    }

    private static ReadOnlySpan<byte> Line(ScoredChunk chunk, int row) =>
        chunk.Out.AsSpan((row == 0 ? 0 : chunk.OutEnds[row - 1])..chunk.OutEnds[row]);

    /// <summary>
    /// Parses, featurizes and scores the leads of one chunk, a batch at a time through the trees, and turns each into its
    /// output line. One per thread: it keeps its buffers from chunk to chunk.
    /// </summary>
    private sealed class Worker
    {
        private readonly BatchScorer _owner;
        private readonly LeadScorer _scorer;
        private readonly string _input;
        private readonly IReadOnlyList<string> _header;
        private readonly char _sep;
        private readonly ColumnBinding _binding;
        private readonly IRowAnnotator[] _rowAnnotators;
        private readonly FeaturizeIssues _issues;
        private readonly bool _withReasons;
        private readonly GradeOptions _grades;
        private readonly int _batch;
        private char[] _chars = [];
        private readonly string[][] _fields;
        private readonly long[] _lines;
        private readonly (int Start, int Length)[] _raw;
        private readonly string?[][] _values;
        private readonly float[] _features;
        private readonly double[] _probabilities;
        private readonly float[] _contributions;
        /// <summary>The annotators' columns of one lead, for annotators without a direct writer.</summary>
        private readonly string[] _extras;
        // The annotators' cells of each lead in the batch, as they go into its line, one after the other.
        private readonly Utf8Buffer _cells = new(1 << 16);
        private readonly int[] _cellEnds;
        private readonly CsvCells _cellWriter;
        private readonly IRowCsvWriter?[] _writers;
        private readonly StringBuilder _reasons = new(256);
        // The chunk's output is built here, then copied once to an array of its exact size.
        private readonly Utf8Buffer _out = new(1 << 21);
        private readonly string[] _raised;
        private readonly string[] _lowered;

        /// <summary>Time spent in the annotators (rules), for the benchmark's breakdown.</summary>
        public long AnnotateTicks;

        public Worker(BatchScorer owner, LeadScorer scorer, string input, IReadOnlyList<string> header, char sep, ColumnBinding binding, IRowAnnotator[] rowAnnotators,
            int extras, FeaturizeIssues issues, bool withReasons, GradeOptions grades, int batch)
        {
            _owner = owner;
            _scorer = scorer;
            _input = input;
            _header = header;
            _sep = sep;
            _binding = binding;
            _rowAnnotators = rowAnnotators;
            _issues = issues;
            _withReasons = withReasons;
            _grades = grades;
            _batch = Math.Max(1, batch);
            _fields = new string[_batch][];
            for (var i = 0; i < _batch; i++) _fields[i] = new string[header.Count];
            _lines = new long[_batch];
            _raw = new (int, int)[_batch];
            _values = new string?[_batch][];
            for (var i = 0; i < _batch; i++) _values[i] = new string?[_scorer.FeatureColumns.Count];
            _features = new float[_batch * _scorer.FeatureWidth];
            _probabilities = new double[_batch];
            _contributions = withReasons ? new float[_batch * _scorer.ContributionStride] : [];
            _extras = new string[extras];
            _cellEnds = new int[_batch];
            _cellWriter = new CsvCells(_cells, sep);
            _writers = rowAnnotators.Select(a => a as IRowCsvWriter).ToArray();
            _raised = _scorer.FeatureColumns.Select(c => Reason.Prefix(c.Name, raised: true)).ToArray();
            _lowered = _scorer.FeatureColumns.Select(c => Reason.Prefix(c.Name, raised: false)).ToArray();
        }

        public ScoredChunk Score(CsvChunk chunk)
        {
            var result = new ScoredChunk(chunk.Index, chunk.Bytes.Length);
            int length;
            try { length = chunk.Decode(ref _chars, _input); }
            finally { chunk.Release(); }
            var reader = new CsvRecordReader(_chars, length, _input, _sep, _header, chunk.FirstLine);
            // Fields are not interned: they live only until their batch is written, so a new short string costs less than
            // looking it up in a pool (1M leads: 2.85 s -> 2.6 s).
            var record = new List<string>(_header.Count);
            var width = _scorer.FeatureWidth;
            while (true)
            {
                var n = 0;
                while (n < _batch && reader.Read(record))
                {
                    record.CopyTo(_fields[n]);
                    _lines[n] = reader.RecordLine;
                    _raw[n] = reader.RawRecordRange;
                    _scorer.Extract(_binding, _fields[n], _values[n]);
                    _scorer.Featurize(_values[n], _features.AsSpan(n * width, width), _issues);
                    n++;
                }
                if (n == 0) break;
                var contributions = _withReasons ? _contributions.AsSpan(0, n * _scorer.ContributionStride) : default;
                contributions.Clear();
                _scorer.ScoreFeatures(_features.AsSpan(0, n * width), _probabilities.AsSpan(0, n), contributions);
                Annotate(n);
                for (var i = 0; i < n; i++) Write(result, i);
                if (n < _batch) break;
            }
            result.Out = _out.Span.ToArray();
            _out.Clear();
            return result;
        }

        /// <summary>The annotators' cells for the first <paramref name="n"/> leads of the batch, each followed by the separator.</summary>
        private void Annotate(int n)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            _cells.Clear();
            for (var i = 0; i < n; i++)
            {
                for (var a = 0; a < _rowAnnotators.Length; a++)
                {
                    if (_writers[a] is { } writer)
                    {
                        writer.Write(_fields[i], _probabilities[i], _cellWriter);
                        continue;
                    }
                    var cells = _extras.AsSpan(0, _owner._annotators[a].Headers.Count);
                    cells.Clear();
                    _rowAnnotators[a].Annotate(_fields[i], _probabilities[i], cells);
                    foreach (var x in cells) _cellWriter.Cell(x ?? "");
                }
                _cellEnds[i] = _cells.Length;
            }
            AnnotateTicks += System.Diagnostics.Stopwatch.GetTimestamp() - started;
        }

        /// <summary>Appends lead <paramref name="i"/> of the batch to the chunk's output: its line without the rank.</summary>
        private void Write(ScoredChunk result, int i)
        {
            var fields = _fields[i];
            var p = _probabilities[i];
            result.Probabilities.Add(p);
            var grade = _grades.GradeOf(p);
            result.Grades[grade[0] - 'A']++;

            var output = _out;
            var sep = _sep;
            if (_binding.IdIndex >= 0) output.AppendSafeField(fields[_binding.IdIndex], sep);
            else output.AppendInvariant(_lines[i]);
            output.Append(sep);
            output.AppendProbability(p);
            output.Append(sep);
            output.AppendInvariant(LeadScorer.ToScore(p));
            output.Append(sep);
            output.Append(grade);
            output.Append(sep);
            output.Append(_cells.Span[(i == 0 ? 0 : _cellEnds[i - 1]).._cellEnds[i]]);
            if (_withReasons) AppendReasons(output, i);
            // The input's columns follow as they were in the file, unless a value would run as a spreadsheet formula when a
            // rep opens the file (a web-form value like "=HYPERLINK(...)"): then the fields are written again, neutralized.
            output.Append(sep);
            if (!AnyFormula(fields)) output.Append(_chars.AsSpan(_raw[i].Start, _raw[i].Length));
            else
                for (var f = 0; f < fields.Length; f++)
                {
                    if (f > 0) output.Append(sep);
                    output.AppendSafeField(fields[f], sep);
                }
            output.Append('\n');
            result.OutEnds.Add(output.Length);
        }

        /// <summary>"▲ Demo Requested = yes | ▲ Pricing Page Views = 9 | ▼ Job Title = Intern", each worded as <see cref="Reason"/> words it.</summary>
        private void AppendReasons(Utf8Buffer output, int i)
        {
            var stride = _scorer.ContributionStride;
            var row = _contributions.AsSpan(i * stride, _scorer.FeatureColumns.Count);
            Span<int> top = stackalloc int[6];
            var raised = LeadScorer.TopColumns(row, 3, top, out var count);
            var values = _values[i];
            _reasons.Clear();
            for (var r = 0; r < count; r++)
            {
                if (r > 0) _reasons.Append(" | ");
                var c = top[r];
                _reasons.Append(r < raised ? _raised[c] : _lowered[c]).Append(values[c] ?? "missing");
            }
            output.AppendEscaped(_reasons, _sep);
        }
    }

    private static bool AnyFormula(string[] fields)
    {
        foreach (var f in fields)
            if (f.Length > 0 && CsvText.MayStartFormula(f[0]) && !ReferenceEquals(CsvText.NeutralizeFormula(f), f)) return true;
        return false;
    }

    /// <summary>Splits a finished output line (without the rank) back into its fields.</summary>
    /// <summary>
    /// An input column's name in the ranked file: "&lt;name&gt;_input" when it clashes with an output column, and neutralized
    /// like a value (a header cell "=evil()" becomes "'=evil()") so the header cannot run as a formula either.
    /// </summary>
    public static string RankedColumnName(string inputName, IReadOnlySet<string> outputNames) =>
        CsvText.NeutralizeFormula(outputNames.Contains(inputName) ? inputName + "_input" : inputName);

    private static List<string> ParseLine(IReadOnlyList<string> header, int extras, string line, char sep)
    {
        var names = Enumerable.Range(0, 5 + extras + header.Count).Select(i => "c" + i.ToString(CultureInfo.InvariantCulture));
        using var reader = new CsvRecordReader(new StringReader(CsvText.JoinRow(names, sep) + "\n" + line), "record", sep);
        var fields = new List<string>();
        return reader.Read(fields) ? fields : [];
    }
}

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
