namespace LeadPredict.SampleData;

internal enum Seniority { Junior, Individual, Manager, Director, VicePresident, CLevel, Founder }

internal sealed record Industry(string Name, double Effect, string[] CompanyWords);

internal sealed record Country(string Name, string[] Suffixes);

internal sealed record Source(string Name, double Effect, double Intent);

/// <summary>The made-up world the leads come from, with each value's hidden effect on the log-odds of converting.</summary>
internal static class Vocabulary
{
    public static readonly Weighted<Industry> Industries = new(
    [
        (new("Software", 0.45, ["Software", "Labs", "Cloud", "Systems", "Digital", "Analytics"]), 18),
        (new("Financial Services", 0.3, ["Capital", "Financial", "Bank", "Insurance", "Partners"]), 12),
        (new("Healthcare", 0.1, ["Health", "Medical", "Clinics", "Care", "Pharma"]), 10),
        (new("Manufacturing", 0.05, ["Industries", "Manufacturing", "Components", "Machinery"]), 12),
        (new("Retail", -0.2, ["Retail", "Stores", "Outfitters", "Brands", "Market"]), 10),
        (new("Education", -0.45, ["Academy", "University", "Learning", "Schools"]), 8),
        (new("Government", -0.6, ["Council", "Agency", "Authority", "Services"]), 6),
        (new("Media", -0.1, ["Media", "Studios", "Publishing"]), 7),
        (new("Logistics", 0.0, ["Logistics", "Freight", "Shipping", "Transport"]), 9),
        (new("Energy", 0.1, ["Energy", "Power", "Solar", "Utilities"]), 8),
    ]);

    public static readonly Weighted<Country> Countries = new(
    [
        (new("United States", ["Inc.", ", Inc.", "LLC", "Corp.", ""]), 32),
        (new("United Kingdom", ["Ltd", "plc", ""]), 12),
        (new("Germany", ["GmbH", "AG"]), 10),
        (new("France", ["SAS", "SA"]), 6),
        (new("Canada", ["Inc.", "Ltd."]), 7),
        (new("Netherlands", ["B.V."]), 5),
        (new("Australia", ["Pty Ltd"]), 5),
        (new("India", ["Pvt Ltd", "Private Limited"]), 7),
        (new("Brazil", ["Ltda"]), 4),
        (new("Spain", ["S.L."]), 4),
        (new("Sweden", ["AB"]), 3),
        (new("Singapore", ["Pte Ltd"]), 3),
    ]);

    public static readonly string[] CompanyStems =
    [
        "Northwind", "Blue Harbor", "Apex", "Summit", "Redwood", "Silverline", "Ironbridge", "Brightpath", "Cobalt", "Evergreen",
        "Granite", "Horizon", "Keystone", "Lakeside", "Maple", "Nimbus", "Orion", "Pinnacle", "Quantum", "Riverbend",
        "Sterling", "Tidewater", "Vantage", "Westfield", "Zenith", "Alder", "Beacon", "Cedar", "Crescent", "Falcon",
        "Harbor Point", "Juniper", "Meridian", "Oakridge", "Polaris", "Sapphire", "Trident", "Upland", "Vertex", "Willow",
    ];

    /// <summary>Real-looking names that exercise CSV quoting and non-Latin text.</summary>
    public static readonly string[] AwkwardCompanies =
    [
        "Ærø Fisk AS", "Brașov Tech SRL", "深圳数据科技", "Smith, Jones & Partners", "\"Quality\" Widgets Ltd",
        "Müller & Söhne GmbH", "Société Générale de Données SAS", "O'Brien Consulting", "Acme, Inc.", "São Paulo Dados Ltda",
        "Δέλτα Λογισμικό", "Москва Софт", "株式会社さくらシステム", "Łódź Logistyka sp. z o.o.", "The \"Best\" Bakery, LLC",
    ];

    public static readonly Weighted<Seniority> Seniorities = new(
    [
        (Seniority.Junior, 6), (Seniority.Individual, 34), (Seniority.Manager, 28), (Seniority.Director, 14),
        (Seniority.VicePresident, 7), (Seniority.CLevel, 6), (Seniority.Founder, 5),
    ]);

    public static double Effect(Seniority s) => s switch
    {
        Seniority.Junior => -1.6,
        Seniority.Individual => -0.3,
        Seniority.Manager => 0.1,
        Seniority.Director => 0.6,
        Seniority.VicePresident => 0.75,
        Seniority.CLevel => 0.7,
        _ => 0.7,
    };

    public static bool IsDecisionMaker(Seniority s) => s >= Seniority.Director;

    private static readonly string[] Functions =
    [
        "Sales", "Marketing", "IT", "Operations", "Finance", "Engineering", "Procurement", "Demand Generation",
        "Revenue Operations", "Customer Success", "Data",
    ];

    private static readonly Dictionary<Seniority, string[]> TitlePatterns = new()
    {
        [Seniority.Junior] = ["Intern", "Student", "{0} Intern", "Working Student", "MBA Student", "Graduate Student", "Trainee"],
        [Seniority.Individual] =
        [
            "{0} Analyst", "{0} Specialist", "{0} Coordinator", "Analyst", "Specialist", "Software Engineer", "Business Analyst",
            "Account Executive", "Consultant", "Sales Development Representative", "{0} Associate",
        ],
        [Seniority.Manager] = ["{0} Manager", "Manager", "Senior Manager", "Senior {0} Manager", "Sr. Manager, {0}", "Team Lead, {0}", "{0} Lead"],
        [Seniority.Director] = ["Director of {0}", "Director, {0}", "{0} Director", "Head of {0}", "Senior Director, {0}", "Director"],
        [Seniority.VicePresident] = ["VP of {0}", "VP, {0}", "Vice President, {0}", "SVP {0}", "VP {0}"],
        [Seniority.CLevel] =
        [
            "CEO", "CTO", "CFO", "CMO", "COO", "CIO", "Chief Executive Officer", "Chief Technology Officer",
            "Chief Revenue Officer", "Managing Director",
        ],
        [Seniority.Founder] = ["Founder", "Co-Founder", "Founder & CEO", "Owner", "Co-founder and CTO"],
    };

    public static string Title(Prng rng, Seniority s)
    {
        var pattern = rng.Pick(TitlePatterns[s]);
        return pattern.Contains("{0}", StringComparison.Ordinal) ? pattern.Replace("{0}", rng.Pick(Functions), StringComparison.Ordinal) : pattern;
    }

    public static readonly Weighted<Source> Sources = new(
    [
        (new("Organic Search", 0.1, 0.2), 24),
        (new("Paid Search", -0.05, 0.0), 17),
        (new("Referral", 0.45, 0.4), 9),
        (new("Event", 0.1, 0.2), 8),
        (new("Webinar", 0.05, 0.3), 8),
        (new("Partner", 0.3, 0.3), 6),
        (new("Cold Outbound", -0.45, -0.6), 13),
        (new("Social", -0.2, -0.2), 12),
        (new(SampleSchema.UnknownSource, 0.0, 0.0), 3),
    ]);
}
