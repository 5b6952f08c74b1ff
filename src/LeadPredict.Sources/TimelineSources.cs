using System.Text.RegularExpressions;
using LeadPredict.Core;
using LeadPredict.Timeline;
using Npgsql;

namespace LeadPredict.Sources;

/// <summary>
/// The timeline section's tables that live in PostgreSQL: a path <c>postgres:crm.activities</c> (a table) or
/// <c>postgres:SELECT ...</c> (a query), streamed into private CSV copies before the history is loaded, by the same
/// <c>COPY ... TO STDOUT</c> as leads (<see cref="PostgresSource"/>): rows go to disk as the server sends them, so a 50M-row
/// activity log is never held in .NET memory, and DuckDB then reads the copies like any export. The tables are copied in one
/// read-only repeatable-read transaction: one consistent snapshot of the activities, outcomes and stage history together.
/// CSV and Parquet paths are left as they are (<see cref="TimelineData"/> reads them).
/// </summary>
public sealed partial class StagedTimeline : IDisposable
{
    private readonly List<StagedLeads> _copies = [];
    private readonly Dictionary<string, StagedTable> _tables = new(StringComparer.Ordinal);

    private StagedTimeline() { }

    /// <summary>The copies by configured path, for <see cref="TimelineData.Load(LeadTable, DatasetConfig, string, IReadOnlyDictionary{string, StagedTable}?, IProgress{string}?, CancellationToken)"/>.</summary>
    public IReadOnlyDictionary<string, StagedTable> Tables => _tables;

    /// <summary>Whether <paramref name="path"/> (a timeline table's path) names a PostgreSQL table or query.</summary>
    public static bool IsPostgres(string? path) => path is not null && path.StartsWith(PostgresSource.Prefix, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^\s*(select|with)\s", RegexOptions.IgnoreCase)]
    private static partial Regex QueryStart();

    /// <summary>Copies the PostgreSQL tables of <paramref name="timeline"/> (none: nothing is done, no connection is made).</summary>
    public static StagedTimeline Stage(TimelineConfig? timeline, SourceSettings settings, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var staged = new StagedTimeline();
        var wanted = new List<(string Path, string Setting)>();
        if (timeline?.Activities is { } a && IsPostgres(a.Path)) wanted.Add((a.Path, "timeline.activities.path"));
        if (timeline?.Outcomes is { } o && IsPostgres(o.Path)) wanted.Add((o.Path, "timeline.outcomes.path"));
        if (timeline?.Stages is { } s && IsPostgres(s.Path)) wanted.Add((s.Path, "timeline.stages.path"));
        if (wanted.Count == 0) return staged;

        var connectionString = PostgresSource.Connection(settings);
        var sources = wanted.Select(w => (w.Path, Source: Parse(w.Path, w.Setting, connectionString))).ToList();
        try
        {
            using var connection = PostgresConnections.Open(connectionString, "leadpredict-source", ct);
            var server = PostgresConnections.Describe(connectionString);
            try
            {
                using (var begin = new NpgsqlCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", connection)) begin.ExecuteNonQuery();
            }
            catch (NpgsqlException e)
            {
                throw PostgresConnections.Explain(e, server, "starting a read-only snapshot");
            }
            foreach (var (path, source) in sources)
            {
                if (staged._tables.ContainsKey(path)) continue;
                progress?.Report($"reading {source.Name}");
                var copy = source.StageOn(connection, new Progress<long>(n => progress?.Report($"reading {source.Name}: {n:N0} rows")), ct);
                staged._copies.Add(copy);
                staged._tables[path] = new StagedTable(copy.Path, source.Name);
            }
            // Read-only: ending the transaction is only letting go of the snapshot.
            using (var end = new NpgsqlCommand("COMMIT", connection)) end.ExecuteNonQuery();
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    private static PostgresSource Parse(string path, string setting, string connectionString)
    {
        var rest = path[PostgresSource.Prefix.Length..].Trim();
        if (rest.Length == 0)
            throw new LeadPredictException($"configuration: {setting} '{path}' names no table; write postgres:TABLE, postgres:SCHEMA.TABLE or postgres:SELECT ....");
        return QueryStart().IsMatch(rest)
            ? new PostgresSource(connectionString, null, rest.TrimEnd(';')) { Setting = setting }
            : new PostgresSource(connectionString, PostgresSource.CheckTable(rest), null) { Setting = setting };
    }

    public void Dispose()
    {
        foreach (var copy in _copies) copy.Dispose();
        _copies.Clear();
    }
}
