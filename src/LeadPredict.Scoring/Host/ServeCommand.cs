using System.CommandLine;
using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.PredictionLog;
using Microsoft.Extensions.Options;

namespace LeadPredict.Scoring.Host;

/// <summary>Options shared by serve, outcomes and monitor: where the prediction log lives.</summary>
internal static class LogOptions
{
    public static Option<string> Sqlite() => new("--log-db") { Description = "The prediction log's SQLite file.", DefaultValueFactory = _ => "predictions.db" };

    public static Option<string?> Postgres() => new("--postgres")
    {
        Description = "A PostgreSQL connection string for the prediction log instead of SQLite (or set LEADPREDICT_POSTGRES).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("LEADPREDICT_POSTGRES"),
    };

    public static PredictionLogOptions From(string sqlite, string? postgres) =>
        new() { SqlitePath = sqlite, PostgresConnectionString = string.IsNullOrWhiteSpace(postgres) ? null : postgres };
}

/// <summary>`serve`: the scoring API and web page, with hot model swap and the prediction log.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "The model to serve; a replaced file is loaded, checked and swapped in while serving.", DefaultValueFactory = _ => new FileInfo("models/lead-model.zip") };
        var urls = new Option<string>("--urls") { Description = "Where to listen (loopback unless told otherwise).", DefaultValueFactory = _ => ScoringHost.DefaultUrls };
        var sqlite = LogOptions.Sqlite();
        var postgres = LogOptions.Postgres();
        var noLog = new Option<bool>("--no-log") { Description = "Do not record predictions." };
        var icp = new Option<FileInfo?>("--icp") { Description = "Rules file (ICP and funnel gates, see docs/rules.md) for the ICP and stage columns." };
        var timelineConfig = new Option<FileInfo?>("--timeline-config")
        {
            Description = "For a model trained on a timeline: a settings file whose timeline section names the history's tables, read when an upload to /api/v1/score/csv sends only the leads (as score --as-of --config reads them).",
        };
        var command = new Command("serve", "Serve the model over HTTP: POST /api/v1/score, POST /api/v1/score/csv, GET /api/v1/model, /health/ready, /openapi/v1.json and the web page at /. Set LEADPREDICT_API_KEY to require an API key on /api.")
        {
            model, urls, sqlite, postgres, noLog, icp, timelineConfig,
        };
        command.SetAction(CommandRunner.Action((parse, ct) =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["urls"] = parse.GetValue(urls),
                [$"{ScoringHostOptions.Section}:{nameof(ScoringHostOptions.ModelPath)}"] = parse.GetValue(model)!.FullName,
                [$"{ScoringHostOptions.Section}:{nameof(ScoringHostOptions.RulesPath)}"] = parse.GetValue(icp)?.FullName,
                [$"{ScoringHostOptions.Section}:{nameof(ScoringHostOptions.TimelineConfig)}"] = parse.GetValue(timelineConfig)?.FullName,
                [$"{PredictionLogOptions.Section}:{nameof(PredictionLogOptions.Enabled)}"] = parse.GetValue(noLog) ? "false" : "true",
                [$"{PredictionLogOptions.Section}:{nameof(PredictionLogOptions.SqlitePath)}"] = parse.GetValue(sqlite),
                [$"{PredictionLogOptions.Section}:{nameof(PredictionLogOptions.PostgresConnectionString)}"] = parse.GetValue(postgres),
            };
            return Run(settings, ct);
        }));
        return command;
    }

    internal static int Run(IReadOnlyDictionary<string, string?> settings, CancellationToken ct)
    {
        try
        {
            var app = ScoringHost.Build([], settings);
            // Settings and addresses are checked before starting: a failed start is logged with the framework's stack trace.
            app.Services.GetService<IStartupValidator>()?.Validate();
            if (!app.Configuration.GetSection("Kestrel:Endpoints").Exists() && app.Configuration["urls"] is { Length: > 0 } urls)
                ListenAddresses.EnsureFree(urls);
            app.RunAsync(ct).GetAwaiter().GetResult();
            return ExitCodes.Ok;
        }
        catch (OptionsValidationException e)
        {
            throw new LeadPredictException("invalid settings: " + string.Join(" ", e.Failures));
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OptionsValidationException))
        {
            throw new LeadPredictException("invalid settings: " + string.Join(" ", e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(x => x.Failures)));
        }
        catch (IOException e) when (e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new LeadPredictException($"cannot listen on {settings["urls"]}: the address is already in use; choose another with --urls.");
        }
    }
}
