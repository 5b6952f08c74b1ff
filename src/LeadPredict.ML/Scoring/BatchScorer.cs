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
/// Ranks a file of new leads: streams the records, scores them in parallel chunks, sorts by probability
/// (ties keep file order) and writes the ranked CSV atomically, in the input's separator, with the input's columns after the scores.
/// </summary>
public sealed class BatchScorer(LeadScorer scorer, IReadOnlyList<IScoreAnnotator>? annotators = null)
{
    private readonly IReadOnlyList<IScoreAnnotator> _annotators = annotators ?? [];

    public BatchSummary ScoreFile(string input, string output, BatchScoringOptions? options = null,
        IProgress<long>? progress = null, CancellationToken ct = default)
    {
        options ??= new BatchScoringOptions();
        using var reader = new CsvRecordReader(input, separator: null, keepRawRecord: true);
        var header = reader.Header;
        var binding = scorer.Bind(header, input);
        var rowAnnotators = _annotators.Select(a => a.Bind(header, input)).ToArray();
        var extraHeaders = _annotators.SelectMany(a => a.Headers).ToArray();
        var issues = new FeaturizeIssues(scorer.FeatureColumns.Count);
        var withReasons = options.Reasons && scorer.CanExplain;

        var probabilities = new List<double>();
        var raws = new List<string>();
        var ids = new List<string>();
        var reasons = new List<string>();
        var extras = new List<string[]>();
        var chunk = new List<string[]>(options.ChunkSize);
        var lines = new List<long>(options.ChunkSize);
        var fields = new List<string>(header.Count);
        var chunkRaw = new List<string>(options.ChunkSize);

        var scoreClock = new System.Diagnostics.Stopwatch();
        var total = System.Diagnostics.Stopwatch.StartNew();
        void Flush()
        {
            scoreClock.Start();
            var n = chunk.Count;
            var p = new double[n];
            var r = new string[n];
            var e = new string[n][];
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = ct },
                () => new string?[scorer.FeatureColumns.Count],
                (i, _, values) =>
                {
                    scorer.Extract(binding, chunk[i], values);
                    var scored = scorer.Score(values, withReasons ? 3 : 0, issues);
                    p[i] = scored.Probability;
                    r[i] = withReasons ? string.Join(" | ", scored.Reasons) : "";
                    var extra = new string[extraHeaders.Length];
                    var offset = 0;
                    for (var a = 0; a < rowAnnotators.Length; a++)
                    {
                        var width = _annotators[a].Headers.Count;
                        rowAnnotators[a].Annotate(chunk[i], scored.Probability, extra.AsSpan(offset, width));
                        offset += width;
                    }
                    e[i] = extra;
                    return values;
                }, _ => { });
            for (var i = 0; i < n; i++)
            {
                probabilities.Add(p[i]);
                reasons.Add(r[i]);
                extras.Add(e[i]);
                raws.Add(chunkRaw[i]);
                ids.Add(binding.IdIndex >= 0 ? chunk[i][binding.IdIndex] : lines[i].ToString(CultureInfo.InvariantCulture));
            }
            chunk.Clear();
            chunkRaw.Clear();
            lines.Clear();
            progress?.Report(probabilities.Count);
            scoreClock.Stop();
        }

        while (reader.Read(fields))
        {
            chunk.Add(fields.ToArray());
            chunkRaw.Add(reader.RawRecord!);
            lines.Add(reader.RecordLine);
            if (chunk.Count == options.ChunkSize) { ct.ThrowIfCancellationRequested(); Flush(); }
        }
        if (chunk.Count > 0) Flush();
        if (probabilities.Count == 0)
            throw new InputFileException(input, null, null, "the file has a header but no leads to score.");

        var readSeconds = total.Elapsed.TotalSeconds - scoreClock.Elapsed.TotalSeconds;
        var sortStart = total.Elapsed.TotalSeconds;
        var order = Enumerable.Range(0, probabilities.Count).ToArray();
        var keys = probabilities.Select(p => -p).ToArray();
        Array.Sort(keys, order, Comparer<double>.Create((a, b) => a.CompareTo(b)));
        StableTies(keys, order);

        var sep = reader.Separator;
        var idHeader = scorer.Bundle.Schema.Id ?? "line";
        var grades = new Dictionary<string, int> { ["A"] = 0, ["B"] = 0, ["C"] = 0, ["D"] = 0 };
        var gradeOptions = scorer.Bundle.Card.Grades;
        var writeStart = total.Elapsed.TotalSeconds;
        AtomicFile.Write(output, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            var head = new List<string> { "rank", idHeader, "probability", "score", "grade" };
            head.AddRange(extraHeaders);
            head.Add("top_reasons");
            w.Write(CsvText.JoinRow(head, sep));
            w.Write(sep);
            w.Write(CsvText.JoinRow(header, sep));
            w.Write('\n');
            var sb = new StringBuilder(512);
            for (var k = 0; k < order.Length; k++)
            {
                var i = order[k];
                var p = probabilities[i];
                var grade = gradeOptions.GradeOf(p);
                grades[grade]++;
                sb.Clear();
                sb.Append((k + 1).ToString(CultureInfo.InvariantCulture)).Append(sep)
                  .Append(CsvText.Escape(ids[i], sep)).Append(sep)
                  .Append(LeadScorer.FormatProbability(p)).Append(sep)
                  .Append(LeadScorer.ToScore(p).ToString(CultureInfo.InvariantCulture)).Append(sep)
                  .Append(grade).Append(sep);
                foreach (var x in extras[i]) sb.Append(CsvText.Escape(x ?? "", sep)).Append(sep);
                sb.Append(CsvText.Escape(reasons[i], sep)).Append(sep).Append(raws[i]).Append('\n');
                w.Write(sb);
                if ((k & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
            }
        });

        var writeSeconds = total.Elapsed.TotalSeconds - writeStart;
        var warnings = new List<string>();
        if (binding.MissingFeatures.Count > 0)
            warnings.Add($"{binding.MissingFeatures.Count} feature column(s) are missing from {Path.GetFileName(input)} and were scored as missing for every lead: {string.Join(", ", binding.MissingFeatures)}.");
        if (issues.Problems().Any()) warnings.Add(FeaturizeIssues.Describe(scorer.Bundle.Featurizer, issues) + ".");
        if (options.Reasons && !scorer.CanExplain) warnings.Add("this model's trainer cannot explain single predictions; top_reasons is empty.");

        var top = order.Take(options.TopRows).Select((i, k) => new RankedRow(k + 1, ids[i], probabilities[i], LeadScorer.ToScore(probabilities[i]),
            gradeOptions.GradeOf(probabilities[i]), extras[i], reasons[i], ParseRecord(header, raws[i], sep))).ToArray();
        var sections = rowAnnotators.SelectMany(a => a.Summary()).ToArray();
        return new BatchSummary(order.Length, idHeader, extraHeaders, grades, warnings, top, sections)
        {
            Timings = new Dictionary<string, double>
            {
                ["read"] = readSeconds, ["score"] = scoreClock.Elapsed.TotalSeconds, ["sort"] = writeStart - sortStart, ["write"] = writeSeconds,
            },
        };
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

    private static IReadOnlyList<string> ParseRecord(IReadOnlyList<string> header, string raw, char sep)
    {
        var text = CsvText.JoinRow(header, sep) + "\n" + raw + "\n";
        using var reader = new CsvRecordReader(new StringReader(text), "record", sep);
        var fields = new List<string>();
        return reader.Read(fields) ? fields : [];
    }
}
