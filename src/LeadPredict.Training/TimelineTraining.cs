using System.Globalization;
using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Training;
using LeadPredict.Rules;
using LeadPredict.Sources;
using LeadPredict.Timeline;

namespace LeadPredict.Training;

/// <summary>
/// Training on a CRM history in time (a configuration with a <c>timeline</c> section): the tables are read and validated,
/// each lead becomes point-in-time examples (a lead as of t, engagement from activities strictly before t, label "converted
/// within H days after t", censored times left out), and the trainer gets them as one table with the lead id as the group
/// and the example's time for a time-based holdout whose gap is the horizon. The model file keeps the timeline section and
/// the engagement features (<see cref="TimelineModel"/>), so scoring rebuilds exactly what training saw.
/// </summary>
internal static class TimelineTraining
{
    /// <summary>What reading the history gave: the request to train on its snapshots, and the document stored with the model.</summary>
    internal sealed record Prepared(TrainingRequest Request, TimelineModel Model, TimelineLoadReport Load, SnapshotTable Examples, float[] DaysToConversion) : ITrainingExtension
    {
        /// <summary>
        /// What training adds for a timeline: this (the timeline document, the exported snapshots), the funnel learned from the
        /// stage history (when there is one) and the time-to-convert model.
        /// </summary>
        public IReadOnlyList<ITrainingExtension> Extensions => Funnel is { } funnel
            ? [this, new LearnedFunnelExtension(funnel), new TimeToConvertTraining(this)]
            : [this, new TimeToConvertTraining(this)];

        /// <summary>Where to write the training and holdout examples as CSV (train.csv, holdout.csv), for other tools.</summary>
        public string? ExportDirectory { get; init; }

        /// <summary>The funnel learned from the stage history (null without one), stored as its own document.</summary>
        public LearnedFunnel? Funnel { get; init; }

        public (string Name, string Json)? AfterEvaluation(TrainingContext context)
        {
            if (ExportDirectory is { } dir)
            {
                Directory.CreateDirectory(dir);
                AtomicFile.Write(Path.Combine(dir, "train.csv"), s => Examples.WriteCsv(s, context.Split.TrainRows));
                AtomicFile.Write(Path.Combine(dir, "holdout.csv"), s => Examples.WriteCsv(s, context.Split.HoldoutRows));
            }
            return (TimelineModel.ExtraName, Model.ToJson());
        }

        public void AfterSave(TrainingContext context, TrainingOutcome outcome) { }
    }

    /// <summary>The timeline section with the command line's flags applied (flag paths are relative to the current folder).</summary>
    internal static TimelineConfig? Merge(TimelineConfig? configured, string? activities, string? outcomes, string? outcomeDate, string? convertedAt, int? horizon)
    {
        if (configured is null && activities is null && outcomes is null && convertedAt is null && horizon is null) return null;
        var c = configured ?? new TimelineConfig();
        if (activities is not null) c = c with { Activities = (c.Activities ?? new ActivityLogConfig()) with { Path = StagedTimeline.IsPostgres(activities) ? activities : Path.GetFullPath(activities) } };
        if (outcomes is not null)
            c = c with { Outcomes = (c.Outcomes ?? new OutcomeTableConfig()) with { Path = StagedTimeline.IsPostgres(outcomes) ? outcomes : Path.GetFullPath(outcomes) }, ConvertedAt = null };
        if (outcomeDate is not null) c = c with { Outcomes = (c.Outcomes ?? new OutcomeTableConfig()) with { Date = outcomeDate } };
        if (convertedAt is not null) c = c with { ConvertedAt = convertedAt, Outcomes = null };
        if (horizon is { } h) c = c with { HorizonDays = h };
        return c;
    }

    /// <param name="rulesPath">The rules file whose ladder the stage history is read onto (the default ladder without one).</param>
    public static Prepared Prepare(TrainingRequest request, string baseDirectory, ITrainingObserver observer, CancellationToken ct, string? rulesPath = null)
    {
        var config = request.Config;
        var timeline = config.Timeline!;
        if (timeline.Validate() is { } problem) throw new LeadPredictException($"{Path.GetFileName(request.ConfigSource)}: {problem}");
        observer.Progress(new("Reading the leads"));
        var leads = LeadTableReader.Load(request.DataPath, config.SeparatorChar, config.MissingTokens);
        var history = new Progress<string>(s => observer.Progress(new("Reading the history", null, s)));
        using var tables = StagedTimeline.Stage(timeline, SourceSettings.From(CommandSettings.Current.Find("source", "postgres")), history, ct);
        using var data = TimelineData.Load(leads, config, baseDirectory, tables.Tables, history, ct);
        var load = data.Report;
        foreach (var w in load.Warnings) observer.Warning(w.ToString());
        foreach (var leak in load.LikelyLeaks) observer.Warning(LeakMessage(leak));

        LearnedFunnel? funnel = null;
        if (data.HasStages)
        {
            observer.Progress(new("Learning the funnel from the stage history"));
            var ladder = new Funnel(rulesPath is null ? Funnel.DefaultStages : RuleSet.LoadLadder(rulesPath));
            var learning = (rulesPath is null ? FunnelLearningSettings.None : RuleSet.LoadLearning(rulesPath)).Apply(new FunnelLearningOptions());
            funnel = FunnelLearner.Learn(ladder, data.StageStories().Select(s => new LeadStory(
                s.Rows.Select(r => new StageEntry(r.At, r.Stage)).ToArray(), s.ConvertedAt, s.LostAt)), load.AsOf, learning);
            foreach (var u in funnel.UnknownStages)
                observer.Warning($"stage value '{u.Value}' ({u.Rows:N0} rows, {u.Leads:N0} leads) is not on the ladder ({ladder.KnownStages}); add it as an alias in the rules file's funnel stages to count it.");
        }

        observer.Progress(new("Making point-in-time examples"));
        var set = data.Snapshots();
        ct.ThrowIfCancellationRequested();
        var examples = SnapshotTable.Build(set);
        Core.ColumnNames.KeepAsWritten(examples.WrittenForPeople);
        var counts = set.Counts;
        if (counts.Examples == 0)
            throw new LeadPredictException($"{Path.GetFileName(request.DataPath)}: no lead gives a point-in-time example (every snapshot is after a conversion or censored by the {timeline.HorizonDays}-day horizon before the export date {load.AsOf:yyyy-MM-dd}); a shorter horizon or an earlier first snapshot may help.");

        var created = data.CreatedColumn;
        // The leads table's own outcome columns would leak: the label is made from the conversion dates.
        var leaks = new List<string>();
        if (!string.IsNullOrWhiteSpace(config.Label) && leads.HasColumn(config.Label)) leaks.Add(config.Label);
        if (timeline.ConvertedAt is { } convertedAt) leaks.Add(convertedAt);
        var kinds = new Dictionary<string, ColumnKind>(config.Columns, StringComparer.OrdinalIgnoreCase);
        foreach (var column in examples.EngagementColumns) kinds[column] = ColumnKind.Numeric;
        if (examples.StageColumn is { } stage) kinds[stage] = ColumnKind.Categorical;
        var trainingConfig = (TrainingConfig)config with
        {
            Label = examples.LabelColumn!,
            PositiveLabel = SnapshotTable.Positive,
            Id = data.IdColumn,
            Created = created,
            Exclude = config.Exclude.Concat(leaks).Append(SnapshotTable.TimeColumn).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
            Columns = kinds,
        };
        var lostShare = load.ActivityTypes.Where(t => t.LikelyLeak)
            .Select(t => $"{t.Type}: {t.ShareAfterConversion.ToString("P0", CultureInfo.InvariantCulture)} of its events after conversion{(t.Excluded ? " (excluded)" : "")}").ToArray();
        var time = new TimeFacts
        {
            Meaning = $"probability of converting within {timeline.HorizonDays} days of the as-of date",
            HorizonDays = timeline.HorizonDays,
            ExportDate = load.AsOf,
            ExportDateSource = load.AsOfSource,
            Examples = counts.Examples,
            Leads = set.LeadRows.Distinct().LongCount(),
            Positives = counts.Positives,
            Censored = counts.Censored,
            ConvertedBefore = counts.ConvertedBefore,
            ClosedBefore = counts.ClosedBefore,
            PostConversionTypes = lostShare,
        };
        var prepared = request with
        {
            Config = trainingConfig,
            Table = examples.Table,
            PointInTimeColumns = examples.WrittenForPeople.ToArray(),
            HistoryFiles = new[] { timeline.Activities?.Path, timeline.Outcomes?.Path, timeline.Stages?.Path }
                .OfType<string>().Select(p => Path.IsPathRooted(p) || StagedTimeline.IsPostgres(p) ? p : Path.Combine(Path.GetFullPath(baseDirectory), p)).ToArray(),
            Time = time,
            Split = new SplitOptions { GroupColumn = data.IdColumn, TimeColumn = SnapshotTable.TimeColumn, Gap = TimeSpan.FromDays(timeline.HorizonDays) },
        };
        var model = new TimelineModel
        {
            Config = timeline,
            Schema = set.Schema,
            IdColumn = data.IdColumn,
            CreatedColumn = created,
            ExportDate = load.AsOf,
            EngagementColumns = examples.EngagementColumns,
            StageColumn = examples.StageColumn,
        };
        var daysInStage = set.Schema.Features.Select((f, i) => (f, i)).Where(p => p.f.Kind == EngagementKind.DaysInStage).Select(p => examples.EngagementColumns[p.i]).FirstOrDefault();
        return new Prepared(prepared, model, load, examples, set.DaysToConversion!) { Funnel = funnel is null ? null : funnel with { DaysInStageColumn = daysInStage } };
    }

    /// <summary>The leak check's finding for one activity type, with the setting that removes it.</summary>
    internal static string LeakMessage(ActivityTypeStats t) =>
        $"activity type '{t.Type}' happens mostly after conversion ({t.ShareAfterConversion.ToString("P0", CultureInfo.InvariantCulture)} of its {t.EventsOfConvertedLeads:N0} events among converted leads come at or after the conversion): " +
        (t.Excluded
            ? "it is excluded (excludeActivityTypes)."
            : $"counted over all time it would leak the outcome. Events at or after a lead's conversion never enter its features; to leave the type out altogether, add \"excludeActivityTypes\": [\"{t.Type}\"] to the timeline section.");

    /// <summary>Stores the learned funnel with the model (the training report's "funnel-history" document).</summary>
    internal sealed class LearnedFunnelExtension(LearnedFunnel funnel) : ITrainingExtension
    {
        public LearnedFunnel Funnel => funnel;
        public (string Name, string Json)? AfterEvaluation(TrainingContext context) => (LearnedFunnel.Name, funnel.ToJson());
        public void AfterSave(TrainingContext context, TrainingOutcome outcome) { }
    }
}
