using System.Text.Json;
using LeadPredict.Core;

namespace LeadPredict.Rules;

/// <summary>One row of a stage history: the lead entered <see cref="Stage"/> (a CRM value, mapped through the ladder's aliases) at <see cref="At"/>.</summary>
public readonly record struct StageEntry(DateTime At, string Stage);

/// <summary>A lead's stage history up to the export date, with its conversion and loss dates (null when open or unknown).</summary>
public sealed record LeadStory(IReadOnlyList<StageEntry> Entries, DateTime? WonAt, DateTime? LostAt);

/// <summary>How the funnel is learned: the promotion horizon and the stalled rule.</summary>
public sealed record FunnelLearningOptions
{
    /// <summary>"Promoted" means reaching a later stage within this many days of first entering a stage.</summary>
    public int PromotionHorizonDays { get; init; } = 30;
    /// <summary>A lead is stalled when it has been in its stage at least this many times the stage's median stay.</summary>
    public double StalledFactor { get; init; } = 3;

    public string? Validate() =>
        PromotionHorizonDays is < 1 or > 3650 ? $"promotionHorizonDays must be between 1 and 3650 (was {PromotionHorizonDays})."
        : !(StalledFactor >= 1 && StalledFactor <= 100) ? $"stalledFactor must be between 1 and 100 (was {Text.Number(StalledFactor)})."
        : null;
}

/// <summary>
/// The rules file's <c>funnel.learned</c> settings as written: null where the file leaves a setting out. Training learns the
/// funnel with them (<see cref="Apply"/>); scoring flags stalled leads with the file's factor when it gives one, else the model's.
/// </summary>
public sealed record FunnelLearningSettings(int? PromotionHorizonDays, double? StalledFactor)
{
    public static readonly FunnelLearningSettings None = new(null, null);

    public FunnelLearningOptions Apply(FunnelLearningOptions defaults) => defaults with
    {
        PromotionHorizonDays = PromotionHorizonDays ?? defaults.PromotionHorizonDays,
        StalledFactor = StalledFactor ?? defaults.StalledFactor,
    };
}

/// <summary>
/// What the stage history says about one ladder stage (point in time: only what was known by the export date).
/// <see cref="Leads"/> entered it at least once. <see cref="PromotedWithinHorizon"/>: the chance of reaching any later stage
/// (or converting) within the horizon of first entering it; <see cref="EventuallyConverted"/>: the chance of converting at all
/// after entering it. A stay runs from entering the stage to the next stage row, the conversion or the loss;
/// <see cref="MedianDays"/>, <see cref="P25Days"/>, <see cref="P75Days"/> are stay lengths; <see cref="BackwardShare"/> and
/// <see cref="LostShare"/> are the shares of stays that end with a move back or a loss. Censored stays (still open at the export
/// date) count through Kaplan-Meier (days) and Aalen-Johansen (conversion) estimates; a figure is null when the history cannot give it.
/// </summary>
public sealed record StageFigures
{
    public required string Stage { get; init; }
    public long Leads { get; init; }
    public long Stays { get; init; }
    public long OpenStays { get; init; }
    public double? PromotedWithinHorizon { get; init; }
    public double? EventuallyConverted { get; init; }
    public double? MedianDays { get; init; }
    public double? P25Days { get; init; }
    public double? P75Days { get; init; }
    public double? BackwardShare { get; init; }
    public double? LostShare { get; init; }
    /// <summary>
    /// Per whole day d from 0 to the longest stay: the chance a stay lasts beyond d days (Kaplan-Meier), and the chance it ended
    /// with a move up by day d (Aalen-Johansen). They give a lead's odds given its days in the stage (<see cref="PromotionOdds"/>),
    /// conditioned at most at <see cref="OddsUpToDay"/>, the last day at least <see cref="FunnelLearner.MinAtRisk"/> stays were still open.
    /// </summary>
    public IReadOnlyList<double> StillInStage { get; init; } = [];
    public IReadOnlyList<double> PromotedBy { get; init; } = [];
    public int OddsUpToDay { get; init; }

    /// <summary>
    /// The chance that a lead <paramref name="daysInStage"/> days into this stage moves up within the next
    /// <paramref name="horizonDays"/> days: (F(d + h) - F(d)) / S(d), with d capped where the curve ends; null without a curve.
    /// </summary>
    public double? PromotionOdds(double daysInStage, int horizonDays)
    {
        var n = StillInStage.Count;
        if (n == 0 || double.IsNaN(daysInStage)) return null;
        var d = Math.Clamp((int)Math.Floor(daysInStage), 0, Math.Min(OddsUpToDay, n - 1));
        var still = StillInStage[d];
        if (still <= 0) return null;
        var later = PromotedBy[Math.Min(n - 1, d + horizonDays)];
        return Math.Clamp((later - PromotedBy[d]) / still, 0, 1);
    }

    /// <summary>Completed stay lengths in days (at most a few hundred, evenly spread over the sorted lengths) for the report's charts.</summary>
    public IReadOnlyList<double> StaySample { get; init; } = [];
}

/// <summary>A stage value of the history that is not on the ladder: how many rows and leads carry it.</summary>
public sealed record UnknownStage(string Value, long Rows, long Leads);

/// <summary>Movements between ladder stages (from, to), counted over all stays that ended in another stage, for a Sankey chart.</summary>
public sealed record StageMove(string From, string To, long Count);

/// <summary>
/// The funnel learned from a stage history at training time and stored with the model (the "funnel-history" document of the
/// training report): per ladder stage (<see cref="Stages"/>, the last stage being conversion) the figures of
/// <see cref="StageFigures"/>, stage values not on the ladder with counts, and the movements between stages.
/// </summary>
public sealed record LearnedFunnel
{
    public const string Name = "funnel-history";

    public required DateTime AsOf { get; init; }
    public int PromotionHorizonDays { get; init; }
    public double StalledFactor { get; init; }
    /// <summary>The scored rows' column holding a lead's days in its current stage (the timeline's engagement feature); null when none.</summary>
    public string? DaysInStageColumn { get; init; }
    public long Leads { get; init; }
    public long LeadsWithHistory { get; init; }
    public long Rows { get; init; }
    public required IReadOnlyList<StageFigures> Stages { get; init; }
    public IReadOnlyList<UnknownStage> UnknownStages { get; init; } = [];
    public IReadOnlyList<StageMove> Moves { get; init; } = [];
    /// <summary>How the figures are estimated, in words, for the report and the docs.</summary>
    public string Method { get; init; } = "";

    public StageFigures? For(string stage) => Stages.FirstOrDefault(s => string.Equals(s.Stage, stage, StringComparison.OrdinalIgnoreCase));

    public string ToJson() => JsonSerializer.Serialize(this, DatasetConfig.Json);

    public static LearnedFunnel? FromJson(JsonElement json) => json.Deserialize<LearnedFunnel>(DatasetConfig.Json);

    public const string MethodText =
        "days in stage by Kaplan-Meier (stays open at the export date censored), eventual conversion by Aalen-Johansen cumulative " +
        "incidence (loss competing), promotion as the share of entries that reached a later stage within the horizon, back and lost " +
        "as shares of ended stays: each estimator the closest to the generated CRM's truth in a measured comparison (docs/rules.md)";
}

/// <summary>
/// Learns <see cref="LearnedFunnel"/> from lead stories. Each lead's rows are mapped onto the ladder (unknown values are counted
/// and skipped), ordered by time (rows at the same time in ladder order, so a CRM that writes "lead" and "MQL" together reads
/// as a pass through "lead"), and repeated rows of the same stage are one stay. The last ladder stage is conversion; a lead's
/// conversion is its won date or its first row in that stage, whichever is earlier.
/// </summary>
public static class FunnelLearner
{
    /// <summary>The curves of <see cref="StageFigures.StillInStage"/> stop when fewer stays than this are still open.</summary>
    public const int MinAtRisk = 20;

    private const int Promoted = 1, Back = 2, Lost = 3;

    /// <summary>The per-lead events the estimators read; also used by <see cref="Compare"/>.</summary>
    internal sealed class Observations(int stages)
    {
        public readonly List<(double, int)>[] Stays = [.. Enumerable.Range(0, stages).Select(_ => new List<(double, int)>())];
        // From first entering a stage: time to reaching a later stage (1) or to being lost first (2); 0 = open.
        public readonly List<(double, int)>[] Reach = [.. Enumerable.Range(0, stages).Select(_ => new List<(double, int)>())];
        // From first entering a stage: time to converting (1) or being lost (2); 0 = open.
        public readonly List<(double, int)>[] Convert = [.. Enumerable.Range(0, stages).Select(_ => new List<(double, int)>())];
        // Days from first entering a stage to the export date (what the complete-cohort estimator needs).
        public readonly List<double>[] FollowUp = [.. Enumerable.Range(0, stages).Select(_ => new List<double>())];
        public readonly Dictionary<(int, int), long> Moves = [];
    }

    public static LearnedFunnel Learn(Funnel funnel, IEnumerable<LeadStory> stories, DateTime asOf, FunnelLearningOptions? options = null)
    {
        options ??= new FunnelLearningOptions();
        if (options.Validate() is { } problem) throw new LeadPredictException(problem);
        var stages = funnel.Stages.Count;
        var o = Observe(funnel, stories, asOf, out var leads, out var withHistory, out var rows, out var unknown);
        var figures = new StageFigures[stages - 1];
        for (var s = 0; s < stages - 1; s++)
        {
            var stays = new CompetingRisks(o.Stays[s], 3);
            var convert = new CompetingRisks(o.Convert[s], 2);
            var ended = o.Stays[s].Where(x => x.Item2 > 0).Select(x => x.Item1).Order().ToArray();
            figures[s] = new StageFigures
            {
                Stage = funnel.Stages[s].Name,
                Leads = o.Reach[s].Count,
                Stays = o.Stays[s].Count,
                OpenStays = o.Stays[s].Count(x => x.Item2 == 0),
                PromotedWithinHorizon = o.Reach[s].Count == 0 ? null : o.Reach[s].Count(r => r.Item2 == 1 && r.Item1 <= options.PromotionHorizonDays) / (double)o.Reach[s].Count,
                EventuallyConverted = convert.Count == 0 ? null : convert.Incidence(1),
                MedianDays = stays.Quantile(0.5),
                P25Days = stays.Quantile(0.25),
                P75Days = stays.Quantile(0.75),
                BackwardShare = ended.Length == 0 ? null : o.Stays[s].Count(x => x.Item2 == Back) / (double)ended.Length,
                LostShare = ended.Length == 0 ? null : o.Stays[s].Count(x => x.Item2 == Lost) / (double)ended.Length,
                StaySample = Thin(ended, 300),
                StillInStage = Curve(o.Stays[s], d => stays.Survival(d)),
                PromotedBy = Curve(o.Stays[s], d => stays.Incidence(Promoted, d)),
                OddsUpToDay = o.Stays[s].Count < MinAtRisk ? 0 : (int)Math.Floor(o.Stays[s].Select(x => x.Item1).OrderDescending().ElementAt(MinAtRisk - 1)),
            };
        }
        return new LearnedFunnel
        {
            AsOf = asOf,
            PromotionHorizonDays = options.PromotionHorizonDays,
            StalledFactor = options.StalledFactor,
            Leads = leads,
            LeadsWithHistory = withHistory,
            Rows = rows,
            Stages = figures,
            UnknownStages = unknown,
            Moves = o.Moves.OrderBy(m => m.Key.Item1).ThenBy(m => m.Key.Item2)
                .Select(m => new StageMove(funnel.Stages[m.Key.Item1].Name, funnel.Stages[m.Key.Item2].Name, m.Value)).ToArray(),
            Method = LearnedFunnel.MethodText,
        };
    }

    /// <summary>
    /// The estimators considered for each figure, side by side, on one history: the survival estimates <see cref="Learn"/> uses
    /// and the simple ones they replace (censoring ignored, complete cohorts only, ended stays only). Keyed by stage, then by
    /// "figure: estimator"; the generated history's truth tells which is closer (tests, notebooks/funnel-estimators.cs).
    /// </summary>
    public static IReadOnlyList<(string Stage, string Estimator, double? Value)> Compare(Funnel funnel, IEnumerable<LeadStory> stories, DateTime asOf, int horizonDays = 30)
    {
        var o = Observe(funnel, stories, asOf, out _, out _, out _, out _);
        var rows = new List<(string, string, double?)>();
        for (var s = 0; s < funnel.Stages.Count - 1; s++)
        {
            var name = funnel.Stages[s].Name;
            var reach = o.Reach[s];
            if (reach.Count == 0) continue;
            double? Rate(IEnumerable<bool> hits) { var a = hits.ToArray(); return a.Length == 0 ? null : a.Count(h => h) / (double)a.Length; }
            rows.Add((name, "promotion: Aalen-Johansen", new CompetingRisks(reach, 2).Incidence(1, horizonDays)));
            rows.Add((name, "promotion: all entries, censoring ignored", Rate(reach.Select(r => r.Item2 == 1 && r.Item1 <= horizonDays))));
            rows.Add((name, "promotion: complete cohorts only", Rate(reach.Where((_, i) => o.FollowUp[s][i] >= horizonDays).Select(r => r.Item2 == 1 && r.Item1 <= horizonDays))));
            var convert = o.Convert[s];
            rows.Add((name, "conversion: Aalen-Johansen", new CompetingRisks(convert, 2).Incidence(1)));
            rows.Add((name, "conversion: all entries, censoring ignored", Rate(convert.Select(r => r.Item2 == 1))));
            rows.Add((name, "conversion: closed leads only", Rate(convert.Where(r => r.Item2 > 0).Select(r => r.Item2 == 1))));
            var stays = o.Stays[s];
            var ended = stays.Where(x => x.Item2 > 0).Select(x => x.Item1).Order().ToArray();
            rows.Add((name, "median days: Kaplan-Meier", new CompetingRisks(stays, 3).Quantile(0.5)));
            rows.Add((name, "median days: ended stays only", ended.Length == 0 ? null : ended[ended.Length / 2]));
            rows.Add((name, "lost share: Aalen-Johansen", Share(new CompetingRisks(stays, 3), Lost)));
            rows.Add((name, "lost share: ended stays only", Rate(stays.Where(x => x.Item2 > 0).Select(x => x.Item2 == Lost))));
        }
        return rows;
    }

    /// <summary>Of the stays that end, the share that end this way (cumulative incidence over all time, normalised by the ended share).</summary>
    private static double? Share(CompetingRisks stays, int kind)
    {
        var all = stays.Incidence(Promoted) + stays.Incidence(Back) + stays.Incidence(Lost);
        return all <= 0 ? null : stays.Incidence(kind) / all;
    }

    /// <summary>A curve by whole day up to the longest stay (at most ten years), 4 decimals; none from fewer than <see cref="MinAtRisk"/> stays.</summary>
    private static double[] Curve(List<(double, int)> stays, Func<double, double> at)
    {
        if (stays.Count < MinAtRisk) return [];
        var days = Math.Min(3650, (int)Math.Ceiling(stays.Max(x => x.Item1)));
        return Enumerable.Range(0, days + 1).Select(d => Math.Round(at(d), 4)).ToArray();
    }

    private static double[] Thin(double[] sorted, int max)
    {
        if (sorted.Length <= max) return sorted.Select(Round).ToArray();
        return Enumerable.Range(0, max).Select(i => Round(sorted[(int)((i + 0.5) * sorted.Length / max)])).ToArray();
    }

    private static double Round(double days) => Math.Round(days, 2);

    internal static Observations Observe(Funnel funnel, IEnumerable<LeadStory> stories, DateTime asOf,
        out long leads, out long withHistory, out long rows, out UnknownStage[] unknownStages)
    {
        var stages = funnel.Stages.Count;
        var last = stages - 1;
        var o = new Observations(stages);
        var unknown = new Dictionary<string, (long Rows, long Leads)>(StringComparer.Ordinal);
        var seenUnknown = new HashSet<string>(StringComparer.Ordinal);
        leads = withHistory = rows = 0;
        var path = new List<(DateTime At, int Stage)>();
        foreach (var story in stories)
        {
            leads++;
            path.Clear();
            seenUnknown.Clear();
            foreach (var e in story.Entries)
            {
                rows++;
                if (funnel.TryFind(e.Stage, out var index)) { path.Add((e.At, index)); continue; }
                var value = e.Stage.Trim();
                var c = unknown.GetValueOrDefault(value);
                unknown[value] = (c.Rows + 1, c.Leads + (seenUnknown.Add(value) ? 1 : 0));
            }
            if (path.Count == 0) continue;
            withHistory++;
            path.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Stage.CompareTo(b.Stage));
            // Repeated rows of one stage are one stay.
            for (var i = path.Count - 1; i > 0; i--)
                if (path[i].Stage == path[i - 1].Stage) path.RemoveAt(i);
            DateTime? won = story.WonAt;
            foreach (var p in path)
                if (p.Stage == last) { won = won is { } w && w < p.At ? w : p.At; break; }
            var lost = won is null ? story.LostAt : null;
            for (var i = 0; i < path.Count; i++)
            {
                var (start, s) = path[i];
                if (s == last) break;
                if (won is { } wonAt && wonAt < start) break;
                double days;
                int kind;
                if (i + 1 < path.Count && (won is not { } w1 || path[i + 1].At <= w1))
                {
                    days = Days(path[i + 1].At - start);
                    var next = path[i + 1].Stage;
                    kind = next > s ? Promoted : Back;
                    o.Moves[(s, next)] = o.Moves.GetValueOrDefault((s, next)) + 1;
                }
                else if (won is { } w2)
                {
                    days = Days(w2 - start);
                    kind = Promoted;
                    o.Moves[(s, last)] = o.Moves.GetValueOrDefault((s, last)) + 1;
                }
                else if (lost is { } l && l >= start)
                {
                    days = Days(l - start);
                    kind = Lost;
                }
                else
                {
                    days = Days(asOf - start);
                    kind = 0;
                }
                // A pass-through written at the same time as the next stage (entered straight as MQL) is no stay.
                if (!(days == 0 && kind == Promoted)) o.Stays[s].Add((days, kind));
            }
            for (var s = 0; s < last; s++)
            {
                var first = path.FindIndex(p => p.Stage == s);
                if (first < 0) continue;
                var start = path[first].At;
                if (won is { } wonAt && wonAt < start) continue;
                var later = path.FindIndex(first, p => p.Stage > s);
                DateTime? reached = later >= 0 ? path[later].At : won;
                if (won is { } w && reached > w) reached = w;
                o.Reach[s].Add(Outcome(start, reached, lost, asOf));
                o.FollowUp[s].Add(Days(asOf - start));
                o.Convert[s].Add(Outcome(start, won, lost, asOf));
            }
        }
        unknownStages = unknown.OrderByDescending(u => u.Value.Rows).ThenBy(u => u.Key, StringComparer.Ordinal)
            .Select(u => new UnknownStage(u.Key, u.Value.Rows, u.Value.Leads)).ToArray();
        return o;
    }

    /// <summary>Time from <paramref name="start"/> to the event (kind 1), else to the loss (kind 2), else open at the export date (kind 0).</summary>
    private static (double, int) Outcome(DateTime start, DateTime? @event, DateTime? lost, DateTime asOf) =>
        @event is { } e ? (Days(e - start), 1)
        : lost is { } l && l >= start ? (Days(l - start), 2)
        : (Days(asOf - start), 0);

    private static double Days(TimeSpan span) => Math.Max(0, span.Ticks / (double)TimeSpan.TicksPerDay);
}
