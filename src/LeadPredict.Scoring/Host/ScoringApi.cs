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

/// <summary>One scored lead. <see cref="Annotations"/> holds the configured extra columns (ICP fit, failed rules, suggested stage, action, reason).</summary>
public sealed record ScoredLeadDto(
    string Id, int Rank, double Probability, int Score, string Grade,
    IReadOnlyDictionary<string, string>? Annotations, IReadOnlyList<ReasonDto> Reasons);

/// <summary>
/// The leads in the order they were sent; <c>rank</c> orders them best first. <see cref="PredictionLog"/> is "logged" once
/// every lead is durably in the prediction log, "not-logged" when the log could not take them, "off" when it is turned off.
/// </summary>
public sealed record ScoreResponse(string Model, int Count, IReadOnlyList<ScoredLeadDto> Leads, string PredictionLog);

public sealed record ModelInfo(ModelCard Card, DateTimeOffset LoadedAt, string File, IReadOnlyList<string> AnnotationColumns);

public sealed record OutcomeDto(string LeadId, bool Converted);

public sealed record OutcomesResponse(int Recorded);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ScoreResponse))]
[JsonSerializable(typeof(OutcomesResponse))]
internal sealed partial class ScoringJsonContext : JsonSerializerContext;

/// <summary>The scoring API: score leads as JSON or as a CSV file, the model card, outcomes and the monitor.</summary>
public static class ScoringApi
{
    public static IEndpointRouteBuilder MapScoringApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Scoring");
        api.MapPost("/score", ScoreAsync)
            .WithSummary("Score leads")
            .WithDescription("A JSON array of leads (objects keyed by the export's column names); one lead is an array of one. Returns each lead's probability, score, grade, annotations and top reasons, in the order sent.")
            .Accepts<List<Dictionary<string, object?>>>("application/json");
        api.MapPost("/score/csv", ScoreCsvAsync)
            .WithSummary("Rank a CSV file")
            .WithDescription("Upload the day's lead list as text/csv (or multipart/form-data with one file); returns the ranked CSV, best lead first.")
            .Accepts<string>("text/csv", "multipart/form-data", "application/octet-stream", "text/plain")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
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
        bool? reasons, CancellationToken ct)
    {
        var model = holder.Current;
        if (model is null) return NoModel(holder);
        var o = options.Value;
        try
        {
            var body = await Body.ReadAsync(request, o.MaxJsonBytes, ct);
            var leads = LeadRequest.Parse(body, model, o.MaxLeadsPerRequest, o.ParallelThreshold);
            var binding = model.Bind(leads.Header, "request");
            var each = reasons == false ? 0 : o.ReasonsEachWay;
            var ranked = Rank(model, binding, leads.Rows, each, o.ParallelThreshold);
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
            return TypedResults.Ok(new ScoreResponse(model.Version, ranked.Length, ranked.Select(l => Dto(l, binding.Layout)).ToArray(), logged.Text()));
        }
        catch (RequestProblem p) { return Invalid(p.Field, p.Message); }
        catch (InputFileException e) { return Invalid(e.Column is { } c ? $"leads[*].{c}" : "body", e.Problem); }
        catch (LeadPredictException e) { return Invalid("body", e.Message); }
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
        return new ScoredLeadDto(lead.Id, lead.Rank, lead.Probability, lead.Score, lead.Grade, annotations, reasons);
    }

    private static async Task<Results<FileStreamHttpResult, ValidationProblem, ProblemHttpResult>> ScoreCsvAsync(
        HttpContext context, ModelHolder holder, IOptions<ScoringHostOptions> options, IPredictionSink sink, TimeProvider time, RequestStats stats,
        UploadFolder uploads, bool? reasons, CancellationToken ct)
    {
        var model = holder.Current;
        if (model is null) return NoModel(holder);
        var o = options.Value;
        using var folder = uploads.ForRequest();
        var dir = folder.Path;
        try
        {
            var input = Path.Combine(dir, "upload.csv");
            await Body.SaveCsvAsync(context.Request, input, o.MaxCsvBytes, ct);
            var output = Path.Combine(dir, "ranked.csv");
            var records = new UploadPredictionRecords(model.Version, time.GetUtcNow());
            var summary = await Task.Run(() => new BatchScorer(model.Scorer, model.Annotators).ScoreFile(input, output,
                new BatchScoringOptions { Reasons = reasons != false, TopRows = 0, Sink = records }, null, ct), ct);
            var logged = await records.LogToAsync(sink, ct);
            context.Response.Headers[LogHeader] = logged.Text();
            stats.AddLeads(summary.Leads);
            context.Response.Headers["X-Model-Version"] = model.Version;
            context.Response.Headers["X-Leads-Scored"] = summary.Leads.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (summary.Warnings.Count > 0) context.Response.Headers["X-Scoring-Warnings"] = HeaderText.Encode(string.Join(" ", summary.Warnings));
            // Streamed from disk, not held in memory (a 58 MB upload ranks into about 280 MB). The file is open before the
            // folder is removed below, and goes when the answer has been sent (DeleteOnClose; on Linux it is unlinked already).
            var ranked = new FileStream(output, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16,
                FileOptions.Asynchronous | FileOptions.SequentialScan | FileOptions.DeleteOnClose);
            return TypedResults.File(ranked, "text/csv; charset=utf-8", "ranked-leads.csv");
        }
        catch (RequestProblem p) { return Invalid(p.Field, p.Message); }
        catch (InputFileException e) { return Invalid(e.Column is { } c ? $"file.{c}" : "file", e.Message); }
        catch (LeadPredictException e) { return Invalid("file", e.Message); }
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

