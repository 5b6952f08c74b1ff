using Microsoft.Extensions.Options;

namespace LeadPredict.Scoring.Host;

/// <summary>The "ScoringHost" configuration section: the model, request limits and hot-swap timing.</summary>
public sealed class ScoringHostOptions
{
    public const string Section = "ScoringHost";

    /// <summary>The model file; replaced models (written atomically by training) are picked up while serving.</summary>
    public string ModelPath { get; set; } = "models/lead-model.zip";

    /// <summary>Most leads accepted in one JSON request.</summary>
    public int MaxLeadsPerRequest { get; set; } = 10_000;

    /// <summary>Largest JSON body accepted by /api/v1/score, in bytes.</summary>
    public long MaxJsonBytes { get; set; } = 16L << 20;

    /// <summary>Largest CSV upload accepted by /api/v1/score/csv, in bytes.</summary>
    public long MaxCsvBytes { get; set; } = 64L << 20;

    /// <summary>CSV uploads of at least this many bytes (or of unknown length) count as large: see <see cref="MaxConcurrentLargeUploads"/>.</summary>
    public long LargeUploadBytes { get; set; } = 8L << 20;

    /// <summary>Large uploads ranked at once; each holds its ranked lines in memory until they are sorted (about 0.6 KB a lead).</summary>
    public int MaxConcurrentLargeUploads { get; set; } = 2;

    /// <summary>Large uploads that wait for a turn (their bodies unread); any beyond get 429 with Retry-After.</summary>
    public int LargeUploadQueue { get; set; } = 4;

    /// <summary>Requests with at least this many leads are scored in parallel chunks.</summary>
    public int ParallelThreshold { get; set; } = 64;

    /// <summary>Top reasons each way per lead (0 turns reasons off unless a request asks for them).</summary>
    public int ReasonsEachWay { get; set; } = 3;

    /// <summary>Quiet time after the model file changes before it is loaded (training may still be renaming files).</summary>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How often the model file is checked even without a file-system event (network shares, containers).</summary>
    public TimeSpan ReloadPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Origins allowed to call the API from a browser; empty (the default) keeps CORS closed.</summary>
    public string[] CorsOrigins { get; set; } = [];

    /// <summary>
    /// When set (here or in the LEADPREDICT_API_KEY environment variable), /api requests must send it in the X-Api-Key header.
    /// Prefer the environment variable: a key in a file or on a command line is easier to leak.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Rules file (ICP and funnel gates); without it the default ladder applies and ICP gates are skipped.</summary>
    public string? RulesPath { get; set; }

    /// <summary>
    /// For a model trained on a timeline: a settings file (leadpredict.json) whose timeline section names the history's tables
    /// (activity log, outcomes, stage history; paths relative to the file, or postgres:), read when an upload to
    /// /api/v1/score/csv sends only the leads table, as <c>score --as-of --config</c> reads them. Unset (the default), uploads
    /// must carry the activity log. Clients never name a path on the server.
    /// </summary>
    public string? TimelineConfig { get; set; }

    /// <summary>How often the host logs one summary line (requests, refusals, errors, leads, latency) when it had requests; zero turns it off.</summary>
    public TimeSpan SummaryInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Refuses bad settings at start-up with one precise sentence each.</summary>
public sealed class ScoringHostOptionsValidator : IValidateOptions<ScoringHostOptions>
{
    public ValidateOptionsResult Validate(string? name, ScoringHostOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.ModelPath)) errors.Add("ScoringHost:ModelPath is required (the model file to serve).");
        if (o.MaxLeadsPerRequest is < 1 or > 1_000_000) errors.Add($"ScoringHost:MaxLeadsPerRequest must be between 1 and 1000000 (was {o.MaxLeadsPerRequest}).");
        if (o.MaxJsonBytes < 1024) errors.Add($"ScoringHost:MaxJsonBytes must be at least 1024 (was {o.MaxJsonBytes}).");
        if (o.MaxCsvBytes < 1024) errors.Add($"ScoringHost:MaxCsvBytes must be at least 1024 (was {o.MaxCsvBytes}).");
        if (o.LargeUploadBytes < 0) errors.Add($"ScoringHost:LargeUploadBytes must not be negative (was {o.LargeUploadBytes}).");
        if (o.MaxConcurrentLargeUploads is < 1 or > 64) errors.Add($"ScoringHost:MaxConcurrentLargeUploads must be between 1 and 64 (was {o.MaxConcurrentLargeUploads}).");
        if (o.LargeUploadQueue is < 0 or > 1000) errors.Add($"ScoringHost:LargeUploadQueue must be between 0 and 1000 (was {o.LargeUploadQueue}).");
        if (o.ParallelThreshold < 1) errors.Add($"ScoringHost:ParallelThreshold must be at least 1 (was {o.ParallelThreshold}).");
        if (o.ReasonsEachWay is < 0 or > 20) errors.Add($"ScoringHost:ReasonsEachWay must be between 0 and 20 (was {o.ReasonsEachWay}).");
        if (o.ReloadDebounce < TimeSpan.Zero) errors.Add("ScoringHost:ReloadDebounce must not be negative.");
        if (o.ReloadPollInterval < TimeSpan.FromMilliseconds(50)) errors.Add($"ScoringHost:ReloadPollInterval must be at least 50 ms (was {o.ReloadPollInterval}).");
        if (o.SummaryInterval != TimeSpan.Zero && o.SummaryInterval < TimeSpan.FromMilliseconds(100))
            errors.Add($"ScoringHost:SummaryInterval must be at least 100 ms, or 0 to turn the summary off (was {o.SummaryInterval}).");
        if (ApiKeyMiddleware.ConfiguredKey(o) is { Length: < 16 }) errors.Add("the API key (ScoringHost:ApiKey or LEADPREDICT_API_KEY) must be at least 16 characters when set.");
        if (o.RulesPath is { Length: > 0 } rules && !File.Exists(rules)) errors.Add($"ScoringHost:RulesPath '{rules}' does not exist.");
        if (o.TimelineConfig is { Length: > 0 } timeline && !File.Exists(timeline)) errors.Add($"ScoringHost:TimelineConfig '{timeline}' does not exist.");
        foreach (var origin in o.CorsOrigins)
            if (!Uri.TryCreate(origin, UriKind.Absolute, out _)) errors.Add($"ScoringHost:CorsOrigins has '{origin}', which is not an absolute URL.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
