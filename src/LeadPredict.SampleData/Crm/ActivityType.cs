namespace LeadPredict.SampleData.Crm;

/// <summary>Which shared calendar events raise an activity type's rate on a day.</summary>
public enum CalendarEffect
{
    None,
    /// <summary>Email campaign days (x6 on the day, x2.5 the day after, x1.4 the day after that).</summary>
    EmailCampaign,
    /// <summary>Site visits: x2 on email campaign days, x1.5 the day after, x1.8 in product launch weeks.</summary>
    Web,
    /// <summary>Product launch weeks: x1.8.</summary>
    Launch,
    /// <summary>Only on webinar days (every fourth Thursday); zero on other days.</summary>
    Webinar,
    /// <summary>Registrations: x2.5 in the seven days before a webinar.</summary>
    WebinarRegistration,
}

/// <summary>What the activity log's value columns hold for a type.</summary>
public enum ActivityValue { None, Duration, Page }

/// <summary>
/// An activity type of the generated log. While a lead is open, events of this type arrive as a Poisson process whose rate per
/// day is <c>Rates[level] x calendar x weekday x (Floor + (1 - Floor) e^(-age/45))</c>, spread over the hours of the day by one
/// shared profile; the rate does not depend on the funnel stage, so the activity log and the stage history are independent
/// given the level. After conversion the rate is multiplied by <see cref="AfterConversionFactor"/>, after a loss by
/// <see cref="AfterLossFactor"/>.
/// </summary>
public sealed record ActivityType(
    string Name,
    IReadOnlyList<double> Rates,
    double Weekend,
    double Floor,
    CalendarEffect Calendar,
    double AfterConversionFactor,
    double AfterLossFactor,
    ActivityValue Value)
{
    /// <summary>The types whose events come from the rate process (before and after a lead closes), in the order of their counts.</summary>
    public static readonly IReadOnlyList<ActivityType> Modeled =
    [
        new("email_open", [0.02, 0.2, 0.28, 0.38], 0.55, 0.45, CalendarEffect.EmailCampaign, 0.8, 0.3, ActivityValue.None),
        new("email_click", [0.0005, 0.012, 0.025, 0.05], 0.5, 0.35, CalendarEffect.EmailCampaign, 0.6, 0.2, ActivityValue.Page),
        new("page_view", [0.006, 0.08, 0.13, 0.22], 0.4, 0.25, CalendarEffect.Web, 1.5, 0.15, ActivityValue.Page),
        new("pricing_page_view", [0.0003, 0.006, 0.015, 0.04], 0.4, 0.2, CalendarEffect.Launch, 0.2, 0.1, ActivityValue.Page),
        new("content_download", [0.0005, 0.008, 0.015, 0.025], 0.3, 0.2, CalendarEffect.Launch, 0.3, 0.2, ActivityValue.Page),
        new("webinar_attended", [0.002, 0.03, 0.06, 0.12], 1, 0.4, CalendarEffect.Webinar, 0.5, 0.3, ActivityValue.Duration),
        new("form_submit", [0.0005, 0.005, 0.01, 0.02], 0.4, 0.2, CalendarEffect.WebinarRegistration, 0.2, 0.1, ActivityValue.Page),
        new("demo_request", [0.00005, 0.001, 0.004, 0.012], 0.1, 0.3, CalendarEffect.None, 0, 0.02, ActivityValue.None),
        new("meeting", [0.0001, 0.0015, 0.005, 0.015], 0.03, 1, CalendarEffect.None, 0.3, 0, ActivityValue.Duration),
        new("call", [0.0005, 0.005, 0.012, 0.025], 0.05, 1, CalendarEffect.None, 0.3, 0.05, ActivityValue.Duration),
        // Leakage bait that also (rarely) happens before the sale: questions from leads already deep in talks.
        new("support_ticket", [0.00002, 0.0001, 0.0003, 0.0008], 0.2, 1, CalendarEffect.None, 100, 0, ActivityValue.None),
    ];
    /// <summary>Leakage bait that only ever happens at or after conversion (not from the rate process; see docs/sample-data.md).</summary>
    public const string ContractSigned = "contract_signed";
    public const string OnboardingCall = "onboarding_call";
    public const string InvoiceSent = "invoice_sent";

    public static readonly IReadOnlyList<string> AfterConversionOnly = [ContractSigned, OnboardingCall, InvoiceSent];

    /// <summary>Every type name the log can hold: the modeled ones, then the after-conversion-only ones.</summary>
    public static IReadOnlyList<string> AllNames { get; } = [.. Modeled.Select(t => t.Name), .. AfterConversionOnly];

    /// <summary>Types that happen only or mostly after conversion (the leak check should name these).</summary>
    public static IReadOnlyList<string> PostConversionBait { get; } = [.. AfterConversionOnly, "support_ticket"];
}
