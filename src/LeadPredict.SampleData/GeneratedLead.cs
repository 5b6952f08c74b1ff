namespace LeadPredict.SampleData;

/// <summary>
/// One generated lead as written to the file; null means the field is left empty (not known).
/// <see cref="TrueProbability"/> is the hidden chance it converts and <see cref="Converted"/> the outcome drawn from it.
/// </summary>
public sealed record GeneratedLead(
    string LeadId,
    DateOnly CreatedAt,
    string Company,
    string? Industry,
    int? Employees,
    long? AnnualRevenue,
    string? Country,
    string? JobTitle,
    string LeadSource,
    int WebsiteVisits,
    int PricingPageViews,
    int EmailOpens,
    int EmailClicks,
    int ContentDownloads,
    bool WebinarAttended,
    bool DemoRequested,
    int DaysSinceLastActivity,
    long? Budget,
    string Stage,
    double TrueProbability,
    bool Converted);
