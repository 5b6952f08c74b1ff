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

/// <summary>The leads in the order they were sent; <c>rank</c> orders them best first.</summary>
public sealed record ScoreResponse(string Model, int Count, IReadOnlyList<ScoredLeadDto> Leads);

public sealed record ModelInfo(ModelCard Card, DateTimeOffset LoadedAt, string File, IReadOnlyList<string> AnnotationColumns);

public sealed record OutcomeDto(string LeadId, bool Converted);

public sealed record OutcomesResponse(int Recorded);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ScoreResponse))]
[JsonSerializable(typeof(OutcomeDto[]))]
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
            var scored = Score(model, binding, leads.Rows, each, o.ParallelThreshold);
            Log(sink, model, leads.Header, scored, leads.Rows, leads.Fingerprints, binding, time.GetUtcNow());
            stats.AddLeads(scored.Length);
            return TypedResults.Ok(new ScoreResponse(model.Version, scored.Length, scored));
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

    private static void Log(IPredictionSink sink, ScoringModel model, IReadOnlyList<string> header, ScoredLeadDto[] scored,
        IReadOnlyList<string[]> rows, IReadOnlyList<string> fingerprints, ScoringModel.Binding binding, DateTimeOffset now)
    {
        for (var i = 0; i < scored.Length; i++)
        {
            var s = scored[i];
            string? stage = null, action = null;
            if (s.Annotations is { } a)
            {
                a.TryGetValue("suggested_stage", out stage);
                a.TryGetValue("action", out action);
            }
            sink.TryLog(new PredictionRecord(s.Id, model.Version, s.Probability, s.Grade, NullIfEmpty(stage), NullIfEmpty(action), now, fingerprints[i]));
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ScoreCsvAsync(
        HttpContext context, ModelHolder holder, IOptions<ScoringHostOptions> options, IPredictionSink sink, TimeProvider time, RequestStats stats,
        bool? reasons, CancellationToken ct)
    {
        var model = holder.Current;
        if (model is null) return NoModel(holder);
        var o = options.Value;
        var dir = Path.Combine(Path.GetTempPath(), "leadpredict-host", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var input = Path.Combine(dir, "upload.csv");
            await Body.SaveCsvAsync(context.Request, input, o.MaxCsvBytes, ct);
            var output = Path.Combine(dir, "ranked.csv");
            var summary = await Task.Run(() => new BatchScorer(model.Scorer, model.Annotators).ScoreFile(input, output,
                new BatchScoringOptions { Reasons = reasons != false, TopRows = 0 }, null, ct), ct);
            var bytes = await File.ReadAllBytesAsync(output, ct);
            LogCsv(sink, model, input, output, time.GetUtcNow());
            stats.AddLeads(summary.Leads);
            context.Response.Headers["X-Model-Version"] = model.Version;
            context.Response.Headers["X-Leads-Scored"] = summary.Leads.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (summary.Warnings.Count > 0) context.Response.Headers["X-Scoring-Warnings"] = HeaderText.Encode(string.Join(" ", summary.Warnings));
            return TypedResults.File(bytes, "text/csv; charset=utf-8", "ranked-leads.csv");
        }
        catch (RequestProblem p) { return Invalid(p.Field, p.Message); }
        catch (InputFileException e) { return Invalid(e.Column is { } c ? $"file.{c}" : "file", e.Message); }
        catch (LeadPredictException e) { return Invalid("file", e.Message); }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Logs each ranked row: the ranked file's first columns are the scores, the input's columns follow.</summary>
    private static void LogCsv(IPredictionSink sink, ScoringModel model, string input, string output, DateTimeOffset now)
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
            ? 1 : IndexOfIgnoreCase(ranked, BatchScorer.RankedColumnName(h, outputNames))).ToArray();
        var fields = new List<string>();
        var buffer = new ArrayBufferWriter<byte>(512);
        var inputFields = new string[map.Length];
        while (reader.Read(fields))
        {
            var p = double.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < map.Length; i++) inputFields[i] = map[i] >= 0 ? fields[map[i]] : "";
            sink.TryLog(new PredictionRecord(fields[1], model.Version, p, fields[4],
                stageAt >= 0 ? NullIfEmpty(fields[5 + stageAt]) : null, actionAt >= 0 ? NullIfEmpty(fields[5 + actionAt]) : null,
                now, LeadRequest.Fingerprint(inputHeader, inputFields, buffer)));
        }
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
        OutcomeDto[]? outcomes;
        try
        {
            var body = await Body.ReadAsync(request, 16L << 20, ct);
            outcomes = System.Text.Json.JsonSerializer.Deserialize(body.Span, ScoringJsonContext.Default.OutcomeDtoArray);
        }
        catch (RequestProblem p) { return Invalid(p.Field, p.Message); }
        catch (System.Text.Json.JsonException e) { return Invalid(e.Path is { Length: > 1 } path ? "outcomes" + path[1..] : "body", "expected a JSON array of {\"leadId\": \"...\", \"converted\": true|false}."); }
        if (outcomes is null || outcomes.Length == 0) return Invalid("body", "the array of outcomes is empty.");
        for (var i = 0; i < outcomes.Length; i++)
            if (string.IsNullOrWhiteSpace(outcomes[i]?.LeadId)) return Invalid($"outcomes[{i}].leadId", "every outcome needs the lead id.");
        var now = time.GetUtcNow();
        try
        {
            await store.WriteOutcomesAsync(outcomes.Select(x => new OutcomeRecord(x.LeadId.Trim(), x.Converted, now)).ToArray(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return TypedResults.Problem(title: "The prediction log database is unavailable", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return TypedResults.Ok(new OutcomesResponse(outcomes.Length));
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

