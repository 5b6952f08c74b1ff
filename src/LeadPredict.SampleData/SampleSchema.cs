namespace LeadPredict.SampleData;

/// <summary>The columns of a generated lead file, in file order, and what drives the outcome.</summary>
public static class SampleSchema
{
    public const string LeadId = "lead_id";
    public const string CreatedAt = "created_at";
    public const string Company = "company";
    public const string Industry = "industry";
    public const string Employees = "employees";
    public const string AnnualRevenue = "annual_revenue";
    public const string Country = "country";
    public const string JobTitle = "job_title";
    public const string LeadSource = "lead_source";
    public const string WebsiteVisits = "website_visits";
    public const string PricingPageViews = "pricing_page_views";
    public const string EmailOpens = "email_opens";
    public const string EmailClicks = "email_clicks";
    public const string ContentDownloads = "content_downloads";
    public const string WebinarAttended = "webinar_attended";
    public const string DemoRequested = "demo_requested";
    public const string DaysSinceLastActivity = "days_since_last_activity";
    public const string Budget = "budget";
    public const string Stage = "stage";
    public const string Converted = "converted";
    public const string TrueProbability = "true_probability";

    /// <summary>The value of <see cref="Converted"/> (and of the yes/no columns) that means true.</summary>
    public const string Yes = "yes";
    public const string No = "no";

    /// <summary>The <see cref="LeadSource"/> placeholder a CRM form leaves when nobody picked a source.</summary>
    public const string UnknownSource = "Select";

    /// <summary>The columns every file has, before the optional <see cref="Converted"/> and <see cref="TrueProbability"/>.</summary>
    public static readonly IReadOnlyList<string> FeatureColumns =
    [
        LeadId, CreatedAt, Company, Industry, Employees, AnnualRevenue, Country, JobTitle, LeadSource,
        WebsiteVisits, PricingPageViews, EmailOpens, EmailClicks, ContentDownloads, WebinarAttended,
        DemoRequested, DaysSinceLastActivity, Budget, Stage,
    ];

    /// <summary>CRM lifecycle stages, earliest first; recorded before the outcome is known.</summary>
    public static readonly IReadOnlyList<string> Stages = ["lead", "mql", "sal", "sql", "opportunity"];

    /// <summary>
    /// The columns with the largest effect on the hidden conversion probability, most influential first.
    /// A model trained on the generated history should rank its top features roughly like this.
    /// </summary>
    public static readonly IReadOnlyList<string> MostInfluentialColumns =
    [
        DemoRequested, PricingPageViews, JobTitle, Employees, DaysSinceLastActivity, Industry, EmailClicks, WebinarAttended,
    ];

    /// <summary>The header for the given options, in file order.</summary>
    public static IReadOnlyList<string> Header(GeneratorOptions options)
    {
        var header = new List<string>(FeatureColumns);
        if (options.IncludeOutcome) header.Add(Converted);
        if (options.IncludeTrueProbability) header.Add(TrueProbability);
        return header;
    }
}
