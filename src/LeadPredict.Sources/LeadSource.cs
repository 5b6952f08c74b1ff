using LeadPredict.Core;

namespace LeadPredict.Sources;

/// <summary>
/// Where a command's leads come from: a CSV file (read as it always was), Parquet (a file, a folder of them or a glob) or a
/// PostgreSQL table or query. A source that is not a CSV file is first streamed into a private temporary CSV
/// (<see cref="Stage"/>), so training reads one <see cref="LeadTable"/> and scoring one record stream whatever the source:
/// featurization, ranking and every message about values stay one path.
/// </summary>
public abstract record LeadSource
{
    /// <summary>The source as messages name it: "leads.csv", "PostgreSQL table crm.leads", "Parquet data/*.parquet".</summary>
    public abstract string Name { get; }

    /// <summary>The files the source reads, for the check that an output does not overwrite an input.</summary>
    public virtual IReadOnlyList<string> Files => [];

    /// <summary>
    /// The source a command's arguments name: <paramref name="location"/> is a path, a folder or glob of Parquet files, or
    /// <c>postgres:TABLE</c>; <paramref name="query"/> is SQL run on PostgreSQL. Exactly one of them is given.
    /// </summary>
    public static LeadSource Parse(string? location, string? query, string locationOption, SourceSettings settings)
    {
        if (query is not null && location is not null)
            throw new LeadPredictException($"give either {locationOption} or --query, not both.");
        if (query is not null)
        {
            if (string.IsNullOrWhiteSpace(query)) throw new LeadPredictException("--query is empty; give a SELECT statement.");
            return new PostgresSource(PostgresSource.Connection(settings), null, query.Trim().TrimEnd(';'));
        }
        if (string.IsNullOrWhiteSpace(location))
            throw new LeadPredictException($"{locationOption} is required (a CSV or Parquet file, a folder of Parquet files, or postgres:TABLE), or --query.");
        if (location.StartsWith(PostgresSource.Prefix, StringComparison.OrdinalIgnoreCase))
            return new PostgresSource(PostgresSource.Connection(settings), PostgresSource.CheckTable(location[PostgresSource.Prefix.Length..]), null);
        if (ParquetSource.IsParquet(location)) return new ParquetSource(location);
        return new CsvFileSource(Path.GetFullPath(location));
    }

    /// <summary>The source as a CSV file the existing readers take; temporary (and removed on dispose) unless it is one already.</summary>
    public abstract StagedLeads Stage(IProgress<long>? rows = null, CancellationToken ct = default);

    /// <summary>A file name for the staged copy that says where the leads came from (messages quote the file name).</summary>
    protected string StagedFileName() =>
        string.Concat(Name.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-')).Trim('-') + ".csv";
}

/// <summary>A CSV export: nothing to stage.</summary>
public sealed record CsvFileSource(string Path) : LeadSource
{
    public override string Name => System.IO.Path.GetFileName(Path);
    public override IReadOnlyList<string> Files => [Path];
    public override StagedLeads Stage(IProgress<long>? rows = null, CancellationToken ct = default) => new(Path, Name, null, new Dictionary<string, ColumnKind>());
}

/// <summary>
/// A source as one CSV file (comma-separated, a header, RFC 4180 quoting). When it is a temporary copy, a message the readers
/// raise about it (its line) is told again about the source (its row) by <see cref="Relocate"/>.
/// </summary>
public sealed class StagedLeads : IDisposable
{
    private readonly string? _folder;

    public StagedLeads(string path, string name, string? temporaryFolder, IReadOnlyDictionary<string, ColumnKind> kinds)
    {
        Path = path;
        Name = name;
        _folder = temporaryFolder;
        Kinds = kinds;
    }

    public string Path { get; }
    /// <summary>The source's name for messages and the model card.</summary>
    public string Name { get; }
    /// <summary>Column kinds the source's own types say (booleans, dates and timestamps); the configuration still wins.</summary>
    public IReadOnlyDictionary<string, ColumnKind> Kinds { get; }
    public bool IsCopy => _folder is not null;

    /// <summary>
    /// The configuration with the source's typed columns added where it does not already say, leaving out the label, id and
    /// created columns (they are read their own way).
    /// </summary>
    public T WithKinds<T>(T config) where T : DatasetConfig
    {
        if (Kinds.Count == 0) return config;
        var columns = new Dictionary<string, ColumnKind>(config.Columns, StringComparer.OrdinalIgnoreCase);
        string?[] special = [config.Label, config.Id, config.Created];
        foreach (var (column, kind) in Kinds)
            if (!columns.ContainsKey(column) && !special.Any(s => string.Equals(s, column, StringComparison.OrdinalIgnoreCase)))
                columns[column] = kind;
        return config with { Columns = columns };
    }

    /// <summary>An error about the staged copy, told about the source: its row instead of the copy's line.</summary>
    public Exception Relocate(Exception e)
    {
        if (!IsCopy || e is not InputFileException f || !string.Equals(System.IO.Path.GetFullPath(f.File), Path, StringComparison.Ordinal)) return e;
        var where = Name;
        if (f.Line is { } line) where += line <= 1 ? ", header" : $", row {RowAt(line)}";
        if (f.Column is not null) where += $", column '{f.Column}'";
        return new LeadPredictException($"{where}: {f.Problem}", ProblemKind.BadInput, e);
    }

    /// <summary>The record that starts on <paramref name="line"/> of the copy (values may hold line breaks), counting from 1.</summary>
    private long RowAt(long line)
    {
        using var reader = new Core.Csv.CsvRecordReader(Path, ',');
        var fields = new List<string>();
        long row = 0;
        while (reader.Read(fields))
        {
            row++;
            if (reader.RecordLine >= line) return row;
        }
        return line - 1;
    }

    public void Dispose()
    {
        if (_folder is null) return;
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>A private folder for one staged copy (its owner's only), removed with the copy.</summary>
    internal static string NewFolder()
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"leadpredict-source-{Environment.ProcessId}-{Guid.NewGuid():N}");
        PrivateFiles.CreateDirectory(folder);
        return folder;
    }
}

/// <summary>Settings a source or sink needs that never come from a flag: the PostgreSQL connection string.</summary>
public sealed record SourceSettings
{
    /// <summary>The environment variable holding the PostgreSQL connection string.</summary>
    public const string PostgresVariable = "LEADPREDICT_SOURCE_POSTGRES";

    /// <summary>The connection string (from the environment or the settings file), or null.</summary>
    public string? Postgres { get; init; }
    /// <summary>Where <see cref="Postgres"/> came from, for messages (never the value).</summary>
    public string PostgresOrigin { get; init; } = PostgresVariable;

    /// <summary>The settings from the source.postgres setting (<c>LEADPREDICT_SOURCE_POSTGRES</c> or the settings file) and where it came from.</summary>
    public static SourceSettings From((string Value, string Origin)? postgres) =>
        new() { Postgres = postgres is { Value.Length: > 0 } p ? p.Value : null, PostgresOrigin = postgres?.Origin ?? PostgresVariable };
}
