using System.Diagnostics;
using DuckDB.NET.Data;
using LeadPredict.Core;

namespace LeadPredict.Timeline;

/// <summary>One activity of a lead, as an API request gives it: the texts as they would be in the activity log.</summary>
public sealed record ActivityInput(string? Timestamp, string? Type, string? Value = null);

/// <summary>One stage a lead entered, as an API request gives it.</summary>
public sealed record StageInput(string? Stage, string? EnteredAt);

/// <summary>
/// The engagement features of one lead as of a time, for the HTTP API, bit for bit those the batch path gives for the same
/// lead and time: computed in C# (<see cref="LeadEngagement"/>, microseconds) when the request's texts read plainly, otherwise
/// by the batch's own SQL (<see cref="EngagementSql"/>) on the lead's activities in an in-memory DuckDB database laid out as the batch one. Timestamps are read as in the
/// files (<see cref="TimelineConfig.TimeZone"/>, <see cref="TimelineConfig.TimestampFormat"/>). Not thread-safe: keep one per thread or pool them.
/// </summary>
public sealed class SingleLeadFeatures : IDisposable
{
    private static readonly string[] ActivityColumns = ["lead_key", "timestamp", "type", "value"];
    private static readonly string[] StageColumns = ["lead_key", "stage", "entered_at"];
    private readonly DuckDBConnection _db;
    private readonly EngagementSchema _schema;
    private readonly TimelineConfig _config;
    private readonly IReadOnlyList<string> _missing;

    public SingleLeadFeatures(TimelineConfig config, EngagementSchema schema, IReadOnlyList<string>? missingTokens = null)
    {
        _config = config;
        _schema = schema;
        _missing = missingTokens ?? MissingTokens.Defaults;
        _missingTokens = new MissingTokens(_missing);
        _excluded = schema.Excluded.Select(e => e.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        _db = new DuckDBConnection("DataSource=:memory:");
        _db.Open();
        TimeSql.Prepare(_db, config);
        // One thread: a request's few rows gain nothing from parallel plans, and other requests run beside it.
        _db.Execute("SET threads = 1");
        _db.Execute("CREATE TABLE request_activities (lead_key VARCHAR, timestamp VARCHAR, type VARCHAR, value VARCHAR); " +
                    "CREATE TABLE request_stages (lead_key VARCHAR, stage VARCHAR, entered_at VARCHAR); " +
                    "CREATE TABLE leads (lead INTEGER, created BIGINT); CREATE TABLE acts (lead INTEGER, ts BIGINT, type_id INTEGER, value DOUBLE); CREATE TABLE act_types (type VARCHAR, type_id INTEGER); " +
                    "CREATE TABLE stages (lead INTEGER, entered BIGINT, stage VARCHAR); CREATE TABLE snaps (sid BIGINT, lead INTEGER, t BIGINT, label BOOLEAN)");
        EngagementSql.PrepareTypes(_db, schema);
        var file = SourceFile.ForTable("request_activities", "activities", ActivityColumns);
        var utc = TimeSql.IsUtc(config);
        var ts = file.Timestamp("timestamp", _missing, utc);
        var value = _schema.ValueColumn is null ? "CAST(NULL AS DOUBLE)" : file.Number("value", _missing);
        _checkActivities = $"SELECT i, ts_text FROM (SELECT row_number() OVER (ORDER BY rowid) - 1 AS i, {file.Text("timestamp", _missing)} AS ts_text, {ts} AS ts FROM request_activities) " +
                           "WHERE ts_text IS NOT NULL AND ts IS NULL ORDER BY i LIMIT 1";
        var parsed = $"(SELECT {ts} AS ts, COALESCE({file.Text("type", _missing)}, '(none)') AS type, {value} AS value FROM request_activities)";
        _insertActivities = $"INSERT INTO act_types SELECT type, (row_number() OVER (ORDER BY type) - 1)::INTEGER FROM (SELECT DISTINCT type FROM {parsed}); " +
                            $"INSERT INTO acts SELECT 0, p.ts, t.type_id, p.value FROM {parsed} p JOIN act_types t USING (type) WHERE p.ts IS NOT NULL ORDER BY p.ts";
        var stageFile = SourceFile.ForTable("request_stages", "stages", StageColumns);
        _insertStages = $"INSERT INTO stages SELECT 0, {stageFile.Timestamp("entered_at", _missing, utc)}, {stageFile.Text("stage", _missing)} FROM request_stages";
        _checkStages = $"SELECT min(i) FROM (SELECT row_number() OVER (ORDER BY rowid) - 1 AS i, {stageFile.Timestamp("entered_at", _missing, utc)} AS entered, " +
                       $"{stageFile.Text("stage", _missing)} AS stage FROM request_stages) WHERE entered IS NULL OR stage IS NULL";
    }

    private readonly MissingTokens _missingTokens;
    private readonly HashSet<string> _excluded;
    private readonly string _checkActivities;
    private readonly string _insertActivities;
    private readonly string _insertStages;
    private readonly string _checkStages;

    /// <summary>The stage the lead was in strictly before the last <see cref="Compute"/>'s time (null without a stage history or stages).</summary>
    public string? LastStage { get; private set; }

    /// <summary>How long the last <see cref="Compute"/> took.</summary>
    public TimeSpan LastElapsed { get; private set; }

    public IReadOnlyList<EngagementFeature> Features => _schema.Features;

    /// <summary>
    /// The features of an open lead created at <paramref name="created"/> (text, as in the leads table; null = unknown) with
    /// these activities, as of <paramref name="asOf"/>; only activities strictly before it count. A timestamp that does not
    /// parse is an error naming <c>activities[i].timestamp</c>.
    /// </summary>
    public float[] Compute(string? created, IReadOnlyList<ActivityInput> activities, DateTime asOf, IReadOnlyList<StageInput>? stages = null)
    {
        var clock = Stopwatch.StartNew();
        if (LeadEngagement.TryCompute(_schema, _config, _missingTokens, _excluded, created, activities, asOf, stages, out var features, out var stage))
        {
            LastStage = stage;
            LastPath = "C#";
            LastElapsed = clock.Elapsed;
            return features;
        }
        return ComputeWithSql(created, activities, asOf, stages);
    }

    /// <summary>Which path the last <see cref="Compute"/> took: "C#" (<see cref="LeadEngagement"/>) or "DuckDB".</summary>
    public string LastPath { get; private set; } = "";

    /// <summary>
    /// The features by the batch SQL in the in-memory database: the reference the C# path is checked against, and the path for
    /// what it does not read (see <see cref="LeadEngagement"/>).
    /// </summary>
    public float[] ComputeWithSql(string? created, IReadOnlyList<ActivityInput> activities, DateTime asOf, IReadOnlyList<StageInput>? stages = null)
    {
        var clock = Stopwatch.StartNew();
        LastPath = "DuckDB";
        _db.Execute("DELETE FROM request_activities; DELETE FROM request_stages; DELETE FROM leads; DELETE FROM acts; DELETE FROM act_types; DELETE FROM stages; DELETE FROM snaps");
        using (var appender = _db.CreateAppender("request_activities"))
            foreach (var a in activities)
                appender.CreateRow().AppendValue("lead").AppendValue(a.Timestamp).AppendValue(a.Type).AppendValue(a.Value).EndRow();
        var createdText = created is null ? null : new MissingTokens(_missing).Normalize(created);
        var createdMicros = createdText is null ? (long?)null : _db.Scalar<long?>($"SELECT {TimeSql.Parse(Sql.Literal(createdText))}");
        if (createdText is not null && createdMicros is null)
            throw new LeadPredictException($"created: '{created}' is not {TimeSql.Expected(_config)}.");
        var bad = _db.Rows(_checkActivities, r => (r.GetInt64(0), r.GetString(1)));
        if (bad.Count > 0)
            throw new LeadPredictException($"activities[{bad[0].Item1}].timestamp: '{bad[0].Item2}' is not {TimeSql.Expected(_config)}.");
        var sql = $"INSERT INTO leads VALUES (0, {(createdMicros is { } c ? Sql.Number(c) : "NULL")}); {_insertActivities}; " +
                  $"INSERT INTO snaps VALUES (0, 0, {Sql.Number(TimeSql.ToMicros(asOf))}, NULL)";
        if (_schema.HasStages && stages is { Count: > 0 })
        {
            using (var appender = _db.CreateAppender("request_stages"))
                foreach (var s in stages)
                    appender.CreateRow().AppendValue("lead").AppendValue(s.Stage).AppendValue(s.EnteredAt).EndRow();
            sql += "; " + _insertStages;
        }
        if (_schema.HasStages && stages is { Count: > 0 } && _db.Scalar<long?>(_checkStages) is { } b)
            throw new LeadPredictException($"stages[{b}]: needs a stage and {TimeSql.Expected(_config)} for when it was entered.");
        _db.Execute(sql);
        var rows = EngagementSql.Compute(_db, _schema, "snaps", withLabels: false, progress: null, typesReady: true);
        LastStage = rows.StageAt?[0];
        LastElapsed = clock.Elapsed;
        return rows.Features;
    }

    public void Dispose() => _db.Dispose();
}
