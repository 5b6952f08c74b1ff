using System.CommandLine;
using System.Diagnostics;
using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.SampleData;
using Spectre.Console;

namespace LeadPredict.Training;

/// <summary>`generate`: realistic synthetic lead history of any size, for demos and benchmarks.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var rows = new Option<int>("--rows", "-n") { Description = "Number of leads.", DefaultValueFactory = _ => 10_000 };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the CSV.", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Random seed; the same seed gives the same file.", DefaultValueFactory = _ => 7UL };
        var newLeads = new Option<bool>("--new") { Description = "New, unscored leads: no outcome column." };
        var truth = new Option<bool>("--with-truth") { Description = "Add each lead's true conversion probability as 'true_probability'." };
        var firstId = new Option<int>("--first-id") { Description = "Number of the first lead id (L-000001 by default).", DefaultValueFactory = _ => 1 };
        var start = new Option<DateOnly?>("--start") { Description = "First created date (default 2025-01-01)." };
        var days = new Option<int>("--days") { Description = "Days the created dates span.", DefaultValueFactory = _ => 540 };
        var command = new Command("generate", "Write synthetic B2B lead history (firmographics, engagement, stage, outcome) for demos and benchmarks.")
        {
            rows, output, seed, newLeads, truth, firstId, start, days,
        };
        command.SetAction(CommandRunner.Action((parse, ct) =>
        {
            OutputGuard.Check([new("--output", parse.GetValue(output)!.FullName)], [], refuseZip: true);
            var options = new GeneratorOptions
            {
                Rows = parse.GetValue(rows),
                Seed = parse.GetValue(seed),
                IncludeOutcome = !parse.GetValue(newLeads),
                IncludeTrueProbability = parse.GetValue(truth),
                FirstId = parse.GetValue(firstId),
                Start = parse.GetValue(start) ?? new DateOnly(2025, 1, 1),
                Days = parse.GetValue(days),
            };
            try { options.Validate(); }
            catch (ArgumentException e) { throw new LeadPredictException(e.Message); }
            var sw = Stopwatch.StartNew();
            LeadGenerator.WriteCsv(parse.GetValue(output)!.FullName, options);
            AnsiConsole.MarkupLine($"[green]Wrote {options.Rows:N0} leads to {Markup.Escape(parse.GetValue(output)!.FullName)}[/] [grey]({sw.Elapsed.TotalSeconds:F1} s)[/]");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
