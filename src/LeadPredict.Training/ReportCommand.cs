using System.CommandLine;
using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.Reports;
using Spectre.Console;

namespace LeadPredict.Training;

/// <summary>`report`: regenerate the HTML training report of a saved model.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "The model file.", DefaultValueFactory = _ => new FileInfo("models/lead-model.zip") };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Where to write the HTML (default: beside the model, <model>.report.html)." };
        var command = new Command("report", "Write the training report of a saved model as one self-contained HTML page (charts work offline).")
        {
            model, output,
        };
        command.SetAction(CommandRunner.Action((parse, _) =>
        {
            var modelPath = parse.GetValue(model)!.FullName;
            var target = parse.GetValue(output)?.FullName ?? TrainingReportWriter.PathFor(modelPath);
            OutputGuard.Check([new("--output", target)], [new("--model", modelPath)], refuseZip: true);
            var bundle = ModelBundle.Load(modelPath);
            TrainingReportWriter.Write(target, bundle.Report, TrainingExtensions.BacktestOf(bundle.Report));
            AnsiConsole.MarkupLine($"[green]Wrote {Markup.Escape(target)}[/] (model {Markup.Escape(bundle.Card.Version)}, {new FileInfo(target).Length / 1024.0 / 1024:F1} MB).");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
