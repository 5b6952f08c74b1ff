using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace LeadPredict.Scoring.Host;

/// <summary>
/// Bounds the memory big CSV uploads take. Ranking holds every lead's finished line until all are sorted (about 0.6 KB a lead
/// with reasons), so at most <see cref="ScoringHostOptions.MaxConcurrentLargeUploads"/> uploads of
/// <see cref="ScoringHostOptions.LargeUploadBytes"/> or more (or of unknown length) are scored at once; up to
/// <see cref="ScoringHostOptions.LargeUploadQueue"/> more wait their turn without their bodies being read, and any beyond get
/// 429 with Retry-After. Smaller uploads are never held up. When the last large upload in flight has been answered, the memory
/// it used is handed back to the operating system, so the host does not stay at its peak.
/// </summary>
internal static class LargeUploads
{
    public const string Policy = "large-uploads";
    public const int RetryAfterSeconds = 10;

    private static int _inFlight;

    public static IServiceCollection AddLargeUploadLimit(this IServiceCollection services, ScoringHostOptions host) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (rejected, _) =>
            {
                var response = rejected.HttpContext.Response;
                response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new ValueTask(TypedResults.Problem(
                    title: "Too many large uploads at once",
                    detail: $"{host.MaxConcurrentLargeUploads} large upload(s) are being ranked and {host.LargeUploadQueue} more are waiting; " +
                        $"send the file again in {RetryAfterSeconds} seconds.",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(rejected.HttpContext));
            };
            o.AddPolicy(Policy, context => IsLarge(context.Request, host.LargeUploadBytes)
                ? RateLimitPartition.GetConcurrencyLimiter("large", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = host.MaxConcurrentLargeUploads,
                    QueueLimit = host.LargeUploadQueue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                })
                : RateLimitPartition.GetNoLimiter("small"));
        });

    public static bool IsLarge(HttpRequest request, long threshold) => request.ContentLength is not { } length || length >= threshold;

    /// <summary>An endpoint filter for the upload endpoint: counts large uploads in flight and returns memory after the last.</summary>
    public static async ValueTask<object?> ReturnMemoryAfterwardsAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var threshold = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ScoringHostOptions>>().Value.LargeUploadBytes;
        if (!IsLarge(context.Request, threshold)) return await next(invocation);
        Interlocked.Increment(ref _inFlight);
        context.Response.OnCompleted(() =>
        {
            // The answer has been sent (the ranked file streamed from disk): a compacting full collection gives the freed
            // heap back to the OS. It runs off the request's thread, and only when no other large upload is being ranked.
            if (Interlocked.Decrement(ref _inFlight) == 0)
                ThreadPool.UnsafeQueueUserWorkItem(_ => { if (Volatile.Read(ref _inFlight) == 0) GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true); }, null);
            return Task.CompletedTask;
        });
        return await next(invocation);
    }
}
