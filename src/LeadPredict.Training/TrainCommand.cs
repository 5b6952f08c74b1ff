using System.CommandLine;
using System.Globalization;
using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Evaluation;
using LeadPredict.ML.Training;
using LeadPredict.Sources;
using Spectre.Console;

namespace LeadPredict.Training;

/// <summary>`train`: fit a model on lead history, evaluate it, and save it next to its metrics.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data", "-d") { Description = "The lead history with an outcome column: a CSV export, Parquet (a file, a folder or a glob) or postgres:TABLE." };
        var query = new Option<string?>("--query") { Description = $"Read the history from PostgreSQL with this SELECT instead of --data (connection string from {SourceSettings.PostgresVariable} or the settings file)." };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "Dataset configuration (JSON, see 'init'); flags below override it." };
        var model = new Option<FileInfo>("--model", "-m") { Description = "Where to write the model.", DefaultValueFactory = _ => new FileInfo("models/lead-model.zip") };
        var label = new Option<string?>("--label") { Description = "The outcome column (converted or not)." };
        var positive = new Option<string?>("--positive") { Description = "The label value meaning converted (inferred from 1/yes/true/won when absent)." };
        var id = new Option<string?>("--id") { Description = "The lead id column (inferred from names like 'id' when absent)." };
        var exclude = new Option<string[]>("--exclude", "-x") { Description = "Columns to leave out, comma-separated (leaks, notes, personal data).", AllowMultipleArgumentsPerToken = true };
        var separator = new Option<string?>("--separator") { Description = "Field separator: ',', ';', 'tab' or '|' (detected when absent)." };
        var created = new Option<string?>("--created") { Description = "Date column; when set, the holdout is the most recent leads." };
        var trainer = new Option<TrainerAlgorithm?>("--trainer") { Description = "auto (default: cross-validation chooses), lightgbm, fasttree, linear or blend." };
        var trees = new Option<int?>("--trees") { Description = "Most trees (default 300; cross-validation picks the best number up to it)." };
        var folds = new Option<int?>("--folds") { Description = "Cross-validation folds (default 5; 0 turns it off)." };
        var seed = new Option<int?>("--seed") { Description = "Random seed (default 42)." };
        var force = new Option<bool>("--force") { Description = "Replace the existing model even if the new one is worse." };
        var icp = new Option<FileInfo?>("--icp") { Description = "Rules file (ICP and funnel gates, see docs/rules.md): backtest the ICP on this history and resolve gate thresholds." };
        var activities = new Option<string?>("--activities") { Description = "Activity log (CSV, Parquet or postgres:TABLE: lead id, timestamp, type): train on point-in-time snapshots (sets the config's timeline.activities)." };
        var outcomes = new Option<string?>("--outcomes") { Description = "Outcomes table (lead id, date; CSV, Parquet or postgres:TABLE) saying when leads converted (timeline.outcomes; with --outcome-date)." };
        var outcomeDate = new Option<string?>("--outcome-date") { Description = "The outcomes table's date column (timeline.outcomes.date)." };
        var convertedAt = new Option<string?>("--converted-at") { Description = "The leads table's conversion date column, instead of an outcomes table (timeline.convertedAt)." };
        var exportSnapshots = new Option<DirectoryInfo?>("--export-snapshots") { Description = "With a timeline: also write the point-in-time examples of each side of the holdout to DIR/train.csv and DIR/holdout.csv (for other tools)." };
        var horizon = new Option<int?>("--horizon") { Description = "Days: an example's label is 'converted within this many days after its time' (timeline.horizonDays, default 90)." };

        var command = new Command("train", "Train a model on lead history, print its quality, and save it (with a JSON metrics file beside it).")
        {
            data, query, config, model, label, positive, id, exclude, separator, created, trainer, trees, folds, seed, force, icp,
            activities, outcomes, outcomeDate, convertedAt, horizon, exportSnapshots,
        };
        command.SetAction(CommandRunner.Action((parse, ct) =>
        {
            var configFile = parse.GetValue(config);
            var modelPath = parse.GetValue(model)!.FullName;
            var exportDir = parse.GetValue(exportSnapshots)?.FullName;
            IEnumerable<FileRole> exports = exportDir is null ? [] : [new("--export-snapshots", Path.Combine(exportDir, "train.csv")), new("--export-snapshots", Path.Combine(exportDir, "holdout.csv"))];
            var source = LeadSource.Parse(parse.GetValue(data), parse.GetValue(query), "--data", SourceSettings.From(CommandSettings.Current.Find("source", "postgres")));
            OutputGuard.Check(Outputs(modelPath).Concat(exports), [
                .. source.Files.Select(f => new FileRole("--data", f)), configFile is null ? null : new("--config", configFile.FullName),
                parse.GetValue(icp) is { } rules ? new("--icp", rules.FullName) : null]);
            var baseConfig = configFile is not null ? TrainingConfig.Load(configFile.FullName) : new TrainingConfig();
            var merged = Merge(baseConfig, parse.GetValue(label), parse.GetValue(positive), parse.GetValue(id),
                CommandRunner.SplitList(parse.GetValue(exclude)), parse.GetValue(separator), parse.GetValue(created),
                parse.GetValue(trainer), parse.GetValue(trees), parse.GetValue(folds), parse.GetValue(seed));
            merged = merged with
            {
                Timeline = TimelineTraining.Merge(merged.Timeline, parse.GetValue(activities), parse.GetValue(outcomes),
                    parse.GetValue(outcomeDate), parse.GetValue(convertedAt), parse.GetValue(horizon)),
            };
            if (string.IsNullOrWhiteSpace(merged.Label) && merged.Timeline is null)
                throw new LeadPredictException("the outcome column is not known: pass --label COLUMN or a --config file with \"label\" (see 'init'), or the conversion dates (--outcomes, --converted-at or a 'timeline' section).");
            using var staged = Stage(source, ct);
            var request = new TrainingRequest
            {
                DataPath = staged.Path,
                DataName = staged.Name,
                Config = staged.WithKinds(merged),
                ModelPath = modelPath,
                ConfigSource = configFile?.FullName ?? "command line",
                Force = parse.GetValue(force),
            };
            // Timeline paths in a configuration file are relative to its folder; without one, to the current folder.
            var baseDirectory = configFile?.DirectoryName ?? Directory.GetCurrentDirectory();
            var export = exportDir;
            if (export is not null && merged.Timeline is null)
                throw new LeadPredictException("--export-snapshots needs a timeline (a 'timeline' section in --config, or --activities with --outcomes or --converted-at).");
            try { return Run(request, parse.GetValue(icp)?.FullName, baseDirectory, export, ct); }
            catch (Exception e) { throw staged.Relocate(e); }
        }));
        return command;
    }

    /// <summary>The history as a CSV file: the export itself, or a private copy streamed from Parquet or PostgreSQL.</summary>
    internal static StagedLeads Stage(LeadSource source, CancellationToken ct)
    {
        if (source is CsvFileSource) return source.Stage(null, ct);
        using var steps = new StepPrinter();
        steps.Step($"Reading {source.Name}");
        var staged = source.Stage(new Progress<long>(n => steps.Step($"Reading {source.Name}", $"{n:N0} rows")), ct);
        steps.Complete();
        return staged;
    }

    /// <summary>Every file training may write: the model, its metrics and report, the candidate's, and the set-aside old model.</summary>
    private static IEnumerable<FileRole> Outputs(string model)
    {
        var candidate = ModelTrainer.CandidatePath(model);
        return
        [
            new("--model", model),
            new("the metrics file", ModelTrainer.ReportPath(model)),
            new("the report", Reports.TrainingReportWriter.PathFor(model)),
            new("the candidate model", candidate),
            new("the candidate's metrics file", ModelTrainer.ReportPath(candidate)),
            new("the candidate's report", Reports.TrainingReportWriter.PathFor(candidate)),
            new("the previous model", ModelTrainer.PreviousPath(model)),
            new("the corrupt model's copy", ModelTrainer.CorruptPath(model)),
        ];
    }

    internal static TrainingConfig Merge(TrainingConfig c, string? label, string? positive, string? id, IReadOnlyList<string> exclude,
        string? separator, string? created, TrainerAlgorithm? trainer, int? trees, int? folds, int? seed) => c with
    {
        Label = label ?? c.Label,
        PositiveLabel = positive ?? c.PositiveLabel,
        Id = id ?? c.Id,
        Exclude = c.Exclude.Concat(exclude).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
        Separator = separator ?? c.Separator,
        Created = created ?? c.Created,
        Trainer = c.Trainer with
        {
            Algorithm = trainer ?? c.Trainer.Algorithm,
            Trees = trees ?? c.Trainer.Trees,
            Seed = seed ?? c.Trainer.Seed,
        },
        Evaluation = c.Evaluation with { Folds = folds ?? c.Evaluation.Folds },
    };

    private static int Run(TrainingRequest request, string? rulesPath, string baseDirectory, string? exportSnapshots, CancellationToken ct)
    {
        foreach (var file in ModelCompanions.Repair(request.ModelPath))
            AnsiConsole.MarkupLine($"[grey]Rewrote {Markup.Escape(file)} from the model beside it (it was missing or described another model).[/]");
        var extensions = TrainingExtensions.Default(request, rulesPath).ToList();
        TrainingOutcome outcome;
        using (var steps = new StepPrinter())
        {
            var observer = new ConsoleObserver(steps);
            if (request.Config.Timeline is not null)
            {
                var prepared = TimelineTraining.Prepare(request, baseDirectory, observer, ct, rulesPath) with { ExportDirectory = exportSnapshots };
                request = prepared.Request;
                extensions.InsertRange(0, prepared.Extensions);
            }
            outcome = new ModelTrainer(TimeProvider.System, extensions).Train(request, observer, ct);
            steps.Complete();
        }
        Print(outcome.Report);
        if (extensions.OfType<TimelineTraining.LearnedFunnelExtension>().FirstOrDefault() is { } learned) PrintFunnel(learned.Funnel);
        if (extensions.OfType<LeadPredict.Advice.RulesTrainingExtension>().FirstOrDefault() is { } rules) PrintRules(rules);
        AnsiConsole.WriteLine();
        if (outcome.Promoted) AnsiConsole.MarkupLine($"[green]{Markup.Escape(outcome.Message)}[/]");
        else AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(outcome.Message)}[/]");
        if (exportSnapshots is not null)
            AnsiConsole.MarkupLine($"[grey]Examples: {Markup.Escape(Path.Combine(exportSnapshots, "train.csv"))} and holdout.csv (label '{Markup.Escape(outcome.Report.Card.Label)}'; leave out the id and as_of columns)[/]");
        if (!outcome.Saved) return ExitCodes.NotPromoted;
        AnsiConsole.MarkupLine($"[grey]Metrics: {Markup.Escape(outcome.ReportPath)}[/]");
        var html = Reports.TrainingReportWriter.PathFor(outcome.ModelPath);
        if (File.Exists(html)) AnsiConsole.MarkupLine($"[grey]Report:  {Markup.Escape(html)}[/]");
        return outcome.Promoted ? ExitCodes.Ok : ExitCodes.NotPromoted;
    }

    private sealed class ConsoleObserver(StepPrinter steps) : ITrainingObserver
    {
        public void Progress(TrainingProgress p) => steps.Step(p.Step, p.Detail);
        public void Warning(string message) => steps.Line($"[yellow]warning:[/] {Markup.Escape(message)}");

        public void LeakSuspects(IReadOnlyList<LeakSuspect> suspects)
        {
            var used = suspects.Where(s => !s.Excluded).ToArray();
            if (used.Length == 0) return;
            steps.Line("[yellow]warning: likely leaks[/] — these columns are probably filled in after contact and will not be known for a new lead:");
            foreach (var s in used)
                steps.Line($"  [yellow]{Markup.Escape(s.Column)}[/]: single-column AUC {s.SingleColumnAuc:F3}; {Markup.Escape(s.Why)}");
            var flag = string.Join(',', used.Select(s => s.Column));
            steps.Line($"  To leave them out: [bold]--exclude \"{Markup.Escape(flag)}\"[/]");
        }
    }

    internal static void Print(TrainingReport report)
    {
        var card = report.Card;
        var m = report.HoldoutMetrics;
        AnsiConsole.WriteLine();
        if (card.Signal is { NoSignal: true } none) AnsiConsole.MarkupLine($"[bold red]No signal.[/] [red]{Markup.Escape(none.Message)}[/]");
        if (report.Candidates.Count > 0)
        {
            var compared = new Table().Border(TableBorder.Rounded).Title("Models compared by cross-validation (the same folds)");
            compared.AddColumn("model").AddColumn(new TableColumn("CV AUC").RightAligned()).AddColumn(new TableColumn("CV log-loss").RightAligned())
                .AddColumn(new TableColumn("time").RightAligned()).AddColumn("settings chosen").AddColumn("");
            foreach (var r in report.Candidates)
                compared.AddRow(r.Chosen ? $"[bold]{Markup.Escape(r.Name)}[/]" : Markup.Escape(r.Name), $"{F(r.Auc.Mean)} ± {F(r.Auc.StdDev)}", F(r.LogLoss.Mean),
                    $"{r.Seconds:F1} s", Markup.Escape(r.Settings), r.Chosen ? "[green]chosen[/]" : "");
            AnsiConsole.Write(compared);
        }
        AnsiConsole.MarkupLine($"[bold]Model {card.Version}[/]: {Markup.Escape(card.Model)}; {card.FeatureColumns} columns ({card.FeatureSlots} features)");
        if (card.Time is { } time) PrintTime(time);
        AnsiConsole.MarkupLine($"  chosen by {Markup.Escape(card.ChosenBy)}");
        if (card.Calibration is { } calibration) AnsiConsole.MarkupLine($"  calibration: {Markup.Escape(calibration)}");
        AnsiConsole.MarkupLine($"  holdout {card.HoldoutRows:N0} leads ({Markup.Escape(card.HoldoutMethod)}). {Markup.Escape(card.Figures)}");
        var t = new Table().Border(TableBorder.Rounded).Title("Holdout quality (the model fitted without the holdout)");
        t.AddColumn("metric").AddColumn(new TableColumn("value").RightAligned()).AddColumn("meaning");
        t.AddRow("ROC AUC", F(m.Auc), "chance a converter ranks above a non-converter");
        t.AddRow("PR AUC", F(m.PrAuc), $"average precision (base rate {m.BaseRate:P1})");
        t.AddRow("log-loss", F(m.LogLossNats), "nats (natural log); lower is better");
        t.AddRow("Brier score", F(m.Brier), "mean squared error of probabilities");
        t.AddRow("calibration error", F(m.Ece), "expected calibration error, 10 bins");
        t.AddRow($"accuracy @ {m.Threshold:0.##}", F(m.Accuracy), "");
        t.AddRow($"precision @ {m.Threshold:0.##}", F(m.Precision), "");
        t.AddRow($"recall @ {m.Threshold:0.##}", F(m.Recall), "");
        foreach (var cv in card.CrossValidation)
            t.AddRow($"CV {cv.Metric}", $"{F(cv.Mean)} ± {F(cv.StdDev)}", $"{cv.Folds.Count}-fold on the training part");
        AnsiConsole.Write(t);

        var d = new Table().Border(TableBorder.Rounded).Title("Conversion by score decile (1 = top 10%)");
        d.AddColumn("decile").AddColumn(new TableColumn("leads").RightAligned()).AddColumn(new TableColumn("converted").RightAligned())
            .AddColumn(new TableColumn("rate").RightAligned()).AddColumn(new TableColumn("lift").RightAligned())
            .AddColumn(new TableColumn("cum. gain").RightAligned()).AddColumn(new TableColumn("probability").RightAligned());
        foreach (var r in m.Deciles)
            d.AddRow(r.Decile.ToString(CultureInfo.InvariantCulture), r.Leads.ToString("N0", CultureInfo.InvariantCulture), r.Conversions.ToString("N0", CultureInfo.InvariantCulture),
                r.ConversionRate.ToString("P1", CultureInfo.InvariantCulture), r.Lift.ToString("F2", CultureInfo.InvariantCulture),
                r.CumulativeGain.ToString("P0", CultureInfo.InvariantCulture), $"{r.MinProbability:F3}–{r.MaxProbability:F3}");
        AnsiConsole.Write(d);

        if (report.Importance.Count > 0)
        {
            var byContribution = report.ImportanceBasis is { Method: PermutationImportance.Contributions };
            var chart = new BarChart().Label(byContribution
                ? "Feature importance (mean absolute contribution to the log-odds)"
                : "Feature importance (holdout AUC drop when the column is shuffled)").Width(90);
            foreach (var i in report.Importance.Take(12))
                chart.AddItem(Markup.Escape(i.Column), Math.Round(Math.Max(0, byContribution ? i.Contribution : i.AucDrop), 4), Color.SteelBlue);
            AnsiConsole.Write(chart);
            if (report.ImportanceBasis is { } basis) AnsiConsole.MarkupLine($"[grey]Importance: {Markup.Escape(basis.Description)}.[/]");
        }
        if (report.Champion is { } c)
            AnsiConsole.MarkupLine($"Champion {Markup.Escape(c.ChampionVersion)}: {Markup.Escape(c.Decision)}");
    }

    /// <summary>What the probability means and how the snapshots were split, so no one reads it as "ever converts".</summary>
    private static void PrintTime(TimeFacts t)
    {
        AnsiConsole.MarkupLine($"  [bold]probability = converts within {t.HorizonDays} days[/] of the date a lead is scored as of; history exported {t.ExportDate:yyyy-MM-dd HH:mm} UTC ({Markup.Escape(t.ExportDateSource)})");
        AnsiConsole.MarkupLine($"  examples: {t.Examples:N0} point-in-time snapshots of {t.Leads:N0} leads, {t.Positives:N0} converted within {t.HorizonDays} days; " +
                               $"not examples: {t.Censored:N0} censored (horizon past the export date), {t.ConvertedBefore:N0} after the lead's conversion, {t.ClosedBefore:N0} after it was closed as lost");
        if (t.Cutoff is { } cutoff)
            AnsiConsole.MarkupLine($"  time-based holdout: examples from {cutoff:yyyy-MM-dd} on ({t.HoldoutExamples:N0} examples, {t.HoldoutLeads:N0} leads); " +
                                   $"training on examples up to {cutoff.AddDays(-t.GapDays):yyyy-MM-dd} (gap {t.GapDays:0} days ≥ horizon: no label crosses the cut-off; {t.TrainingExamples:N0} examples, {t.TrainingLeads:N0} leads); {t.LeftOut:N0} left out");
    }

    /// <summary>The funnel learned from the stage history, one row per ladder stage.</summary>
    internal static void PrintFunnel(LeadPredict.Rules.LearnedFunnel f)
    {
        var t = new Table().Border(TableBorder.Rounded)
            .Title($"Funnel learned from the stage history (as of {f.AsOf:yyyy-MM-dd}; {f.LeadsWithHistory:N0} of {f.Leads:N0} leads have stage rows)");
        t.AddColumn("stage").AddColumn(new TableColumn("leads").RightAligned()).AddColumn(new TableColumn($"next stage ≤ {f.PromotionHorizonDays} d").RightAligned())
            .AddColumn(new TableColumn("converts").RightAligned()).AddColumn(new TableColumn("days in stage: median (p25–p75)").RightAligned())
            .AddColumn(new TableColumn("stays (open)").RightAligned()).AddColumn(new TableColumn("back").RightAligned()).AddColumn(new TableColumn("lost").RightAligned());
        foreach (var s in f.Stages)
        {
            if (s.Leads == 0 && s.Stays == 0) { t.AddRow(Markup.Escape(s.Stage), "0", "", "", "[grey]no lead entered it[/]", "", "", ""); continue; }
            t.AddRow(Markup.Escape(s.Stage), s.Leads.ToString("N0", CultureInfo.InvariantCulture), P(s.PromotedWithinHorizon), P(s.EventuallyConverted),
                s.MedianDays is { } m ? $"{m:F1} ({D(s.P25Days)}–{D(s.P75Days)})" : "n/a", $"{s.Stays:N0} ({s.OpenStays:N0})", P(s.BackwardShare), P(s.LostShare));
        }
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(char.ToUpperInvariant(f.Method[0]) + f.Method[1..])}.[/]");
        AnsiConsole.MarkupLine($"[grey]Promotion horizon {f.PromotionHorizonDays} days, stalled at {f.StalledFactor.ToString(CultureInfo.InvariantCulture)}x the stage's median stay (rules file: funnel.learned.promotionHorizonDays, stalledFactor).[/]");
        foreach (var u in f.UnknownStages)
            AnsiConsole.MarkupLine($"[yellow]Not on the ladder:[/] '{Markup.Escape(u.Value)}' in {u.Rows:N0} rows ({u.Leads:N0} leads)");
        static string P(double? v) => v is { } x ? x.ToString("P1", CultureInfo.InvariantCulture) : "n/a";
        static string D(double? v) => v is { } x ? x.ToString("F1", CultureInfo.InvariantCulture) : "?";
    }

    private static void PrintRules(LeadPredict.Advice.RulesTrainingExtension rules)
    {
        if (rules.Backtest is { } b)
        {
            var t = new Table().Border(TableBorder.Rounded).Title("ICP backtest on the history (conversion rate when a rule is met vs not)");
            t.AddColumn("rule").AddColumn("condition").AddColumn(new TableColumn("met").RightAligned()).AddColumn(new TableColumn("not met").RightAligned())
                .AddColumn(new TableColumn("lift").RightAligned()).AddColumn("verdict");
            foreach (var r in b.Rules)
                t.AddRow(Markup.Escape(r.Rule + (r.MustHave ? " (must)" : "")), Markup.Escape(r.Condition), Rate(r.Met), Rate(r.NotMet),
                    double.IsPositiveInfinity(r.Lift) ? "∞" : F(r.Lift, 2), r.NoLift ? $"[yellow]{Markup.Escape(r.Verdict)}[/]" : Markup.Escape(r.Verdict));
            AnsiConsole.Write(t);
            AnsiConsole.MarkupLine($"ICP fit on the history: pass {Rate(b.Pass)}, partial {Rate(b.Partial)}, fail {Rate(b.Fail)} (all {Rate(b.All)})");
        }
        if (rules.Gates is { } learned) PrintGates(learned);
        foreach (var g in rules.Thresholds.Gates)
            AnsiConsole.MarkupLine($"Gate into {Markup.Escape(g.Stage)}: at least {g.MinConversionRate:P0} historical conversion → " +
                                   (g.MinProbability is { } p ? $"probability ≥ {p:F3}" : "[yellow]never reached on the holdout (the gate is closed)[/]"));
    }

    /// <summary>Learned gates next to the hand-set ones, and how the leads each way promotes converted (cross-fitted on the holdout), for every rule.</summary>
    internal static void PrintGates(LeadPredict.Rules.LearnedGates gates)
    {
        var t = new Table().Border(TableBorder.Rounded).Title($"Gates: hand-set (rules file) vs learned from the holdout ({gates.Chosen.ToString().ToLowerInvariant()} rule)");
        t.AddColumn("step").AddColumn(new TableColumn("hand-set").RightAligned()).AddColumn(new TableColumn("learned").RightAligned())
            .AddColumn(new TableColumn("next stage converts").RightAligned()).AddColumn(new TableColumn("examples (from / next)").RightAligned())
            .AddColumn(new TableColumn("backtest: hand-set promotes").RightAligned());
        foreach (var r in gates.Rules) t.AddColumn(new TableColumn($"{r.Rule.ToString().ToLowerInvariant()} promotes").RightAligned());
        foreach (var g in gates.Gates)
            t.AddRow([$"{Markup.Escape(g.From)} → {Markup.Escape(g.Stage)}", g.HandSetMinProbability is { } h ? $"≥ {h:F2}" : "evidence only",
                g.MinProbability is { } m ? $"≥ {m:F3}" : "[yellow]never reached[/]", g.NextStageRate.ToString("P1", CultureInfo.InvariantCulture), $"{g.AtFrom:N0} / {g.AtStage:N0}",
                Backtest(g.HandSet), .. g.Rules.Select(r => Backtest(r.Backtest))]);
        t.AddRow(["all steps", "", "", "", "", Backtest(gates.HandSet), .. gates.Rules.Select(r => Backtest(r.Pooled))]);
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine($"Backtest (learned on half the leads, followed on the other half; converted within the horizon; 95% Wilson intervals; x next stage: converted over what the leads already at the next stage would have): learned gates promote {Backtest(gates.Learned)}; hand-set gates promote {Backtest(gates.HandSet)}.");
        foreach (var r in gates.Rules)
            AnsiConsole.MarkupLine($"[grey]{r.Rule.ToString().ToLowerInvariant()}{(r.Rule == gates.Chosen ? " (the learned gates)" : "")}: {Markup.Escape(r.Text)}.[/]");
        static string Backtest(LeadPredict.Rules.GateBacktest b) =>
            b.Rate is { } r ? $"{b.Promoted:N0}, {b.Converted:N0} ({r.ToString("P1", CultureInfo.InvariantCulture)}, {b.Low!.Value.ToString("P0", CultureInfo.InvariantCulture)}-{b.High!.Value.ToString("P0", CultureInfo.InvariantCulture)}" +
                (b.VersusNextStage is { } v ? $"; {v.ToString("F2", CultureInfo.InvariantCulture)}x next stage)" : ")") : "none";
    }

    private static string Rate(LeadPredict.Rules.ConversionCount r) =>
        r.Leads == 0 ? "no leads" : $"{r.Rate.ToString("P1", CultureInfo.InvariantCulture)} of {r.Leads.ToString("N0", CultureInfo.InvariantCulture)}";

    private static string F(double v, int digits = 4) => double.IsNaN(v) ? "n/a" : v.ToString("F" + digits, CultureInfo.InvariantCulture);
}
