using System.Globalization;
using System.Text;
using LeadPredict.Core;
using LeadPredict.Core.Csv;

namespace LeadPredict.SampleData;

/// <summary>
/// Generates B2B lead history whose outcome comes from a hidden logistic model (see <see cref="SampleSchema.MostInfluentialColumns"/>).
/// Engagement is driven by an unobserved buying intent, the outcome only by what the file shows, so the best
/// possible model is the true probability itself and a good learner can get close to it.
/// </summary>
public static class LeadGenerator
{
    private static readonly DateOnly DriftEpoch = new(2025, 1, 1);

    /// <summary>Leads in time order, generated lazily so any number of rows takes constant memory.</summary>
    public static IEnumerable<GeneratedLead> Generate(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return GenerateWithTerms(options).Select(d => d.Lead);
    }

    /// <summary>Writes the leads as CSV through <see cref="AtomicFile"/>: the target is either the old file or the complete new one.</summary>
    public static void WriteCsv(string path, GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            WriteCsv(writer, options);
        });
    }

    public static void WriteCsv(TextWriter writer, GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        writer.Write(string.Join(',', SampleSchema.Header(options)));
        writer.Write('\n');
        foreach (var (lead, _) in GenerateWithTerms(options))
            WriteRow(writer, lead, options);
    }

    private static void WriteRow(TextWriter w, GeneratedLead l, GeneratorOptions o)
    {
        w.Write(l.LeadId); w.Write(',');
        WriteDate(w, l.CreatedAt); w.Write(',');
        w.Write(CsvText.Escape(l.Company)); w.Write(',');
        WriteText(w, l.Industry); w.Write(',');
        WriteNumber(w, l.Employees); w.Write(',');
        WriteNumber(w, l.AnnualRevenue); w.Write(',');
        WriteText(w, l.Country); w.Write(',');
        WriteText(w, l.JobTitle); w.Write(',');
        WriteText(w, l.LeadSource); w.Write(',');
        WriteNumber(w, l.WebsiteVisits); w.Write(',');
        WriteNumber(w, l.PricingPageViews); w.Write(',');
        WriteNumber(w, l.EmailOpens); w.Write(',');
        WriteNumber(w, l.EmailClicks); w.Write(',');
        WriteNumber(w, l.ContentDownloads); w.Write(',');
        w.Write(YesNo(l.WebinarAttended)); w.Write(',');
        w.Write(YesNo(l.DemoRequested)); w.Write(',');
        WriteNumber(w, l.DaysSinceLastActivity); w.Write(',');
        WriteNumber(w, l.Budget); w.Write(',');
        w.Write(l.Stage);
        if (o.IncludeOutcome)
        {
            w.Write(',');
            w.Write(YesNo(l.Converted));
        }
        if (o.IncludeTrueProbability)
        {
            w.Write(',');
            Span<char> buf = stackalloc char[16];
            l.TrueProbability.TryFormat(buf, out var n, "0.000000", CultureInfo.InvariantCulture);
            w.Write(buf[..n]);
        }
        w.Write('\n');
    }

    private static string YesNo(bool value) => value ? SampleSchema.Yes : SampleSchema.No;

    private static void WriteText(TextWriter w, string? value)
    {
        if (value is not null) w.Write(CsvText.Escape(value));
    }

    private static void WriteNumber(TextWriter w, long? value)
    {
        if (value is not { } v) return;
        Span<char> buf = stackalloc char[24];
        v.TryFormat(buf, out var n, default, CultureInfo.InvariantCulture);
        w.Write(buf[..n]);
    }

    private static void WriteDate(TextWriter w, DateOnly date)
    {
        Span<char> buf = stackalloc char[10];
        date.TryFormat(buf, out var n, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        w.Write(buf[..n]);
    }

    /// <summary>The leads with each column's additive share of the hidden log-odds (for checking the influence ranking).</summary>
    internal static IEnumerable<(GeneratedLead Lead, LogitTerms Terms)> GenerateWithTerms(GeneratorOptions options)
    {
        var rng = new Prng(options.Seed);
        for (var i = 0; i < options.Rows; i++)
            yield return Next(rng, options, i);
    }

    private static (GeneratedLead, LogitTerms) Next(Prng rng, GeneratorOptions o, int i)
    {
        var offset = Math.Min(o.Days - 1, (int)((i + rng.NextDouble()) * o.Days / o.Rows));
        var created = o.Start.AddDays(offset);

        var f = Firmographics.Draw(rng);
        var (industry, country, source, employees, revenue, seniority) = (f.Industry, f.Country, f.Source, f.Employees, f.Revenue, f.Seniority);
        var decisionMaker = f.DecisionMaker;

        var intent = rng.Normal() + source.Intent;
        var visits = rng.Poisson(Math.Exp(0.9 + 0.55 * intent));
        var pricing = rng.Binomial(visits, Sigmoid(-1.4 + 0.7 * intent + (decisionMaker ? 0.3 : 0)));
        var opens = rng.Poisson(Math.Exp(1.3 + 0.35 * intent));
        var clicks = rng.Binomial(opens, Sigmoid(-1.6 + 0.5 * intent));
        var downloads = rng.Poisson(Math.Exp(-0.8 + 0.5 * intent));
        var webinar = rng.Chance(Sigmoid(-1.8 + 0.5 * intent + (source.Name == "Webinar" ? 2.0 : 0)));
        var demo = rng.Chance(Sigmoid(-2.6 + 0.6 * intent + 0.35 * Math.Min(pricing, 4) + (decisionMaker ? 0.4 : 0)
                                      - (seniority == Seniority.Junior ? 1.0 : 0)));
        var days = (int)Math.Min(180, -Math.Exp(2.9 - 0.45 * intent) * Math.Log(1 - rng.NextDouble()));

        var stageScore = (demo ? 1.3 : 0) + 0.5 * Math.Log(1 + pricing) + 0.3 * Math.Log(1 + visits) + 0.15 * Math.Min(clicks, 4)
                         + (webinar ? 0.4 : 0) + 0.1 * Math.Min(downloads, 3) - 0.008 * days + 0.6 * rng.Normal();
        var stage = stageScore switch { < 0.5 => 0, < 1.1 => 1, < 1.7 => 2, < 2.4 => 3, _ => 4 };
        long? budget = rng.Chance(0.48 + 0.07 * stage) ? f.DrawBudget(rng) : null;

        var terms = new LogitTerms(
            Demo: demo ? 2.4 : 0,
            Pricing: (decisionMaker ? 1.6 : 0.85) * Math.Log(1 + pricing),
            Title: Vocabulary.Effect(seniority),
            Employees: employees switch { < 10 => -0.7, < 50 => -0.1, <= 5000 => 0.55, <= 20_000 => 0.1, _ => -0.3 },
            Recency: 0.7 - 1.35 * (1 - Math.Exp(-days / 30.0)),
            Industry: industry.Effect,
            Clicks: 0.25 * Math.Min(clicks, 4),
            Webinar: webinar ? 0.55 : 0,
            Other: 0.3 * (1 - Math.Exp(-visits / 3.0)) + source.Effect * 0.4 + (budget is null ? 0 : 0.15) + Drift(created));
        var probability = Sigmoid(terms.Sum);
        var converted = rng.Chance(probability);

        var lead = new GeneratedLead(
            LeadId: "L-" + (o.FirstId + i).ToString("D6", CultureInfo.InvariantCulture),
            CreatedAt: created,
            Company: f.Company,
            Industry: rng.Chance(0.04) ? null : industry.Name,
            Employees: rng.Chance(0.05) ? null : employees,
            AnnualRevenue: rng.Chance(0.06) ? null : revenue,
            Country: rng.Chance(0.03) ? null : country.Name,
            JobTitle: rng.Chance(0.04) ? null : f.Title,
            LeadSource: source.Name,
            WebsiteVisits: visits,
            PricingPageViews: pricing,
            EmailOpens: opens,
            EmailClicks: clicks,
            ContentDownloads: downloads,
            WebinarAttended: webinar,
            DemoRequested: demo,
            DaysSinceLastActivity: days,
            Budget: budget,
            Stage: SampleSchema.Stages[stage],
            TrueProbability: probability,
            Converted: converted);
        return (lead, terms);
    }

    /// <summary>The intercept that puts the base conversion rate at about 15%.</summary>
    internal const double Intercept = -4.45;

    private static double Drift(DateOnly created) =>
        Math.Clamp(0.3 * (created.DayNumber - DriftEpoch.DayNumber) / 540.0 - 0.15, -0.3, 0.3);

    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));
}

/// <summary>Each column's additive share of a lead's hidden log-odds of converting; <see cref="Other"/> holds the small effects.</summary>
internal readonly record struct LogitTerms(
    double Demo, double Pricing, double Title, double Employees, double Recency, double Industry, double Clicks, double Webinar, double Other)
{
    public double Sum => LeadGenerator.Intercept + Demo + Pricing + Title + Employees + Recency + Industry + Clicks + Webinar + Other;
}
