using System.Text.Json;
using System.Text.Json.Serialization;
using LeadPredict.Core;

namespace LeadPredict.Timeline;

/// <summary>
/// What a model trained on point-in-time snapshots needs to rebuild its features when scoring: the timeline section it was
/// trained with (tables, horizon, windows, exclusions), the engagement features it read (types, windows, value column, stage
/// history), the leads table's id and creation columns, and the export date of its history. Stored in the model file
/// (<c>extras/timeline.json</c>).
/// </summary>
public sealed record TimelineModel
{
    public const string ExtraName = "timeline";

    public required TimelineConfig Config { get; init; }
    public required EngagementSchema Schema { get; init; }
    public required string IdColumn { get; init; }
    public string? CreatedColumn { get; init; }
    /// <summary>The export date of the training history (the latest time anything was known).</summary>
    public required DateTime ExportDate { get; init; }
    /// <summary>The engagement features' column headers as training laid them out (<see cref="SnapshotTable"/>).</summary>
    public IReadOnlyList<string> EngagementColumns { get; init; } = [];
    /// <summary>The stage-at-the-time column, with a stage history.</summary>
    public string? StageColumn { get; init; }
    public int HorizonDays => Config.HorizonDays;

    /// <summary>What the model's probability means, for outputs, the page and the API.</summary>
    public string Meaning(DateTime asOf) => $"probability of converting within {HorizonDays} days of {SnapshotTable.TimeText(asOf)} UTC";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>The timeline document among a model's extension documents (its report's), or null for a model trained on a flat file.</summary>
    public static TimelineModel? From(IReadOnlyDictionary<string, JsonElement> extensions)
    {
        if (!extensions.TryGetValue(ExtraName, out var json)) return null;
        try
        {
            return json.Deserialize<TimelineModel>(Options)
                   ?? throw new LeadPredictException("the model's timeline document is empty.", ProblemKind.BadModel);
        }
        catch (JsonException e)
        {
            throw new LeadPredictException($"the model's timeline document cannot be read ({e.Message}).", ProblemKind.BadModel, e);
        }
    }
}
