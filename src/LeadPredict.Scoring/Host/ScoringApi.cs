using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;
using LeadPredict.PredictionLog;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LeadPredict.Scoring.Host;

public sealed record ReasonDto(string Column, string Value, double Effect, string Text);

/// <summary>
/// One scored lead. <see cref="Annotations"/> holds the configured extra columns as the ranked CSV writes them (ICP fit, failed
/// rules, suggested stage, action, reason; <c>p_30d</c>... for a timeline model); <see cref="Within"/> and <see cref="Progress"/>
/// give the numbers among them typed.
/// </summary>
public sealed record ScoredLeadDto(
    string Id, int Rank, double Probability, int Score, string Grade,
    IReadOnlyDictionary<string, string>? Annotations, IReadOnlyList<ReasonDto> Reasons)
{
    /// <summary>For a model trained on a timeline: P(convert within d days) for each of its days, the last being the probability.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WithinDto>? Within { get; init; }

    /// <summary>The learned funnel's numbers at the lead's stage: odds of reaching the next stage within the horizon, the stage's average, days in stage, the median, stalled.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LeadPredict.Rules.StageProgress? Progress { get; init; }

    /// <summary>In a ranked upload's JSON answer: the lead's values as the uploaded leads table has them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Values { get; init; }
}

/// <summary>P(convert within <see cref="Days"/> days of the as-of time).</summary>
public sealed record WithinDto(int Days, double Probability);

/// <summary>
/// A ranked upload answered as JSON (<c>format=json</c>): the best <see cref="Shown"/> of <see cref="Count"/> leads, best first.
/// For a model trained on a timeline, the time the open leads were ranked as of and what the probability means.
/// </summary>
public sealed record RankedUploadResponse(string Model, int Count, int Shown, IReadOnlyList<ScoredLeadDto> Leads, IReadOnlyList<string> Warnings, string PredictionLog)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Meaning { get; init; }
    /// <summary>The model's days for <see cref="ScoredLeadDto.Within"/> (null for a flat model).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? WithinDays { get; init; }
    /// <summary>Whether the model learned a funnel from a stage history (leads then carry <see cref="ScoredLeadDto.Progress"/> when their stage is known to it).</summary>
    public bool LearnedFunnel { get; init; }
}

/// <summary>
/// The leads in the order they were sent; <c>rank</c> orders them best first. <see cref="PredictionLog"/> is "logged" once
/// every lead is durably in the prediction log, "not-logged" when the log could not take them, "off" when it is turned off.
/// </summary>
public sealed record ScoreResponse(string Model, int Count, IReadOnlyList<ScoredLeadDto> Leads, string PredictionLog)
{
    /// <summary>For a model trained on a timeline: the time the leads were scored as of (UTC).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }
    /// <summary>For a model trained on a timeline: what the probability means ("converting within 90 days of ...").</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Meaning { get; init; }
}

public sealed record ModelInfo(ModelCard Card, DateTimeOffset LoadedAt, string File, IReadOnlyList<string> AnnotationColumns);

public sealed record OutcomeDto(string LeadId, bool Converted);

public sealed record OutcomesResponse(int Recorded);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ScoreResponse))]
[JsonSerializable(typeof(OutcomesResponse))]
[JsonSerializable(typeof(RankedUploadResponse))]
internal sealed partial class ScoringJsonContext : JsonSerializerContext;

/// <summary>The scoring API: score leads as JSON or as a CSV file, the model card, outcomes and the monitor.</summary>
public static class ScoringApi
{
    public static IEndpointRouteBuilder MapScoringApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Scoring");
        api.MapPost("/score", ScoreAsync)
            .WithSummary("Score leads")
            .WithDescription("A JSON array of leads (objects keyed by the export's column names); one lead is an array of one. Returns each lead's probability, score, grade, annotations and top reasons, in the order sent. With a model trained on a timeline, each lead also carries its 'activities' ([{timestamp, type, value}]) and optionally 'stages' ([{stage, enteredAt}]), and the probability is of converting within the model's horizon of 'asOf' (query parameter, default now).")
            .Accepts<List<Dictionary<string, object?>>>("application/json");
        api.MapPost("/score/csv", ScoreCsvAsync)
            .WithSummary("Rank a CSV file")
            .WithDescription("Upload the day's lead list as text/csv (or multipart/form-data with one file); returns the ranked CSV, best lead first " +
                "(format=json: the best 'top' leads as JSON, with P(within d days) and the learned funnel's stage odds typed). With a model trained on a timeline, " +
                "send a multipart form with the leads table as the part 'leads', the activity log as 'activities', and optionally the stage history as 'stages' " +
                "and the outcomes as 'outcomes' (the model's column configuration), or only the leads when the operator set ScoringHost:TimelineConfig; the open " +
                "leads are ranked as of 'asOf' (query or form field; default: the history's latest timestamp), exactly as 'leadpredict-score score --as-of'.")
            .Accepts<string>("text/csv", "multipart/form-data", "application/octet-stream", "text/plain")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .Produces<RankedUploadResponse>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(LargeUploads.Policy)
            .AddEndpointFilter(LargeUploads.ReturnMemoryAfterwardsAsync);
        api.MapGet("/model", GetModel).WithSummary("The model card of the served model");
        api.MapPost("/outcomes", RecordOutcomesAsync).WithSummary("Record what became of leads (converted or not)");
        api.MapGet("/monitor", MonitorAsync).WithSummary("Predicted against actual conversion by decile, and score drift (PSI) per model version");
        return app;
    }

    /// <summary>Says whether the answer's leads are in the prediction log (the log commits them before the answer is sent).</summary>
    public const string LogHeader = "X-Prediction-Log";

    internal static ProblemHttpResult NoModel(ModelHolder holder) => TypedResults.Problem(
        title: "No model is loaded yet",
        detail: holder.LastLoadError is { } e ? $"The model file could not be loaded: {e}" : "The host is waiting for the model file; see /health/ready.",
        statusCode: StatusCodes.Status503ServiceUnavailable);

    internal static ValidationProblem Invalid(string field, string detail) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [detail] }, detail: $"{field}: {detail}", title: "The request is invalid");

    private static async Task<Results<Ok<ScoreResponse>, ValidationProblem, ProblemHttpResult>> ScoreAsync(
        HttpRequest request, ModelHolder holder, IOptions<ScoringHostOptions> options, IPredictionSink sink, TimeProvider time, RequestStats stats,
        bool? reasons, string? asOf, CancellationToken ct)
    {
        var model = holder.Current;
        if (model is null) return NoModel(holder);
        var o = options.Value;
        try
        {
            var body = await Body.ReadAsync(request, o.MaxJsonBytes, ct);
            var leads = LeadRequest.Parse(body, model, o.MaxLeadsPerRequest, o.ParallelThreshold);
            var (header, rows) = (leads.Header, leads.Rows);
            DateTime? at = null;
            if (model.Timeline is { } timeline)
            {
                at = AsOf(asOf, time);
                (header, rows) = timeline.Extend(leads, at.Value);
            }
            var binding = model.Bind(header, "request");
            var each = reasons == false ? 0 : o.ReasonsEachWay;
            var ranked = Rank(model, binding, rows, each, o.ParallelThreshold);
            var now = time.GetUtcNow();
            var records = new PredictionRecord[ranked.Length];
            for (var i = 0; i < ranked.Length; i++)
            {
                var lead = ranked[i];
                records[i] = PredictionRecords.Of(model.Version, now, lead.Id, lead.Probability, lead.Grade, lead.Annotations, leads.Fingerprints[i]);
            }
            var logged = await sink.LogAsync(records, ct);
            request.HttpContext.Response.Headers[LogHeader] = logged.Text();
            stats.AddLeads(ranked.Length);
            return TypedResults.Ok(new ScoreResponse(model.Version, ranked.Length, ranked.Select(l => Dto(l, binding.Layout)).ToArray(), logged.Text())
            {
                AsOf = at,
                Meaning = at is { } t ? model.Timeline!.Model.Meaning(t) : null,
            });
        }
        catch (RequestProblem p) { return Invalid(p.Field, p.Message); }
        catch (InputFileException e) { return Invalid(e.Column is { } c ? $"leads[*].{c}" : "body", e.Problem); }
        catch (LeadPredictException e) { return Invalid("body", e.Message); }
    }

    /// <summary>The <c>asOf</c> query parameter (ISO 8601, UTC unless it has an offset), or now.</summary>
    private static DateTime AsOf(string? text, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(text)) return time.GetUtcNow().UtcDateTime;
        if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var parsed))
            throw new RequestProblem("asOf", $"'{text}' is not a date; use ISO 8601, e.g. 2026-07-01 or 2026-07-01T09:00:00Z.");
        return parsed.UtcDateTime;
    }

    /// <summary>Scores the leads of a request and ranks them (<see cref="RankOrder"/>): in the order sent, each with its rank.</summary>
    private static RankedLead[] Rank(ScoringModel model, ScoringModel.Binding binding, IReadOnlyList<string[]> rows, int each, int parallelThreshold)
    {
        var n = rows.Count;
        var scored = new ScoredLead[n];
        var annotations = new ILeadAnnotation[n][];
        var width = model.Scorer.FeatureColumns.Count;
        // A range of leads at a time: their values, then the trees for all of them at once (LeadScorer.ScoreMany).
        void Range(int from, int to)
        {
            var values = new string?[to - from][];
            for (var i = from; i < to; i++) model.Scorer.Extract(binding.Columns, rows[i], values[i - from] = new string?[width]);
            model.Scorer.ScoreMany(values, scored.AsSpan(from, to - from), each);
            for (var i = from; i < to; i++)
            {
                var lead = annotations[i] = new ILeadAnnotation[binding.Rows.Count];
                for (var a = 0; a < lead.Length; a++) lead[a] = binding.Rows[a].Annotate(rows[i], scored[i].Probability);
            }
        }
        if (n < parallelThreshold) Range(0, n);
        else
        {
            var chunk = Math.Max(64, n / (Environment.ProcessorCount * 4));
            Parallel.ForEach(Partitioner.Create(0, n, chunk), range => Range(range.Item1, range.Item2));
        }
        var order = RankOrder.Descending(scored.Select(s => s.Probability).ToArray());
        var ranks = new int[n];
        for (var k = 0; k < n; k++) ranks[order[k]] = k + 1;
        var ranked = new RankedLead[n];
        for (var i = 0; i < n; i++)
        {
            var s = scored[i];
            var id = binding.Columns.IdIndex >= 0 ? rows[i][binding.Columns.IdIndex] : (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            ranked[i] = new RankedLead(ranks[i], id, s.Probability, s.Score, s.Grade, annotations[i], s.Reasons, rows[i]);
        }
        return ranked;
    }

    private static ScoredLeadDto Dto(RankedLead lead, RankedLayout layout)
    {
        Dictionary<string, string>? annotations = null;
        if (layout.AnnotationHeaders.Count > 0)
        {
            annotations = new Dictionary<string, string>(layout.AnnotationHeaders.Count);
            var k = 0;
            foreach (var cell in lead.Cells) annotations[layout.AnnotationHeaders[k++]] = cell;
        }
        var reasons = new ReasonDto[lead.Reasons.Count];
        for (var k = 0; k < reasons.Length; k++)
        {
            var r = lead.Reasons[k];
            reasons[k] = new ReasonDto(r.Column, r.Value, Math.Round(r.Effect, 6), r.ToString());
        }
        return new ScoredLeadDto(lead.Id, lead.Rank, lead.Probability, lead.Score, lead.Grade, annotations, reasons)
        {
            Within = lead.Annotation<LeadPredict.ML.Timing.ConversionWithin>() is { } w ? w.Days.Select((d, k) => new WithinDto(d, w.Probabilities[k])).ToArray() : null,
            Progress = lead.Annotation<LeadPredict.Advice.FunnelAnnotation>()?.Progress,
        };
    }

    private static async Task<Results<FileStreamHttpResult, Ok<RankedUploadResponse>, ValidationProblem, ProblemHttpResult>> ScoreCsvAsync(
        HttpContext context, ModelHolder holder, IOptions<ScoringHostOptions> options, IPredictionSink sink, TimeProvider time, RequestStats stats,
        UploadFolder uploads, bool? reasons, string? format, string? asOf, int? top, CancellationToken ct)
    {
        var model = holder.Current;
        if (model is null) return NoModel(holder);
        var o = options.Value;
        using var folder = uploads.ForRequest();
        var dir = folder.Path;
        AsOfScoring.Prepared? prepared = null;
        try
        {
            var json = format?.Trim().ToLowerInvariant() switch
            {
                null or "" or "csv" => false,
                "json" => true,
                _ => throw new RequestProblem("format", $"'{format}' is not a format; use csv (the ranked file, the default) or json (the best leads, typed)."),
            };
            if (top is < 1) throw new RequestProblem("top", $"must be at least 1 (was {top}).");
            string input;
            var notes = new List<string>();
            if (model.Timeline is { } timeline)
            {
                var saved = await TimelineUpload.SaveAsync(context.Request, dir, o.MaxCsvBytes, ct);
                DateTime? at = (asOf ?? saved.AsOf) is { Length: > 0 } text ? AsOf(text, time) : null;
                var (dataset, baseDirectory, missing) = TimelineUpload.Configure(timeline.Model, saved, o.TimelineConfig, dir);
                notes.AddRange(missing);
                prepared = await Task.Run(() => AsOfScoring.Prepare(timeline.Model, saved.Files[TimelineUpload.Leads], dataset, baseDirectory, at, dir, null, ct), ct);
                notes.AddRange(prepared.Load.Warnings.Select(w => w.ToString()));
                input = prepared.ExamplesPath;
                context.Response.Headers["X-As-Of"] = prepared.AsOf.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
                context.Response.Headers["X-Probability-Meaning"] = HeaderText.Encode(prepared.Meaning);
            }
            else
            {
                if (asOf is not null) throw new RequestProblem("asOf", "this model was trained on a flat lead file, so it has no as-of time; leave asOf out.");
                input = Path.Combine(dir, "upload.csv");
                await Body.SaveCsvAsync(context.Request, input, o.MaxCsvBytes, ct);
            }
            var output = Path.Combine(dir, "ranked.csv");
            var records = new UploadPredictionRecords(model.Version, time.GetUtcNow());
            var shown = json ? Math.Min(top ?? o.MaxLeadsPerRequest, o.MaxLeadsPerRequest) : 0;
            var summary = await Task.Run(() => new BatchScorer(model.Scorer, model.Annotators).ScoreFile(input, output,
                new BatchScoringOptions { Reasons = reasons != false, TopRows = shown, Sink = records }, null, ct), ct);
            var logged = await records.LogToAsync(sink, ct);
            context.Response.Headers[LogHeader] = logged.Text();
            stats.AddLeads(summary.Leads);
            context.Response.Headers["X-Model-Version"] = model.Version;
            context.Response.Headers["X-Leads-Scored"] = summary.Leads.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var warnings = notes.Concat(summary.Warnings).ToArray();
            if (warnings.Length > 0) context.Response.Headers["X-Scoring-Warnings"] = HeaderText.Encode(string.Join(" ", warnings));
            if (json) return TypedResults.Ok(RankedUpload(model, summary, prepared, warnings, logged.Text()));
            // Streamed from disk, not held in memory (a 58 MB upload ranks into about 280 MB). The file is open before the
            // folder is removed below, and goes when the answer has been sent (DeleteOnClose; on Linux it is unlinked already).
            var ranked = new FileStream(output, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16,
                FileOptions.Asynchronous | FileOptions.SequentialScan | FileOptions.DeleteOnClose);
            return TypedResults.File(ranked, "text/csv; charset=utf-8", "ranked-leads.csv");
        }
        catch (RequestProblem p) { return Invalid(p.Field, p.Message); }
        catch (InputFileException e) { return Invalid(e.Column is { } c ? $"file.{c}" : "file", e.Message); }
        catch (LeadPredictException e) { return Invalid("file", e.Message); }
        finally { prepared?.Dispose(); }
    }

    /// <summary>The JSON answer of a ranked upload: the best leads typed, with the lead table's own values.</summary>
    private static RankedUploadResponse RankedUpload(ScoringModel model, BatchSummary summary, AsOfScoring.Prepared? prepared, IReadOnlyList<string> warnings, string logged)
    {
        var input = summary.Layout.InputHeader;
        // A timeline model's rows carry the engagement columns made from the history after the leads table's own: only the latter are shown.
        var added = prepared is null ? new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            : new HashSet<string>(prepared.Model.EngagementColumns.Append(LeadPredict.Timeline.SnapshotTable.TimeColumn)
                .Concat(prepared.Model.StageColumn is { } stage ? [stage] : []), StringComparer.OrdinalIgnoreCase);
        var leads = summary.Top.Select(lead =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < input.Count && i < lead.Fields.Count; i++)
                if (!added.Contains(input[i])) values.TryAdd(input[i], lead.Fields[i]);
            return Dto(lead, summary.Layout) with { Values = values };
        }).ToArray();
        return new RankedUploadResponse(model.Version, summary.Leads, leads.Length, leads, warnings, logged)
        {
            AsOf = prepared?.AsOf,
            Meaning = prepared?.Meaning,
            WithinDays = leads.FirstOrDefault()?.Within?.Select(w => w.Days).ToArray(),
            LearnedFunnel = model.Annotators.OfType<LeadPredict.Advice.FunnelAnnotator>().Any(f => f.Learned is not null),
        };
    }

    private static Results<Ok<ModelInfo>, ProblemHttpResult> GetModel(ModelHolder holder)
    {
        var model = holder.Current;
        if (model is null) return NoModel(holder);
        return TypedResults.Ok(new ModelInfo(model.Bundle.Card, model.LoadedAt, Path.GetFileName(model.Path), model.AnnotationHeaders));
    }

    private static async Task<Results<Ok<OutcomesResponse>, ValidationProblem, ProblemHttpResult>> RecordOutcomesAsync(
        HttpRequest request, IServiceProvider services, TimeProvider time, CancellationToken ct)
    {
        if (services.GetService<IPredictionStore>() is not { } store)
            return TypedResults.Problem(title: "The prediction log is turned off", statusCode: StatusCodes.Status404NotFound);
        IReadOnlyList<OutcomeDto> outcomes;
        try { outcomes = OutcomeRequest.Parse(await Body.ReadAsync(request, 16L << 20, ct)); }
        catch (RequestProblem p) { return Invalid(p.Field, p.Message); }
        var now = time.GetUtcNow();
        try
        {
            await store.WriteOutcomesAsync(outcomes.Select(x => new OutcomeRecord(x.LeadId, x.Converted, now)).ToArray(), ct);
        }
        catch (PredictionStoreMovedException)
        {
            return TypedResults.Problem(title: "The prediction log's database file was deleted or replaced",
                detail: "It is being recreated; send the outcomes again in a few seconds.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return TypedResults.Problem(title: "The prediction log database is unavailable", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return TypedResults.Ok(new OutcomesResponse(outcomes.Count));
    }

    private static async Task<Results<Ok<MonitorReport>, ProblemHttpResult>> MonitorAsync(
        IServiceProvider services, ModelHolder holder, TimeProvider time, int? days, CancellationToken ct)
    {
        if (services.GetService<IPredictionStore>() is not { } store)
            return TypedResults.Problem(title: "The prediction log is turned off", statusCode: StatusCodes.Status404NotFound);
        var now = time.GetUtcNow();
        var since = now.AddDays(-Math.Clamp(days ?? 90, 1, 3650));
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        IReadOnlyList<PredictionWithOutcome> rows;
        try { rows = await store.ReadAsync(since, ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return TypedResults.Problem(title: "The prediction log database is unavailable", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        var training = new Dictionary<string, IReadOnlyList<double>>();
        if (holder.Current is { } m) training[m.Version] = m.Bundle.Report.HoldoutProbabilities;
        return TypedResults.Ok(DriftMonitor.Build(rows, now, since, today, training));
    }
}

