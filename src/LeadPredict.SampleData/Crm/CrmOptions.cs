namespace LeadPredict.SampleData.Crm;

/// <summary>How stage values are spelled in the stage history, as different CRMs write them; all match the default ladder's names or aliases.</summary>
public enum StageNaming
{
    /// <summary>HubSpot's internal lifecycle values: lead, marketingqualifiedlead, salesacceptedlead, salesqualifiedlead, opportunity, customer.</summary>
    HubSpot,
    /// <summary>Display labels: Lead, Marketing Qualified Lead, Sales Accepted Lead, Sales Qualified Lead, Opportunity, Customer.</summary>
    Labels,
    /// <summary>Short names: lead, mql, sal, sql, opportunity, customer.</summary>
    Short,
}

/// <summary>What CRM history to generate. The same options always give the same tables, byte for byte.</summary>
public sealed record CrmOptions
{
    public int Leads { get; init; } = 3000;
    public ulong Seed { get; init; } = 7;

    /// <summary>The export is a picture taken at 00:00 UTC of this day: every row is dated before it.</summary>
    public DateOnly ExportDate { get; init; } = new(2026, 7, 1);

    /// <summary>Leads are created evenly over this many days before the export, in id order.</summary>
    public int Days { get; init; } = 540;

    public StageNaming StageNames { get; init; } = StageNaming.HubSpot;

    /// <summary>Also write the won date on the leads table as <c>converted_at</c> (the outcomes table is written either way).</summary>
    public bool ConvertedAtColumn { get; init; }

    /// <summary>Write truth.csv (the open leads' best possible probabilities) and funnel-truth.csv.</summary>
    public bool WithTruth { get; init; }

    /// <summary>The horizons, in days, of the probabilities in truth.csv.</summary>
    public IReadOnlyList<int> TruthHorizons { get; init; } = [30, 60, 90];

    /// <summary>The funnel truth's promotion rate is "reaches the next stage within this many days of entering a stage".</summary>
    public int StageHorizonDays { get; init; } = 30;

    [System.Text.Json.Serialization.JsonIgnore]
    public DateTime ExportAt => ExportDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    public void Validate()
    {
        if (Leads < 1) throw new ArgumentException($"Leads must be at least 1 (was {Leads}).", nameof(Leads));
        if (Leads > 99_999_999) throw new ArgumentException($"Leads must be at most 99,999,999 (was {Leads}).", nameof(Leads));
        if (Days is < 1 or > 3650) throw new ArgumentException($"Days must be between 1 and 3650 (was {Days}).", nameof(Days));
        if (ExportDate.AddDays(-Days) < new DateOnly(1971, 1, 1) || ExportDate > new DateOnly(9000, 1, 1))
            throw new ArgumentException($"ExportDate {ExportDate:yyyy-MM-dd} minus {Days} days must fall between 1971 and 9000.", nameof(ExportDate));
        if (TruthHorizons.Count is 0 or > 8)
            throw new ArgumentException($"TruthHorizons must list 1 to 8 horizons (had {TruthHorizons.Count}).", nameof(TruthHorizons));
        foreach (var h in TruthHorizons)
            if (h is < 1 or > 3650) throw new ArgumentException($"TruthHorizons must be between 1 and 3650 days (was {h}).", nameof(TruthHorizons));
        if (TruthHorizons.Distinct().Count() != TruthHorizons.Count)
            throw new ArgumentException($"TruthHorizons lists a horizon twice ({string.Join(", ", TruthHorizons)}).", nameof(TruthHorizons));
        if (StageHorizonDays is < 1 or > 3650)
            throw new ArgumentException($"StageHorizonDays must be between 1 and 3650 (was {StageHorizonDays}).", nameof(StageHorizonDays));
    }
}
