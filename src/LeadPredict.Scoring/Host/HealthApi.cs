using LeadPredict.PredictionLog;

namespace LeadPredict.Scoring.Host;

public sealed record ServedModel(string Version, DateTimeOffset LoadedAt, string File);

public sealed record HealthReport(string Status, ServedModel? Model, long ModelLoadFailures, string? LastModelLoadError, PredictionLogStatus? PredictionLog);

/// <summary>Liveness (the process answers) and readiness (a model is loaded); the prediction log's losses show here too.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health");
        health.MapGet("/live", (ModelHolder holder, IServiceProvider services) => TypedResults.Ok(Report(holder, services, "live")))
            .WithSummary("200 while the process is up");
        health.MapGet("/ready", (ModelHolder holder, IServiceProvider services) =>
            {
                var report = Report(holder, services, null);
                return TypedResults.Json(report, statusCode: report.Model is null ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
            })
            .WithSummary("200 once a model is loaded (status 'degraded' when the prediction log is failing, has lost records or found its file deleted or replaced), 503 before");
        return app;
    }

    private static HealthReport Report(ModelHolder holder, IServiceProvider services, string? status)
    {
        var m = holder.Current;
        var log = services.GetService<PredictionLogWriter>()?.Status;
        status ??= m is null ? "not ready" : log is { DatabaseReachable: false } or { Lost: > 0 } or { DatabaseIncidents: > 0 } ? "degraded" : "ready";
        return new HealthReport(status, m is null ? null : new ServedModel(m.Version, m.LoadedAt, Path.GetFileName(m.Path)),
            holder.FailedLoads, holder.LastLoadError, log);
    }
}
