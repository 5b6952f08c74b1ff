using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using LeadPredict.Core;
using LeadPredict.Core.Csv;

namespace LeadPredict.ML.Scoring;

public sealed record BatchScoringOptions
{
    public bool Reasons { get; init; } = true;
    /// <summary>How many of the best leads the summary returns typed (<see cref="BatchSummary.Top"/>).</summary>
    public int TopRows { get; init; } = 10;
    /// <summary>About how many bytes of the input each unit of parallel work holds (whole records; at least 16).</summary>
    public int ChunkBytes { get; init; } = 1 << 20;
    /// <summary>How many leads go through the trees together (see <see cref="LeadScorer.ScoreFeatures"/>).</summary>
    public int BatchSize { get; init; } = 256;
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
    /// <summary>Receives every lead, typed, as it is scored (the prediction log); none by default.</summary>
    public IScoredLeadSink? Sink { get; init; }
}

public sealed record BatchSummary(
    int Leads, RankedLayout Layout, IReadOnlyDictionary<string, int> Grades,
    IReadOnlyList<string> Warnings, IReadOnlyList<RankedLead> Top,
    IReadOnlyList<(string Title, IReadOnlyList<(string Key, int Count)> Counts)> Sections)
{
    /// <summary>Seconds spent in each phase (read, score, sort, write), for benchmarks; phases that overlap are timed on their own thread.</summary>
    public IReadOnlyDictionary<string, double>? Timings { get; init; }
}

/// <summary>
/// Ranks a file of new leads. One thread cuts the file into chunks of whole records (<see cref="CsvChunker"/>: it only looks
/// at quotes and line breaks) while the others parse, featurize and score the chunks (<see cref="ScoringWorker"/>), the trees
/// a batch of leads at a time; then the leads are ranked by probability (<see cref="RankOrder"/>: ties keep file order) and
/// the ranked CSV is written atomically (<see cref="RankedFileWriter"/>), in the input's separator, laid out as
/// <see cref="RankedLayout"/> says. Each scored lead is kept only as its finished line (UTF-8) and its probability, so memory
/// grows with the output, not with parsed fields; the best leads come back typed in the summary. The result is the same for
/// any chunk size and degree of parallelism, and a bad record is reported at its line, the first in the file when there are several.
/// </summary>
public sealed class BatchScorer(LeadScorer scorer, IReadOnlyList<IScoreAnnotator>? annotators = null)
{
    private readonly IReadOnlyList<IScoreAnnotator> _annotators = annotators ?? [];

    /// <param name="output">The ranked CSV; null when only the sink takes the leads (a Parquet file, a scores table): no line is built.</param>
    public BatchSummary ScoreFile(string input, string? output, BatchScoringOptions? options = null,
        IProgress<long>? progress = null, CancellationToken ct = default)
    {
        options ??= new BatchScoringOptions();
        var workers = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : Environment.ProcessorCount;
        if (output is null && options.Sink is null)
            throw new ArgumentException("batch scoring needs a ranked file or a sink to hand its leads to.", nameof(output));
        var job = Bind(input, options, lines: output is not null);
        var total = Stopwatch.StartNew();

        var scored = ScoreChunks(job, workers, options.ChunkBytes, progress, ct);
        var sortStart = total.Elapsed.TotalSeconds;
        ScoredChunk[] chunks = [.. scored.Chunks.OrderBy(c => c.Index)];
        var count = chunks.Sum(c => c.Count);
        if (count == 0)
            throw new InputFileException(input, null, null, "the file has a header but no leads to score.");
        var grades = new int[4];
        foreach (var chunk in chunks)
            for (var g = 0; g < grades.Length; g++) grades[g] += chunk.Grades[g];
        var writeStart = total.Elapsed.TotalSeconds;
        var written = 0.0;
        // Without a ranked file (only the sink takes the leads) nothing of a lead was kept: nothing to rank here.
        if (output is not null)
        {
            var leads = new ScoredLeads(chunks);
            written = RankedFileWriter.Write(output, job.Layout, job.Separator, leads, RankOrder.Descending(leads.Probabilities), workers, ct);
        }
        var writeSeconds = total.Elapsed.TotalSeconds - writeStart;

        var tick = (double)Stopwatch.Frequency;
        return new BatchSummary(count, job.Layout, new Dictionary<string, int> { ["A"] = grades[0], ["B"] = grades[1], ["C"] = grades[2], ["D"] = grades[3] }, Warnings(job, options), TopLeads.Merge(scored.Top, options.TopRows),
            job.Annotators.SelectMany(a => a.Summary()).ToArray())
        {
            Timings = new Dictionary<string, double>
            {
                ["read (cut into chunks, thread time)"] = scored.ReadTicks / tick,
                ["score (parse, featurize, trees, annotate; all workers, thread time)"] = scored.ScoreTicks / tick,
                ["of which annotators (thread time)"] = scored.AnnotateTicks / tick,
                ["read+score (elapsed)"] = sortStart,
                ["sort"] = writeStart - sortStart,
                ["write"] = writeSeconds,
                ["of which lines to the OS"] = written,
            },
        };
    }

    /// <summary>Reads the input's header and binds the model and the annotators to it.</summary>
    private BatchJob Bind(string input, BatchScoringOptions options, bool lines)
    {
        IReadOnlyList<string> header;
        char separator;
        using (var first = new CsvRecordReader(input, separator: null))
        {
            header = first.Header;
            separator = first.Separator;
        }
        var binding = scorer.Bind(header, input);
        var rows = _annotators.Select(a => a.Bind(header, input)).ToArray();
        return new BatchJob(scorer, input, separator, RankedLayout.For(scorer.Bundle, _annotators, header), binding, rows,
            new FeaturizeIssues(scorer.FeatureColumns.Count), options.Reasons && scorer.CanExplain, options.BatchSize, options.TopRows, options.Sink, lines);
    }

    private sealed record ScoredFile(IReadOnlyList<ScoredChunk> Chunks, IReadOnlyList<TopLeads> Top, long ReadTicks, long ScoreTicks, long AnnotateTicks);

    /// <summary>
    /// Cuts the file into chunks on this thread while <paramref name="workers"/> threads score them. A bad record stops the
    /// reading; chunks after the first bad one are skipped, so the error reported is the first in the file.
    /// </summary>
    private static ScoredFile ScoreChunks(BatchJob job, int workers, int chunkBytes, IProgress<long>? progress, CancellationToken ct)
    {
        var done = new List<ScoredChunk>();
        var top = new ConcurrentBag<TopLeads>();
        long scored = 0, scoreTicks = 0, annotateTicks = 0;
        var firstBad = int.MaxValue;
        InputFileException? badRecord = null;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var queue = new BlockingCollection<CsvChunk>(Math.Max(2, 2 * workers));
        ExceptionDispatchInfo? error = null;
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(() =>
        {
            try
            {
                var worker = new ScoringWorker(job);
                top.Add(worker.Top);
                foreach (var chunk in queue.GetConsumingEnumerable(failed.Token))
                {
                    if (chunk.Index > Volatile.Read(ref firstBad)) { chunk.Release(); continue; }
                    var started = Stopwatch.GetTimestamp();
                    ScoredChunk result;
                    try { result = worker.Score(chunk); }
                    catch (InputFileException e)
                    {
                        lock (done)
                            if (chunk.Index < firstBad) (firstBad, badRecord) = (chunk.Index, e);
                        continue;
                    }
                    Interlocked.Add(ref scoreTicks, Stopwatch.GetTimestamp() - started);
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
                Interlocked.CompareExchange(ref error, ExceptionDispatchInfo.Capture(e), null);
                failed.Cancel();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        long readTicks = 0;
        try
        {
            using var chunker = new CsvChunker(job.Input, job.Separator, chunkBytes);
            var readStarted = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref firstBad) == int.MaxValue && chunker.Next() is { } chunk)
            {
                readTicks += Stopwatch.GetTimestamp() - readStarted;
                queue.Add(chunk, failed.Token);
                readStarted = Stopwatch.GetTimestamp();
            }
            readTicks += Stopwatch.GetTimestamp() - readStarted;
        }
        catch (OperationCanceledException) when (error is not null) { }
        finally
        {
            queue.CompleteAdding();
            Task.WaitAll(tasks, CancellationToken.None); // every worker finishes before the buffers it may hold are released
            while (queue.TryTake(out var left)) left.Release();
            queue.Dispose();
        }
        error?.Throw();
        ct.ThrowIfCancellationRequested();
        if (badRecord is not null) throw badRecord;
        return new ScoredFile(done, [.. top], readTicks, scoreTicks, annotateTicks);
    }

    private List<string> Warnings(BatchJob job, BatchScoringOptions options)
    {
        var warnings = new List<string>();
        if (job.Binding.MissingFeatures.Count > 0)
            warnings.Add($"{job.Binding.MissingFeatures.Count} feature column(s) are missing from {Path.GetFileName(job.Input)} and were scored as missing for every lead: {string.Join(", ", job.Binding.MissingFeatures)}.");
        if (job.Issues.Problems().Any()) warnings.Add(FeaturizeIssues.Describe(scorer.Bundle.Featurizer, job.Issues) + ".");
        if (options.Reasons && !scorer.CanExplain) warnings.Add("this model's trainer cannot explain single predictions; top_reasons is empty.");
        return warnings;
    }
}
