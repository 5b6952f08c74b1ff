using DuckDB.NET.Data;
using LeadPredict.Core;

namespace LeadPredict.Timeline;

/// <summary>
/// A CRM's history in time: the leads table (read as always) with its activity log, conversion dates and stage history,
/// loaded into an embedded DuckDB database and validated. Every join problem is an error or a counted warning:
/// <list type="bullet">
/// <item>errors (exit 2, one sentence naming file, line or row, column and value): a duplicate or missing lead id, a
/// timestamp that does not parse (creation, conversion, activity, outcome, stage), a configured column that is not there;</item>
/// <item>counted warnings (the rows are left out): activities, outcomes or stage rows for unknown lead ids or without one,
/// rows without a timestamp, rows dated after a configured export date, several won outcomes for one lead (the earliest counts),
/// activity values that are not numbers.</item>
/// </list>
/// Snapshots (<see cref="Snapshots"/>), as-of sets (<see cref="OpenLeadsAsOf"/>) and one lead (<see cref="SingleLeadFeatures"/>)
/// all go through <see cref="EngagementSql"/>, so a lead's features are the same whichever way they are made.
/// </summary>
public sealed class TimelineData : IDisposable
{
    private readonly DuckDBConnection _db;
    private readonly TimelineConfig _config;
    private readonly IProgress<string>? _progress;

    private TimelineData(DuckDBConnection db, LeadTable leads, string idColumn, TimelineConfig config, IProgress<string>? progress)
    {
        _db = db;
        Leads = leads;
        IdColumn = idColumn;
        _config = config;
        _progress = progress;
    }

    public LeadTable Leads { get; }

    /// <summary>Snapshots whose features are aggregated at once (bounds memory; tests make it small to cross chunk edges).</summary>
    internal int SnapshotsPerChunk { get; set; } = EngagementSql.DefaultSnapshotsPerChunk;
    public string IdColumn { get; }
    /// <summary>The leads table's creation date column (configured or inferred).</summary>
    public string CreatedColumn { get; private init; } = "";
    public TimelineLoadReport Report { get; private set; } = null!;
    public DateTime AsOf => Report.AsOf;
    internal long AsOfMicros { get; private set; }

    /// <summary>The engagement features this history gives (the most frequent activity types before conversion, ...).</summary>
    public EngagementSchema Schema { get; private set; } = null!;

    /// <summary>
    /// Reads and validates the tables. <paramref name="baseDirectory"/> is where relative paths in the configuration start (the
    /// configuration file's folder). <paramref name="staged"/> holds the copies of tables that are not files, by their configured
    /// path (<c>postgres:crm.activities</c>); LeadPredict.Sources makes them. The leads table's id is <see cref="DatasetConfig.Id"/> (or inferred from names like "id"),
    /// and its creation date <see cref="DatasetConfig.Created"/> (or inferred from names like "created_at").
    /// </summary>
    public static TimelineData Load(LeadTable leads, DatasetConfig dataset, string baseDirectory, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default) => Load(leads, dataset, baseDirectory, null, progress, cancellationToken);

    /// <inheritdoc cref="Load(LeadTable, DatasetConfig, string, IProgress{string}?, CancellationToken)"/>
    public static TimelineData Load(LeadTable leads, DatasetConfig dataset, string baseDirectory, IReadOnlyDictionary<string, StagedTable>? staged,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var config = dataset.Timeline ?? throw new LeadPredictException("the configuration has no 'timeline' section: name the activity log and the conversion dates.");
        if (config.Validate() is { } problem) throw new LeadPredictException($"configuration: {problem}");
        var id = ResolveLeadColumn(leads, dataset.Id, "id", "lead id", ["id", "lead id", "lead number", "contact id", "mql id", "record id"]);
        var created = ResolveLeadColumn(leads, dataset.Created, "created", "creation date",
            ["created", "created at", "created date", "create date", "createdate", "first contact date", "lead created", "creation date", "date created"]);
        var db = new DuckDBConnection("DataSource=:memory:");
        var spill = Path.Combine(Path.GetTempPath(), $"leadpredict-duckdb-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            db.Open();
            // Bounded memory on a shared machine: DuckDB spills to a private folder of ours beyond half the RAM, and
            // drops the insertion order it would otherwise keep for every table (ours give an order where it matters).
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(spill);
            else Directory.CreateDirectory(spill, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var limit = Math.Max(1L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2) >> 20;
            db.Execute($"SET memory_limit = '{limit}MB'; SET temp_directory = {Sql.Literal(spill)}; SET preserve_insertion_order = false");
            var data = new TimelineData(db, leads, id, config, progress) { _spill = spill, CreatedColumn = created };
            data.LoadAll(dataset, created, Path.GetFullPath(baseDirectory), staged, cancellationToken);
            return data;
        }
        catch
        {
            db.Dispose();
            DeleteSpill(spill);
            throw;
        }
    }

    private string? _spill;

    private static void DeleteSpill(string? folder)
    {
        try { if (folder is not null && Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static string ResolveLeadColumn(LeadTable leads, string? configured, string setting, string role, string[] candidates)
    {
        if (configured is { Length: > 0 })
        {
            var i = leads.IndexOf(configured);
            if (i < 0)
                throw new InputFileException(leads.SourcePath, 1, configured, $"no such column (set as {setting}); the file has: {string.Join(", ", leads.ColumnNames)}.");
            return leads.ColumnNames[i];
        }
        foreach (var c in candidates)
        {
            var hit = leads.ColumnNames.FirstOrDefault(n => string.Join(' ', SchemaInference.Words(n)) == c);
            if (hit is not null) return hit;
        }
        throw new InputFileException(leads.SourcePath, 1, null, $"cannot tell which column is the {role}; set '{setting}' to one of: {string.Join(", ", leads.ColumnNames)}.");
    }

    private readonly List<TimelineWarning> _warnings = [];
    private readonly List<string> _notes = [];

    private void Warn(string file, string problem, long count, string? example = null)
    {
        if (count > 0) _warnings.Add(new TimelineWarning(file, problem, count, example));
    }

    /// <summary>The prefix of a timeline table's path naming a PostgreSQL table or query (staged by LeadPredict.Sources).</summary>
    public const string PostgresPrefix = "postgres:";

    private void LoadAll(DatasetConfig dataset, string createdColumn, string baseDirectory, IReadOnlyDictionary<string, StagedTable>? staged, CancellationToken token)
    {
        TimeSql.Prepare(_db, _config);
        var missing = dataset.MissingTokens;
        SourceFile Open(string path, string? separator, string setting)
        {
            if (staged is not null && staged.TryGetValue(path, out var copy)) return SourceFile.Open(_db, copy.Path, ",", copy.Name);
            if (path.StartsWith(PostgresPrefix, StringComparison.OrdinalIgnoreCase))
                throw new LeadPredictException($"{setting} '{path}' is a PostgreSQL source, which only train and score read; give this command a CSV or Parquet file.");
            return SourceFile.Open(_db, Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path), separator);
        }
        long? configuredAsOf = null;
        if (_config.AsOf is { } asOfText)
            configuredAsOf = _db.Scalar<long?>($"SELECT {TimeSql.Parse(Sql.Literal(asOfText.Trim()))}")
                ?? throw new LeadPredictException($"configuration: timeline.asOf '{asOfText}' is not {TimeSql.Expected(_config)}.");

        _progress?.Report($"reading {Leads.RowCount:N0} leads of {Path.GetFileName(Leads.SourcePath)}");
        LoadLeads(createdColumn);
        token.ThrowIfCancellationRequested();

        SourceFile? outcomes = null, activities = null, stages = null;
        if (_config.Outcomes is { } o)
        {
            outcomes = Open(o.Path, o.Separator, "timeline.outcomes.path");
            _progress?.Report($"reading outcomes from {outcomes.Name}");
            LoadOutcomes(outcomes, o, missing);
        }
        token.ThrowIfCancellationRequested();
        if (_config.Activities is { } a)
        {
            activities = Open(a.Path, a.Separator, "timeline.activities.path");
            _progress?.Report($"reading the activity log {activities.Name}");
            LoadActivities(activities, a, missing);
        }
        token.ThrowIfCancellationRequested();
        if (_config.Stages is { } s)
        {
            stages = Open(s.Path, s.Separator, "timeline.stages.path");
            _progress?.Report($"reading the stage history {stages.Name}");
            LoadStages(stages, s, missing);
        }

        // The export date: configured, or the latest timestamp anywhere.
        var (asOf, source) = configuredAsOf is { } c ? (c, "set in the configuration") : LatestTimestamp(outcomes, activities, stages);
        AsOfMicros = asOf;
        Settle(outcomes, activities, stages);
        token.ThrowIfCancellationRequested();
        var types = activities is null ? [] : TypeStats();
        Schema = MakeSchema(types, activities is not null, stages is not null);
        var counts = _db.Rows("SELECT count(*), count(converted), count(lost) FROM leads", r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2))).Single();
        Report = new TimelineLoadReport
        {
            AsOf = TimeSql.ToDateTime(asOf),
            AsOfSource = source,
            Leads = (int)counts.Item1,
            ConvertedLeads = (int)counts.Item2,
            LostLeads = (int)counts.Item3,
            Activities = activities is null ? 0 : _db.Scalar<long>("SELECT count(*) FROM acts"),
            StageRows = stages is null ? 0 : _db.Scalar<long>("SELECT count(*) FROM stages"),
            TimeZone = _config.TimeZone,
            Warnings = _warnings.ToArray(),
            ActivityTypes = types,
            Notes = _notes.ToArray(),
        };
    }

    private void LoadLeads(string createdColumn)
    {
        _db.Execute("CREATE TABLE leads_text (lead INTEGER, id VARCHAR, created VARCHAR, converted VARCHAR)");
        var ids = Leads.Column(IdColumn);
        var created = Leads.Column(createdColumn);
        var converted = _config.ConvertedAt is { } c ? Leads.Column(c) : null;
        using (var appender = _db.CreateAppender("leads_text"))
        {
            for (var row = 0; row < Leads.RowCount; row++)
            {
                var r = appender.CreateRow().AppendValue(row).AppendValue(ids[row]).AppendValue(created[row]);
                r.AppendValue(converted?[row]).EndRow();
            }
        }
        var missingId = _db.Scalar<long?>("SELECT min(lead) FROM leads_text WHERE id IS NULL");
        if (missingId is { } m)
            throw new InputFileException(Leads.SourcePath, Leads.LineOf((int)m), IdColumn, "the lead id is empty; every lead needs an id to join its activities and outcomes.");
        var duplicate = _db.Rows("SELECT id, min(lead), max(lead) FROM (SELECT id, lead, row_number() OVER (PARTITION BY id ORDER BY lead) AS n FROM leads_text) WHERE n <= 2 GROUP BY id HAVING count(*) > 1 ORDER BY max(lead) LIMIT 1",
            r => (Id: r.GetString(0), First: r.GetInt32(1), Second: r.GetInt32(2)));
        if (duplicate.Count > 0)
        {
            var d = duplicate[0];
            throw new InputFileException(Leads.SourcePath, Leads.LineOf(d.Second), IdColumn,
                $"lead id '{d.Id}' is also on line {Leads.LineOf(d.First)}; lead ids must be unique.");
        }
        _db.Execute($"CREATE TABLE leads AS SELECT lead, id, {TimeSql.Parse("created")} AS created, {TimeSql.Parse("converted")} AS converted, " +
                    "CAST(NULL AS BIGINT) AS lost, created IS NOT NULL AND " + TimeSql.Parse("created") + " IS NULL AS bad_created, " +
                    "converted IS NOT NULL AND " + TimeSql.Parse("converted") + " IS NULL AS bad_converted FROM leads_text");
        foreach (var (flag, column) in new[] { ("bad_created", createdColumn), ("bad_converted", _config.ConvertedAt) })
        {
            if (column is null) continue;
            var bad = _db.Rows($"SELECT l.lead, t.{flag[4..]} FROM leads l JOIN leads_text t USING (lead) WHERE l.{flag} ORDER BY l.lead LIMIT 1",
                r => (Row: r.GetInt32(0), Value: r.GetString(1)));
            if (bad.Count > 0)
            {
                var total = _db.Scalar<long>($"SELECT count(*) FROM leads WHERE {flag}");
                var others = total > 1 ? $" ({total:N0} values in this column fail the same way)" : "";
                throw new InputFileException(Leads.SourcePath, Leads.LineOf(bad[0].Row), column, $"'{bad[0].Value}' is not {TimeSql.Expected(_config)}{others}.");
            }
        }
        _db.Execute("DROP TABLE leads_text");
        Warn(Path.GetFileName(Leads.SourcePath), $"leads without a creation date ('{createdColumn}'); they get no training snapshots",
            _db.Scalar<long>("SELECT count(*) FROM leads WHERE created IS NULL"));
        Warn(Path.GetFileName(Leads.SourcePath), "leads converted before they were created; their conversion counts, so they give no snapshots",
            _db.Scalar<long>("SELECT count(*) FROM leads WHERE converted < created"));
    }

    /// <summary>
    /// Reads a table keyed by lead id into <paramref name="table"/>: <c>lead</c> (NULL when the id is unknown), <c>unknown_key</c>
    /// (the id when unknown), <c>ts</c>, <c>bad_ts</c> and the extra columns given. Bad timestamps are an error naming the first.
    /// </summary>
    private void ReadKeyed(SourceFile file, string table, string keyColumn, string tsColumn, IReadOnlyList<string> missing, string extra)
    {
        // Layered so each cell is trimmed and parsed once: the file's texts, then the parsed time, then the join.
        var key = file.Text(keyColumn, missing);
        var typed = file.TypedTimestamp(tsColumn, TimeSql.IsUtc(_config));
        var raw = typed is null ? $"{file.Text(tsColumn, missing)} AS ts_text" : $"NULL::VARCHAR AS ts_text, {typed} AS ts_typed";
        var ts = typed is null ? TimeSql.Parse("ts_text") : "ts_typed";
        file.Run(_db, $"CREATE TABLE {table} AS SELECT l.lead, CASE WHEN l.lead IS NULL THEN s.k END AS unknown_key, s.* EXCLUDE (k, ts_text{(typed is null ? "" : ", ts_typed")}), " +
                      "s.ts_text IS NOT NULL AND s.ts IS NULL AS bad_ts " +
                      $"FROM (SELECT *, {ts} AS ts FROM (SELECT {key} AS k, {raw}{extra} FROM {file.From})) s " +
                      "LEFT JOIN leads l ON l.id = s.k");
        if (_db.Scalar<long>($"SELECT count(*) FROM {table} WHERE bad_ts") > 0)
        {
            var bad = file.FirstBad(_db, tsColumn, $"{TimeSql.Parse("v")} IS NULL", missing);
            if (bad is { } b) throw file.BadValue(b, tsColumn, TimeSql.Expected(_config));
        }
        Warn(file.Name, "rows without a lead id were left out", _db.Scalar<long>($"SELECT count(*) FROM {table} WHERE lead IS NULL AND unknown_key IS NULL"));
        Warn(file.Name, $"rows name lead ids that are not in {Path.GetFileName(Leads.SourcePath)}; they were left out",
            _db.Scalar<long>($"SELECT count(*) FROM {table} WHERE unknown_key IS NOT NULL"),
            _db.Scalar<string>($"SELECT '''' || min(unknown_key) || '''' FROM {table} WHERE unknown_key IS NOT NULL"));
        Warn(file.Name, $"rows have no timestamp ('{tsColumn}') and were left out", _db.Scalar<long>($"SELECT count(*) FROM {table} WHERE ts IS NULL AND NOT bad_ts AND lead IS NOT NULL"));
    }

    private void LoadOutcomes(SourceFile file, OutcomeTableConfig o, IReadOnlyList<string> missing)
    {
        var key = o.LeadId is { } k ? file.Require(k, "timeline.outcomes.leadId") : file.Find(IdColumn) ?? file.Infer("timeline.outcomes.leadId", "lead id", ["lead id", "id", "contact id", "mql id"], w => w.Count > 0 && w[^1] == "id");
        var date = file.Require(o.Date, "timeline.outcomes.date");
        var won = "TRUE";
        if (o.Result is { } result)
        {
            var column = file.Require(result, "timeline.outcomes.result");
            won = $"COALESCE(lower({file.Text(column, missing)}) IN ({string.Join(", ", o.WonValues.Select(v => Sql.Literal(v.Trim().ToLowerInvariant())))}), FALSE)";
        }
        ReadKeyed(file, "outcomes_all", key, date, missing, $", {won} AS won");
    }

    private string? _valueColumn;
    private string? _activitySource;
    private long? _latestActivity;

    /// <summary>
    /// The activity log in two passes over the file: the first (streaming, no join) finds the types and the rows that cannot be
    /// used, and stops at a bad timestamp with the first one located; the second keeps the known leads' rows as a compact
    /// table (lead, time, type id) sorted by lead. Unknown ids are what the join left out (an example is looked up only then).
    /// </summary>
    private void LoadActivities(SourceFile file, ActivityLogConfig a, IReadOnlyList<string> missing)
    {
        var key = a.LeadId is { } k ? file.Require(k, "timeline.activities.leadId")
            : file.Find(IdColumn) ?? file.Infer("timeline.activities.leadId", "lead id", ["lead id", "contact id", "lead", "mql id", "id"], w => w.Count > 0 && w[^1] == "id");
        var ts = a.Timestamp is { } t ? file.Require(t, "timeline.activities.timestamp")
            : file.Infer("timeline.activities.timestamp", "activity timestamp", ["timestamp", "occurred at", "activity date", "activity time", "event time", "date", "time", "created at"],
                w => w.Count > 0 && (w[^1] is "at" or "timestamp" or "time" or "date" or "ts"));
        var type = a.Type is { } ty ? file.Require(ty, "timeline.activities.type")
            : file.Infer("timeline.activities.type", "activity type", ["activity type", "type", "event type", "event", "activity", "action", "event name"],
                w => w.Count > 0 && w[^1] is "type" or "event" or "activity");
        var value = a.Value is { } v ? file.Require(v, "timeline.activities.value") : null;
        var typed = file.TypedTimestamp(ts, TimeSql.IsUtc(_config));
        var raw = typed is null ? $"{file.Text(ts, missing)} AS ts_text" : $"NULL::VARCHAR AS ts_text, {typed} AS ts_typed";
        _activitySource = $"(SELECT *, {(typed is null ? TimeSql.Parse("ts_text") : "ts_typed")} AS ts FROM (SELECT {file.Text(key, missing)} AS k, {raw}, " +
                          $"COALESCE({file.Text(type, missing)}, '(none)') AS type{(value is null ? "" : $", {file.Text(value, missing)} AS value_text")} FROM {file.From}))";
        var valueCounts = value is null ? "0, 0" : "count(*) FILTER (WHERE TRY_CAST(value_text AS DOUBLE) IS NOT NULL), count(*) FILTER (WHERE value_text IS NOT NULL AND TRY_CAST(value_text AS DOUBLE) IS NULL)";
        // Pass 1, without the join: the types, and the rows that cannot be used whatever their lead.
        List<(string Type, long Candidates, long NoKey, long Bad, long NoTime, long Numbers, long Texts)> types;
        try
        {
            types = _db.Rows(
                "SELECT type, count(*) FILTER (WHERE k IS NOT NULL AND ts IS NOT NULL), count(*) FILTER (WHERE k IS NULL), " +
                "count(*) FILTER (WHERE ts_text IS NOT NULL AND ts IS NULL), count(*) FILTER (WHERE k IS NOT NULL AND ts IS NULL AND ts_text IS NULL), " +
                $"{valueCounts} FROM {_activitySource} GROUP BY type",
                r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6)));
        }
        catch (DuckDBException e)
        {
            throw file.Explain(e);
        }
        if (types.Sum(x => x.Bad) > 0 && file.FirstBad(_db, ts, $"{TimeSql.Parse("v")} IS NULL", missing) is { } bad)
            throw file.BadValue(bad, ts, TimeSql.Expected(_config));
        Warn(file.Name, "rows without a lead id were left out", types.Sum(x => x.NoKey));
        Warn(file.Name, $"rows have no timestamp ('{ts}') and were left out", types.Sum(x => x.NoTime));
        var candidates = types.Sum(x => x.Candidates);
        if (value is not null)
        {
            var (numbers, texts) = (types.Sum(x => x.Numbers), types.Sum(x => x.Texts));
            if (texts > numbers)
                _notes.Add($"{file.Name}: the value column '{value}' holds text (e.g. page addresses), not numbers; it is not used as a feature.");
            else
            {
                _valueColumn = value;
                Warn(file.Name, $"values in '{value}' are not numbers; they count as missing", texts);
            }
        }
        _db.Execute("CREATE TABLE act_types (type VARCHAR, type_id INTEGER)");
        using var appender = _db.CreateAppender("act_types");
        var id = 0;
        foreach (var t2 in types.Where(x => x.Candidates > 0).Select(x => x.Type).Order(StringComparer.Ordinal))
            appender.CreateRow().AppendValue(t2).AppendValue(id++).EndRow();
        appender.Dispose();

        // Pass 2: the rows of known leads, as a compact table sorted by lead (each chunk of snapshots then reads only its part).
        _progress?.Report($"reading {candidates:N0} activities of {file.Name} into a table sorted by lead");
        try
        {
            _db.Execute($"CREATE TABLE acts AS SELECT l.lead, s.ts, t.type_id{(_valueColumn is null ? "" : ", TRY_CAST(s.value_text AS DOUBLE) AS value")} " +
                        $"FROM {_activitySource} s JOIN leads l ON l.id = s.k JOIN act_types t ON t.type = s.type WHERE s.ts IS NOT NULL ORDER BY l.lead");
        }
        catch (DuckDBException e)
        {
            throw file.Explain(e);
        }
        var unknown = candidates - _db.Scalar<long>("SELECT count(*) FROM acts");
        Warn(file.Name, $"rows name lead ids that are not in {Path.GetFileName(Leads.SourcePath)}; they were left out", unknown,
            unknown == 0 ? null : $"'{_db.Scalar<string>($"SELECT min(s.k) FROM {_activitySource} s ANTI JOIN leads l ON l.id = s.k WHERE s.k IS NOT NULL AND s.ts IS NOT NULL")}'");
        _latestActivity = _db.Scalar<long?>("SELECT max(ts) FROM acts");
    }

    private void LoadStages(SourceFile file, StageHistoryConfig s, IReadOnlyList<string> missing)
    {
        var key = s.LeadId is { } k ? file.Require(k, "timeline.stages.leadId") : file.Find(IdColumn) ?? file.Infer("timeline.stages.leadId", "lead id", ["lead id", "id", "contact id"], w => w.Count > 0 && w[^1] == "id");
        var stage = file.Require(s.Stage, "timeline.stages.stage");
        var entered = file.Require(s.EnteredAt, "timeline.stages.enteredAt");
        ReadKeyed(file, "stages_all", key, entered, missing, $", {file.Text(stage, missing)} AS stage");
    }

    private (long, string) LatestTimestamp(SourceFile? outcomes, SourceFile? activities, SourceFile? stages)
    {
        var candidates = new List<(long? Max, string Where)>
        {
            (_db.Scalar<long?>("SELECT max(greatest(created, coalesce(converted, created))) FROM leads"), Path.GetFileName(Leads.SourcePath)),
        };
        if (outcomes is not null) candidates.Add((_db.Scalar<long?>("SELECT max(ts) FROM outcomes_all WHERE lead IS NOT NULL"), outcomes.Name));
        if (activities is not null) candidates.Add((_latestActivity, activities.Name));
        if (stages is not null) candidates.Add((_db.Scalar<long?>("SELECT max(ts) FROM stages_all WHERE lead IS NOT NULL"), stages.Name));
        var best = candidates.Where(c => c.Max is not null).OrderByDescending(c => c.Max).FirstOrDefault();
        if (best.Max is null)
            throw new LeadPredictException($"{Path.GetFileName(Leads.SourcePath)}: no lead has a creation date, so there is no time to learn from; check the created column.");
        return (best.Max.Value, $"the latest timestamp across the tables (in {best.Where})");
    }

    /// <summary>Leaves out what happened after the export date, then sets each lead's conversion (and loss) and the activities that can be features.</summary>
    private void Settle(SourceFile? outcomes, SourceFile? activities, SourceFile? stages)
    {
        var asOf = Sql.Number(AsOfMicros);
        var leadsFile = Path.GetFileName(Leads.SourcePath);
        Warn(leadsFile, "conversion dates are after the export date; those leads count as not converted as of it",
            _db.Scalar<long>($"SELECT count(*) FROM leads WHERE converted > {asOf}"));
        _db.Execute($"UPDATE leads SET converted = NULL WHERE converted > {asOf}");
        if (outcomes is not null)
        {
            Warn(outcomes.Name, "outcomes are dated after the export date and were left out", _db.Scalar<long>($"SELECT count(*) FROM outcomes_all WHERE lead IS NOT NULL AND ts > {asOf}"));
            Warn(outcomes.Name, "leads have more than one won outcome; the earliest counts",
                _db.Scalar<long>($"SELECT count(*) FROM (SELECT lead FROM outcomes_all WHERE lead IS NOT NULL AND ts <= {asOf} AND won GROUP BY lead HAVING count(*) > 1)"));
            _db.Execute($"CREATE TABLE outcome_of AS SELECT lead, min(ts) FILTER (WHERE won) AS won_at, min(ts) FILTER (WHERE NOT won) AS lost_at FROM outcomes_all WHERE lead IS NOT NULL AND ts <= {asOf} GROUP BY lead");
            _db.Execute("UPDATE leads SET converted = o.won_at, lost = CASE WHEN o.won_at IS NULL THEN o.lost_at END FROM outcome_of o WHERE leads.lead = o.lead");
            _db.Execute("DROP TABLE outcome_of; DROP TABLE outcomes_all");
        }
        if (activities is not null)
        {
            var before = _db.Scalar<long>("SELECT count(*) FROM acts");
            _db.Execute($"DELETE FROM acts WHERE ts > {asOf}");
            Warn(activities.Name, "activities are dated after the export date and were left out", before - _db.Scalar<long>("SELECT count(*) FROM acts"));
            // The leak check needs every event; features only ever see events before the lead's conversion.
            _db.Execute("CREATE TABLE type_stats AS SELECT d.type, count(*) AS events, count(DISTINCT a.lead) AS leads, " +
                        "count(*) FILTER (WHERE l.converted IS NOT NULL) AS converted_events, count(*) FILTER (WHERE a.ts >= l.converted) AS after_events " +
                        "FROM acts a JOIN leads l USING (lead) JOIN act_types d USING (type_id) GROUP BY d.type");
            _db.Execute("DELETE FROM acts USING leads l WHERE acts.lead = l.lead AND acts.ts >= l.converted");
        }
        if (stages is not null)
        {
            Warn(stages.Name, "stage rows are dated after the export date and were left out", _db.Scalar<long>($"SELECT count(*) FROM stages_all WHERE lead IS NOT NULL AND ts > {asOf}"));
            Warn(stages.Name, "stage rows have no stage and were left out", _db.Scalar<long>($"SELECT count(*) FROM stages_all WHERE lead IS NOT NULL AND ts IS NOT NULL AND stage IS NULL"));
            _db.Execute($"CREATE TABLE stages AS SELECT lead, ts AS entered, stage FROM stages_all WHERE lead IS NOT NULL AND ts <= {asOf} AND stage IS NOT NULL");
            _db.Execute("DROP TABLE stages_all");
        }
    }

    private ActivityTypeStats[] TypeStats()
    {
        var excluded = _config.ExcludeActivityTypes.Select(t => t.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return _db.Rows("SELECT type, events, leads, converted_events, after_events FROM type_stats ORDER BY events DESC, type", r =>
        {
            var converted = r.GetInt64(3);
            var after = r.GetInt64(4);
            var leak = converted > 0 && (double)after / converted >= _config.PostConversionShare;
            return new ActivityTypeStats(r.GetString(0), r.GetInt64(1), r.GetInt64(2), converted, after, leak, excluded.Contains(r.GetString(0)));
        }).ToArray();
    }

    private EngagementSchema MakeSchema(ActivityTypeStats[] types, bool hasActivities, bool hasStages)
    {
        // Types compete for a feature slot on the events that can be features: those before conversion.
        var usable = types.Where(t => !t.Excluded && t.EventsBeforeConversion > 0)
            .OrderByDescending(t => t.EventsBeforeConversion).ThenBy(t => t.Type, StringComparer.Ordinal).ToArray();
        return new EngagementSchema
        {
            HasActivities = hasActivities,
            ActivityTypes = usable.Take(_config.MaxActivityTypes).Select(t => t.Type).ToArray(),
            PoolOthers = usable.Length > _config.MaxActivityTypes,
            Windows = _config.Windows.OrderBy(w => w).ToArray(),
            ValueColumn = _valueColumn,
            HasStages = hasStages,
            Excluded = _config.ExcludeActivityTypes.Select(t => t.Trim()).ToArray(),
        };
    }

    /// <summary>
    /// Training examples: each lead at creation + firstAfterDays, then every everyDays, at most maxPerLead times, while open;
    /// a time at or after the lead's conversion (or loss) is not an example, nor one whose horizon runs past the export date
    /// (censored: its outcome is not known yet). Label: converted in (t, t + horizon].
    /// </summary>
    public SnapshotSet Snapshots(EngagementSchema? schema = null)
    {
        schema ??= Schema;
        var s = _config.Snapshots;
        var h = Sql.Number(_config.HorizonDays * TimeSql.MicrosPerDay);
        var asOf = Sql.Number(AsOfMicros);
        _progress?.Report($"making snapshots (first {s.FirstAfterDays} days after creation, then every {s.EveryDays} days, at most {s.MaxPerLead} per lead; horizon {_config.HorizonDays} days)");
        _db.Execute("DROP TABLE IF EXISTS slots; DROP TABLE IF EXISTS snaps");
        _db.Execute("CREATE TEMP TABLE slots AS SELECT l.lead, t, l.converted, " +
                    $"CASE WHEN l.converted <= t THEN 'converted' WHEN l.lost <= t THEN 'closed' WHEN t + {h} > {asOf} THEN 'censored' ELSE 'example' END AS status " +
                    $"FROM leads l, (SELECT l.created + ({Sql.Number(s.FirstAfterDays)} + k * {Sql.Number(s.EveryDays)}) * {Sql.Number(TimeSql.MicrosPerDay)} AS t FROM range({Sql.Number(s.MaxPerLead)}) r(k)) " +
                    $"WHERE l.created IS NOT NULL AND t <= {asOf}");
        var counts = _db.Rows("SELECT count(*) FILTER (WHERE status = 'example'), count(*) FILTER (WHERE status = 'censored'), " +
                              "count(*) FILTER (WHERE status = 'converted'), count(*) FILTER (WHERE status = 'closed') FROM slots",
            r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3))).Single();
        _db.Execute($"CREATE TEMP TABLE snaps AS SELECT (row_number() OVER (ORDER BY lead, t) - 1)::BIGINT AS sid, lead, t, " +
                    $"coalesce(converted > t AND converted <= t + {h}, FALSE) AS label FROM slots WHERE status = 'example'");
        _db.Execute("DROP TABLE slots");
        var set = EngagementSql.Build(_db, schema, "snaps", withLabels: true, Leads, _config.HorizonDays, Report.AsOf, _progress, SnapshotsPerChunk);
        var positives = set.Labels!.LongCount(l => l);
        var noCreated = _db.Scalar<long>("SELECT count(*) FROM leads WHERE created IS NULL");
        var days = new float[set.Count];
        Array.Fill(days, float.NaN);
        foreach (var (sid, d) in _db.Rows($"SELECT s.sid, (l.converted - s.t) / {Sql.Number(TimeSql.MicrosPerDay)}.0 FROM snaps s JOIN leads l USING (lead) WHERE s.label",
                     r => (r.GetInt64(0), r.GetDouble(1))))
            days[sid] = (float)d;
        _db.Execute("DROP TABLE snaps");
        return set.WithCounts(new SnapshotCounts
        {
            Examples = counts.Item1,
            Positives = positives,
            Censored = counts.Item2,
            ConvertedBefore = counts.Item3,
            ClosedBefore = counts.Item4,
            LeadsWithoutCreated = noCreated,
        }, days);
    }

    /// <summary>
    /// The open leads as of <paramref name="asOf"/> (created by then, and neither converted nor closed by then), with their
    /// features as of that time, made by the same SQL as training snapshots. Leads without a creation date are included (age missing).
    /// </summary>
    public SnapshotSet OpenLeadsAsOf(DateTime? asOf = null, EngagementSchema? schema = null)
    {
        schema ??= Schema;
        var t = asOf is { } a ? TimeSql.ToMicros(a) : AsOfMicros;
        if (t > AsOfMicros)
            throw new LeadPredictException($"as-of {TimeSql.ToDateTime(t):yyyy-MM-dd HH:mm:ss} is after the export date {AsOf:yyyy-MM-dd HH:mm:ss} ({Report.AsOfSource}); nothing after it is known.");
        var time = Sql.Number(t);
        _db.Execute("DROP TABLE IF EXISTS snaps");
        _db.Execute($"CREATE TEMP TABLE snaps AS SELECT (row_number() OVER (ORDER BY lead) - 1)::BIGINT AS sid, lead, {time}::BIGINT AS t, NULL::BOOLEAN AS label FROM leads " +
                    $"WHERE (created IS NULL OR created <= {time}) AND (converted IS NULL OR converted > {time}) AND (lost IS NULL OR lost > {time})");
        var set = EngagementSql.Build(_db, schema, "snaps", withLabels: false, Leads, _config.HorizonDays, TimeSql.ToDateTime(t), _progress, SnapshotsPerChunk);
        var examples = set.Count;
        _db.Execute("DROP TABLE snaps");
        return set.WithCounts(new SnapshotCounts { Examples = examples });
    }

    /// <summary>Whether a stage history was read (<c>timeline.stages</c>).</summary>
    public bool HasStages => Schema.HasStages;

    /// <summary>
    /// Every lead's stage history up to the export date with its conversion and loss as of then (leads without stage rows
    /// have none), in lead order; empty without a stage history.
    /// </summary>
    public IReadOnlyList<StageStory> StageStories()
    {
        if (!HasStages) return [];
        var rows = _db.Rows("SELECT l.lead, s.entered, s.stage, l.converted, l.lost FROM leads l LEFT JOIN stages s USING (lead) ORDER BY l.lead, s.entered",
            r => (Lead: r.GetInt32(0), At: r.IsDBNull(1) ? (long?)null : r.GetInt64(1), Stage: r.IsDBNull(2) ? null : r.GetString(2),
                Converted: r.IsDBNull(3) ? (long?)null : r.GetInt64(3), Lost: r.IsDBNull(4) ? (long?)null : r.GetInt64(4)));
        var stories = new List<StageStory>(Leads.RowCount);
        for (var i = 0; i < rows.Count;)
        {
            var first = rows[i];
            var entries = new List<(DateTime, string)>();
            for (; i < rows.Count && rows[i].Lead == first.Lead; i++)
                if (rows[i] is { At: { } at, Stage: { } stage }) entries.Add((TimeSql.ToDateTime(at), stage));
            stories.Add(new StageStory(first.Lead, entries,
                first.Converted is { } c ? TimeSql.ToDateTime(c) : null, first.Lost is { } l ? TimeSql.ToDateTime(l) : null));
        }
        return stories;
    }

    /// <summary>The raw activities of one lead as they are held for features (before its conversion), for tests and diagnostics.</summary>
    internal DuckDBConnection Connection => _db;

    public void Dispose()
    {
        _db.Dispose();
        DeleteSpill(_spill);
    }
}
