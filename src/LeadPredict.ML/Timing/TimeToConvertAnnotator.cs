using LeadPredict.ML.Scoring;

namespace LeadPredict.ML.Timing;

/// <summary>
/// The ranked output's <c>p_30d, p_60d, p_90d</c> columns (one per <see cref="TimeToConvert.Days"/>): each lead's probability
/// of converting within that many days of the as-of time, from its probability within the horizon and the time-to-convert
/// model (<see cref="TimeToConvert"/>) read from the same row. The printed summary adds the expected conversions per column.
/// </summary>
public sealed class TimeToConvertAnnotator(TimeToConvert model) : IScoreAnnotator
{
    public TimeToConvert Model { get; } = model;

    public IReadOnlyList<string> Headers { get; } = model.Headers;

    /// <summary>The annotator of a model trained with a timeline, or null for one without a time-to-convert model.</summary>
    public static TimeToConvertAnnotator? For(ModelBundle bundle) =>
        TimeToConvert.From(bundle.Report.Extensions) is { } model ? new TimeToConvertAnnotator(model) : null;

    public IRowAnnotator Bind(IReadOnlyList<string> header, string source) => new Row(Model, Model.Bind(header, source));

    private sealed class Row(TimeToConvert model, TimeToConvert.Bound bound) : IRowAnnotator
    {
        private readonly ThreadLocal<double[]> _expected = new(() => new double[bound.Count], trackAllValues: true);

        public ILeadAnnotation Annotate(IReadOnlyList<string> fields, double probability)
        {
            var within = new double[bound.Count];
            bound.Within(probability, fields, within);
            Count(within);
            return new ConversionWithin(model.Days, within);
        }

        public void Write(IReadOnlyList<string> fields, double probability, CsvCells cells)
        {
            Span<double> within = stackalloc double[bound.Count];
            bound.Within(probability, fields, within);
            Count(within);
            foreach (var p in within) cells.Cell(LeadScorer.FormatProbability(p));
        }

        private void Count(ReadOnlySpan<double> within)
        {
            var sums = _expected.Value!;
            for (var j = 0; j < within.Length; j++) sums[j] += within[j];
        }

        public IReadOnlyList<(string Title, IReadOnlyList<(string Key, int Count)> Counts)> Summary()
        {
            var totals = new double[bound.Count];
            foreach (var sums in _expected.Values)
                for (var j = 0; j < totals.Length; j++) totals[j] += sums[j];
            return [("Expected conversions (sum of probabilities)", model.Days.Select((d, j) => ($"within {d} days", (int)Math.Round(totals[j]))).ToArray())];
        }
    }
}

/// <summary>One lead's probabilities of converting within each number of <see cref="Days"/> (ascending; the last is the horizon).</summary>
public sealed record ConversionWithin(IReadOnlyList<int> Days, IReadOnlyList<double> Probabilities) : ILeadAnnotation
{
    public IReadOnlyList<string> Cells => Probabilities.Select(LeadScorer.FormatProbability).ToArray();
}
