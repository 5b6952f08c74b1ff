using System.Globalization;
using System.Text;
using LeadPredict.Core;
using LeadPredict.Core.Csv;

namespace LeadPredict.Timeline;

/// <summary>
/// Examples laid out as one lead table for the featurizer: each example's lead row (its static attributes, as read), then
/// its engagement features headed by their readable names ("Pricing page views, last 30 days"), the stage it was in at
/// its time, its time (<see cref="TimeColumn"/>) and, for training, its label. Training, batch scoring and the API all
/// make their rows here (<see cref="EngagementValues"/>), so the featurizer reads exactly the same values on every path.
/// </summary>
public sealed record SnapshotTable(LeadTable Table, IReadOnlyList<string> EngagementColumns, string? StageColumn, string? LabelColumn)
{
    /// <summary>Each example's time (UTC, <c>yyyy-MM-dd HH:mm:ss</c>): what "as of" means for it. Never a feature.</summary>
    public const string TimeColumn = "as_of";
    public const string StageColumnName = "Stage at the time";
    public const string Positive = "yes";
    public const string Negative = "no";

    /// <summary>The columns this table names for people (engagement features and the stage at the time).</summary>
    public IEnumerable<string> WrittenForPeople => StageColumn is null ? EngagementColumns : EngagementColumns.Append(StageColumn);

    public static string LabelColumnFor(int horizonDays) => $"converted_within_{horizonDays}_days";

    /// <summary>Headers of the engagement features: their display names, made unique against the leads table's columns.</summary>
    public static IReadOnlyList<string> EngagementHeaders(EngagementSchema schema, IReadOnlyList<string> leadColumns)
    {
        var taken = new HashSet<string>(leadColumns, StringComparer.OrdinalIgnoreCase) { TimeColumn, StageColumnName };
        var headers = new List<string>();
        foreach (var f in schema.Features)
        {
            var name = f.DisplayName;
            for (var k = 2; !taken.Add(name); k++) name = $"{f.DisplayName} ({k})";
            headers.Add(name);
        }
        return headers;
    }

    /// <summary>One feature value as text: round-trip (the featurizer reads back the same float), null when missing.</summary>
    public static string? Text(float value) => LeadTable.NumberText(value);

    public static string TimeText(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The engagement part of one example's row, in header order.</summary>
    public static string?[] EngagementValues(ReadOnlySpan<float> features)
    {
        var values = new string?[features.Length];
        for (var i = 0; i < features.Length; i++) values[i] = Text(features[i]);
        return values;
    }

    /// <summary>The examples of a snapshot set as a table (labels only when the set has them).</summary>
    public static SnapshotTable Build(SnapshotSet set)
    {
        var leads = set.Leads;
        var n = set.Count;
        var headers = EngagementHeaders(set.Schema, leads.ColumnNames);
        var names = new List<string>(leads.ColumnNames);
        var columns = new List<string?[]?>();
        for (var c = 0; c < leads.ColumnNames.Count; c++)
        {
            var src = leads.Column(c);
            var dst = new string?[n];
            for (var i = 0; i < n; i++) dst[i] = src[set.LeadRows[i]];
            columns.Add(dst);
        }
        // The engagement features stay numbers (typed columns): the featurizer reads them as floats, with no text in between.
        var width = set.FeatureCount;
        var engagement = new float[width][];
        for (var f = 0; f < width; f++) engagement[f] = new float[n];
        var all = set.Features;
        for (var i = 0; i < n; i++)
        {
            var at = (long)i * width;
            for (var f = 0; f < width; f++) engagement[f][i] = all[at + f];
        }
        names.AddRange(headers);
        var numbers = new List<float[]?>(columns.Select(_ => (float[]?)null));
        columns.AddRange(engagement.Select(_ => (string?[]?)null));
        numbers.AddRange(engagement);
        string? stageColumn = null;
        if (set.StageAt is { } stages)
        {
            stageColumn = StageColumnName;
            names.Add(stageColumn);
            columns.Add(stages);
            numbers.Add(null);
        }
        names.Add(TimeColumn);
        var times = new string?[n];
        for (var i = 0; i < n; i++) times[i] = TimeText(set.Times[i]);
        columns.Add(times);
        numbers.Add(null);
        string? labelColumn = null;
        if (set.Labels is { } labels)
        {
            labelColumn = LabelColumnFor(set.HorizonDays);
            names.Add(labelColumn);
            columns.Add(labels.Select(y => (string?)(y ? Positive : Negative)).ToArray());
            numbers.Add(null);
        }
        var lines = new long[n];
        for (var i = 0; i < n; i++) lines[i] = leads.LineOf(set.LeadRows[i]);
        return new SnapshotTable(new LeadTable(leads.SourcePath, leads.Separator, names, columns.ToArray(), numbers.ToArray(), lines), headers, stageColumn, labelColumn);
    }

    /// <summary>Writes the examples (or the given rows) as a UTF-8 CSV, as an export would hold them (missing = empty).</summary>
    public void WriteCsv(Stream stream, IReadOnlyList<int>? rows = null)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        var table = Table;
        writer.Write(CsvText.JoinRow(table.ColumnNames));
        writer.Write('\n');
        var numbers = Enumerable.Range(0, table.ColumnNames.Count).Select(table.Numbers).ToArray();
        var columns = Enumerable.Range(0, table.ColumnNames.Count).Select(c => numbers[c] is null ? table.Column(c) : null).ToArray();
        var count = rows?.Count ?? table.RowCount;
        for (var k = 0; k < count; k++)
        {
            var r = rows is null ? k : rows[k];
            for (var c = 0; c < columns.Length; c++)
            {
                if (c > 0) writer.Write(',');
                if (numbers[c] is { } typed)
                {
                    if (!float.IsNaN(typed[r])) writer.Write(typed[r].ToString("R", CultureInfo.InvariantCulture));
                }
                else if (columns[c]![r] is { } v) writer.Write(CsvText.Escape(v));
            }
            writer.Write('\n');
        }
    }
}
