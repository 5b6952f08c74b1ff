using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LeadPredict.Advice;
using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;
using LeadPredict.ML.Timing;
using LeadPredict.Rules;
using LeadPredict.Sources;
using Spectre.Console;

namespace LeadPredict.Scoring;

/// <summary>`score`: rank a file of new leads and write the ranked CSV.</summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "The trained model.", DefaultValueFactory = _ => new FileInfo("models/lead-model.zip") };
        var input = new Option<string?>("--input", "-i") { Description = "New leads in the history's format (the outcome column may be absent): a CSV export, Parquet (a file, a folder or a glob) or postgres:TABLE." };
        var query = new Option<string?>("--query") { Description = $"Read the leads from PostgreSQL with this SELECT instead of --input (connection string from {Sources.SourceSettings.PostgresVariable} or the settings file)." };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Where to write the ranked leads: a CSV file, or Parquet when the name ends in .parquet." };
        var outputTable = new Option<string?>("--output-table") { Description = "Also (or only) write the scores to a table: TABLE or postgres:SCHEMA.TABLE (PostgreSQL), sqlite:PATH[:TABLE] (SQLite); see docs/operations.md." };
        var top = new Option<int>("--top") { Description = "How many of the best leads to print.", DefaultValueFactory = _ => 10 };
        var noReasons = new Option<bool>("--no-reasons") { Description = "Skip the per-lead reasons (faster)." };
        var icp = new Option<FileInfo?>("--icp") { Description = "Rules file (ICP and funnel gates, see docs/rules.md); without it the default ladder applies and ICP gates are skipped." };
        var asOf = new Option<string?>("--as-of") { Description = "With a model trained on a timeline: rank the leads open as of this date (ISO 8601, UTC unless it has an offset); default: the export's latest timestamp." };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "With a model trained on a timeline: the configuration naming the activity log and outcome tables (paths relative to it); default: the model's, relative to --input's folder." };
        var command = new Command("score", "Rank new leads: probability, score 0-100, grade A-D and the reasons, best first, written to a CSV or Parquet file and/or a scores table. With a model trained on a timeline, --input is the leads table and the open leads are ranked as of a date.")
        {
            model, input, query, output, outputTable, top, noReasons, icp, asOf, config,
        };
        command.SetAction(CommandRunner.Action((parse, ct) =>
        {
            DateTime? asOfTime = null;
            if (parse.GetValue(asOf) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                    throw new LeadPredictException($"--as-of '{text}' is not a date; use ISO 8601, e.g. 2026-07-01 or 2026-07-01T09:00:00+02:00.");
                asOfTime = parsed.UtcDateTime;
            }
            var settings = SourceSettings.From(CommandSettings.Current.Find("source", "postgres"));
            var source = LeadSource.Parse(parse.GetValue(input), parse.GetValue(query), "--input", settings);
            var table = parse.GetValue(outputTable) is { } spec ? ScoreTableTarget.Parse(spec, settings) : null;
            var request = new ScoreRequest(parse.GetValue(model)!.FullName, (source as CsvFileSource)?.Path ?? "", parse.GetValue(output)?.FullName,
                parse.GetValue(top), !parse.GetValue(noReasons), parse.GetValue(icp)?.FullName)
            {
                Source = source,
                OutputTable = table,
                AsOf = asOfTime,
                ConfigPath = parse.GetValue(config)?.FullName,
            };
            return Run(request, ct);
        }));
        return command;
    }

    internal sealed record ScoreRequest(string ModelPath, string InputPath, string? OutputPath, int Top, bool Reasons, string? RulesPath = null)
    {
        /// <summary>Where the leads come from when it is not the CSV file <see cref="InputPath"/>.</summary>
        public LeadSource? Source { get; init; }
        /// <summary>The scores table written in one transaction, besides (or instead of) <see cref="OutputPath"/>.</summary>
        public ScoreTableTarget? OutputTable { get; init; }
        /// <summary>For a model trained on a timeline: the time the open leads are ranked as of (default: the export date).</summary>
        public DateTime? AsOf { get; init; }
        /// <summary>For a model trained on a timeline: the configuration naming its tables.</summary>
        public string? ConfigPath { get; init; }
    }

    internal static int Run(ScoreRequest request, CancellationToken ct)
    {
        var source = request.Source ?? new CsvFileSource(request.InputPath);
        if (request.OutputPath is null && request.OutputTable is null)
            throw new LeadPredictException("say where the scores go: --output FILE (CSV, or Parquet when it ends in .parquet), --output-table TABLE, or both.");
        OutputGuard.Check(request.OutputPath is null ? [] : [new("--output", request.OutputPath)],
            [.. source.Files.Select(f => new FileRole("--input", f)), new("--model", request.ModelPath), request.RulesPath is null ? null : new("--icp", request.RulesPath),
                request.ConfigPath is null ? null : new("--config", request.ConfigPath)], refuseZip: true);
        BatchSummary summary;
        string? priorWarning;
        var sw = Stopwatch.StartNew();
        if (request.OutputPath is not null) AtomicFile.RemoveStaleTemporaries(request.OutputPath); // a killed run's (lead data, up to the size of the output)
        long? tableRows = null;
        ModelBundle bundle;
        FunnelAnnotator funnel;
        AsOfScoring.Prepared? asOf = null;
        try
        {
            using (var steps = new StepPrinter())
            {
                steps.Step("Loading model");
                bundle = ModelBundle.Load(request.ModelPath);
                var timeline = LeadPredict.Timeline.TimelineModel.From(bundle.Report.Extensions);
                if (timeline is null && (request.AsOf is not null || request.ConfigPath is not null))
                    throw new LeadPredictException($"--as-of and --config need a model trained on a timeline (activity log and conversion dates); {Path.GetFileName(request.ModelPath)} was trained on a flat lead file.");
                var scorer = ScoringExtensions.Scorer(bundle, request.RulesPath);
                priorWarning = ScoringExtensions.PriorWarning(scorer);
                funnel = new FunnelAnnotator(bundle, request.RulesPath);
                if (source is not CsvFileSource) steps.Step($"Reading {source.Name}");
                using var staged = source.Stage(new Progress<long>(n => steps.Step($"Reading {source.Name}", $"{n:N0} rows")), ct);
                var leads = staged.Path;
                if (timeline is not null)
                {
                    steps.Step("Reading the history");
                    asOf = AsOfScoring.Prepare(bundle, timeline, staged.Path, request.ConfigPath, request.AsOf,
                        new Progress<string>(s => steps.Step("Reading the history", s)), ct);
                    foreach (var w in asOf.Load.Warnings) steps.Line($"[yellow]warning:[/] {Markup.Escape(w.ToString())}");
                    steps.Step("Reading the history", $"{asOf.OpenLeads:N0} leads open as of {asOf.AsOf:yyyy-MM-dd HH:mm:ss} UTC");
                    leads = asOf.ExamplesPath;
                }
                using var ranked = RankedOutput.For(request.OutputPath);
                ScoreTableWriter? table = null;
                try
                {
                    if (request.OutputTable is { } target)
                    {
                        steps.Step($"Opening {target.Name}");
                        table = ScoreTableWriter.Begin(target, new ScoreRun(bundle.Card.Version, ScoreRun.Sha256Of(staged.Path), TimeProvider.System.GetUtcNow(),
                            asOf is null ? null : new DateTimeOffset(asOf.AsOf, TimeSpan.Zero)), ct);
                    }
                    steps.Step("Scoring leads", $"model {bundle.Card.Version}");
                    IScoreAnnotator[] annotators = TimeToConvertAnnotator.For(bundle) is { } timing ? [timing, funnel] : [funnel];
                    summary = new BatchScorer(scorer, annotators).ScoreFile(leads, ranked.CsvPath,
                        new BatchScoringOptions { Reasons = request.Reasons, TopRows = Math.Max(request.Top, ShortlistPool), Sink = ScoredLeadSinks.Of(table, ranked.Sink) },
                        new Progress<long>(n => steps.Step("Scoring leads", $"{n:N0} leads")), ct);
                    ranked.Finish();
                    // The table first, then the file: a failed commit leaves neither (the file is still a private temporary).
                    if (table is not null)
                    {
                        steps.Step($"Committing to {request.OutputTable!.Name}");
                        tableRows = table.Commit();
                    }
                    ranked.Publish();
                }
                catch (Exception e) { throw staged.Relocate(e); }
                finally { table?.Dispose(); }
                steps.Step("Scoring leads", $"{summary.Leads:N0} leads");
                steps.Complete();
            }
        }
        finally
        {
            asOf?.Dispose();
        }
        if (asOf is not null)
            AnsiConsole.MarkupLine($"[bold]As of {asOf.AsOf:yyyy-MM-dd HH:mm:ss} UTC[/] ({Markup.Escape(asOf.AsOfSource)}): probability = [bold]converts within {asOf.Model.HorizonDays} days of {asOf.AsOf:yyyy-MM-dd}[/]; {asOf.OpenLeads:N0} open leads.");
        if (priorWarning is not null) CommandRunner.Warning(priorWarning);
        foreach (var w in summary.Warnings) CommandRunner.Warning(w);
        Print(summary, bundle, funnel, request.Top,
            asOf is null ? null : $"open as of {asOf.AsOf:yyyy-MM-dd}; probability of converting within {asOf.Model.HorizonDays} days");
        var into = new List<string>();
        if (request.OutputPath is not null) into.Add(request.OutputPath);
        if (tableRows is not null) into.Add($"{request.OutputTable!.Name} ({tableRows:N0} rows; latest per lead in {request.OutputTable.LatestView})");
        AnsiConsole.MarkupLine($"[green]Ranked {summary.Leads:N0} leads into {Markup.Escape(string.Join(" and ", into))}[/] [grey]({sw.Elapsed.TotalSeconds:F1} s)[/]");
        return ExitCodes.Ok;
    }

    // The best-ranked leads searched for the "promote next" and "hidden gems" shortlists.
    private const int ShortlistPool = 200;

    private static void Print(BatchSummary summary, ModelBundle bundle, FunnelAnnotator funnel, int top, string? meaning = null)
    {
        var shown = summary.Top.Take(top).ToArray();
        if (shown.Length > 0)
        {
            var t = new Table().Border(TableBorder.Rounded).Title($"Top {shown.Length} of {summary.Leads:N0} leads{(meaning is null ? "" : $" ({meaning})")}");
            t.AddColumn(new TableColumn("#").RightAligned()).AddColumn(Markup.Escape(summary.Layout.IdHeader))
                .AddColumn(new TableColumn("probability").RightAligned()).AddColumn("grade");
            // A timeline model's P(within d days) below the horizon (the horizon's is the probability).
            int[] within = shown[0].Annotation<ConversionWithin>() is { } w ? w.Days.Take(w.Days.Count - 1).ToArray() : [];
            foreach (var d in within) t.AddColumn(new TableColumn($"≤ {d} days").RightAligned());
            if (funnel.ChecksIcp) t.AddColumn("ICP");
            t.AddColumn("stage → suggested").AddColumn("action").AddColumn("why (top factors)");
            foreach (var r in shown)
            {
                var advice = r.Annotation<FunnelAnnotation>()!;
                var cells = new List<string>
                {
                    r.Rank.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.Id), Percent(r.Probability, 1), GradeMarkup(r.Grade),
                };
                if (r.Annotation<ConversionWithin>() is { } p) cells.AddRange(p.Probabilities.Take(within.Length).Select(x => Percent(x, 1)));
                if (funnel.ChecksIcp) cells.Add(Markup.Escape(advice.IcpFit));
                var (from, to) = (advice.Stage, advice.SuggestedStage);
                cells.Add(Markup.Escape(to.Length == 0 || to.Equals(from, StringComparison.OrdinalIgnoreCase) ? from : $"{from} → {to}"));
                cells.Add(Markup.Escape(advice.Action));
                cells.Add(Markup.Escape(string.Join(", ", r.Reasons.Where(x => x.Raised).Take(2).Select(x => x.Phrase))));
                t.AddRow(cells.ToArray());
            }
            AnsiConsole.Write(t);
        }
        AnsiConsole.MarkupLine("Grades: " + string.Join("  ", summary.Grades.Select(g => $"{GradeMarkup(g.Key)} {g.Value:N0}")) +
                               $"  [grey](A ≥ {Percent(bundle.Card.Grades.A, 0)}, B ≥ {Percent(bundle.Card.Grades.B, 0)}, C ≥ {Percent(bundle.Card.Grades.C, 0)})[/]");
        Shortlist(summary, "Promote next", a => a.Action == LeadAction.Promote);
        Shortlist(summary, "Hidden gems to review (fail the ICP, top decile)", a => a.Action == LeadAction.Review && a.Review == ReviewReason.HiddenGem);
        foreach (var (title, counts) in summary.Sections)
            AnsiConsole.MarkupLine($"{Markup.Escape(title)}: " + string.Join("  ", counts.Select(c => $"{Markup.Escape(c.Key)} {c.Count:N0}")));
    }

    private static void Shortlist(BatchSummary summary, string title, Func<FunnelAdvice, bool> wanted, int max = 5)
    {
        var rows = summary.Top.Select(r => (Lead: r, Advice: r.Annotation<FunnelAnnotation>()))
            .Where(r => r.Advice is not null && wanted(r.Advice.Advice)).Take(max).ToArray();
        if (rows.Length == 0) return;
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(title)}[/] [grey](best first; all of them in the ranked CSV)[/]");
        foreach (var (r, a) in rows)
        {
            var move = a!.Stage != a.SuggestedStage ? $"{a.Stage} → {a.SuggestedStage}: " : "";
            AnsiConsole.MarkupLine($"  #{r.Rank} {Markup.Escape(r.Id)} {Percent(r.Probability, 0)} {GradeMarkup(r.Grade)}  {Markup.Escape(move + a.Reason)}");
        }
    }

    private static string Percent(double p, int decimals) => (p * 100).ToString("F" + decimals, CultureInfo.InvariantCulture) + "%";

    private static string GradeMarkup(string grade) => grade switch
    {
        "A" => "[bold green]A[/]",
        "B" => "[green]B[/]",
        "C" => "[yellow]C[/]",
        _ => "[grey]D[/]",
    };
}
