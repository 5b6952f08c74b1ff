namespace LeadPredict.SampleData.Crm;

/// <summary>The files of a generated CRM history and their columns, in file order.</summary>
public static class CrmSchema
{
    public const string LeadsFile = "leads.csv";
    public const string ActivitiesFile = "activities.csv";
    public const string OutcomesFile = "outcomes.csv";
    public const string StageHistoryFile = "stage-history.csv";
    public const string TruthFile = "truth.csv";
    public const string FunnelTruthFile = "funnel-truth.csv";
    public const string ManifestFile = "crm.json";

    public const string LeadId = "lead_id";
    public const string CreatedAt = "created_at";
    public const string ConvertedAt = "converted_at";
    public const string Timestamp = "timestamp";
    public const string ActivityType = "activity_type";
    public const string DurationSeconds = "duration_seconds";
    public const string PageUrl = "page_url";
    public const string ClosedAt = "closed_at";
    public const string Result = "result";
    public const string Stage = "stage";
    public const string EnteredAt = "entered_at";

    public const string Won = "won";
    public const string Lost = "lost";

    /// <summary>How times are written: UTC, no offset, to the second (e.g. 2026-03-04 09:15:22).</summary>
    public const string TimestampFormat = "yyyy-MM-dd HH:mm:ss";

    public static IReadOnlyList<string> LeadColumns(bool convertedAt) =>
    [
        LeadId, CreatedAt, SampleSchema.Company, SampleSchema.Industry, SampleSchema.Employees, SampleSchema.AnnualRevenue,
        SampleSchema.Country, SampleSchema.JobTitle, SampleSchema.LeadSource, SampleSchema.Budget, .. convertedAt ? [ConvertedAt] : Array.Empty<string>(),
    ];

    public static readonly IReadOnlyList<string> ActivityColumns = [LeadId, Timestamp, ActivityType, DurationSeconds, PageUrl];
    public static readonly IReadOnlyList<string> OutcomeColumns = [LeadId, ClosedAt, Result];
    public static readonly IReadOnlyList<string> StageColumns = [LeadId, Stage, EnteredAt];

    public static IReadOnlyList<string> TruthColumns(IReadOnlyList<int> horizons) =>
    [
        LeadId, Stage, "days_in_stage", .. horizons.Select(h => TruthColumn(h)), .. horizons.Select(h => TruthColumn(h, Evidence.WithoutStageHistory)),
        "hidden_level", "future_result", "future_closed_at",
    ];

    /// <summary>truth.csv's column for a horizon: <c>true_probability_90d</c> from all tables, <c>true_probability_90d_without_stages</c> without the stage history.</summary>
    public static string TruthColumn(int horizonDays, Evidence evidence = Evidence.AllTables) =>
        $"true_probability_{horizonDays}d" + (evidence == Evidence.WithoutStageHistory ? "_without_stages" : "");

    public static readonly IReadOnlyList<string> FunnelTruthColumns =
    [
        Stage, "stage_value", "horizon_days",
        "leads_expected", "leads_observed",
        "promoted_within_horizon_expected", "promoted_within_horizon_observed",
        "eventually_converted_expected", "eventually_converted_observed",
        "stays_expected", "stays_observed",
        "median_days_expected", "median_days_observed",
        "p25_days_expected", "p25_days_observed",
        "p75_days_expected", "p75_days_observed",
        "backward_share_expected", "backward_share_observed",
        "lost_share_expected", "lost_share_observed",
    ];

    public static string StageValue(StageNaming naming, CrmStage stage) => naming switch
    {
        StageNaming.Labels => stage switch
        {
            CrmStage.Lead => "Lead",
            CrmStage.Mql => "Marketing Qualified Lead",
            CrmStage.Sal => "Sales Accepted Lead",
            CrmStage.Sql => "Sales Qualified Lead",
            CrmStage.Opportunity => "Opportunity",
            _ => "Customer",
        },
        StageNaming.Short => stage switch
        {
            CrmStage.Lead => "lead",
            CrmStage.Mql => "mql",
            CrmStage.Sal => "sal",
            CrmStage.Sql => "sql",
            CrmStage.Opportunity => "opportunity",
            _ => "customer",
        },
        _ => stage switch
        {
            CrmStage.Lead => "lead",
            CrmStage.Mql => "marketingqualifiedlead",
            CrmStage.Sal => "salesacceptedlead",
            CrmStage.Sql => "salesqualifiedlead",
            CrmStage.Opportunity => "opportunity",
            _ => "customer",
        },
    };
}
