using System.CommandLine;
using System.Diagnostics;
using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.SampleData;
using LeadPredict.SampleData.Crm;
using Spectre.Console;

namespace LeadPredict.Training;

/// <summary>`generate`: realistic synthetic lead history of any size, for demos and benchmarks (one flat file, or with --crm a multi-table CRM history).</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var rows = new Option<int>("--rows", "-n", "--leads") { Description = "Number of leads.", DefaultValueFactory = _ => 10_000 };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the CSV (flat mode)." };
        var seed = new Option<ulong>("--seed") { Description = "Random seed; the same seed gives the same file.", DefaultValueFactory = _ => 7UL };
        var newLeads = new Option<bool>("--new") { Description = "New, unscored leads: no outcome column." };
        var truth = new Option<bool>("--with-truth")
        {
            Description = "Flat: add each lead's true conversion probability as 'true_probability'. "
                          + "--crm: also write truth.csv (open leads' best possible probabilities) and funnel-truth.csv.",
        };
        var firstId = new Option<int>("--first-id") { Description = "Number of the first lead id (L-000001 by default; flat mode)." };
        var start = new Option<DateOnly?>("--start") { Description = "First created date (default 2025-01-01; flat mode)." };
        var days = new Option<int>("--days") { Description = "Days the created dates span (--crm: the days before the export).", DefaultValueFactory = _ => 540 };

        var crm = new Option<bool>("--crm") { Description = "Write a multi-table CRM history (leads, activities, outcomes, stage history) with known truth into --output-dir." };
        var outputDir = new Option<DirectoryInfo>("--output-dir", "-d") { Description = "The folder for the CRM history's files (--crm)." };
        var exportDate = new Option<DateOnly?>("--export-date") { Description = "--crm: the export is taken at 00:00 UTC of this day (default 2026-07-01)." };
        var stageNames = new Option<StageNaming>("--stage-names")
        {
            Description = "--crm: how stage values are spelled: HubSpot (marketingqualifiedlead...), Labels (Marketing Qualified Lead...), Short (mql...).",
            DefaultValueFactory = _ => StageNaming.HubSpot,
        };
        var convertedAt = new Option<bool>("--converted-at") { Description = "--crm: also put the won date on the leads table as 'converted_at'." };
        var horizons = new Option<string[]>("--horizons")
        {
            Description = "--crm: horizons in days of truth.csv's probabilities (default 30,60,90).",
            AllowMultipleArgumentsPerToken = true,
        };
        var stageHorizon = new Option<int>("--stage-horizon") { Description = "--crm: days within which funnel-truth.csv counts a promotion.", DefaultValueFactory = _ => 30 };

        var command = new Command("generate",
            "Write synthetic B2B lead history for demos and benchmarks: one flat file (firmographics, engagement, stage, outcome), "
            + "or with --crm a CRM export's tables with their known truth (docs/sample-data.md).")
        {
            rows, output, seed, newLeads, truth, firstId, start, days, crm, outputDir, exportDate, stageNames, convertedAt, horizons, stageHorizon,
        };
        command.SetAction(CommandRunner.Action((parse, ct) =>
        {
            if (parse.GetValue(crm))
            {
                if (parse.GetValue(output) is not null || parse.GetValue(newLeads) || Given(parse, firstId) || parse.GetValue(start) is not null)
                    throw new LeadPredictException("--output, --new, --first-id and --start are for the flat file; with --crm give --output-dir (and --export-date, --days).");
                var dir = parse.GetValue(outputDir) ?? throw new LeadPredictException("--crm needs --output-dir: the folder to write the CRM history's files into.");
                var crmOptions = new CrmOptions
                {
                    Leads = parse.GetValue(rows),
                    Seed = parse.GetValue(seed),
                    Days = parse.GetValue(days),
                    ExportDate = parse.GetValue(exportDate) ?? new CrmOptions().ExportDate,
                    StageNames = parse.GetValue(stageNames),
                    ConvertedAtColumn = parse.GetValue(convertedAt),
                    WithTruth = parse.GetValue(truth),
                    TruthHorizons = Horizons(CommandRunner.SplitList(parse.GetValue(horizons))) ?? new CrmOptions().TruthHorizons,
                    StageHorizonDays = parse.GetValue(stageHorizon),
                };
                return GenerateCrm(crmOptions, dir.FullName, ct);
            }
            if (parse.GetValue(outputDir) is not null || parse.GetValue(exportDate) is not null || parse.GetValue(convertedAt)
                || Given(parse, stageNames) || Given(parse, horizons) || Given(parse, stageHorizon))
                throw new LeadPredictException("--output-dir, --export-date, --stage-names, --converted-at, --horizons and --stage-horizon need --crm.");
            var file = parse.GetValue(output) ?? throw new LeadPredictException("generate needs --output (the CSV to write), or --crm with --output-dir.");
            var options = new GeneratorOptions
            {
                Rows = parse.GetValue(rows),
                Seed = parse.GetValue(seed),
                IncludeOutcome = !parse.GetValue(newLeads),
                IncludeTrueProbability = parse.GetValue(truth),
                FirstId = Given(parse, firstId) ? parse.GetValue(firstId) : 1,
                Start = parse.GetValue(start) ?? new DateOnly(2025, 1, 1),
                Days = parse.GetValue(days),
            };
            try { options.Validate(); }
            catch (ArgumentException e) { throw new LeadPredictException(e.Message); }
            var sw = Stopwatch.StartNew();
            LeadGenerator.WriteCsv(file.FullName, options);
            AnsiConsole.MarkupLine($"[green]Wrote {options.Rows:N0} leads to {Markup.Escape(file.FullName)}[/] [grey]({sw.Elapsed.TotalSeconds:F1} s)[/]");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Whether the user typed the option (an option with a default has a result even when absent).</summary>
    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    private static int[]? Horizons(IReadOnlyList<string> values)
    {
        if (values.Count == 0) return null;
        return values.Select(v => int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var h)
            ? h
            : throw new LeadPredictException($"--horizons: '{v}' is not a whole number of days; give e.g. --horizons 30,60,90.")).ToArray();
    }

    private static int GenerateCrm(CrmOptions options, string directory, CancellationToken ct)
    {
        try { options.Validate(); }
        catch (ArgumentException e) { throw new LeadPredictException(e.Message); }
        CrmWriteSummary summary;
        using (var steps = new StepPrinter())
        {
            steps.Step("Generating the CRM history", $"{options.Leads:N0} leads");
            summary = new CrmHistory(options).Write(directory,
                new Progress<long>(n => steps.Step("Generating the CRM history", $"{n:N0} of {options.Leads:N0} leads")), ct);
            steps.Step("Generating the CRM history", $"{options.Leads:N0} leads");
            steps.Complete();
        }
        var t = new Table().Border(TableBorder.Rounded).Title($"CRM history as of {options.ExportAt:yyyy-MM-dd HH:mm} UTC (the export)");
        t.AddColumn("file").AddColumn(new TableColumn("rows").RightAligned()).AddColumn("holds");
        t.AddRow(CrmSchema.LeadsFile, $"{summary.Leads:N0}", "firmographics, created_at" + (options.ConvertedAtColumn ? ", converted_at" : ""));
        t.AddRow(CrmSchema.ActivitiesFile, $"{summary.Activities:N0}", $"{summary.Activities / (double)summary.Leads:F1} per lead; types incl. post-conversion bait");
        t.AddRow(CrmSchema.OutcomesFile, $"{summary.Outcomes:N0}", $"{summary.Won:N0} won, {summary.Lost:N0} lost before the export");
        t.AddRow(CrmSchema.StageHistoryFile, $"{summary.StageRows:N0}", $"stage values spelled {options.StageNames}");
        if (options.WithTruth)
        {
            t.AddRow(CrmSchema.TruthFile, $"{summary.Open:N0}", "open leads: best possible P(convert within " + string.Join("/", options.TruthHorizons) + " days)");
            t.AddRow(CrmSchema.FunnelTruthFile, $"{summary.Funnel.Expected.Count}", $"per stage: true promotion within {options.StageHorizonDays} days, conversion, days in stage");
        }
        t.AddRow(CrmSchema.ManifestFile, "", "the options that regenerate it");
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine($"[green]Wrote a CRM history of {summary.Leads:N0} leads ({summary.Open:N0} open at the export) to {Markup.Escape(directory)}[/]");
        return ExitCodes.Ok;
    }
}
