using DuckDB.NET.Data;
using LeadPredict.Core;

namespace LeadPredict.Timeline;

/// <summary>
/// The one computation of engagement features, for training snapshots, as-of sets and a single lead alike. It reads a
/// snapshot table (<c>sid</c> 0..n-1, <c>lead</c>, <c>t</c>, <c>label</c>) and the tables <c>leads</c> (<c>lead</c>,
/// <c>created</c>), <c>acts</c> (<c>lead</c>, <c>ts</c>, <c>type_id</c>, <c>value</c> when used: only events before the lead's
/// conversion, sorted by lead), <c>act_types</c> (<c>type</c>, <c>type_id</c>)
/// and, with a stage history, <c>stages</c> (<c>lead</c>, <c>entered</c>, <c>stage</c>). Each feature uses only events
/// strictly before the snapshot's time; all groups (any activity, each kept type, the pooled rest) come from one
/// aggregation with grouping sets.
/// </summary>
internal static class EngagementSql
{
    private const string Day = "86400000000";

    /// <summary>Per snapshot (in <c>sid</c> order): its lead's row, time, label, engagement features and stage.</summary>
    internal sealed record Rows(int[] LeadRows, DateTime[] Times, bool[]? Labels, float[] Features, string?[]? StageAt);

    public static SnapshotSet Build(DuckDBConnection db, EngagementSchema schema, string snaps, bool withLabels, LeadTable leads,
        int horizonDays, DateTime exportDate, IProgress<string>? progress, int snapshotsPerChunk = DefaultSnapshotsPerChunk)
    {
        var rows = Compute(db, schema, snaps, withLabels, progress, snapshotsPerChunk: snapshotsPerChunk);
        return new SnapshotSet(leads, rows.LeadRows, rows.Times, rows.Labels, rows.Features, schema, rows.StageAt, horizonDays, exportDate, new SnapshotCounts());
    }

    public static Rows Compute(DuckDBConnection db, EngagementSchema schema, string snaps, bool withLabels, IProgress<string>? progress,
        bool typesReady = false, int snapshotsPerChunk = DefaultSnapshotsPerChunk)
    {
        var n = checked((int)db.Scalar<long>($"SELECT count(*) FROM {snaps}"));
        var width = schema.Features.Count;
        var leadRows = new int[n];
        var times = new DateTime[n];
        var labels = withLabels ? new bool[n] : null;
        var features = new float[checked((long)n * width)];
        FillDefaults(schema, features, n);

        using (var command = db.CreateCommand())
        {
            command.CommandText = $"SELECT s.sid, s.lead, s.t, s.label, (s.t - l.created) / {Day}.0 FROM {snaps} s JOIN leads l USING (lead)";
            using var r = (DuckDBDataReader)command.ExecuteReader();
            while (r.Read())
            {
                var i = (int)r.GetInt64(0);
                leadRows[i] = r.GetInt32(1);
                times[i] = TimeSql.ToDateTime(r.GetInt64(2));
                if (labels is not null) labels[i] = r.GetBoolean(3);
                features[(long)i * width] = r.IsDBNull(4) ? float.NaN : (float)r.GetDouble(4);
            }
        }

        string?[]? stageAt = null;
        if (schema.HasStages)
        {
            stageAt = new string?[n];
            using var command = db.CreateCommand();
            // Two stages entered at the same instant: the as-of join would take either, differently from run to run; the
            // greater text is taken, so every run, source and row order gives the same stage (see docs/time.md).
            command.CommandText = $"SELECT s.sid, st.stage, (s.t - st.entered) / {Day}.0 FROM {snaps} s ASOF LEFT JOIN (SELECT lead, entered, max(stage) AS stage FROM stages GROUP BY lead, entered) st ON s.lead = st.lead AND s.t > st.entered";
            using var r = (DuckDBDataReader)command.ExecuteReader();
            while (r.Read())
            {
                if (r.IsDBNull(1)) continue;
                var i = (int)r.GetInt64(0);
                stageAt[i] = r.GetString(1);
                features[(long)i * width + 1] = (float)r.GetDouble(2);
            }
        }

        if (schema.HasActivities && n > 0)
        {
            progress?.Report($"counting activities for {n:N0} snapshots");
            if (!typesReady) PrepareTypes(db, schema);
            Aggregate(db, schema, snaps, features, width, n, progress, snapshotsPerChunk);
        }
        return new Rows(leadRows, times, labels, features, stageAt);
    }

    private static void FillDefaults(EngagementSchema schema, float[] features, int n)
    {
        var row = DefaultRow(schema);
        for (var i = 0; i < n; i++) row.CopyTo(features.AsSpan(i * row.Length, row.Length));
    }

    /// <summary>The features of a lead with no activity: counts, active days and sums 0, the rest missing.</summary>
    internal static float[] DefaultRow(EngagementSchema schema)
    {
        var row = new float[schema.Features.Count];
        for (var f = 0; f < row.Length; f++)
            row[f] = schema.Features[f].Kind is EngagementKind.Count or EngagementKind.ActiveDays or EngagementKind.ValueSum ? 0f : float.NaN;
        return row;
    }

    /// <summary>
    /// Distinct UTC days with an event in the longest window, as a set of bits (one per day of the window) rather than
    /// count(DISTINCT), which costs a hash set per group and about twice the time: up to 120 days the bits fit a HUGEINT.
    /// </summary>
    private static string ActiveDays(int longest)
    {
        string DayOf(string micros) => $"CAST(floor(({micros}) / {Day}.0) AS BIGINT)";
        var start = $"s.t - {longest}::BIGINT * {Day}";
        var offset = $"CAST({DayOf("a.ts")} - {DayOf(start)} AS INTEGER)";
        return longest <= 120
            ? $"CAST(bit_count(bit_or(CASE WHEN a.ts >= {start} THEN CAST(1 AS HUGEINT) << {offset} ELSE CAST(0 AS HUGEINT) END)) AS BIGINT)"
            : $"CAST(coalesce(bit_count(bitstring_agg({offset}, 0, {longest}) FILTER (WHERE a.ts >= {start})), 0) AS BIGINT)";
    }

    /// <summary>The kept activity types with their codes (1, 2, ...), in the table <c>lp_types</c>.</summary>
    public static void PrepareTypes(DuckDBConnection db, EngagementSchema schema)
    {
        db.Execute("CREATE OR REPLACE TABLE lp_types (type VARCHAR, code INTEGER)");
        using var appender = db.CreateAppender("lp_types");
        for (var k = 0; k < schema.ActivityTypes.Count; k++)
            appender.CreateRow().AppendValue(schema.ActivityTypes[k]).AppendValue(k + 1).EndRow();
    }

    /// <summary>Snapshots aggregated at once: bounds the join and the aggregation's memory whatever the size of the history.</summary>
    internal const int DefaultSnapshotsPerChunk = 200_000;

    private static void Aggregate(DuckDBConnection db, EngagementSchema schema, string snaps, float[] features, int width, int n, IProgress<string>? progress, int chunk)
    {
        var other = schema.PoolOthers ? Sql.Number(schema.ActivityTypes.Count + 1) : "NULL";
        var excluded = schema.Excluded.Count == 0 ? "" :
            $" AND lower(d.type) NOT IN ({string.Join(", ", schema.Excluded.Select(e => Sql.Literal(e.ToLowerInvariant())))})";
        var windows = schema.Windows.OrderBy(w => w).ToArray();
        string CountIn(int days) => $"count(*) FILTER (WHERE a.ts >= s.t - {days}::BIGINT * {Day})";
        var shortest = windows[0];
        var longest = windows[^1];
        var value = schema.ValueColumn is null ? "NULL::DOUBLE" : "a.value";
        var select =
            "SELECT s.sid, a.code, GROUPING(a.code) AS g, " +
            string.Join("", windows.Select(w => CountIn(w) + ", ")) +
            $"(s.t - min(a.ts)) / {Day}.0, (s.t - max(a.ts)) / {Day}.0, " +
            $"{ActiveDays(longest)}, " +
            $"CASE WHEN {CountIn(longest)} = 0 THEN NULL ELSE ({CountIn(shortest)} / {shortest}.0) / ({CountIn(longest)} / {longest}.0) END" +
            // A sum in a fixed order, so the same events give the same bits however the work is split.
            (schema.ValueColumn is null ? "" : $", coalesce(fsum(a.value ORDER BY a.ts, a.value) FILTER (WHERE a.ts >= s.t - {longest}::BIGINT * {Day}), 0)");
        var w = windows.Length;
        var hasValue = schema.ValueColumn is not null;
        // Snapshots are numbered in (lead, time) order and the activities are sorted by lead, so a range of snapshots is a
        // range of leads, and each chunk reads only that part of the activities.
        for (var from = 0; from < n; from += chunk)
        {
            var to = Math.Min(n, from + chunk) - 1;
            var leads = db.Rows($"SELECT min(lead), max(lead) FROM {snaps} WHERE sid BETWEEN {from} AND {to}", r => (r.GetInt32(0), r.GetInt32(1))).Single();
            var sql =
                $"WITH a AS (SELECT a.lead, a.ts, {value} AS value, COALESCE(c.code, {other}) AS code FROM acts a JOIN act_types d USING (type_id) " +
                $"LEFT JOIN lp_types c ON c.type = d.type WHERE a.lead BETWEEN {leads.Item1} AND {leads.Item2}{excluded}) " +
                $"{select} FROM {snaps} s JOIN a ON a.lead = s.lead AND a.ts < s.t WHERE s.sid BETWEEN {from} AND {to} AND a.code IS NOT NULL " +
                "GROUP BY GROUPING SETS ((s.sid, s.t, a.code), (s.sid, s.t))";
            using var command = db.CreateCommand();
            command.CommandText = sql;
            using var r = (DuckDBDataReader)command.ExecuteReader();
            while (r.Read())
            {
                var sid = r.GetInt64(0);
                var group = r.GetInt64(2) == 1 ? 0 : r.GetInt32(1);
                var at = sid * width + schema.GroupOffset(group);
                for (var k = 0; k < w; k++) features[at + k] = r.GetInt64(3 + k);
                features[at + w] = (float)r.GetDouble(3 + w);
                features[at + w + 1] = (float)r.GetDouble(4 + w);
                features[at + w + 2] = r.GetInt64(5 + w);
                features[at + w + 3] = r.IsDBNull(6 + w) ? float.NaN : (float)r.GetDouble(6 + w);
                if (hasValue) features[at + w + 4] = (float)r.GetDouble(7 + w);
            }
            if (n > chunk) progress?.Report($"engagement features: {to + 1:N0} of {n:N0} snapshots");
        }
    }
}
