using System.CommandLine;
using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.PredictionLog;
using Spectre.Console;

namespace LeadPredict.Scoring.Host;

/// <summary>`outcomes`: records what became of scored leads, for the monitor's predicted-against-actual comparison.</summary>
internal static class OutcomesCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input", "-i") { Description = "CSV with a lead id column and an outcome column (yes/no, 1/0, true/false, won/lost).", Required = true };
        var model = new Option<FileInfo?>("--model", "-m") { Description = "Take the id and outcome column names (and the positive label) from this model." };
        var idColumn = new Option<string?>("--id-column") { Description = "The lead id column (default: the model's id, else lead_id)." };
        var outcomeColumn = new Option<string?>("--outcome-column") { Description = "The outcome column (default: the model's label, else converted)." };
        var sqlite = LogOptions.Sqlite();
        var postgres = LogOptions.Postgres();
        var command = new Command("outcomes", "Record later outcomes per lead id in the prediction log.") { input, model, idColumn, outcomeColumn, sqlite, postgres };
        command.SetAction(CommandRunner.Action((parse, ct) =>
        {
            var log = LogOptions.From(parse.GetValue(sqlite)!, parse.GetValue(postgres));
            if (log.PostgresConnectionString is null)
                OutputGuard.Check([new("--log-db", Path.GetFullPath(log.SqlitePath))],
                    [new("--input", parse.GetValue(input)!.FullName), parse.GetValue(model) is { } modelFile ? new("--model", modelFile.FullName) : null], refuseZip: true);
            var bundle = parse.GetValue(model) is { } m ? ModelBundle.Load(m.FullName) : null;
            var id = parse.GetValue(idColumn) ?? bundle?.Schema.Id ?? "lead_id";
            var outcome = parse.GetValue(outcomeColumn) ?? bundle?.Schema.Label ?? "converted";
            var records = OutcomeFile.Read(parse.GetValue(input)!.FullName, id, outcome, bundle?.Schema.PositiveLabel, TimeProvider.System.GetUtcNow());
            RunAsync(log, records, ct).GetAwaiter().GetResult();
            var converted = records.Count(r => r.Converted);
            AnsiConsole.MarkupLine($"[green]Recorded {records.Count:N0} outcomes[/] ({converted:N0} converted) in the {(log.PostgresConnectionString is null ? Markup.Escape(log.SqlitePath) : "PostgreSQL")} prediction log.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task RunAsync(PredictionLogOptions log, IReadOnlyList<OutcomeRecord> records, CancellationToken ct)
    {
        await using var store = log.CreateStore();
        try
        {
            await store.InitializeAsync(ct);
            await store.WriteOutcomesAsync(records, ct);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException)
        {
            throw new LeadPredictException($"cannot write to the prediction log ({store.Kind}): {e.Message}");
        }
    }
}
