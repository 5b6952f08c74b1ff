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

public sealed record BatchScoringOptions
{
    public bool Reasons { get; init; } = true;
    public int TopRows { get; init; } = 10;
    public int ChunkSize { get; init; } = 8192;
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
/// Ranks a file of new leads: one thread streams and parses the records in chunks while the others score them, sorts by
/// probability (ties keep file order) and writes the ranked CSV atomically, in the input's separator, with the input's
/// columns after the scores. Each scored lead is kept only as its finished output line (UTF-8) and its probability, so
/// memory grows with the output, not with parsed fields; the result is the same for any chunk size and degree of parallelism.
/// </summary>
public sealed class BatchScorer(LeadScorer scorer, IReadOnlyList<IScoreAnnotator>? annotators = null)
{
    private readonly IReadOnlyList<IScoreAnnotator> _annotators = annotators ?? [];

    private sealed class Chunk(int index, int capacity)
    {
        public readonly int Index = index;
        public int Count;
        public string[][]? Fields = new string[capacity][];
        public long[] Lines = new long[capacity];
        public Utf8Buffer? Raw = new(capacity * 160);
        public int[] RawEnds = new int[capacity];
        public double[] Probabilities = [];
        public readonly Utf8Buffer Out = new(capacity * 256);
        public int[] OutEnds = [];
        public readonly int[] Grades = new int[4];
    }

    public BatchSummary ScoreFile(string input, string output, BatchScoringOptions? options = null,
        IProgress<long>? progress = null, CancellationToken ct = default)
    {
        options ??= new BatchScoringOptions();
        var chunkSize = Math.Max(1, options.ChunkSize);
        var workers = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : Environment.ProcessorCount;
        using var reader = new CsvRecordReader(input, separator: null);
        reader.InternValues();
        var header = reader.Header;
        var binding = scorer.Bind(header, input);
        var rowAnnotators = _annotators.Select(a => a.Bind(header, input)).ToArray();
        var extraHeaders = _annotators.SelectMany(a => a.Headers).ToArray();
        var issues = new FeaturizeIssues(scorer.FeatureColumns.Count);
        var withReasons = options.Reasons && scorer.CanExplain;
        var sep = reader.Separator;
        var gradeOptions = scorer.Bundle.Card.Grades;
        var total = System.Diagnostics.Stopwatch.StartNew();

        var done = new List<Chunk>();
        long scored = 0;
        long scoreTicks = 0;
        long annotateTicks = 0;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var queue = new System.Collections.Concurrent.BlockingCollection<Chunk>(Math.Max(2, 2 * workers));
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? error = null;
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(() =>
        {
            try
            {
                var worker = new Worker(this, scorer, binding, rowAnnotators, extraHeaders.Length, issues, withReasons, sep, gradeOptions);
                foreach (var chunk in queue.GetConsumingEnumerable(failed.Token))
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    worker.Score(chunk);
                    Interlocked.Add(ref scoreTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
                    Interlocked.Add(ref annotateTicks, worker.AnnotateTicks);
                    worker.AnnotateTicks = 0;
                    lock (done)
                    {
                        done.Add(chunk);
                        scored += chunk.Count;
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
            var fields = new List<string>(header.Count);
            var index = 0;
            var chunk = new Chunk(index++, chunkSize);
            var readStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            while (reader.Read(fields))
            {
                var i = chunk.Count++;
                chunk.Fields![i] = fields.ToArray();
                chunk.Lines[i] = reader.RecordLine;
                chunk.Raw!.Append(reader.RawRecordSpan);
                chunk.RawEnds[i] = chunk.Raw.Length;
                if (chunk.Count == chunkSize)
                {
                    readTicks += System.Diagnostics.Stopwatch.GetTimestamp() - readStarted;
                    queue.Add(chunk, failed.Token);
                    readStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                    chunk = new Chunk(index++, chunkSize);
                }
            }
            readTicks += System.Diagnostics.Stopwatch.GetTimestamp() - readStarted;
            if (chunk.Count > 0) queue.Add(chunk, failed.Token);
        }
        catch (OperationCanceledException) when (error is not null) { }
        finally
        {
            queue.CompleteAdding();
            Task.WaitAll(tasks);
            queue.Dispose();
        }
        error?.Throw();
        ct.ThrowIfCancellationRequested();

        done.Sort((a, b) => a.Index.CompareTo(b.Index));
        var n = done.Sum(c => c.Count);
        if (n == 0)
            throw new InputFileException(input, null, null, "the file has a header but no leads to score.");

        var sortStart = total.Elapsed.TotalSeconds;
        var probabilities = new double[n];
        var chunkOf = new int[n];
        var rowOf = new int[n];
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
            }
            grades["A"] += chunk.Grades[0];
            grades["B"] += chunk.Grades[1];
            grades["C"] += chunk.Grades[2];
            grades["D"] += chunk.Grades[3];
        }
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        var keys = new double[n];
        for (var i = 0; i < n; i++) keys[i] = -probabilities[i];
        Array.Sort(keys, order, Comparer<double>.Create((a, b) => a.CompareTo(b)));
        StableTies(keys, order);

        var idHeader = scorer.Bundle.Schema.Id ?? "line";
        // The input's columns follow the scores unchanged; one named like an output column (the id itself, or the CRM's own
        // "stage") is headed "<name>_input", so every column name in the file is unique.
        var outputNames = new HashSet<string>(["rank", idHeader, "probability", "score", "grade", "top_reasons", .. extraHeaders], StringComparer.OrdinalIgnoreCase);
        var inputHeader = header.Select(h => outputNames.Contains(h) ? h + "_input" : h).ToArray();
        var writeStart = total.Elapsed.TotalSeconds;
        AtomicFile.Write(output, stream =>
        {
            var head = new List<string> { "rank", idHeader, "probability", "score", "grade" };
            head.AddRange(extraHeaders);
            head.Add("top_reasons");
            var headerLine = CsvText.JoinRow(head, sep) + sep + CsvText.JoinRow(inputHeader, sep) + "\n";
            stream.Write(new UTF8Encoding(false).GetBytes(headerLine));
            var buffer = new byte[1 << 20];
            var used = 0;
            for (var k = 0; k < order.Length; k++)
            {
                var i = order[k];
                var chunk = done[chunkOf[i]];
                var row = rowOf[i];
                var from = row == 0 ? 0 : chunk.OutEnds[row - 1];
                var line = chunk.Out.Span[from..chunk.OutEnds[row]];
                if (used + line.Length + 12 > buffer.Length)
                {
                    stream.Write(buffer, 0, used);
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
            stream.Write(buffer, 0, used);
        });
        var writeSeconds = total.Elapsed.TotalSeconds - writeStart;

        var warnings = new List<string>();
        if (binding.MissingFeatures.Count > 0)
            warnings.Add($"{binding.MissingFeatures.Count} feature column(s) are missing from {Path.GetFileName(input)} and were scored as missing for every lead: {string.Join(", ", binding.MissingFeatures)}.");
        if (issues.Problems().Any()) warnings.Add(FeaturizeIssues.Describe(scorer.Bundle.Featurizer, issues) + ".");
        if (options.Reasons && !scorer.CanExplain) warnings.Add("this model's trainer cannot explain single predictions; top_reasons is empty.");

        var top = order.Take(options.TopRows).Select((i, k) =>
        {
            var chunk = done[chunkOf[i]];
            var row = rowOf[i];
            var from = row == 0 ? 0 : chunk.OutEnds[row - 1];
            var f = ParseLine(inputHeader, extraHeaders.Length, Encoding.UTF8.GetString(chunk.Out.Span[from..chunk.OutEnds[row]]), sep);
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
                ["read (parse, thread time)"] = readTicks / tick,
                ["score (all workers, thread time)"] = scoreTicks / tick,
                ["of which annotators (thread time)"] = annotateTicks / tick,
                ["read+score (elapsed)"] = sortStart,
                ["sort"] = writeStart - sortStart,
                ["write"] = writeSeconds,
            },
        };
    }

    /// <summary>Scores the leads of one chunk and turns each into its output line (everything after the rank), in UTF-8.</summary>
    private sealed class Worker(BatchScorer owner, LeadScorer scorer, ColumnBinding binding, IRowAnnotator[] rowAnnotators, int extras,
        FeaturizeIssues issues, bool withReasons, char sep, GradeOptions gradeOptions)
    {
        private readonly string?[] _values = new string?[scorer.FeatureColumns.Count];
        private readonly string[] _extra = new string[extras];
        private readonly StringBuilder _reasons = new(256);

        /// <summary>Time spent in the annotators (rules), for the benchmark's breakdown.</summary>
        public long AnnotateTicks;

        public void Score(Chunk chunk)
        {
            var n = chunk.Count;
            chunk.Probabilities = new double[n];
            chunk.OutEnds = new int[n];
            var output = chunk.Out;
            for (var i = 0; i < n; i++)
            {
                var fields = chunk.Fields![i];
                scorer.Extract(binding, fields, _values);
                var lead = scorer.Score(_values, withReasons ? 3 : 0, issues);
                var p = lead.Probability;
                chunk.Probabilities[i] = p;
                Array.Clear(_extra);
                var offset = 0;
                var annotateStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                for (var a = 0; a < rowAnnotators.Length; a++)
                {
                    var width = owner._annotators[a].Headers.Count;
                    rowAnnotators[a].Annotate(fields, p, _extra.AsSpan(offset, width));
                    offset += width;
                }
                AnnotateTicks += System.Diagnostics.Stopwatch.GetTimestamp() - annotateStarted;
                var grade = gradeOptions.GradeOf(p);
                chunk.Grades[grade[0] - 'A']++;

                if (binding.IdIndex >= 0) output.AppendEscaped(CsvText.NeutralizeFormula(fields[binding.IdIndex]), sep);
                else output.AppendInvariant(chunk.Lines[i]);
                output.Append(sep);
                output.AppendProbability(p);
                output.Append(sep);
                output.AppendInvariant(LeadScorer.ToScore(p));
                output.Append(sep);
                output.Append(grade);
                output.Append(sep);
                foreach (var x in _extra)
                {
                    output.AppendEscaped(CsvText.NeutralizeFormula(x ?? ""), sep);
                    output.Append(sep);
                }
                if (withReasons)
                {
                    _reasons.Clear();
                    for (var r = 0; r < lead.Reasons.Count; r++)
                    {
                        if (r > 0) _reasons.Append(" | ");
                        lead.Reasons[r].AppendTo(_reasons);
                    }
                    output.AppendEscaped(_reasons, sep);
                }
                // The input's columns follow as they were in the file, unless a value would run as a spreadsheet formula when a
                // rep opens the file (a web-form value like "=HYPERLINK(...)"): then the fields are written again, neutralized.
                output.Append(sep);
                if (!AnyFormula(fields)) output.Append(chunk.Raw!.Span[(i == 0 ? 0 : chunk.RawEnds[i - 1])..chunk.RawEnds[i]]);
                else
                    for (var f = 0; f < fields.Length; f++)
                    {
                        if (f > 0) output.Append(sep);
                        output.AppendEscaped(CsvText.NeutralizeFormula(fields[f]), sep);
                    }
                output.Append('\n');
                chunk.OutEnds[i] = output.Length;
            }
            chunk.Fields = null;
            chunk.Raw = null;
            output.Trim();
        }
    }

    private static bool AnyFormula(string[] fields)
    {
        foreach (var f in fields)
            if (f.Length > 0 && f[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !ReferenceEquals(CsvText.NeutralizeFormula(f), f)) return true;
        return false;
    }

    private static void StableTies(double[] keys, int[] order)
    {
        var i = 0;
        while (i < keys.Length)
        {
            var j = i + 1;
            while (j < keys.Length && keys[j] == keys[i]) j++;
            if (j - i > 1) Array.Sort(order, i, j - i);
            i = j;
        }
    }

    /// <summary>Splits a finished output line (without the rank) back into its fields.</summary>
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

    /// <summary>Gives back the unused capacity (the buffer is kept until the output is written).</summary>
    public void Trim() => Array.Resize(ref _bytes, Length);

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
        // As LeadScorer.FormatProbability: "0.000000", invariant.
        if (!p.TryFormat(Reserve(64), out var written, "0.000000", CultureInfo.InvariantCulture))
        {
            Append(LeadScorer.FormatProbability(p).AsSpan());
            return;
        }
        Length += written;
    }

    public void AppendEscaped(string value, char sep) => AppendEscaped(value.AsSpan(), sep);

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
