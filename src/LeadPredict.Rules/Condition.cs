using System.Text.RegularExpressions;
using LeadPredict.Core;

namespace LeadPredict.Rules;

/// <summary>How a rule compares a lead's value; spelt in the rules file as in, notIn, between, atLeast, atMost, equals, contains, matches, present.</summary>
public enum RuleOperator { In, NotIn, Between, AtLeast, AtMost, Equals, Contains, Matches, Present }

/// <summary>
/// One check on one column, shared by ICP rules and funnel evidence. Built once (values normalised,
/// numbers parsed, the pattern compiled); <see cref="IsMetBy"/> allocates nothing.
/// A missing value never meets a condition, except that it is what <c>present</c> tests for.
/// </summary>
public sealed class Condition
{
    private readonly HashSet<string>? _set;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly string[] _texts = [];
    private readonly bool _boolTrue, _boolFalse;
    private readonly double _min = double.NegativeInfinity, _max = double.PositiveInfinity;
    private readonly Regex? _regex;
    private readonly NumberFormat _number;
    // Reused by every explanation, which is built for most leads in a batch.
    private readonly string _valuesText, _minText, _maxText, _missingText;
    // Values repeat lead after lead (job titles, industries, small numbers), so whether a pattern matches and the words
    // of an explanation are worked out once per distinct value, up to CacheLimit values per condition.
    private const int CacheLimit = 4096;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool>? _matched;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _explained = new(StringComparer.Ordinal);

    private Condition(string column, ColumnKind kind, RuleOperator op, IReadOnlyList<string> values, double? min, double? max, string? pattern,
        NumberFormat number, string? label)
    {
        _number = number;
        Column = column;
        Kind = kind;
        Operator = op;
        Label = string.IsNullOrWhiteSpace(label) ? ColumnNames.InSentence(column) : label.Trim();
        Values = values;
        Min = min;
        Max = max;
        Pattern = pattern;

        var fitsKind = op switch
        {
            RuleOperator.Present => true,
            RuleOperator.Between or RuleOperator.AtLeast or RuleOperator.AtMost => kind == ColumnKind.Numeric,
            RuleOperator.Contains or RuleOperator.Matches => kind is ColumnKind.Categorical or ColumnKind.Text,
            _ => kind is ColumnKind.Categorical or ColumnKind.Text or ColumnKind.Boolean,
        };
        if (!fitsKind)
            throw new LeadPredictException($"operator '{Name(op)}' does not fit column '{column}', which holds {KindWords(kind)}; {Suggest(kind)}.");

        switch (op)
        {
            case RuleOperator.In or RuleOperator.NotIn or RuleOperator.Equals:
                if (op == RuleOperator.Equals ? values.Count != 1 : values.Count == 0)
                    throw new LeadPredictException(op == RuleOperator.Equals
                        ? "'equals' needs exactly one value (\"value\": ...)."
                        : $"'{Name(op)}' needs a non-empty list (\"values\": [...]).");
                if (kind == ColumnKind.Boolean)
                {
                    foreach (var v in values)
                    {
                        if (!Core.Values.TryParseBoolean(v, out var b))
                            throw new LeadPredictException($"column '{column}' holds yes/no values, and '{v}' is not one (use yes or no).");
                        if (b) _boolTrue = true; else _boolFalse = true;
                    }
                }
                else
                {
                    _set = new HashSet<string>(values.Select(Text.CollapseSpaces), StringComparer.OrdinalIgnoreCase);
                    _lookup = _set.GetAlternateLookup<ReadOnlySpan<char>>();
                }
                break;
            case RuleOperator.Between:
                if (min is null || max is null) throw new LeadPredictException("'between' needs both \"min\" and \"max\".");
                if (min > max) throw new LeadPredictException($"the range is empty: min {Text.Number(min.Value)} is above max {Text.Number(max.Value)}.");
                (_min, _max) = (min.Value, max.Value);
                break;
            case RuleOperator.AtLeast:
                _min = min ?? throw new LeadPredictException("'atLeast' needs a number (\"value\": ...).");
                break;
            case RuleOperator.AtMost:
                _max = max ?? throw new LeadPredictException("'atMost' needs a number (\"value\": ...).");
                break;
            case RuleOperator.Contains:
                if (values.Count == 0 || values.Any(v => v.Length == 0))
                    throw new LeadPredictException("'contains' needs some text (\"value\": ... or \"values\": [...]).");
                _texts = values.Select(Text.CollapseSpaces).ToArray();
                break;
            case RuleOperator.Matches:
                if (string.IsNullOrEmpty(pattern)) throw new LeadPredictException("'matches' needs a regular expression (\"pattern\": ...).");
                _regex = LinearRegex(pattern);
                _matched = new(StringComparer.Ordinal);
                break;
        }
        _valuesText = Text.List(Values);
        _minText = Text.Number(_min);
        _maxText = Text.Number(_max);
        _missingText = $"{Label} is missing";
        Description = Describe();
    }

    public string Column { get; }
    public ColumnKind Kind { get; }
    public RuleOperator Operator { get; }
    /// <summary>The column as people say it: "job_title" reads "Job title".</summary>
    public string Label { get; }
    public IReadOnlyList<string> Values { get; }
    public double? Min { get; }
    public double? Max { get; }
    public string? Pattern { get; }
    /// <summary>The condition in words: "Employees between 50 and 5000".</summary>
    public string Description { get; }

    public static Condition In(string column, ColumnKind kind, params string[] values) => Create(column, kind, RuleOperator.In, values);
    public static Condition NotIn(string column, ColumnKind kind, params string[] values) => Create(column, kind, RuleOperator.NotIn, values);
    public static Condition EqualTo(string column, ColumnKind kind, string value) => Create(column, kind, RuleOperator.Equals, [value]);
    public static Condition Between(string column, double min, double max) => Create(column, ColumnKind.Numeric, RuleOperator.Between, min: min, max: max);
    public static Condition AtLeast(string column, double min) => Create(column, ColumnKind.Numeric, RuleOperator.AtLeast, min: min);
    public static Condition AtMost(string column, double max) => Create(column, ColumnKind.Numeric, RuleOperator.AtMost, max: max);
    public static Condition Contains(string column, ColumnKind kind, params string[] texts) => Create(column, kind, RuleOperator.Contains, texts);
    public static Condition Matches(string column, ColumnKind kind, string pattern) => Create(column, kind, RuleOperator.Matches, pattern: pattern);
    public static Condition Present(string column, ColumnKind kind) => Create(column, kind, RuleOperator.Present);

    /// <summary>Builds a condition; throws <see cref="LeadPredictException"/> saying what is wrong with it.</summary>
    public static Condition Create(string column, ColumnKind kind, RuleOperator op, IReadOnlyList<string>? values = null,
        double? min = null, double? max = null, string? pattern = null, NumberFormat number = NumberFormat.Plain, string? label = null) =>
        new(column, kind, op, values ?? [], min, max, pattern, number, label);

    public bool IsMetBy(ILeadValues lead) => IsMet(lead.Get(Column));

    public bool IsMet(string? value)
    {
        if (string.IsNullOrEmpty(value)) return false;
        switch (Operator)
        {
            case RuleOperator.Present:
                return true;
            case RuleOperator.In or RuleOperator.Equals or RuleOperator.NotIn:
                bool inList;
                if (_set is null)
                {
                    if (!Core.Values.TryParseBoolean(value, out var b)) return false;
                    inList = b ? _boolTrue : _boolFalse;
                }
                // The buffer is made (and zeroed) only for the rare value whose spaces need collapsing; every lead checks several conditions.
                else inList = _lookup.Contains(Text.IsCollapsed(value) ? value : Text.CollapseSpaces(value, stackalloc char[256]));
                return inList == (Operator != RuleOperator.NotIn);
            case RuleOperator.Between or RuleOperator.AtLeast or RuleOperator.AtMost:
                return Core.Values.TryParseNumber(value, _number, out var x) && x >= _min && x <= _max;
            case RuleOperator.Contains:
                var text = Text.IsCollapsed(value) ? value : Text.CollapseSpaces(value, stackalloc char[256]);
                foreach (var t in _texts)
                    if (text.Contains(t, StringComparison.OrdinalIgnoreCase)) return true;
                return false;
            case RuleOperator.Matches:
                if (_matched!.TryGetValue(value, out var known)) return known;
                var matched = _regex!.IsMatch(value);
                if (_matched.Count < CacheLimit) _matched.TryAdd(value, matched);
                return matched;
            default:
                return false;
        }
    }

    /// <summary>Why the lead does not meet the condition ("Employees 12 is below 50"), or null when it does.</summary>
    public string? Explain(ILeadValues lead) => Explain(lead.Get(Column));

    public string? Explain(string? value) => IsMet(value) ? null : WhyNotMet(value);

    /// <summary>The explanation for a value already known not to meet the condition.</summary>
    internal string WhyNotMet(string? value)
    {
        if (string.IsNullOrEmpty(value)) return _missingText;
        if (_explained.TryGetValue(value, out var known)) return known;
        var words = Words(value);
        if (_explained.Count < CacheLimit) _explained.TryAdd(value, words);
        return words;
    }

    private string Words(string value)
    {
        switch (Operator)
        {
            case RuleOperator.In or RuleOperator.Equals or RuleOperator.NotIn when _set is null && !Core.Values.TryParseBoolean(value, out _):
                return $"{Label} '{value}' is not a yes/no value";
            case RuleOperator.In:
                return $"{Label} {value} is not one of {_valuesText}";
            case RuleOperator.Equals:
                return $"{Label} {value} is not {Values[0]}";
            case RuleOperator.NotIn:
                return $"{Label} {value} is excluded ({_valuesText})";
            case RuleOperator.Between or RuleOperator.AtLeast or RuleOperator.AtMost:
                if (!Core.Values.TryParseNumber(value, _number, out var x)) return $"{Label} '{value}' is not a number";
                return x < _min ? $"{Label} {value} is below {_minText}" : $"{Label} {value} is above {_maxText}";
            case RuleOperator.Contains:
                return _texts.Length == 1
                    ? $"{Label} {value} does not contain '{Values[0]}'"
                    : $"{Label} {value} contains none of {_valuesText}";
            case RuleOperator.Matches:
                return $"{Label} {value} does not match {ShownPattern}";
            default:
                return $"{Label} {value} does not meet {Description}";
        }
    }

    private string Describe() => Operator switch
    {
        RuleOperator.In => $"{Label} is one of {Text.List(Values)}",
        RuleOperator.NotIn => $"{Label} is not one of {Text.List(Values)}",
        RuleOperator.Equals => $"{Label} is {Values[0]}",
        RuleOperator.Between => $"{Label} between {Text.Number(_min)} and {Text.Number(_max)}",
        RuleOperator.AtLeast => $"{Label} at least {Text.Number(_min)}",
        RuleOperator.AtMost => $"{Label} at most {Text.Number(_max)}",
        RuleOperator.Contains => $"{Label} contains {string.Join(" or ", Values)}",
        RuleOperator.Matches => $"{Label} matches {ShownPattern}",
        _ => $"{Label} is present",
    };

    public override string ToString() => Description;

    /// <summary>
    /// The pattern, run by the non-backtracking engine: its time is linear in the value's length whatever the pattern, so a
    /// pattern like (a+)+$ cannot hold a core for minutes on long values. What that engine cannot run (backreferences,
    /// lookarounds, atomic groups, conditionals) is refused here, when the rules are loaded, naming the construct.
    /// </summary>
    private static Regex LinearRegex(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
        catch (NotSupportedException e)
        {
            var construct = e.Message.IndexOf("containing: '", StringComparison.Ordinal) is var at and >= 0
                ? e.Message[(at + "containing: '".Length)..].TrimEnd('.', '\'') : "a construct that needs backtracking";
            throw new LeadPredictException(
                $"the pattern '{pattern}' cannot be evaluated in linear time because it uses: {construct}; rewrite it without that " +
                "(e.g. list the alternatives with |, or use several rules).");
        }
        catch (ArgumentException e)
        {
            throw new LeadPredictException($"the pattern '{pattern}' is not a valid regular expression ({e.Message.TrimEnd('.')}).");
        }
    }

    // A long pattern would swamp the one-line reasons that quote it.
    private string ShownPattern => Pattern is { Length: <= 40 } ? Pattern : "the pattern";

    /// <summary>The operator as written in the rules file.</summary>
    public static string Name(RuleOperator op) => op switch
    {
        RuleOperator.NotIn => "notIn",
        RuleOperator.AtLeast => "atLeast",
        RuleOperator.AtMost => "atMost",
        _ => op.ToString().ToLowerInvariant(),
    };

    public static readonly IReadOnlyList<string> OperatorNames = Enum.GetValues<RuleOperator>().Select(Name).ToArray();

    public static bool TryParseOperator(string? name, out RuleOperator op)
    {
        foreach (var candidate in Enum.GetValues<RuleOperator>())
            if (string.Equals(Name(candidate), name?.Trim(), StringComparison.OrdinalIgnoreCase)) { op = candidate; return true; }
        op = default;
        return false;
    }

    private static string KindWords(ColumnKind kind) => kind switch
    {
        ColumnKind.Numeric => "numbers",
        ColumnKind.Categorical => "categories",
        ColumnKind.Boolean => "yes/no values",
        ColumnKind.Date => "dates",
        ColumnKind.Text => "free text",
        ColumnKind.Identifier => "identifiers",
        _ => "an ignored column",
    };

    private static string Suggest(ColumnKind kind) => kind switch
    {
        ColumnKind.Numeric => "use between, atLeast, atMost or present",
        ColumnKind.Boolean => "use equals, in, notIn or present",
        ColumnKind.Categorical or ColumnKind.Text => "use in, notIn, equals, contains, matches or present",
        _ => "only present works on it",
    };
}
