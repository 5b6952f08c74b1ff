namespace LeadPredict.SampleData;

/// <summary>
/// Who a lead is (company, size, role, source), drawn the same way for the flat lead file and the CRM history.
/// The draws happen in a fixed order, so a seed gives the same companies in both generators' first draws.
/// </summary>
internal sealed record Firmographics(
    Industry Industry, Country Country, Source Source, int Employees, long Revenue, Seniority Seniority, string Title, string Company)
{
    public bool DecisionMaker => Vocabulary.IsDecisionMaker(Seniority);

    public static Firmographics Draw(Prng rng)
    {
        var industry = rng.Pick(Vocabulary.Industries);
        var country = rng.Pick(Vocabulary.Countries);
        var source = rng.Pick(Vocabulary.Sources);
        var employees = (int)Math.Clamp(Math.Round(Math.Exp(4.3 + 1.9 * rng.Normal())), 1, 50_000);
        var revenue = (long)Math.Round(employees * Math.Exp(Math.Log(180_000) + 0.45 * rng.Normal()) / 1000) * 1000;
        var seniority = employees < 20 && rng.Chance(0.3)
            ? (rng.Chance(0.5) ? Seniority.Founder : Seniority.CLevel)
            : rng.Pick(Vocabulary.Seniorities);
        var title = Vocabulary.Title(rng, seniority);
        var company = CompanyName(rng, industry, country);
        return new(industry, country, source, employees, revenue, seniority, title, company);
    }

    /// <summary>A budget the lead stated: a small share of revenue, rounded to 500, between 1,000 and 5,000,000.</summary>
    public long DrawBudget(Prng rng) =>
        Math.Clamp((long)Math.Round(Revenue * Math.Exp(-4.6 + 0.7 * rng.Normal()) / 500) * 500, 1000, 5_000_000);

    private static string CompanyName(Prng rng, Industry industry, Country country)
    {
        if (rng.Chance(0.03)) return rng.Pick(Vocabulary.AwkwardCompanies);
        var name = rng.Pick(Vocabulary.CompanyStems);
        if (rng.Chance(0.7)) name += " " + rng.Pick(industry.CompanyWords);
        var suffix = rng.Pick(country.Suffixes);
        return suffix.Length == 0 ? name : suffix[0] == ',' ? name + suffix : name + " " + suffix;
    }
}
