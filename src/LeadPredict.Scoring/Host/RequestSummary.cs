using System.Globalization;
using Microsoft.Extensions.Options;

namespace LeadPredict.Scoring.Host;

/// <summary>
/// Counts the host's answers and scored leads since the last summary, and their latency in buckets (each 25% wider than the
/// last, from 0.1 ms), so percentiles are known to within a quarter without keeping every request. Thread-safe and lock-free.
/// </summary>
public sealed class RequestStats
{
    private const double FirstBucketMs = 0.1, Growth = 1.25;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly long[] _buckets = new long[64];
    private long _requests, _clientErrors, _serverErrors, _leads, _maxTicks;

    public void Record(int status, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _requests);
        if (status >= 500) Interlocked.Increment(ref _serverErrors);
        else if (status >= 400) Interlocked.Increment(ref _clientErrors);
        var ms = elapsed.TotalMilliseconds;
        var bucket = ms <= FirstBucketMs ? 0 : Math.Min(_buckets.Length - 1, 1 + (int)(Math.Log(ms / FirstBucketMs) / LogGrowth));
        Interlocked.Increment(ref _buckets[bucket]);
        var ticks = elapsed.Ticks;
        for (var max = Interlocked.Read(ref _maxTicks); ticks > max; max = Interlocked.Read(ref _maxTicks))
            if (Interlocked.CompareExchange(ref _maxTicks, ticks, max) == max) break;
    }

    public void AddLeads(int count) => Interlocked.Add(ref _leads, count);

    /// <summary>The counts since the last call, which start again from zero.</summary>
    public RequestSummary TakeSummary(TimeSpan period)
    {
        var counts = new long[_buckets.Length];
        for (var i = 0; i < counts.Length; i++) counts[i] = Interlocked.Exchange(ref _buckets[i], 0);
        return new RequestSummary(period, Interlocked.Exchange(ref _requests, 0), Interlocked.Exchange(ref _clientErrors, 0),
            Interlocked.Exchange(ref _serverErrors, 0), Interlocked.Exchange(ref _leads, 0),
            UpperBound(counts, 0.50), UpperBound(counts, 0.99), TimeSpan.FromTicks(Interlocked.Exchange(ref _maxTicks, 0)).TotalMilliseconds);
    }

    /// <summary>The upper edge of the bucket holding the <paramref name="quantile"/>: the latency it is at most.</summary>
    private static double UpperBound(long[] counts, double quantile)
    {
        var total = counts.Sum();
        if (total == 0) return 0;
        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
            if ((seen += counts[i]) >= rank) return FirstBucketMs * Math.Pow(Growth, i);
        return double.PositiveInfinity;
    }
}

public sealed record RequestSummary(TimeSpan Period, long Requests, long ClientErrors, long ServerErrors, long Leads, double P50Ms, double P99Ms, double MaxMs)
{
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        return string.Create(c, $"Last {Period.TotalSeconds:0} s: {Requests:N0} requests ({ClientErrors:N0} refused as bad requests, {ServerErrors:N0} server errors), " +
            $"{Leads:N0} leads scored; latency p50 ≤ {Ms(P50Ms)}, p99 ≤ {Ms(P99Ms)}, max {Ms(MaxMs)}");
        string Ms(double ms) => ms < 10 ? ms.ToString("0.0", c) + " ms" : ms.ToString("N0", c) + " ms";
    }
}

/// <summary>Times every request and counts its answer for <see cref="RequestStats"/>.</summary>
public sealed class RequestStatsMiddleware(RequestDelegate next, RequestStats stats, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var start = time.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            stats.Record(context.Response.StatusCode, time.GetElapsedTime(start));
        }
    }
}

/// <summary>
/// Logs one line per <see cref="ScoringHostOptions.SummaryInterval"/> (Information, category
/// LeadPredict.Scoring.Host.RequestSummaryLogger) when there were requests, and one for the rest as the host stops: the
/// shipped settings log warnings and this summary, not a line per request.
/// </summary>
public sealed class RequestSummaryLogger(RequestStats stats, IOptions<ScoringHostOptions> options, ILogger<RequestSummaryLogger> log, TimeProvider time)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SummaryInterval;
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval, time);
        var last = time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) Write();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        Write(); // what happened since the last line, as the host stops

        void Write()
        {
            var now = time.GetTimestamp();
            var summary = stats.TakeSummary(time.GetElapsedTime(last, now));
            last = now;
            // A request's leads are counted by its handler before the request itself is, so a line may hold only leads.
            if (summary.Requests == 0 && summary.Leads == 0) return;
            if (summary.ServerErrors > 0) log.LogWarning("{Summary}", summary.ToString());
            else log.LogInformation("{Summary}", summary.ToString());
        }
    }
}
