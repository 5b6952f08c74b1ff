using LeadPredict.Core;

namespace LeadPredict.Rules;

/// <summary>One lead's raw values by column name (case-insensitive), already trimmed; null means missing.</summary>
public interface ILeadValues
{
    string? Get(string column);
}

/// <summary>A lead held in a dictionary; handy for tests and single-lead scoring.</summary>
public sealed class LeadValues : ILeadValues
{
    private readonly Dictionary<string, string?> _values;

    public LeadValues(IEnumerable<KeyValuePair<string, string?>> values)
    {
        _values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (column, value) in values) _values[column] = value;
    }

    public static LeadValues Of(params (string Column, string? Value)[] values) =>
        new(values.Select(v => new KeyValuePair<string, string?>(v.Column, v.Value)));

    public string? Get(string column) => _values.TryGetValue(column, out var v) ? v : null;
}

/// <summary>
/// A movable view of one row of a <see cref="LeadTable"/>: set <see cref="Row"/> and pass the same instance
/// to the rules for every lead, so scoring a million rows allocates nothing per row.
/// </summary>
public sealed class LeadTableRow : ILeadValues
{
    private readonly LeadTable _table;
    private readonly Dictionary<string, int> _columns;

    public LeadTableRow(LeadTable table)
    {
        _table = table;
        _columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < table.ColumnNames.Count; i++) _columns[table.ColumnNames[i]] = i;
    }

    public int Row { get; set; }

    public long Line => _table.LineOf(Row);

    // A typed column's text is made only when a rule reads it (LeadTable.Column).
    public string? Get(string column) => _columns.TryGetValue(column, out var index) ? _table.Column(index)[Row] : null;

    /// <summary>The kind of every column, as the rules expect them for load-time validation.</summary>
    public static IReadOnlyDictionary<string, ColumnKind> KindsOf(IEnumerable<ColumnProfile> profiles) =>
        profiles.ToDictionary(p => p.Name, p => p.Kind, StringComparer.OrdinalIgnoreCase);

    /// <summary>How every numeric column writes its numbers, for rules that compare numbers.</summary>
    public static IReadOnlyDictionary<string, NumberFormat> NumberFormatsOf(IEnumerable<ColumnProfile> profiles) =>
        profiles.ToDictionary(p => p.Name, p => p.Number, StringComparer.OrdinalIgnoreCase);
}
