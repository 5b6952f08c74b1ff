using System.Globalization;
using System.Text;
using LeadPredict.Core;
using LeadPredict.Core.Csv;

namespace LeadPredict.ML.Scoring;

/// <summary>
/// One lead's ranked line in UTF-8, everything after the rank (<see cref="RankedLayout"/>): the id, probability, score,
/// grade, the annotators' cells, <c>top_reasons</c>, then the input's fields as they were in the file. One per thread.
/// </summary>
internal sealed class RankedLineWriter(char separator, IReadOnlyList<ColumnState> columns)
{
    // "▲ Demo Requested = " for each column, each way, built once (see ScoreFactor.Prefix).
    private readonly string[] _raised = columns.Select(c => ScoreFactor.Prefix(c.Name, raised: true)).ToArray();
    private readonly string[] _lowered = columns.Select(c => ScoreFactor.Prefix(c.Name, raised: false)).ToArray();
    private readonly StringBuilder _reasons = new(256);

    /// <param name="id">The id field; null when the model has no id column, and the lead is named by its <paramref name="line"/>.</param>
    /// <param name="cells">The annotators' cells, each already followed by the separator.</param>
    /// <param name="reasons">The columns of the lead's reasons (<see cref="LeadScorer.TopColumns"/>), the first <paramref name="raised"/> of them raising it; empty without reasons.</param>
    /// <param name="values">The lead's feature values, by column, which the reasons quote.</param>
    /// <param name="raw">The input record as it was in the file, written as it is unless a field needs neutralizing.</param>
    public void Append(Utf8Buffer output, string? id, long line, double probability, string grade, ReadOnlySpan<byte> cells,
        ReadOnlySpan<int> reasons, int raised, string?[] values, string[] fields, ReadOnlySpan<char> raw)
    {
        var sep = separator;
        if (id is not null) output.AppendSafeField(id, sep);
        else output.AppendInvariant(line);
        output.Append(sep);
        output.AppendProbability(probability);
        output.Append(sep);
        output.AppendInvariant(LeadScorer.ToScore(probability));
        output.Append(sep);
        output.Append(grade);
        output.Append(sep);
        output.Append(cells);
        AppendReasons(output, reasons, raised, values);
        // The input's columns follow as they were in the file, unless a value would run as a spreadsheet formula when a
        // rep opens the file (a web-form value like "=HYPERLINK(...)"): then the fields are written again, neutralized.
        output.Append(sep);
        if (!AnyFormula(fields)) output.Append(raw);
        else
            for (var f = 0; f < fields.Length; f++)
            {
                if (f > 0) output.Append(sep);
                output.AppendSafeField(fields[f], sep);
            }
        output.Append('\n');
    }

    /// <summary>"▲ Demo Requested = yes | ▲ Pricing Page Views = 9 | ▼ Job Title = Intern", each worded as <see cref="ScoreFactor"/> words it.</summary>
    private void AppendReasons(Utf8Buffer output, ReadOnlySpan<int> reasons, int raised, string?[] values)
    {
        if (reasons.IsEmpty) return;
        _reasons.Clear();
        for (var r = 0; r < reasons.Length; r++)
        {
            if (r > 0) _reasons.Append(" | ");
            var c = reasons[r];
            _reasons.Append(r < raised ? _raised[c] : _lowered[c]).Append(LeadScorer.Quote(columns[c], values[c]));
        }
        output.AppendEscaped(_reasons, separator);
    }

    private static bool AnyFormula(string[] fields)
    {
        foreach (var f in fields)
            if (f.Length > 0 && FormulaGuard.MayStartFormula(f[0]) && !ReferenceEquals(FormulaGuard.Neutralize(f), f)) return true;
        return false;
    }
}

/// <summary>
/// Writes the ranked file atomically: the layout's header, then every lead's finished line in rank order with its rank in
/// front. Each line's place in the file is known from the lengths of the lines before it, so several threads write their
/// share of the ranks at once.
/// </summary>
internal static class RankedFileWriter
{
    /// <summary>Writes the file with the leads in <paramref name="order"/>; returns the seconds spent handing lines to the OS.</summary>
    public static double Write(string output, RankedLayout layout, char separator, ScoredLeads leads, int[] order, int workers, CancellationToken ct)
    {
        var n = order.Length;
        // Header cells are neutralized as values are: an input column named "=evil()" is headed "'=evil()".
        var headerLine = new UTF8Encoding(false).GetBytes(string.Join(separator, layout.Headers.Select(h => FormulaGuard.SafeField(h, separator))) + "\n");
        var starts = new long[n + 1];
        starts[0] = headerLine.Length;
        for (var k = 0; k < n; k++)
            starts[k + 1] = starts[k] + Digits(k + 1) + 1 + leads.Lengths[order[k]];
        var written = 0.0;
        AtomicFile.WriteHandle(output, file =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
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
                    var text = leads.Line(order[k]);
                    if (used + text.Length + 12 > buffer.Length)
                    {
                        RandomAccess.Write(file, buffer.AsSpan(0, used), at);
                        at += used;
                        used = 0;
                        if (text.Length + 12 > buffer.Length) buffer = new byte[text.Length + 12];
                    }
                    (k + 1).TryFormat(buffer.AsSpan(used), out var digits, default, CultureInfo.InvariantCulture);
                    used += digits;
                    buffer[used++] = (byte)separator;
                    text.CopyTo(buffer.AsSpan(used));
                    used += text.Length;
                    if ((k & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
                }
                RandomAccess.Write(file, buffer.AsSpan(0, used), at);
            });
            written = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        });
        return written;
    }

    private static int Digits(int value)
    {
        var digits = 1;
        for (; value >= 10; value /= 10) digits++;
        return digits;
    }
}
