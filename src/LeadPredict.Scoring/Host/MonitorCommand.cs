using System.CommandLine;
using System.Globalization;
using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.PredictionLog;
using Spectre.Console;

namespace LeadPredict.Scoring.Host;

/// <summary>`monitor`: predicted against actual conversion per model version, and drift of scores and features (PSI).</summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo?>("--model", "-m") { Description = "The served model: its training holdout scores are the reference for score drift." };
        var days = new Option<int>("--days") { Description = "Look at predictions from the last N days.", DefaultValueFactory = _ => 90 };
        var recent = new Option<int>("--recent-days") { Description = "Score drift compares the last N days' scores with training.", DefaultValueFactory = _ => 1 };
        var current = new Option<FileInfo?>("--current") { Description = "Today's lead list (CSV): feature drift against the training data." };
        var reference = new Option<FileInfo?>("--reference") { Description = "The training data (CSV) for feature drift (default: the file named in the model card, when it exists)." };
        var sqlite = LogOptions.Sqlite();
        var postgres = LogOptions.Postgres();
        var command = new Command("monitor", "Predicted against actual conversion by decile per model version, and drift of today's scores and features from training (PSI > 0.2 warns).")
        {
            model, days, recent, current, reference, sqlite, postgres,
        };
        command.SetAction(CommandRunner.Action((parse, ct) =>
        {
            var bundle = parse.GetValue(model) is { } m ? ModelBundle.Load(m.FullName) : null;
            var now = TimeProvider.System.GetUtcNow();
            var since = now.AddDays(-parse.GetValue(days));
            var recentSince = now.AddDays(-parse.GetValue(recent));
            var log = LogOptions.From(parse.GetValue(sqlite)!, parse.GetValue(postgres));
            var rows = ReadAsync(log, since, ct).GetAwaiter().GetResult();
            var training = new Dictionary<string, IReadOnlyList<double>>();
            if (bundle is not null) training[bundle.Card.Version] = bundle.Report.HoldoutProbabilities;
            IReadOnlyList<PsiResult>? features = null;
            if (parse.GetValue(current) is { } cur)
            {
                if (bundle is null) throw new LeadPredictException("--current needs --model (the model says which columns are features).");
                var refPath = parse.GetValue(reference)?.FullName ?? bundle.Card.DataFile;
                if (!File.Exists(refPath))
                    throw new LeadPredictException($"the training data {refPath} is not here; pass it with --reference for feature drift.");
                features = FeatureDrift.Compare(bundle.Schema.Features, bundle.Schema.MissingTokens, refPath, cur.FullName);
            }
            Print(DriftMonitor.Build(rows, now, since, recentSince, training, features));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task<IReadOnlyList<PredictionWithOutcome>> ReadAsync(PredictionLogOptions log, DateTimeOffset since, CancellationToken ct)
    {
        await using var store = log.CreateStore();
        try
        {
            await store.InitializeAsync(ct);
            return await store.ReadAsync(since, ct);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException)
        {
            throw new LeadPredictException($"cannot read the prediction log ({store.Kind}): {e.Message}");
        }
    }

    private static string P(double? v) => v is { } d ? d.ToString("P1", CultureInfo.InvariantCulture) : "-";

    internal static void Print(MonitorReport report)
    {
        if (report.Models.Count == 0) AnsiConsole.MarkupLine("[yellow]No predictions in the log for this period.[/]");
        foreach (var m in report.Models)
        {
            AnsiConsole.MarkupLine($"[bold]Model {Markup.Escape(m.ModelVersion)}[/]: {m.Predictions:N0} predictions, {m.WithOutcome:N0} with an outcome; " +
                                   $"mean predicted {P(m.MeanPredicted)}, actual {P(m.ActualRate)}");
            if (m.Deciles.Count > 0)
            {
                var t = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("decile").RightAligned()).AddColumn(new TableColumn("leads").RightAligned())
                    .AddColumn(new TableColumn("predicted").RightAligned()).AddColumn(new TableColumn("actual").RightAligned());
                foreach (var d in m.Deciles)
                    t.AddRow(d.Decile.ToString(CultureInfo.InvariantCulture), d.Leads.ToString("N0", CultureInfo.InvariantCulture), P(d.MeanPredicted), P(d.ActualRate));
                AnsiConsole.Write(t);
            }
            if (m.ScoreDrift is { } s)
                AnsiConsole.MarkupLine($"  score drift since {report.RecentSince:yyyy-MM-dd HH:mm}: PSI {s.Psi:F3} ({s.CurrentCount:N0} recent scores against {s.ReferenceCount:N0} holdout scores){(s.Warning ? " [red]drifted[/]" : "")}");
        }
        if (report.FeatureDrift.Count > 0)
        {
            var t = new Table().Border(TableBorder.Rounded).Title("Feature drift (PSI against the training data)").AddColumn("feature").AddColumn(new TableColumn("PSI").RightAligned()).AddColumn("");
            foreach (var f in report.FeatureDrift)
                t.AddRow(Markup.Escape(f.Name), f.Psi.ToString("F3", CultureInfo.InvariantCulture), f.Warning ? "[red]drifted[/]" : f.Psi > 0.1 ? "[yellow]some shift[/]" : "[green]stable[/]");
            AnsiConsole.Write(t);
        }
        foreach (var w in report.Warnings) CommandRunner.Warning(w);
    }
}
