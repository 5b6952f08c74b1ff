using System.Globalization;
using LeadPredict.Core;
using LeadPredict.Core.Csv;

namespace LeadPredict.ML.Scoring;

/// <summary>What every worker scoring one file shares: the file, its binding to the model and annotators, the settings.</summary>
internal sealed record BatchJob(
    LeadScorer Scorer, string Input, char Separator, RankedLayout Layout, ColumnBinding Binding, IRowAnnotator[] Annotators,
    FeaturizeIssues Issues, bool Reasons, int BatchSize, int TopRows, IScoredLeadSink? Sink, bool Lines = true);

/// <summary>
/// Parses, featurizes and scores the leads of one chunk, a batch at a time through the trees, and turns each into its
/// ranked line. Leads that the sink or the summary's top rows need are also kept typed (their annotations as objects,
/// their reasons, their fields); the others go straight to text. One per thread: it keeps its buffers from chunk to chunk.
/// </summary>
internal sealed class ScoringWorker
{
    private const int ReasonsEachWay = 3;
    private readonly BatchJob _job;
    private readonly LeadScorer _scorer;
    private readonly int _batch;
    private readonly GradeOptions _grades;
    private char[] _chars = [];
    private readonly string[][] _fields;
    private readonly long[] _lines;
    private readonly (int Start, int Length)[] _raw;
    private readonly string?[][] _values;
    private readonly float[] _features;
    private readonly double[] _probabilities;
    private readonly float[] _contributions;
    // The annotators' cells of each lead in the batch, as they go into its line, one after the other.
    private readonly Utf8Buffer _cells = new(1 << 16);
    private readonly int[] _cellEnds;
    private readonly CsvCells _cellWriter;
    /// <summary>Each lead's annotations when it is kept typed, else null.</summary>
    private readonly ILeadAnnotation[]?[] _typed;
    // The chunk's lines are built here, then copied once to an array of their exact size.
    private readonly Utf8Buffer _out = new(1 << 21);
    private readonly RankedLineWriter _line;

    /// <summary>Time spent in the annotators (rules), for the benchmark's breakdown.</summary>
    public long AnnotateTicks;

    public ScoringWorker(BatchJob job)
    {
        _job = job;
        _scorer = job.Scorer;
        _batch = Math.Max(1, job.BatchSize);
        _grades = _scorer.Bundle.Card.Grades;
        var header = job.Layout.InputHeader;
        _fields = new string[_batch][];
        for (var i = 0; i < _batch; i++) _fields[i] = new string[header.Count];
        _lines = new long[_batch];
        _raw = new (int, int)[_batch];
        _values = new string?[_batch][];
        for (var i = 0; i < _batch; i++) _values[i] = new string?[_scorer.FeatureColumns.Count];
        _features = new float[_batch * _scorer.FeatureWidth];
        _probabilities = new double[_batch];
        _contributions = job.Reasons ? new float[_batch * _scorer.ContributionStride] : [];
        _cellEnds = new int[_batch];
        _cellWriter = new CsvCells(_cells, job.Separator);
        _typed = new ILeadAnnotation[]?[_batch];
        _line = new RankedLineWriter(job.Separator, _scorer.FeatureColumns);
        Top = new TopLeads(job.TopRows);
    }

    /// <summary>The best leads this worker has scored, typed.</summary>
    public TopLeads Top { get; }

    public ScoredChunk Score(CsvChunk chunk)
    {
        var result = new ScoredChunk(chunk.Index, chunk.Bytes.Length);
        int length;
        try { length = chunk.Decode(ref _chars, _job.Input); }
        finally { chunk.Release(); }
        var reader = new CsvRecordReader(_chars, length, _job.Input, _job.Separator, _job.Layout.InputHeader, chunk.FirstLine);
        // Fields are not interned: they live only until their batch is written, so a new short string costs less than
        // looking it up in a pool (1M leads: 2.85 s -> 2.6 s).
        var record = new List<string>(_job.Layout.InputHeader.Count);
        var width = _scorer.FeatureWidth;
        while (true)
        {
            var n = 0;
            while (n < _batch && reader.Read(record))
            {
                record.CopyTo(_fields[n]);
                _lines[n] = reader.RecordLine;
                _raw[n] = reader.RawRecordRange;
                _scorer.Extract(_job.Binding, _fields[n], _values[n]);
                _scorer.Featurize(_values[n], _features.AsSpan(n * width, width), _job.Issues, _lines[n]);
                n++;
            }
            if (n == 0) break;
            var contributions = _job.Reasons ? _contributions.AsSpan(0, n * _scorer.ContributionStride) : default;
            contributions.Clear();
            _scorer.ScoreFeatures(_features.AsSpan(0, n * width), _probabilities.AsSpan(0, n), contributions);
            var first = result.Count;
            Annotate(n, chunk.Index, first);
            for (var i = 0; i < n; i++) Write(result, i, TopLeads.Position(chunk.Index, first + i));
            if (n < _batch) break;
        }
        result.Lines = _out.Span.ToArray();
        _out.Clear();
        return result;
    }

    /// <summary>The annotators' cells for the first <paramref name="n"/> leads of the batch, each followed by the separator.</summary>
    private void Annotate(int n, int chunk, int firstRow)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var annotators = _job.Annotators;
        _cells.Clear();
        for (var i = 0; i < n; i++)
        {
            var fields = _fields[i];
            var p = _probabilities[i];
            if (_job.Sink is not null || Top.Admits(p, TopLeads.Position(chunk, firstRow + i)))
            {
                var typed = new ILeadAnnotation[annotators.Length];
                for (var a = 0; a < annotators.Length; a++)
                {
                    typed[a] = annotators[a].Annotate(fields, p);
                    foreach (var cell in typed[a].Cells) _cellWriter.Cell(cell);
                }
                _typed[i] = typed;
            }
            else
            {
                _typed[i] = null;
                for (var a = 0; a < annotators.Length; a++) annotators[a].Write(fields, p, _cellWriter);
            }
            _cellEnds[i] = _cells.Length;
        }
        AnnotateTicks += System.Diagnostics.Stopwatch.GetTimestamp() - started;
    }

    /// <summary>Appends lead <paramref name="i"/> of the batch to the chunk's lines, and hands it on typed when it is kept.</summary>
    private void Write(ScoredChunk result, int i, long position)
    {
        var fields = _fields[i];
        var p = _probabilities[i];
        if (_job.Lines) result.Probabilities.Add(p);
        else result.Unkept++;
        var grade = _grades.GradeOf(p);
        result.Grades[grade[0] - 'A']++;

        Span<int> reasons = stackalloc int[2 * ReasonsEachWay];
        var raised = 0;
        var count = 0;
        var byColumn = ReadOnlySpan<float>.Empty;
        if (_job.Reasons)
        {
            byColumn = _contributions.AsSpan(i * _scorer.ContributionStride, _scorer.FeatureColumns.Count);
            raised = LeadScorer.TopColumns(byColumn, ReasonsEachWay, reasons, out count);
        }
        var idIndex = _job.Binding.IdIndex;
        var id = idIndex >= 0 ? fields[idIndex] : null;
        if (_job.Lines)
        {
            _line.Append(_out, id, _lines[i], p, grade, _cells.Span[(i == 0 ? 0 : _cellEnds[i - 1]).._cellEnds[i]],
                reasons[..count], raised, _values[i], fields, _chars.AsSpan(_raw[i].Start, _raw[i].Length));
            result.LineEnds.Add(_out.Length);
        }

        if (_typed[i] is not { } annotations) return;
        id ??= _lines[i].ToString(CultureInfo.InvariantCulture);
        var top = Top.Admits(p, position);
        var typedReasons = top || _job.Sink is { WantsReasons: true } ? _scorer.Reasons(byColumn, reasons[..count], _values[i]) : null;
        _job.Sink?.Scored(_job.Layout, new ScoredRow(id, p, grade, annotations, fields) { Reasons = typedReasons, Position = position });
        if (top)
            Top.Add(new RankedLead(0, id, p, LeadScorer.ToScore(p), grade, annotations, typedReasons!, (string[])fields.Clone()), position);
    }
}
