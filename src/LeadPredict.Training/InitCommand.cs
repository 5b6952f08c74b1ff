using System.CommandLine;
using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Training;
using Spectre.Console;

namespace LeadPredict.Training;

/// <summary>`init`: draft a dataset configuration from the data for the analyst to review.</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var data = new Option<FileInfo>("--data", "-d") { Description = "The lead history (CSV export).", Required = true };
        var label = new Option<string>("--label") { Description = "The outcome column (converted or not).", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the draft configuration.", DefaultValueFactory = _ => new FileInfo("leadpredict.json") };
        var separator = new Option<string?>("--separator") { Description = "Field separator (detected when absent)." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing configuration file." };
        var command = new Command("init", "Infer a draft configuration (column kinds, id column, positive label, likely leaks) from a CRM export.")
        {
            data, label, output, separator, force,
        };
        command.SetAction(CommandRunner.Action((parse, ct) =>
        {
            var outFile = parse.GetValue(output)!;
            OutputGuard.Check([new("--output", outFile.FullName)], [new("--data", parse.GetValue(data)!.FullName)], refuseZip: true);
            if (outFile.Exists && !parse.GetValue(force))
                throw new LeadPredictException($"{outFile.Name} already exists; pass --force to overwrite it.");
            var draft = Draft(parse.GetValue(data)!.FullName, parse.GetValue(label)!, parse.GetValue(separator), out var resolved, out var suspects);
            AtomicFile.WriteText(outFile.FullName, draft.ToJson() + "\n");
            PrintProfile(resolved, suspects);
            AnsiConsole.MarkupLine($"[green]Wrote {Markup.Escape(outFile.FullName)}[/]. Review it (kinds, id, excluded columns), then: " +
                                   $"[bold]train --data {Markup.Escape(parse.GetValue(data)!.Name)} --config {Markup.Escape(outFile.Name)}[/]");
            return ExitCodes.Ok;
        }));
        return command;
    }

    internal static TrainingConfig Draft(string dataPath, string label, string? separator, out ResolvedDataset resolved, out IReadOnlyList<LeakSuspect> suspects)
    {
        var seedConfig = new TrainingConfig { Label = label, Separator = separator };
        var table = LeadTable.Load(dataPath, seedConfig.SeparatorChar, seedConfig.MissingTokens);
        resolved = SchemaResolver.Resolve(seedConfig, table);
        suspects = LeakGuard.Find(table, resolved, seed: 42);
        var schema = resolved.Schema;
        var created = resolved.Profiles.Where(p => p.Kind == ColumnKind.Date)
            .FirstOrDefault(p => SchemaInference.Words(p.Name).Any(w => w is "created" or "date" or "createdate" or "created_at"))?.Name;
        var leaks = suspects.Select(s => s.Column).ToArray();
        return seedConfig with
        {
            NumberFormat = NumberFormatOf(table, resolved.Profiles),
            // The order of day and month the date columns settled on, written down so it holds for every future export.
            DateFormat = resolved.Profiles.Where(p => p.Kind == ColumnKind.Date && p.Note is null).Select(p => p.DateFormat)
                .Where(f => f is DateFormats.DayFirst or DateFormats.MonthFirst).Distinct().ToArray() is [var order] ? order : null,
            PositiveLabel = schema.PositiveLabel,
            Id = schema.Id,
            Created = created,
            Separator = schema.Separator == '\t' ? "tab" : schema.Separator.ToString(),
            Exclude = leaks,
            Columns = resolved.Profiles.Where(p => !string.Equals(p.Name, schema.Label, StringComparison.OrdinalIgnoreCase))
                .ToDictionary(p => p.Name, p => p.Kind),
        };
    }

    /// <summary>
    /// The numberFormat to write: the one grouped format the numeric columns use when it reads every numeric column (so the
    /// setting documents the file's convention), "auto" when columns differ, and none when every number is plain.
    /// </summary>
    private static string? NumberFormatOf(LeadTable table, IReadOnlyList<ColumnProfile> profiles)
    {
        var numeric = profiles.Where(p => p.Kind == ColumnKind.Numeric).ToArray();
        var grouped = numeric.Select(p => p.Number).Where(f => f != Core.NumberFormat.Plain).Distinct().ToArray();
        if (grouped.Length == 0) return profiles.Any(p => p.Note is not null) ? "auto" : null;
        if (grouped.Length == 1 && numeric.All(p => table.Column(p.Name).All(v => v is null || Values.TryParseNumber(v, grouped[0], out _))))
            return NumberFormats.SettingOf(grouped[0]);
        return "auto";
    }

    private static void PrintProfile(ResolvedDataset resolved, IReadOnlyList<LeakSuspect> suspects)
    {
        var rows = resolved.Labels.Length + resolved.MissingLabels;
        var positives = resolved.Labels.Count(b => b);
        AnsiConsole.MarkupLine($"{rows:N0} rows; label [bold]{Markup.Escape(resolved.Schema.Label)}[/]: " +
                               $"{positives:N0} converted ('{Markup.Escape(resolved.Schema.PositiveLabel)}', {(double)positives / Math.Max(1, resolved.Labels.Length):P1}), " +
                               $"{resolved.Labels.Length - positives:N0} not" + (resolved.MissingLabels > 0 ? $", {resolved.MissingLabels:N0} missing" : ""));
        var t = new Table().Border(TableBorder.Rounded);
        t.AddColumn("column").AddColumn("kind").AddColumn(new TableColumn("missing").RightAligned()).AddColumn(new TableColumn("distinct").RightAligned()).AddColumn("why").AddColumn("note");
        foreach (var p in resolved.Profiles)
        {
            var leak = suspects.FirstOrDefault(s => s.Column == p.Name);
            var note = leak is not null ? $"[yellow]likely leak (AUC {leak.SingleColumnAuc:F2}): excluded[/]"
                : p.Name == resolved.Schema.Label ? "label" : p.Name == resolved.Schema.Id ? "id"
                : p.Note is not null ? "[yellow]see the warning below[/]" : "";
            t.AddRow(Markup.Escape(p.Name), p.Kind.ToString(), p.MissingShare(rows).ToString("P0"), p.Distinct.ToString("N0"), Markup.Escape(p.Reason), note);
        }
        AnsiConsole.Write(t);
        foreach (var warning in resolved.Warnings) CommandRunner.Warning(warning);
    }
}
