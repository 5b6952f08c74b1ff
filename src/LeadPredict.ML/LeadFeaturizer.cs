using System.Globalization;
using LeadPredict.Core;

namespace LeadPredict.ML;

/// <summary>One slot of the feature vector and the column it came from.</summary>
public sealed record FeatureSlot(string Name, int Column);

/// <summary>
/// Turns a lead's raw values into the fixed-length float vector the trainer sees, and remembers how:
/// medians for missing numbers (plus a missing indicator), the frequent categories of each categorical column
/// (the rest fall into "other", so categories first seen at scoring time are handled), frequent words of text
/// columns, and calendar parts of dates. Every slot records its source column, so importances and reasons are
/// reported per original column.
/// Featurization is done here rather than with ML.NET transforms because a CRM export's columns are only known
/// at run time, while a PredictionEngine needs a compile-time input class: one float vector sized at run time fits both.
/// </summary>
public sealed class LeadFeaturizer
{
    private const int MaxCategories = 64;
    /// <summary>
    /// The most frequent words of a text column kept as slots (each in at least 1 row in 2,000). 40 kept the department and role
    /// words of job titles and cut the rarer words that say how senior a lead is ("ceo", "intern", "founder"): on the generated
    /// 1M-row export 128 raised LightGBM's holdout AUC from 0.8795 to 0.8829 (docs/benchmarks.md); X Education and UCI bank
    /// have no text column that reaches the limit and score as before.
    /// </summary>
    private const int MaxWords = 128;

    private readonly ColumnEncoder[] _encoders;

    private LeadFeaturizer(FeaturizerState state)
    {
        State = state;
        _encoders = state.Columns.Select(ColumnEncoder.Create).ToArray();
        var slots = new List<FeatureSlot>();
        for (var c = 0; c < _encoders.Length; c++)
            foreach (var name in _encoders[c].SlotNames(state.Columns[c].Name)) slots.Add(new FeatureSlot(name, c));
        Slots = slots;
    }

    public FeaturizerState State { get; }
    public IReadOnlyList<FeatureSlot> Slots { get; }
    public int Length => Slots.Count;
    public IReadOnlyList<ColumnState> Columns => State.Columns;

    public static LeadFeaturizer FromState(FeaturizerState state) => new(state);

    /// <summary>Learns the encoding of every feature column from the given training rows.</summary>
    public static LeadFeaturizer Fit(LeadTable table, DatasetSchema schema, IReadOnlyList<int> rows)
    {
        // Each column's encoding is learned on its own (numbers sorted for the median, categories counted): one column per core at a time.
        var features = schema.Features.ToArray();
        var columns = new ColumnState[features.Length];
        Parallel.For(0, features.Length, i => columns[i] =
            features[i].Kind == ColumnKind.Numeric && table.Numbers(features[i].Name) is { } typed
                ? FitNumbers(features[i], typed, rows)
                : FitColumn(features[i], table.Column(features[i].Name), rows));
        return new LeadFeaturizer(new FeaturizerState(columns));
    }

    /// <summary>Writes the features of one lead; <paramref name="values"/> are in <see cref="Columns"/> order, null = missing.</summary>
    /// <param name="line">The line of the lead in its file, named when a value cannot be read (0: not from a file).</param>
    public void Featurize(ReadOnlySpan<string?> values, Span<float> destination, FeaturizeIssues? issues = null, long line = 0)
    {
        var offset = 0;
        for (var c = 0; c < _encoders.Length; c++)
        {
            var e = _encoders[c];
            e.Encode(values[c], destination.Slice(offset, e.Width), issues, c, line);
            offset += e.Width;
        }
    }

    /// <summary>
    /// Writes the features of one lead whose typed columns (<paramref name="typed"/>[c]) come as numbers in
    /// <paramref name="numbers"/> (NaN = missing) and the others as text in <paramref name="values"/>: the same features as
    /// <see cref="Featurize(ReadOnlySpan{string?}, Span{float}, FeaturizeIssues?, long)"/> gives for the numbers written as
    /// round-trip text (<see cref="LeadTable.NumberText"/>), without the text.
    /// </summary>
    public void Featurize(ReadOnlySpan<string?> values, ReadOnlySpan<float> numbers, ReadOnlySpan<bool> typed, Span<float> destination,
        FeaturizeIssues? issues = null, long line = 0)
    {
        var offset = 0;
        for (var c = 0; c < _encoders.Length; c++)
        {
            var e = _encoders[c];
            if (typed[c]) e.EncodeNumber(numbers[c], destination.Slice(offset, e.Width), issues, c, line);
            else e.Encode(values[c], destination.Slice(offset, e.Width), issues, c, line);
            offset += e.Width;
        }
    }

    /// <summary>Features for the given rows of a table, row-major; typed columns are read as numbers.</summary>
    public float[][] FeaturizeRows(LeadTable table, IReadOnlyList<int> rows, FeaturizeIssues? issues = null)
    {
        var index = Columns.Select(c => table.IndexOf(c.Name)).ToArray();
        var numbers = index.Select(i => i >= 0 ? table.Numbers(i) : null).ToArray();
        var typed = numbers.Select(n => n is not null).ToArray();
        var cols = index.Select((i, c) => i < 0 || typed[c] ? null : table.Column(i)).ToArray();
        var result = new float[rows.Count][];
        Parallel.For(0, rows.Count, () => (new string?[cols.Length], new float[cols.Length]), (i, _, buffers) =>
        {
            var (values, typedValues) = buffers;
            var r = rows[i];
            for (var c = 0; c < cols.Length; c++)
            {
                values[c] = cols[c]?[r];
                typedValues[c] = numbers[c] is { } n ? n[r] : float.NaN;
            }
            var vector = new float[Length];
            Featurize(values, typedValues, typed, vector, issues, table.LineOf(r));
            result[i] = vector;
            return buffers;
        }, _ => { });
        return result;
    }

    /// <summary>A numeric column's encoding from its typed values: as <see cref="FitColumn"/> learns it from their text.</summary>
    private static ColumnState FitNumbers(FeatureColumn feature, float[] values, IReadOnlyList<int> rows)
    {
        var numbers = new List<double>(rows.Count);
        var missing = 0;
        foreach (var r in rows)
        {
            if (float.IsNaN(values[r])) missing++;
            else numbers.Add(values[r]);
        }
        numbers.Sort();
        var median = numbers.Count == 0 ? 0 : numbers[numbers.Count / 2];
        return new ColumnState(feature.Name, feature.Kind) { Median = median, HasMissing = missing > 0, Number = feature.Number };
    }

    private static ColumnState FitColumn(FeatureColumn feature, string?[] values, IReadOnlyList<int> rows)
    {
        var missing = 0;
        switch (feature.Kind)
        {
            case ColumnKind.Numeric:
            case ColumnKind.Boolean:
            {
                var numbers = new List<double>(rows.Count);
                foreach (var r in rows)
                {
                    if (values[r] is { } v && TryNumber(feature.Kind, feature.Number, v, out var x)) numbers.Add(x);
                    else missing++;
                }
                numbers.Sort();
                var median = numbers.Count == 0 ? 0 : numbers[numbers.Count / 2];
                return new ColumnState(feature.Name, feature.Kind) { Median = median, HasMissing = missing > 0, Number = feature.Number };
            }
            case ColumnKind.Date:
            {
                foreach (var r in rows) if (values[r] is null || !Values.TryParseDate(values[r]!, feature.DateFormat, out _)) missing++;
                return new ColumnState(feature.Name, feature.Kind) { HasMissing = missing > 0, DateFormat = feature.DateFormat };
            }
            case ColumnKind.Text:
            {
                var counts = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var r in rows)
                {
                    if (values[r] is not { } v) { missing++; continue; }
                    foreach (var w in TextWords(v).Distinct()) counts[w] = counts.GetValueOrDefault(w) + 1;
                }
                var minCount = Math.Max(5, rows.Count / 2000);
                var words = counts.Where(kv => kv.Value >= minCount).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                    .Take(MaxWords).Select(kv => kv.Key).ToArray();
                return new ColumnState(feature.Name, feature.Kind) { Vocabulary = words, HasMissing = missing > 0 };
            }
            default:
            {
                var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                foreach (var r in rows)
                {
                    if (values[r] is not { } v) { missing++; continue; }
                    counts[v] = counts.GetValueOrDefault(v) + 1;
                }
                var minCount = Math.Max(3, rows.Count / 1000);
                var frequent = counts.Where(kv => kv.Value >= minCount).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                    .Take(MaxCategories).Select(kv => kv.Key).ToArray();
                return new ColumnState(feature.Name, ColumnKind.Categorical) { Vocabulary = frequent, HasMissing = missing > 0 };
            }
        }
    }

    internal static bool TryNumber(ColumnKind kind, NumberFormat format, string value, out double result)
    {
        if (kind == ColumnKind.Boolean)
        {
            var ok = Values.TryParseBoolean(value, out var b);
            result = b ? 1 : 0;
            return ok;
        }
        return Values.TryParseNumber(value, format, out result);
    }

    internal static IEnumerable<string> TextWords(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var letter = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (letter && start < 0) start = i;
            else if (!letter && start >= 0)
            {
                if (i - start >= 2) yield return text[start..i].ToLowerInvariant();
                start = -1;
            }
        }
    }

    private abstract class ColumnEncoder
    {
        public abstract int Width { get; }
        public abstract IEnumerable<string> SlotNames(string column);
        public abstract void Encode(string? value, Span<float> dest, FeaturizeIssues? issues, int column, long line);

        /// <summary>A typed value (NaN = missing); columns that are not numeric read its round-trip text.</summary>
        public virtual void EncodeNumber(float value, Span<float> dest, FeaturizeIssues? issues, int column, long line) =>
            Encode(LeadTable.NumberText(value), dest, issues, column, line);

        public static ColumnEncoder Create(ColumnState s) => s.Kind switch
        {
            ColumnKind.Numeric or ColumnKind.Boolean => new NumberEncoder(s),
            ColumnKind.Date => new DateEncoder(s),
            ColumnKind.Text => new TextEncoder(s),
            _ => new CategoryEncoder(s),
        };
    }

    private sealed class NumberEncoder(ColumnState s) : ColumnEncoder
    {
        private readonly float _median = (float)s.Median;
        private readonly NumberFormat _format = s.Number;
        public override int Width => s.HasMissing ? 2 : 1;
        public override IEnumerable<string> SlotNames(string column) => s.HasMissing ? [column, $"{column} (missing)"] : [column];

        public override void Encode(string? value, Span<float> dest, FeaturizeIssues? issues, int column, long line)
        {
            var isMissing = value is null;
            double x = 0;
            if (!isMissing && !TryNumber(s.Kind, _format, value!, out x))
            {
                issues?.Unreadable(column, value!, line);
                isMissing = true;
            }
            dest[0] = isMissing ? _median : (float)x;
            if (s.HasMissing) dest[1] = isMissing ? 1 : 0;
        }

        public override void EncodeNumber(float value, Span<float> dest, FeaturizeIssues? issues, int column, long line)
        {
            if (s.Kind != ColumnKind.Numeric)
            {
                base.EncodeNumber(value, dest, issues, column, line);
                return;
            }
            var isMissing = float.IsNaN(value);
            dest[0] = isMissing ? _median : value;
            if (s.HasMissing) dest[1] = isMissing ? 1 : 0;
        }
    }

    private sealed class DateEncoder(ColumnState s) : ColumnEncoder
    {
        private readonly string? _format = s.DateFormat;
        public override int Width => s.HasMissing ? 3 : 2;
        public override IEnumerable<string> SlotNames(string column) =>
            s.HasMissing ? [$"{column} month", $"{column} weekday", $"{column} (missing)"] : [$"{column} month", $"{column} weekday"];

        public override void Encode(string? value, Span<float> dest, FeaturizeIssues? issues, int column, long line)
        {
            DateTime d = default;
            var ok = value is not null && Values.TryParseDate(value, _format, out d);
            if (value is not null && !ok) issues?.Unreadable(column, value, line);
            dest[0] = ok ? d.Month : 0;
            dest[1] = ok ? (int)d.DayOfWeek : -1;
            if (s.HasMissing) dest[2] = ok ? 0 : 1;
        }
    }

    private sealed class CategoryEncoder : ColumnEncoder
    {
        private readonly ColumnState _s;
        private readonly Dictionary<string, int> _index;
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public CategoryEncoder(ColumnState s)
        {
            _s = s;
            _index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < s.Vocabulary.Count; i++) _index[s.Vocabulary[i]] = i;
            _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public override int Width => _s.Vocabulary.Count + 1 + (_s.HasMissing ? 1 : 0);

        public override IEnumerable<string> SlotNames(string column) =>
            _s.Vocabulary.Select(v => $"{column} = {v}").Append($"{column} = (other)")
                .Concat(_s.HasMissing ? [$"{column} (missing)"] : []);

        public override void Encode(string? value, Span<float> dest, FeaturizeIssues? issues, int column, long line)
        {
            dest.Clear();
            if (value is null)
            {
                if (_s.HasMissing) dest[^1] = 1;
                else dest[_s.Vocabulary.Count] = 1;
                return;
            }
            dest[_lookup.TryGetValue(value.AsSpan().Trim(), out var i) ? i : _s.Vocabulary.Count] = 1;
        }
    }

    private sealed class TextEncoder : ColumnEncoder
    {
        private readonly ColumnState _s;
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public TextEncoder(ColumnState s)
        {
            _s = s;
            var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < s.Vocabulary.Count; i++) index[s.Vocabulary[i]] = i;
            _lookup = index.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public override int Width => _s.Vocabulary.Count + 1;

        public override IEnumerable<string> SlotNames(string column) =>
            _s.Vocabulary.Select(v => $"{column} has '{v}'").Append($"{column} (missing)");

        public override void Encode(string? value, Span<float> dest, FeaturizeIssues? issues, int column, long line)
        {
            dest.Clear();
            if (value is null) { dest[^1] = 1; return; }
            var span = value.AsSpan();
            var start = -1;
            for (var i = 0; i <= span.Length; i++)
            {
                var letter = i < span.Length && char.IsLetterOrDigit(span[i]);
                if (letter && start < 0) start = i;
                else if (!letter && start >= 0)
                {
                    if (_lookup.TryGetValue(span[start..i], out var w)) dest[w] = 1;
                    start = -1;
                }
            }
        }
    }
}

/// <summary>The fitted featurizer, as stored in the model file.</summary>
public sealed record FeaturizerState(IReadOnlyList<ColumnState> Columns);

public sealed record ColumnState(string Name, ColumnKind Kind)
{
    public double Median { get; init; }
    /// <summary>How the column writes its numbers (models from before number formats read them plainly).</summary>
    public NumberFormat Number { get; init; }
    /// <summary>How the column writes its dates, as a dateFormat setting (null: as models from before date formats read them).</summary>
    public string? DateFormat { get; init; }
    public bool HasMissing { get; init; }
    public IReadOnlyList<string> Vocabulary { get; init; } = [];
}

/// <summary>Counts values that could not be read (e.g. "lots" in a numeric column), with the first few and their lines; they are treated as missing.</summary>
public sealed class FeaturizeIssues(int columns)
{
    private const int Kept = 3;
    private readonly long[] _counts = new long[columns];
    private readonly List<(long Line, string Value)>[] _examples = Enumerable.Range(0, columns).Select(_ => new List<(long, string)>(Kept)).ToArray();
    private readonly long[] _lastKept = new long[columns];

    /// <summary>Counts an unreadable value; the examples kept are the ones on the first lines, whatever order threads report them in.</summary>
    public void Unreadable(int column, string value, long line = 0)
    {
        Interlocked.Increment(ref _counts[column]);
        var examples = _examples[column];
        if (Volatile.Read(ref _lastKept[column]) is > 0 and var last && line >= last) return; // not among the first: no lock
        lock (examples)
        {
            if (examples.Count == Kept)
            {
                var latest = examples.MaxBy(e => e.Line);
                if (line >= latest.Line) return;
                examples.Remove(latest);
            }
            examples.Add((line, value));
            if (examples.Count == Kept) Volatile.Write(ref _lastKept[column], examples.Max(e => e.Line));
        }
    }

    public IEnumerable<(int Column, long Count, string Example)> Problems() =>
        Enumerable.Range(0, _counts.Length).Where(c => _counts[c] > 0).Select(c => (c, _counts[c], Examples(c)));

    /// <summary>The first values that could not be read, with their lines: "line 17 '4,268', line 20 'n/a?'".</summary>
    private string Examples(int column)
    {
        lock (_examples[column])
            return string.Join(", ", _examples[column].OrderBy(e => e.Line).Select(e => e.Line > 0 ? $"line {e.Line} '{e.Value}'" : $"'{e.Value}'"));
    }

    public static string Describe(LeadFeaturizer f, FeaturizeIssues issues) =>
        string.Join("; ", issues.Problems().Select(p =>
            $"{p.Count.ToString("N0", CultureInfo.InvariantCulture)} unreadable value(s) in '{f.Columns[p.Column].Name}' ({p.Example}; expected {Expected(f.Columns[p.Column])}), scored as missing"));

    private static string Expected(ColumnState column) =>
        column.Kind == ColumnKind.Numeric && column.Number != NumberFormat.Plain ? $"a number written like {NumberFormats.SettingOf(column.Number)}"
        : column.Kind == ColumnKind.Date && column.DateFormat is { } f && f != DateFormats.Auto ? $"a date written like {f}"
        : KindWord(column.Kind);

    private static string KindWord(ColumnKind kind) => kind switch
    {
        ColumnKind.Numeric => "a number",
        ColumnKind.Boolean => "yes/no",
        ColumnKind.Date => "a date",
        _ => "text",
    };
}
