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
/// makes it), and handed to the log only once the whole file is ranked: a file refused half-way logs nothing.
/// </summary>
internal sealed class UploadPredictionRecords(string modelVersion, DateTimeOffset scoredAt) : IScoredLeadSink
{
    private readonly ConcurrentQueue<PredictionRecord> _records = new();
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    public void Scored(RankedLayout layout, in ScoredRow lead) =>
        _records.Enqueue(PredictionRecords.Of(modelVersion, scoredAt, lead.Id, lead.Probability, lead.Grade, lead.Annotations,
            LeadRequest.Fingerprint(layout.InputHeader, lead.Fields, t_buffer ??= new ArrayBufferWriter<byte>(512))));

    public void LogTo(IPredictionSink sink)
    {
        foreach (var record in _records) sink.TryLog(record);
    }
}
