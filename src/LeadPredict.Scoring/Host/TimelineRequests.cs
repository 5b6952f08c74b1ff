using System.Collections.Concurrent;
using LeadPredict.Core;
using LeadPredict.Timeline;

namespace LeadPredict.Scoring.Host;

/// <summary>
/// Leads sent to the API with their activities, for a model trained on a timeline: each lead's engagement as of a time is
/// computed by <see cref="SingleLeadFeatures"/> (in C#, bit for bit the batch path's SQL, which it falls back to) and laid out as the training table did
/// (<see cref="SnapshotTable"/>), so the scorer reads the same values as for the same lead and time in a batch.
/// </summary>
public sealed class TimelineRequests(TimelineModel model) : IDisposable
{
    private readonly ConcurrentBag<SingleLeadFeatures> _pool = [];

    public TimelineModel Model { get; } = model;

    /// <summary>The request's header and rows with the engagement columns, the stage at the time and <c>as_of</c> appended.</summary>
    public (IReadOnlyList<string> Header, IReadOnlyList<string[]> Rows) Extend(LeadRequest request, DateTime asOf)
    {
        var header = new List<string>(request.Header);
        header.AddRange(Model.EngagementColumns);
        if (Model.StageColumn is { } stageColumn) header.Add(stageColumn);
        header.Add(SnapshotTable.TimeColumn);
        var created = Model.CreatedColumn is { } c ? IndexOf(request.Header, c) : -1;
        var asOfText = SnapshotTable.TimeText(asOf);
        var rows = new string[request.Rows.Count][];
        for (var i = 0; i < rows.Length; i++)
        {
            var lead = request.Rows[i];
            var single = Rent();
            try
            {
                var createdText = created >= 0 && lead[created].Length > 0 ? lead[created] : null;
                float[] features;
                try
                {
                    features = single.Compute(createdText, request.Activities[i], asOf, request.Stages[i]);
                }
                catch (LeadPredictException e)
                {
                    var colon = e.Message.IndexOf(": ", StringComparison.Ordinal);
                    throw colon > 0
                        ? new RequestProblem($"leads[{i}].{e.Message[..colon]}", e.Message[(colon + 2)..])
                        : new RequestProblem($"leads[{i}]", e.Message);
                }
                var row = new string[header.Count];
                lead.CopyTo(row, 0);
                var k = lead.Length;
                foreach (var v in SnapshotTable.EngagementValues(features)) row[k++] = v ?? "";
                if (Model.StageColumn is not null) row[k++] = single.LastStage ?? "";
                row[k] = asOfText;
                rows[i] = row;
            }
            finally
            {
                _pool.Add(single);
            }
        }
        return (header, rows);
    }

    private SingleLeadFeatures Rent() => _pool.TryTake(out var s) ? s : new SingleLeadFeatures(Model.Config, Model.Schema);

    private static int IndexOf(IReadOnlyList<string> header, string column)
    {
        for (var i = 0; i < header.Count; i++)
            if (string.Equals(header[i], column, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    public void Dispose()
    {
        while (_pool.TryTake(out var s)) s.Dispose();
    }
}
