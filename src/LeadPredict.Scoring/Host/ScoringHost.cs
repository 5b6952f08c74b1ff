using LeadPredict.PredictionLog;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace LeadPredict.Scoring.Host;

/// <summary>Builds the scoring web host: Kestrel on loopback unless told otherwise, the API, health, OpenAPI and the web page.</summary>
public static class ScoringHost
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>The settings file shipped beside the program: warnings and a periodic summary, no line per request.</summary>
    public const string ShippedSettings = "appsettings.json";

    /// <param name="settings">Configuration overrides (e.g. "ScoringHost:ModelPath", "urls"), applied after appsettings and environment.</param>
    /// <param name="configureServices">Test hooks (e.g. a fake TimeProvider).</param>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        // Always Production: the developer exception page would show stack traces to clients.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, EnvironmentName = Environments.Production });
        // The settings shipped beside the program (logging defaults) come first, so an appsettings.json in the working
        // directory, environment variables (Logging__LogLevel__Default=Information) and the command line override them.
        builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            Path = ShippedSettings, Optional = true, ReloadOnChange = false, FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"])) builder.WebHost.UseUrls(DefaultUrls);

        var hostSection = builder.Configuration.GetSection(ScoringHostOptions.Section);
        var host = hostSection.Get<ScoringHostOptions>() ?? new ScoringHostOptions();
        builder.Services.AddOptions<ScoringHostOptions>().Bind(hostSection).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ScoringHostOptions>, ScoringHostOptionsValidator>();
        builder.Services.AddOptions<PredictionLogOptions>().Bind(builder.Configuration.GetSection(PredictionLogOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // The endpoints enforce their own (smaller) limits with a 400 that names the limit.
            k.Limits.MaxRequestBodySize = Math.Max(host.MaxJsonBytes, host.MaxCsvBytes) + (1 << 20);
        });
        builder.Services.Configure<FormOptions>(f => f.MultipartBodyLengthLimit = host.MaxCsvBytes + (1 << 16));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RequestStats>();
        builder.Services.AddHostedService<RequestSummaryLogger>();
        builder.Services.AddSingleton<ModelHolder>();
        builder.Services.AddHostedService<ModelWatcher>();
        builder.Services.AddSingleton<UploadFolder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<UploadFolder>());
        var log = builder.Configuration.GetSection(PredictionLogOptions.Section).Get<PredictionLogOptions>() ?? new PredictionLogOptions();
        if (log.Enabled)
        {
            builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<PredictionLogOptions>>().Value.CreateStore());
            builder.Services.AddSingleton<PredictionLogWriter>();
            builder.Services.AddSingleton<IPredictionSink>(sp => sp.GetRequiredService<PredictionLogWriter>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<PredictionLogWriter>());
        }
        else builder.Services.AddSingleton<IPredictionSink, NoPredictionLog>();

        builder.Services.AddLargeUploadLimit(host);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.TypeInfoResolverChain.Insert(0, ScoringJsonContext.Default);
            // A model card may hold undefined metrics (the AUC of a one-class holdout): "NaN", as in the model file, not a 500.
            j.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        if (host.CorsOrigins.Length > 0)
            builder.Services.AddCors(c => c.AddDefaultPolicy(p => p.WithOrigins(host.CorsOrigins).WithMethods("GET", "POST").WithHeaders("Content-Type")));
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseMiddleware<RequestStatsMiddleware>();
        app.UseMiddleware<SecurityHeaders>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (host.CorsOrigins.Length > 0) app.UseCors();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseRateLimiter();
        app.MapScoringApi();
        app.MapHealthApi();
        app.MapWebPage();
        app.MapOpenApi();
        return app;
    }
}

/// <summary>The sink used when the prediction log is turned off.</summary>
internal sealed class NoPredictionLog : IPredictionSink
{
    private static readonly Task<LogResult> Off = Task.FromResult(LogResult.Off);

    public ValueTask<Task<LogResult>> QueueAsync(IReadOnlyList<PredictionRecord> records, CancellationToken ct = default) => ValueTask.FromResult(Off);
}
