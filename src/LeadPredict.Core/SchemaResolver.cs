namespace LeadPredict.Core;

/// <summary>A feature column and how it is read.</summary>
public sealed record FeatureColumn(string Name, ColumnKind Kind)
{
    /// <summary>How a numeric column writes its numbers, so scoring reads new leads as training read the history.</summary>
    public NumberFormat Number { get; init; }

    /// <summary>How a date column writes its dates (a dateFormat setting), likewise.</summary>
    public string? DateFormat { get; init; }
}

/// <summary>
/// A dataset configuration checked against one table: every name exists, every column has a kind,
/// the label has exactly two classes, and the features are chosen. This is what a model stores.
/// </summary>
public sealed record DatasetSchema
{
    public required string Label { get; init; }
    public required string PositiveLabel { get; init; }
    public string? Id { get; init; }
    public string? Created { get; init; }
    public required char Separator { get; init; }
    public required IReadOnlyList<string> MissingTokens { get; init; }
    public required IReadOnlyList<FeatureColumn> Features { get; init; }
    public IReadOnlyList<string> Excluded { get; init; } = [];

    public bool IsPositive(string value) => string.Equals(value.Trim(), PositiveLabel.Trim(), StringComparison.OrdinalIgnoreCase);
}

/// <summary>The outcome of resolving a configuration against a table.</summary>
public sealed record ResolvedDataset(
    DatasetSchema Schema, IReadOnlyList<ColumnProfile> Profiles, bool[] Labels, int[] LabelledRows, int MissingLabels)
{
    /// <summary>What the analyst should know about how the data is read: values that cannot be read, numbers that could be read two ways.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

public static class SchemaResolver
{
    public static ResolvedDataset Resolve(DatasetConfig config, LeadTable table, string configSource = "configuration")
    {
        string Existing(string name, string setting)
        {
            var i = table.IndexOf(name);
            if (i < 0)
            {
                var where = setting == "label" || configSource == "configuration" ? "" : $" (in {Path.GetFileName(configSource)})";
                throw new LeadPredictException(
                    $"{setting} column '{name}'{where} is not in {Path.GetFileName(table.SourcePath)}; the columns are: {string.Join(", ", table.ColumnNames)}.");
            }
            return table.ColumnNames[i];
        }

        var label = Existing(config.Label, "label");
        var id = config.Id is { Length: > 0 } ? Existing(config.Id, "id") : null;
        var created = config.Created is { Length: > 0 } ? Existing(config.Created, "created") : null;
        var excluded = config.Exclude.Select(e => Existing(e, "excluded")).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in config.Columns.Keys) Existing(name, "configured");

        var (labels, rows, missing, positive) = ReadLabels(table, label, config.PositiveLabel);

        var profiles = new List<ColumnProfile>();
        // Typed columns (computed numbers, e.g. engagement features) are profiled as numbers, without making their text.
        var textColumns = Enumerable.Range(0, table.ColumnNames.Count).Where(c => table.Numbers(c) is null).ToArray();
        var textProfiles = SchemaInference.ProfileColumns(textColumns.Select(c => (table.ColumnNames[c], table.Column(c))), config.NumberFormatSetting,
            config.DateFormat is null or DateFormats.Auto ? null : config.DateFormat);
        var inferredProfiles = new ColumnProfile[table.ColumnNames.Count];
        for (var k = 0; k < textColumns.Length; k++) inferredProfiles[textColumns[k]] = textProfiles[k];
        for (var c = 0; c < inferredProfiles.Length; c++)
            if (table.Numbers(c) is { } typed) inferredProfiles[c] = SchemaInference.ProfileNumbers(table.ColumnNames[c], typed);
        foreach (var inferred in inferredProfiles)
        {
            var profile = inferred;
            var configured = config.Columns.FirstOrDefault(kv => string.Equals(kv.Key, profile.Name, StringComparison.OrdinalIgnoreCase));
            if (configured.Key is not null) profile = profile with { Kind = configured.Value, Reason = "set in the configuration" };
            profiles.Add(profile);
        }

        id ??= profiles.FirstOrDefault(p => p.Kind == ColumnKind.Identifier && SchemaInference.LooksLikeKeyName(p.Name)
                                         && !string.Equals(p.Name, label, StringComparison.OrdinalIgnoreCase))?.Name;
        string? createdWarning = null;
        if (created is not null)
        {
            var at = profiles.FindIndex(p => p.Name == created);
            (createdWarning, var format) = CheckCreated(table, profiles[at], config.DateFormat);
            profiles[at] = profiles[at] with { DateFormat = format };
        }

        var features = profiles
            .Where(p => !string.Equals(p.Name, label, StringComparison.OrdinalIgnoreCase)
                     && !string.Equals(p.Name, id, StringComparison.OrdinalIgnoreCase)
                     // The created date orders the holdout; as a feature it would mostly encode the calendar of the history.
                     && !string.Equals(p.Name, created, StringComparison.OrdinalIgnoreCase)
                     && !excluded.Contains(p.Name)
                     && p.Kind is not (ColumnKind.Identifier or ColumnKind.Ignored))
            .Select(p => new FeatureColumn(p.Name, p.Kind) { Number = p.Number, DateFormat = p.DateFormat })
            .ToArray();
        if (features.Length == 0)
            throw new LeadPredictException($"no feature columns are left in {Path.GetFileName(table.SourcePath)} after removing the label, id and excluded columns.");

        var schema = new DatasetSchema
        {
            Label = label,
            PositiveLabel = positive,
            Id = id,
            Created = created,
            Separator = config.SeparatorChar ?? table.Separator,
            MissingTokens = config.MissingTokens,
            Features = features,
            Excluded = excluded.ToArray(),
        };
        var warnings = Warnings(table, profiles, features, label, created);
        return new ResolvedDataset(schema, profiles, labels, rows, missing) { Warnings = createdWarning is null ? warnings : [createdWarning, .. warnings] };
    }

    /// <summary>
    /// The created column orders the holdout, so its dates must all be read, and read one way: values that are not dates,
    /// and dates that could be day-first or month-first, stop training with the lines to fix. Missing dates are a warning.
    /// </summary>
    private static (string? Warning, string? DateFormat) CheckCreated(LeadTable table, ColumnProfile p, string? dateFormat)
    {
        var file = Path.GetFileName(table.SourcePath);
        var dates = new DateFormats.Detector(dateFormat is DateFormats.Auto ? null : dateFormat);
        foreach (var v in table.Column(p.Name)) if (v is not null) dates.Add(v);
        string Line(string? value) => Array.IndexOf(table.Column(p.Name), value) is var row and >= 0 ? $"line {table.LineOf(row)} '{value}'" : $"'{value}'";
        if (dates.Mixed)
            throw new LeadPredictException($"{file}: created column '{p.Name}' orders the holdout, but it has day-first dates ({Line(dates.DayFirstExample)}) " +
                                           $"and month-first dates ({Line(dates.MonthFirstExample)}); make them consistent, or set dateFormat.");
        if (dates.Ambiguous)
            throw new LeadPredictException($"{file}: created column '{p.Name}' orders the holdout, but its dates could be day-first or month-first " +
                                           $"({Line(dates.AmbiguousExample)}; no value has a day above 12 to tell); set dateFormat to \"{DateFormats.DayFirst}\" or \"{DateFormats.MonthFirst}\".");
        var values = table.Column(p.Name);
        var bad = new List<string>(3);
        var count = 0;
        var missing = 0;
        for (var r = 0; r < values.Length; r++)
        {
            if (values[r] is not { } v) { missing++; continue; }
            if (Values.TryParseDate(v, dates.ReadableFormat, out _)) continue;
            count++;
            if (bad.Count < 3) bad.Add($"line {table.LineOf(r)} '{v}'");
        }
        if (count == values.Length - missing)
            throw new LeadPredictException(
                $"created column '{p.Name}' does not hold dates (e.g. '{(p.Examples.Count > 0 ? p.Examples[0] : null)}'); expected dates like 2024-05-31, or set dateFormat.");
        if (count > 0)
            throw new LeadPredictException(
                $"{file}: created column '{p.Name}' orders the holdout, but {count:N0} value(s) are not dates ({string.Join(", ", bad)}); fix them, " +
                "leave them empty, or set dateFormat.");
        return (missing == 0 ? null
            : $"created column '{p.Name}': {missing:N0} lead(s) have no date; they count as the oldest, so they are in the training part, never the holdout.",
            dates.ReadableFormat);
    }

    /// <summary>Notes on how columns are read, and values of numeric and yes/no feature columns that cannot be read (with lines).</summary>
    private static IReadOnlyList<string> Warnings(LeadTable table, IReadOnlyList<ColumnProfile> profiles, IReadOnlyList<FeatureColumn> features,
        string label, string? created)
    {
        var warnings = new List<string>();
        foreach (var p in profiles)
            if (p.Note is { } note && !string.Equals(p.Name, label, StringComparison.OrdinalIgnoreCase) && !string.Equals(p.Name, created, StringComparison.OrdinalIgnoreCase))
                warnings.Add($"column '{p.Name}': {note}");
        var typed = features.Where(f => f.Kind is ColumnKind.Numeric or ColumnKind.Boolean or ColumnKind.Date).ToArray();
        var unreadable = new string?[typed.Length];
        Parallel.For(0, typed.Length, i => unreadable[i] = Unreadable(table, typed[i]));
        warnings.AddRange(unreadable.OfType<string>());
        return warnings;
    }

    /// <summary>The warning for a numeric, yes/no or date column with values that cannot be read as such, or null.</summary>
    private static string? Unreadable(LeadTable table, FeatureColumn f)
    {
        {
            var values = table.Column(f.Name);
            var count = 0;
            var examples = new List<string>(3);
            for (var r = 0; r < values.Length; r++)
            {
                if (values[r] is not { } v) continue;
                var ok = f.Kind switch
                {
                    ColumnKind.Boolean => Values.TryParseBoolean(v, out _),
                    ColumnKind.Date => Values.TryParseDate(v, f.DateFormat, out _),
                    _ => Values.TryParseNumber(v, f.Number, out _),
                };
                if (ok) continue;
                count++;
                if (examples.Count < 3) examples.Add($"line {table.LineOf(r)} '{v}'");
            }
            if (count == 0) return null;
            var expected = f.Kind switch
            {
                ColumnKind.Boolean => "yes/no values",
                ColumnKind.Date => f.DateFormat is null or DateFormats.Auto ? "dates" : $"dates written like {f.DateFormat}",
                _ => f.Number == NumberFormat.Plain ? "numbers" : $"numbers written like {NumberFormats.SettingOf(f.Number)}",
            };
            return $"column '{f.Name}': {count:N0} value(s) are not {expected} and are read as missing ({string.Join(", ", examples)}).";
        }
    }

    private static (bool[] Labels, int[] Rows, int Missing, string Positive) ReadLabels(LeadTable table, string label, string? positiveLabel)
    {
        var values = table.Column(label);
        var firstLine = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var missing = 0;
        for (var r = 0; r < values.Length; r++)
        {
            var v = values[r];
            if (v is null) { missing++; continue; }
            if (counts.TryGetValue(v, out var c)) counts[v] = c + 1;
            else { counts[v] = 1; firstLine[v] = table.LineOf(r); }
        }
        var file = Path.GetFileName(table.SourcePath);
        string Examples() => string.Join(", ", counts.Keys.Take(6).Select(k => $"'{k}' (line {firstLine[k]}, {counts[k]} rows)"));
        if (counts.Count > 2)
            throw new LeadPredictException(
                $"{file}: label column '{label}' must have two classes (converted or not) but has {counts.Count} values: {Examples()}; pick a yes/no outcome column or map the values first.");
        if (counts.Count < 2)
            throw new LeadPredictException(
                counts.Count == 0
                    ? $"{file}: label column '{label}' is empty in every row."
                    : $"{file}: label column '{label}' has only one class ({Examples()}); a model needs both converted and not-converted leads.");
        string positive;
        if (positiveLabel is not null)
        {
            positive = counts.Keys.FirstOrDefault(k => string.Equals(k.Trim(), positiveLabel.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new LeadPredictException($"{file}: positiveLabel '{positiveLabel}' does not occur in label column '{label}'; its values are {Examples()}.");
        }
        else
        {
            positive = SchemaInference.InferPositiveLabel(counts.Keys)
                ?? throw new LeadPredictException($"{file}: cannot tell which value of label column '{label}' means converted ({Examples()}); set positiveLabel in the configuration.");
        }
        var labels = new bool[values.Length - missing];
        var rows = new int[values.Length - missing];
        var k = 0;
        for (var r = 0; r < values.Length; r++)
        {
            if (values[r] is not { } v) continue;
            labels[k] = string.Equals(v, positive, StringComparison.OrdinalIgnoreCase);
            rows[k++] = r;
        }
        return (labels, rows, missing, positive);
    }
}
