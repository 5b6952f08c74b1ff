using System.Buffers;

namespace LeadPredict.Scoring.Host;

/// <summary>Reads request bodies under a size limit, answering an over-size body with a 400 that names the limit.</summary>
internal static class Body
{
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength is { } declared && declared > limit) throw TooLarge(declared, limit);
        var ms = new MemoryStream((int)Math.Min(request.ContentLength ?? 4096, limit) + 1);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int n;
            while ((n = await ReadAsync(request.Body, buffer, "body", ct)) > 0)
            {
                if (ms.Length + n > limit) throw TooLarge(null, limit);
                ms.Write(buffer, 0, n);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        if (ms.Length == 0) throw new RequestProblem("body", "the body is empty; send a JSON array of leads.");
        return ms.GetBuffer().AsMemory(0, (int)ms.Length);
    }

    /// <summary>Saves a CSV sent as the raw body (text/csv) or as the one file of a multipart form.</summary>
    public static async Task SaveCsvAsync(HttpRequest request, string path, long limit, CancellationToken ct)
    {
        if (request.ContentLength is { } declared && declared > limit) throw TooLarge(declared, limit);
        Stream source;
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try { form = await request.ReadFormAsync(ct); }
            catch (InvalidDataException e) { throw new RequestProblem("file", $"the form could not be read: {e.Message}"); }
            catch (IOException) { throw new RequestProblem("file", "the form ended before its closing boundary: the upload was cut short. Send the whole file again."); }
            if (form.Files.Count != 1) throw new RequestProblem("file", $"expected one CSV file in the form, got {form.Files.Count}.");
            if (form.Files[0].Length > limit) throw TooLarge(form.Files[0].Length, limit);
            source = form.Files[0].OpenReadStream();
        }
        else source = request.Body;
        await using (source)
        await using (var file = LeadPredict.Core.PrivateFiles.Create(path, options: FileOptions.Asynchronous))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                int n;
                long total = 0;
                while ((n = await ReadAsync(source, buffer, "file", ct)) > 0)
                {
                    total += n;
                    if (total > limit) throw TooLarge(null, limit);
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                }
                if (total == 0) throw new RequestProblem("file", "the upload is empty; send a CSV with a header row and leads.");
            }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
        }
    }

    /// <summary>
    /// A body that ends before its declared length (the client stopped sending) is the client's problem, not the server's:
    /// Kestrel signals it with an IOException (BadHttpRequestException).
    /// </summary>
    private static async ValueTask<int> ReadAsync(Stream source, byte[] buffer, string field, CancellationToken ct)
    {
        try { return await source.ReadAsync(buffer, ct); }
        catch (IOException) { throw new RequestProblem(field, "the body ended before its declared length: the upload was cut short. Send it again."); }
    }

    private static RequestProblem TooLarge(long? size, long limit) =>
        new("body", size is { } s
            ? $"the body is {s:N0} bytes, more than the limit of {limit:N0} bytes."
            : $"the body is more than the limit of {limit:N0} bytes.");
}
