using System.Text;
using LeadPredict.Core;
using LeadPredict.TestSupport;

namespace LeadPredict.Timeline.Tests;

/// <summary>A small hand-made CRM history written as CSV files in a temporary folder: leads, activities, outcomes, stages.</summary>
public sealed class History : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly StringBuilder _leads = new("id,created_at,company\n");
    private readonly StringBuilder _activities = new("lead_id,occurred_at,activity_type\n");
    private readonly StringBuilder _outcomes = new("lead_id,won_at\n");
    private readonly StringBuilder _stages = new("lead_id,stage,entered_at\n");
    private bool _hasStages;

    public string Dir => _dir.Path;

    public History Lead(string id, string created, string company = "Acme")
    {
        _leads.Append($"{id},{created},{company}\n");
        return this;
    }

    public History Activity(string lead, string at, string type)
    {
        _activities.Append($"{lead},{at},{type}\n");
        return this;
    }

    public History Won(string lead, string at)
    {
        _outcomes.Append($"{lead},{at}\n");
        return this;
    }

    public History Stage(string lead, string stage, string at)
    {
        _stages.Append($"{lead},{stage},{at}\n");
        _hasStages = true;
        return this;
    }

    public string LeadsText => _leads.ToString();
    public string ActivitiesText => _activities.ToString();

    public TimelineConfig Config(Func<TimelineConfig, TimelineConfig>? change = null)
    {
        var config = new TimelineConfig
        {
            Activities = new ActivityLogConfig { Path = "activities.csv" },
            Outcomes = new OutcomeTableConfig { Path = "outcomes.csv", Date = "won_at" },
            Stages = _hasStages ? new StageHistoryConfig { Path = "stages.csv", Stage = "stage", EnteredAt = "entered_at" } : null,
            HorizonDays = 30,
            Snapshots = new SnapshotOptions { FirstAfterDays = 0, EveryDays = 10, MaxPerLead = 3 },
            Windows = [7, 30],
        };
        return change is null ? config : change(config);
    }

    /// <summary>Writes the files (unless already written by the test) and loads them.</summary>
    public TimelineData Load(Func<TimelineConfig, TimelineConfig>? change = null, bool write = true)
    {
        if (write) Write();
        var dataset = new DatasetConfig { Label = "converted", Id = "id", Created = "created_at", Timeline = Config(change) };
        return TimelineData.Load(LeadTable.Load(Path.Combine(Dir, "leads.csv")), dataset, Dir);
    }

    public void Write()
    {
        System.IO.File.WriteAllText(Path.Combine(Dir, "leads.csv"), _leads.ToString());
        System.IO.File.WriteAllText(Path.Combine(Dir, "activities.csv"), _activities.ToString());
        System.IO.File.WriteAllText(Path.Combine(Dir, "outcomes.csv"), _outcomes.ToString());
        if (_hasStages) System.IO.File.WriteAllText(Path.Combine(Dir, "stages.csv"), _stages.ToString());
    }

    public string File(string name) => Path.Combine(Dir, name);

    public void Dispose() => _dir.Dispose();
}

internal static class SnapshotSetExtensions
{
    public static int At(this SnapshotSet set, string leadId, string time) =>
        set.IndexOf(leadId, DateTime.Parse(time, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), "id");
}
