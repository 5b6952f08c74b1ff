namespace LeadPredict.Core;

/// <summary>How a column of a CRM export is read and turned into features.</summary>
public enum ColumnKind
{
    /// <summary>Numbers (counts, amounts); missing values allowed.</summary>
    Numeric,
    /// <summary>A small set of repeated values (industry, country, source).</summary>
    Categorical,
    /// <summary>Two values such as yes/no, true/false, 1/0.</summary>
    Boolean,
    /// <summary>A date or timestamp; used for time-based holdouts and calendar features.</summary>
    Date,
    /// <summary>Free text (job title, notes) turned into word features.</summary>
    Text,
    /// <summary>A unique or near-unique key; never a feature unless asked.</summary>
    Identifier,
    /// <summary>Read but not used.</summary>
    Ignored,
}
