using System.Text;
using System.Text.RegularExpressions;
using LeadPredict.Core;
using Npgsql;

namespace LeadPredict.Sources;

/// <summary>
/// Leads in PostgreSQL: a table (<c>postgres:crm.leads</c>) or a query (<c>--query "SELECT ..."</c>), streamed into the staged
/// CSV by one <c>COPY (SELECT ...) TO STDOUT</c>: one statement, so one consistent snapshot, and rows flow to disk as the
/// server sends them. The connection string comes from the environment or the settings file, never a flag; messages name
/// the user, host and database, never the password.
/// </summary>
public sealed partial record PostgresSource(string ConnectionString, string? Table, string? Query) : LeadSource
{
    public const string Prefix = "postgres:";

    public override string Name => Table is not null ? "PostgreSQL table " + Table : Setting is null ? "PostgreSQL query" : "PostgreSQL query of " + Setting;

    /// <summary>The configuration setting naming the source (timeline.activities.path), or null for the command's own --data/--input/--query.</summary>
    public string? Setting { get; init; }

    private string QueryOption => Setting is null ? "--query" : $"query ({Setting}: \"postgres:SELECT ...\")";

    /// <summary>The connection string of <paramref name="settings"/>, checked; a message saying how to give one when there is none.</summary>
    public static string Connection(SourceSettings settings)
    {
        if (settings.Postgres is not { Length: > 0 } cs)
            throw new LeadPredictException(
                $"no PostgreSQL connection string: set {SourceSettings.PostgresVariable} (or \"source\": {{ \"postgres\": ... }} in the settings file) " +
                "to one such as 'Host=db;Username=crm;Password=...;Database=crm'; it is never taken from a flag.");
        try
        {
            _ = new NpgsqlConnectionStringBuilder(cs);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            // The builder's message may quote the string, password and all: say only which setting is wrong.
            throw new LeadPredictException($"{settings.PostgresOrigin} is not a valid PostgreSQL connection string (expected 'Host=...;Username=...;Password=...;Database=...').");
        }
        return cs;
    }

    [GeneratedRegex("""^("[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)(\.("[^"]+"|[A-Za-z_][A-Za-z0-9_$]*))?$""")]
    private static partial Regex TableName();

    /// <summary>A table name as SQL: <c>name</c> or <c>schema.name</c>, each part plain or double-quoted.</summary>
    public static string CheckTable(string table)
    {
        table = table.Trim();
        if (!TableName().IsMatch(table))
            throw new LeadPredictException($"'{table}' is not a table name: write postgres:TABLE or postgres:SCHEMA.TABLE (letters, digits, _; double-quote other names), or use --query.");
        return table;
    }

    public override StagedLeads Stage(IProgress<long>? rows = null, CancellationToken ct = default)
    {
        using var connection = PostgresConnections.Open(ConnectionString, "leadpredict-source", ct);
        return StageOn(connection, rows, ct);
    }

    /// <summary>Stages the source over an open connection (so several sources can share one snapshot: a repeatable-read transaction).</summary>
    internal StagedLeads StageOn(NpgsqlConnection connection, IProgress<long>? rows, CancellationToken ct)
    {
        var server = PostgresConnections.Describe(ConnectionString);
        var relation = Table ?? $"({Query}) AS leadpredict_query";
        var columns = new List<(string Name, string Type)>();
        try
        {
            using var session = new NpgsqlCommand("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1", connection);
            session.ExecuteNonQuery();
            using var describe = new NpgsqlCommand($"SELECT * FROM {relation} LIMIT 0", connection);
            using var reader = describe.ExecuteReader(System.Data.CommandBehavior.SchemaOnly);
            for (var i = 0; i < reader.FieldCount; i++) columns.Add((reader.GetName(i), reader.GetDataTypeName(i)));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable && Table is not null)
        {
            throw new LeadPredictException($"PostgreSQL table {Table} does not exist in {server} ({e.MessageText}).", ProblemKind.BadInput, e);
        }
        catch (PostgresException e) when (Query is not null && e.SqlState.StartsWith("42", StringComparison.Ordinal))
        {
            throw new LeadPredictException($"the {QueryOption} failed on {server}: {e.MessageText}.", ProblemKind.BadInput, e);
        }
        catch (Exception e) when (e is NpgsqlException)
        {
            throw PostgresConnections.Explain(e, server, $"reading {Name}");
        }

        var kinds = new Dictionary<string, ColumnKind>(StringComparer.OrdinalIgnoreCase);
        var select = new List<string>();
        foreach (var (name, type) in columns)
        {
            var column = ParquetSource.Ident(name);
            if (Unsupported(type) is { } cast)
                throw new LeadPredictException(
                    $"{Name}, column '{name}': type {type} is not a type LeadPredict can read; select it as {cast.Replace("COL", column, StringComparison.Ordinal)} in a {QueryOption}.");
            if (type == "boolean") kinds[name] = ColumnKind.Boolean;
            if (type == "date" || type.StartsWith("timestamp", StringComparison.Ordinal)) kinds[name] = ColumnKind.Date;
            // A boolean prints as t/f; as text it is true/false, as DuckDB prints it.
            select.Add(type == "boolean" ? $"{column}::text AS {column}" : column);
        }
        if (columns.Count == 0) throw new LeadPredictException($"{Name} has no columns.");

        var folder = StagedLeads.NewFolder();
        var staged = Path.Combine(folder, StagedFileName());
        try
        {
            long lines = 0;
            using (var file = PrivateFiles.Create(staged))
            using (var writer = new StreamWriter(file, new UTF8Encoding(false), 1 << 16))
            {
                try
                {
                    using var export = connection.BeginTextExport($"COPY (SELECT {string.Join(", ", select)} FROM {relation}) TO STDOUT WITH (FORMAT csv, HEADER true)");
                    var buffer = new char[1 << 16];
                    int n;
                    while ((n = export.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        writer.Write(buffer, 0, n);
                        lines += buffer.AsSpan(0, n).Count('\n');
                        rows?.Report(Math.Max(0, lines - 1));
                    }
                }
                catch (PostgresException e) when (e.SqlState.StartsWith("42", StringComparison.Ordinal) || e.SqlState.StartsWith("22", StringComparison.Ordinal))
                {
                    throw new LeadPredictException($"{Name} could not be read from {server}: {e.MessageText}.", ProblemKind.BadInput, e);
                }
                catch (Exception e) when (e is NpgsqlException or IOException)
                {
                    throw PostgresConnections.Explain(e, server, $"reading {Name}", lines);
                }
            }
            if (lines <= 1) throw new LeadPredictException($"{Name} has no rows.");
            return new StagedLeads(staged, Name, folder, kinds);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>How to select a column of a type that is not one readable value per lead (COL stands for the column); null when it is readable.</summary>
    private static string? Unsupported(string type)
    {
        if (type.EndsWith("[]", StringComparison.Ordinal)) return "array_to_string(COL, ', ') AS COL";
        if (type == "money") return "COL::numeric AS COL";
        if (type == "interval") return "extract(epoch from COL) / 86400 AS COL (days)";
        string[] readable = ["text", "character varying", "character", "\"char\"", "name", "citext", "smallint", "integer", "bigint", "numeric",
            "real", "double precision", "boolean", "date", "timestamp without time zone", "timestamp with time zone", "uuid"];
        var bare = type.Split('(')[0].Trim();
        return readable.Contains(bare, StringComparer.Ordinal) ? null : "COL::text AS COL";
    }
}

/// <summary>Opening PostgreSQL connections for sources and sinks, and telling their failures in one sentence without secrets.</summary>
internal static class PostgresConnections
{
    public static NpgsqlConnection Open(string connectionString, string application, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = application;
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            connection.OpenAsync(ct).GetAwaiter().GetResult();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            connection.Dispose();
            throw Explain(e, Describe(connectionString), "connecting");
        }
    }

    /// <summary>"user crm on db.example:5432, database crm": what messages say about a server (never the password).</summary>
    public static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL (user {b.Username ?? Environment.UserName} on {b.Host ?? "localhost"}:{b.Port}, database {b.Database ?? b.Username ?? Environment.UserName})";
    }

    public static LeadPredictException Explain(Exception e, string server, string doing, long? linesRead = null)
    {
        if (e is PostgresException pg)
        {
            if (pg.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
                return new LeadPredictException($"{server} refused the credentials ({pg.MessageText}); check the user and password of the connection string.", ProblemKind.BadInput, e);
            if (pg.SqlState == PostgresErrorCodes.InvalidCatalogName)
                return new LeadPredictException($"{server}: {pg.MessageText}.", ProblemKind.BadInput, e);
            if (!pg.SqlState.StartsWith("08", StringComparison.Ordinal) && !pg.SqlState.StartsWith("57", StringComparison.Ordinal))
                return new LeadPredictException($"{server} failed while {doing}: {pg.MessageText}.", ProblemKind.BadInput, e);
        }
        var why = e.InnerException is { } inner and (System.Net.Sockets.SocketException or IOException or TimeoutException) ? inner.Message
            : e is PostgresException p ? p.MessageText : e.Message;
        var after = linesRead is > 1 ? $" after {linesRead - 1:N0} rows" : "";
        return doing == "connecting"
            ? new LeadPredictException($"cannot connect to {server}: {why}; nothing was read or written.", ProblemKind.Unavailable, e)
            : new LeadPredictException($"the connection to {server} was lost while {doing}{after} ({why}); nothing was written.", ProblemKind.Unavailable, e);
    }
}
