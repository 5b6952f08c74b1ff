using System.Buffers;
using LeadPredict.Core;
using LeadPredict.Timeline;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace LeadPredict.Scoring.Host;

/// <summary>
/// What a model trained on a timeline needs from an upload to /api/v1/score/csv to rank the open leads as of a date, as
/// <c>score --as-of</c> does: the leads table and the history's tables as named parts of a multipart form (<c>leads</c>,
/// <c>activities</c>, optional <c>stages</c> and <c>outcomes</c>, and optionally a field <c>asOf</c>), each streamed to the
/// request's folder under the sender's file name (so an error names it); or the leads alone (text/csv, or a form with only the
/// <c>leads</c> part) when the operator configured the history's tables (<see cref="ScoringHostOptions.TimelineConfig"/>).
/// Tables are read with the model's own column configuration; a client never names a path on the server.
/// </summary>
internal static class TimelineUpload
{
    public const string Leads = "leads", Activities = "activities", Stages = "stages", Outcomes = "outcomes", AsOfField = "asOf";
    private static readonly string[] Parts = [Leads, Activities, Stages, Outcomes];

    /// <summary>The saved files by part (absolute paths), and the form's <c>asOf</c> field when sent.</summary>
    public sealed record Saved(IReadOnlyDictionary<string, string> Files, string? AsOf);

    /// <summary>Saves the parts of a multipart form, or a raw body as the leads table; the whole upload is held to <paramref name="limit"/> bytes.</summary>
    public static async Task<Saved> SaveAsync(HttpRequest request, string folder, long limit, CancellationToken ct)
    {
        if (request.ContentLength is { } declared && declared > limit) throw TooLarge(limit);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!request.HasFormContentType || !request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            var leads = Path.Combine(PrivateFiles.CreateDirectory(Path.Combine(folder, Leads)).FullName, "leads.csv");
            await Body.SaveCsvAsync(request, leads, limit, ct);
            files[Leads] = leads;
            return new Saved(files, null);
        }
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.ContentType).Boundary).Value;
        if (string.IsNullOrEmpty(boundary)) throw new RequestProblem("file", "the multipart form has no boundary in its Content-Type.");
        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
        string? asOf = null;
        long total = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFormDisposition() && !disposition.IsFileDisposition())
                    throw new RequestProblem("file", "a part of the form has no Content-Disposition: form-data header.");
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (!disposition.IsFileDisposition())
                {
                    if (name != AsOfField) throw new RequestProblem(name, $"unknown form field '{Short(name)}'; expected the files {string.Join(", ", Parts)} and the field {AsOfField}.");
                    if (asOf is not null) throw new RequestProblem(name, "sent twice.");
                    using var text = new StreamReader(section.Body);
                    var buffer = new char[101];
                    var n = await text.ReadBlockAsync(buffer, ct);
                    if (n > 100) throw new RequestProblem(name, "is longer than a date; use ISO 8601, e.g. 2026-07-01.");
                    asOf = new string(buffer, 0, n).Trim();
                    continue;
                }
                if (Array.IndexOf(Parts, name) < 0)
                    throw new RequestProblem(Short(name), $"unknown file part '{Short(name)}'; a model trained on a timeline takes the parts {string.Join(", ", Parts)} (and the field {AsOfField}).");
                if (files.ContainsKey(name)) throw new RequestProblem(name, "sent twice; send one file per part.");
                var fileName = SafeName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value ?? HeaderUtilities.RemoveQuotes(disposition.FileName).Value, name);
                var path = Path.Combine(PrivateFiles.CreateDirectory(Path.Combine(folder, name)).FullName, fileName);
                total = await CopyAsync(section.Body, path, name, total, limit, ct);
                files[name] = path;
            }
        }
        catch (InvalidDataException e) { throw new RequestProblem("file", $"the form could not be read: {e.Message}"); }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new RequestProblem("file", "the form ended before its closing boundary: the upload was cut short. Send the files again.");
        }
        if (!files.ContainsKey(Leads))
            throw new RequestProblem(Leads, $"the form has no part '{Leads}': send the leads table as the file part '{Leads}' (and the activity log as '{Activities}').");
        return new Saved(files, asOf);
    }

    /// <summary>
    /// The dataset configuration that reads the saved files with the model's timeline columns: uploaded tables replace the model's;
    /// without an activity log the operator's configured tables are read (else the request is refused); a table the model has but the
    /// upload lacks (outcomes, stage history) is read as empty, which the answer's warnings say.
    /// </summary>
    public static (DatasetConfig Dataset, string BaseDirectory, IReadOnlyList<string> Notes) Configure(TimelineModel model, Saved saved, string? operatorConfig, string folder)
    {
        var files = saved.Files;
        if (!files.TryGetValue(Activities, out var activities))
        {
            if (files.Count > 1)
                throw new RequestProblem(Activities, $"the form has no part '{Activities}': a model trained on a timeline needs the activity log with the other tables.");
            if (operatorConfig is null)
                throw new RequestProblem(Activities,
                    $"this model was trained on a timeline: send a multipart form with the leads table as '{Leads}' and the activity log as '{Activities}' " +
                    $"(optionally the stage history as '{Stages}' and the outcomes as '{Outcomes}'), or ask the operator to set ScoringHost:TimelineConfig.");
            var (configured, baseDirectory) = AsOfScoring.Configured(model, operatorConfig);
            return (configured, baseDirectory, []);
        }
        var config = model.Config;
        var notes = new List<string>();
        var timeline = config with
        {
            AsOf = null,
            Activities = config.Activities! with { Path = activities },
            Stages = config.Stages is { } stages ? stages with { Path = files.GetValueOrDefault(Stages) ?? Empty(folder, Stages, stages.Separator, notes,
                [stages.LeadId ?? model.IdColumn, stages.Stage, stages.EnteredAt], "every lead's stage is unknown") } : null,
            Outcomes = config.Outcomes is { } outcomes ? outcomes with { Path = files.GetValueOrDefault(Outcomes) ?? Empty(folder, Outcomes, outcomes.Separator, notes,
                outcomes.Result is { } result ? [outcomes.LeadId ?? model.IdColumn, outcomes.Date, result] : [outcomes.LeadId ?? model.IdColumn, outcomes.Date],
                "every lead in the leads table is taken as open") } : null,
        };
        if (config.Stages is null && files.ContainsKey(Stages))
            throw new RequestProblem(Stages, "this model was trained without a stage history; leave out the part 'stages'.");
        if (config.Outcomes is null && files.ContainsKey(Outcomes))
            throw new RequestProblem(Outcomes, $"this model reads conversion dates from the leads table's column '{config.ConvertedAt}'; leave out the part 'outcomes'.");
        return (new DatasetConfig { Id = model.IdColumn, Created = model.CreatedColumn, Timeline = timeline }, folder, notes);
    }

    /// <summary>A table the model reads but the upload lacks: its header only, so the history reads as having none of it.</summary>
    private static string Empty(string folder, string part, string? separator, List<string> notes, string[] header, string meaning)
    {
        var sep = TableSeparator.Parse(separator) ?? ',';
        var path = Path.Combine(PrivateFiles.CreateDirectory(Path.Combine(folder, part)).FullName, part + ".csv");
        using (var stream = PrivateFiles.Create(path))
        using (var writer = new StreamWriter(stream))
            writer.Write(string.Join(sep, header.Select(CsvQuote)) + "\n");
        notes.Add($"no '{part}' part was sent, so {meaning}.");
        return path;
    }

    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",;\t|\"\r\n");

    private static string CsvQuote(string value) =>
        value.AsSpan().IndexOfAny(NeedsQuotes) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    /// <summary>The sender's file name reduced to letters, digits, '.', '-' and '_' (no folders), else the part's name; Parquet keeps its extension.</summary>
    internal static string SafeName(string? sent, string part)
    {
        var name = Path.GetFileName((sent ?? "").Replace('\\', '/'));
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray();
        var safe = new string(chars).Trim('.');
        if (safe.Length == 0) return part + ".csv";
        return safe.Length > 100 ? safe[^100..] : safe;
    }

    /// <summary>Streams a part to its file; returns the upload's bytes so far, <paramref name="before"/> included.</summary>
    private static async Task<long> CopyAsync(Stream source, string path, string part, long before, long limit, CancellationToken ct)
    {
        var total = before;
        await using var file = PrivateFiles.Create(path, options: FileOptions.Asynchronous);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int n;
            while ((n = await source.ReadAsync(buffer, ct)) > 0)
            {
                total += n;
                if (total > limit) throw TooLarge(limit);
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        if (total == before) throw new RequestProblem(part, $"the part '{part}' is empty; send a CSV with a header row.");
        return total;
    }

    private static RequestProblem TooLarge(long limit) => new("body", $"the upload is more than the limit of {limit:N0} bytes.");

    private static string Short(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
