using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using LeadPredict.Core;
using LeadPredict.Core.Csv;
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
            .Produces<string>(StatusCodes.Status200OK, "text/csv");
        api.MapGet("/model", GetModel).WithSummary("The model card of the served model");
        api.MapPost("/outcomes", RecordOutcomesAsync).WithSummary("Record what became of leads (converted or not)");
        api.MapGet("/monitor", MonitorAsync).WithSummary("Predicted against actual conversion by decile, and score drift (PSI) per model version");
        return app;
    }

    internal static ProblemHttpResult NoModel(ModelHolder holder) => TypedResults.Problem(
        title: "No model is loaded yet",
        detail: holder.LastLoadError is { } e ? $"The model file could not be loaded: {e}" : "The host is waiting for the model file; see /health/ready.",
        statusCode: StatusCodes.Status503ServiceUnavailable);

    internal static ValidationProblem Invalid(string field, string detail) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [detail] }, detail: $"{field}: {detail}", title: "The request is invalid");

    private static async Task<Results<Ok<ScoreResponse>, ValidationProblem, ProblemHttpResult>> ScoreAsync(
        HttpRequest request, ModelHolder holder, IOptions<ScoringHostOptions> options, IPredictionSink sink, TimeProvider time,
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
            var scored = Score(model, binding, leads.Rows, each, o.ParallelThreshold);
            var logged = await Log(sink, model, scored, leads.Fingerprints, time.GetUtcNow(), ct);
            request.HttpContext.Response.Headers[LogHeader] = logged.Text();
            return TypedResults.Ok(new ScoreResponse(model.Version, scored.Length, scored, logged.Text()));
        }
        catch (RequestProblem p) { return Invalid(p.Field, p.Message); }
        catch (InputFileException e) { return Invalid(e.Column is { } c ? $"leads[*].{c}" : "body", e.Problem); }
        catch (LeadPredictException e) { return Invalid("body", e.Message); }
    }

    private static ScoredLeadDto[] Score(ScoringModel model, ScoringModel.Binding binding, IReadOnlyList<string[]> rows, int each, int parallelThreshold)
    {
        var n = rows.Count;
        var result = new ScoredLeadDto[n];
        var width = model.Scorer.FeatureColumns.Count;
        var extra = model.ExtraHeaders;
        // A range of leads at a time: their values, then the trees for all of them at once (LeadScorer.ScoreMany).
        void Range(int from, int to)
        {
            var values = new string?[to - from][];
            for (var i = from; i < to; i++) model.Scorer.Extract(binding.Columns, rows[i], values[i - from] = new string?[width]);
            var scored = new ScoredLead[to - from];
            model.Scorer.ScoreMany(values, scored, each);
            for (var i = from; i < to; i++) result[i] = Dto(i, scored[i - from]);
        }
        ScoredLeadDto Dto(int i, ScoredLead s)
        {
            var row = rows[i];
            Dictionary<string, string>? annotations = null;
            if (extra.Count > 0)
            {
                var cells = new string[extra.Count];
                var offset = 0;
                for (var a = 0; a < binding.Rows.Count; a++)
                {
                    var w = model.Annotators[a].Headers.Count;
                    binding.Rows[a].Annotate(row, s.Probability, cells.AsSpan(offset, w));
                    offset += w;
                }
                annotations = new Dictionary<string, string>(extra.Count);
                for (var k = 0; k < extra.Count; k++) annotations[extra[k]] = cells[k] ?? "";
            }
            var id = binding.Columns.IdIndex >= 0 ? row[binding.Columns.IdIndex] : (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var reasons = new ReasonDto[s.Reasons.Count];
            for (var k = 0; k < reasons.Length; k++)
            {
                var r = s.Reasons[k];
                reasons[k] = new ReasonDto(r.Column, r.Value, Math.Round(r.Effect, 6), r.ToString());
            }
            return new ScoredLeadDto(id, 0, s.Probability, s.Score, s.Grade, annotations, reasons);
        }
        if (n < parallelThreshold) Range(0, n);
        else
        {
            var chunk = Math.Max(64, n / (Environment.ProcessorCount * 4));
            Parallel.ForEach(Partitioner.Create(0, n, chunk), range => Range(range.Item1, range.Item2));
        }
        // Rank best first; ties keep the order sent.
        var order = Enumerable.Range(0, n).OrderByDescending(i => result[i].Probability).ThenBy(i => i).ToArray();
        for (var k = 0; k < n; k++) result[order[k]] = result[order[k]] with { Rank = k + 1 };
        return result;
    }

    /// <summary>Says whether the answer's leads are in the prediction log (the log commits them before the answer is sent).</summary>
    public const string LogHeader = "X-Prediction-Log";

    private static Task<LogResult> Log(IPredictionSink sink, ScoringModel model, ScoredLeadDto[] scored, IReadOnlyList<string> fingerprints,
        DateTimeOffset now, CancellationToken ct)
    {
        var records = new PredictionRecord[scored.Length];
        for (var i = 0; i < scored.Length; i++)
        {
            var s = scored[i];
            string? stage = null, action = null;
            if (s.Annotations is { } a)
            {
                a.TryGetValue("suggested_stage", out stage);
                a.TryGetValue("action", out action);
            }
            records[i] = new PredictionRecord(s.Id, model.Version, s.Probability, s.Grade, NullIfEmpty(stage), NullIfEmpty(action), now, fingerprints[i]);
        }
        return sink.LogAsync(records, ct);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ScoreCsvAsync(
        HttpContext context, ModelHolder holder, IOptions<ScoringHostOptions> options, IPredictionSink sink, TimeProvider time,
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
            var summary = await Task.Run(() => new BatchScorer(model.Scorer, model.Annotators).ScoreFile(input, output,
                new BatchScoringOptions { Reasons = reasons != false, TopRows = 0 }, null, ct), ct);
            var bytes = await File.ReadAllBytesAsync(output, ct);
            var logged = await LogCsvAsync(sink, model, input, output, time.GetUtcNow(), ct);
            context.Response.Headers[LogHeader] = logged.Text();
            context.Response.Headers["X-Model-Version"] = model.Version;
            context.Response.Headers["X-Leads-Scored"] = summary.Leads.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (summary.Warnings.Count > 0) context.Response.Headers["X-Scoring-Warnings"] = string.Join(" ", summary.Warnings).ReplaceLineEndings(" ");
            return TypedResults.File(bytes, "text/csv; charset=utf-8", "ranked-leads.csv");
        }
        catch (RequestProblem p) { return Invalid(p.Field, p.Message); }
        catch (InputFileException e) { return Invalid(e.Column is { } c ? $"file.{c}" : "file", e.Message); }
        catch (LeadPredictException e) { return Invalid("file", e.Message); }
    }

    /// <summary>
    /// Logs each ranked row: the ranked file's first columns are the scores, the input's columns follow. A chunk at a time,
    /// each waiting for room in the log's queue, so a big upload goes at the log's pace instead of being dropped.
    /// </summary>
    private static async Task<LogResult> LogCsvAsync(IPredictionSink sink, ScoringModel model, string input, string output, DateTimeOffset now, CancellationToken ct)
    {
        IReadOnlyList<string> inputHeader;
        char sep;
        using (var r = new CsvRecordReader(input)) { inputHeader = r.Header; sep = r.Separator; }
        var prefix = 5 + model.ExtraHeaders.Count + 1;
        var stageAt = IndexOfIgnoreCase(model.ExtraHeaders, "suggested_stage");
        var actionAt = IndexOfIgnoreCase(model.ExtraHeaders, "action");
        using var reader = new CsvRecordReader(output, sep);
        // The ranked file leads with the id and keeps the other input columns, renaming those that clash with an
        // output column to "<name>_input": map each input column back to its place to fingerprint the lead as it came in.
        var ranked = reader.Header;
        var outputNames = new HashSet<string>(ranked.Take(prefix), StringComparer.OrdinalIgnoreCase);
        var id = model.Bundle.Schema.Id;
        var map = inputHeader.Select(h => id is not null && string.Equals(h, id, StringComparison.OrdinalIgnoreCase)
            ? 1 : IndexOfIgnoreCase(ranked, outputNames.Contains(h) ? h + "_input" : h)).ToArray();
        var fields = new List<string>();
        var buffer = new ArrayBufferWriter<byte>(512);
        var inputFields = new string[map.Length];
        const int chunk = 2000;
        var records = new List<PredictionRecord>(chunk);
        var parts = new List<Task<LogResult>>();
        while (reader.Read(fields))
        {
            var p = double.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < map.Length; i++) inputFields[i] = map[i] >= 0 ? fields[map[i]] : "";
            records.Add(new PredictionRecord(fields[1], model.Version, p, fields[4],
                stageAt >= 0 ? NullIfEmpty(fields[5 + stageAt]) : null, actionAt >= 0 ? NullIfEmpty(fields[5 + actionAt]) : null,
                now, LeadRequest.Fingerprint(inputHeader, inputFields, buffer)));
            if (records.Count == chunk)
            {
                parts.Add(await sink.QueueAsync(records.ToArray(), ct));
                records.Clear();
            }
        }
        if (records.Count > 0) parts.Add(await sink.QueueAsync(records.ToArray(), ct));
        var result = LogResult.Logged;
        foreach (var part in parts) result = PredictionSink.Combine(result, await part);
        return result;
    }

    private static int IndexOfIgnoreCase(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++) if (string.Equals(list[i], value, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    private static Results<Ok<ModelInfo>, ProblemHttpResult> GetModel(ModelHolder holder)
    {
        var model = holder.Current;
        if (model is null) return NoModel(holder);
        return TypedResults.Ok(new ModelInfo(model.Bundle.Card, model.LoadedAt, Path.GetFileName(model.Path), model.ExtraHeaders));
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

