using System.Buffers;
using System.Collections.Concurrent;
using LeadPredict.Advice;
using LeadPredict.ML.Scoring;
using LeadPredict.PredictionLog;

namespace LeadPredict.Scoring.Host;

/// <summary>A scored lead as the prediction log records it, the same from the JSON endpoint and from a CSV upload.</summary>
internal static class PredictionRecords
{
    public static PredictionRecord Of(string modelVersion, DateTimeOffset scoredAt, string id, double probability, string grade,
        IReadOnlyList<ILeadAnnotation> annotations, string fingerprint)
    {
        FunnelAnnotation? funnel = null;
        foreach (var a in annotations)
            if (a is FunnelAnnotation f) { funnel = f; break; }
        return new PredictionRecord(id, modelVersion, probability, grade, NullIfEmpty(funnel?.SuggestedStage), NullIfEmpty(funnel?.Action), scoredAt, fingerprint);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}

/// <summary>
/// The prediction-log records of an uploaded file, made as batch scoring scores each lead (with the fingerprint of its input
/// record, as <see cref="LeadRequest.Fingerprint(IReadOnlyList{string}, IReadOnlyList{string}, ArrayBufferWriter{byte})"/>
/// makes it), and handed to the log only once the whole file is ranked: a file refused half-way logs nothing. The log takes
/// them a chunk at a time, each waiting for room in its queue, so a big upload goes at the log's pace instead of being dropped.
/// </summary>
internal sealed class UploadPredictionRecords(string modelVersion, DateTimeOffset scoredAt) : IScoredLeadSink
{
    private readonly ConcurrentQueue<PredictionRecord> _records = new();
    [ThreadStatic] private static ArrayBufferWriter<byte>? _threadBuffer;

    public void Scored(RankedLayout layout, in ScoredRow lead) =>
        _records.Enqueue(PredictionRecords.Of(modelVersion, scoredAt, lead.Id, lead.Probability, lead.Grade, lead.Annotations,
            LeadRequest.Fingerprint(layout.InputHeader, lead.Fields, _threadBuffer ??= new ArrayBufferWriter<byte>(512))));

    private const int Chunk = 2000;

    /// <summary>Completes once every record is durable in the log (or says which could not be).</summary>
    public async Task<LogResult> LogToAsync(IPredictionSink sink, CancellationToken ct)
    {
        var parts = new List<Task<LogResult>>();
        var chunk = new List<PredictionRecord>(Chunk);
        foreach (var record in _records)
        {
            chunk.Add(record);
            if (chunk.Count < Chunk) continue;
            parts.Add(await sink.QueueAsync(chunk.ToArray(), ct));
            chunk.Clear();
        }
        if (chunk.Count > 0) parts.Add(await sink.QueueAsync(chunk.ToArray(), ct));
        var result = LogResult.Logged;
        foreach (var part in parts) result = PredictionSink.Combine(result, await part);
        return result;
    }
}
