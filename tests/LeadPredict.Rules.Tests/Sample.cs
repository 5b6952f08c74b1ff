using LeadPredict.Core;
using LeadPredict.Rules;

namespace LeadPredict.Rules.Tests;

/// <summary>The bundled sample's columns, and leads built on them.</summary>
internal static class Sample
{
    public static readonly IReadOnlyDictionary<string, ColumnKind> Columns = new Dictionary<string, ColumnKind>(StringComparer.OrdinalIgnoreCase)
    {
        ["lead_id"] = ColumnKind.Identifier,
        ["created_at"] = ColumnKind.Date,
        ["company"] = ColumnKind.Identifier,
        ["industry"] = ColumnKind.Categorical,
        ["employees"] = ColumnKind.Numeric,
        ["annual_revenue"] = ColumnKind.Numeric,
        ["country"] = ColumnKind.Categorical,
        ["job_title"] = ColumnKind.Text,
        ["lead_source"] = ColumnKind.Categorical,
        ["website_visits"] = ColumnKind.Numeric,
        ["pricing_page_views"] = ColumnKind.Numeric,
        ["email_opens"] = ColumnKind.Numeric,
        ["email_clicks"] = ColumnKind.Numeric,
        ["content_downloads"] = ColumnKind.Numeric,
        ["webinar_attended"] = ColumnKind.Boolean,
        ["demo_requested"] = ColumnKind.Boolean,
        ["days_since_last_activity"] = ColumnKind.Numeric,
        ["budget"] = ColumnKind.Numeric,
        ["stage"] = ColumnKind.Categorical,
        ["converted"] = ColumnKind.Boolean,
    };

    public static string RulesPath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "sample", "rules.json");

    public static RuleSet Rules() => RuleSet.Load(RulesPath, Columns);

    /// <summary>A VP of Sales at a US software company of 400 people with a budget, who requested a demo.</summary>
    public static LeadValues DecisionMaker(string stage = "sal", params (string, string?)[] overrides) => With(
    [
        ("industry", "Software"), ("employees", "400"), ("country", "US"), ("job_title", "VP of Sales"),
        ("website_visits", "12"), ("pricing_page_views", "4"), ("email_clicks", "3"), ("content_downloads", "2"),
        ("webinar_attended", "yes"), ("demo_requested", "yes"), ("budget", "25000"), ("stage", stage),
    ], overrides);

    /// <summary>A student at a tiny company with no engagement.</summary>
    public static LeadValues Student(string stage = "lead", params (string, string?)[] overrides) => With(
    [
        ("industry", "Education"), ("employees", "3"), ("country", "Brazil"), ("job_title", "Student"),
        ("website_visits", "1"), ("pricing_page_views", "0"), ("email_clicks", "0"), ("content_downloads", "0"),
        ("webinar_attended", "no"), ("demo_requested", "no"), ("budget", null), ("stage", stage),
    ], overrides);

    private static LeadValues With((string, string?)[] values, (string, string?)[] overrides)
    {
        var d = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in values) d[k] = v;
        foreach (var (k, v) in overrides) d[k] = v;
        return new LeadValues(d);
    }
}
