using System.Globalization;

namespace LeadPredict.SampleData.Crm;

/// <summary>
/// Draws one lead's whole story from <see cref="CrmProcess"/>. Each lead has its own random stream (seeded from the seed and
/// its index), so any lead can be regenerated alone, in any order, on any thread, and always comes out the same.
/// </summary>
internal sealed class CrmSimulator(CrmOptions options, ActivityCalendar calendar)
{
    private readonly long _exportAt = ActivityCalendar.ToSeconds(options.ExportDate);
    private readonly long _span = options.Days * ActivityCalendar.SecondsPerDay;

    public long ExportAt => _exportAt;

    private static readonly string[] PagePaths = ["/", "/product", "/features", "/integrations", "/customers", "/blog/lead-scoring-101", "/blog/crm-hygiene", "/about", "/security"];
    private static readonly string[] PricingPaths = ["/pricing", "/pricing", "/pricing/enterprise", "/pricing/compare"];
    private static readonly string[] ClickPaths = ["/lp/newsletter", "/lp/case-study", "/lp/webinar", "/lp/product-update"];
    private static readonly string[] DownloadPaths = ["/resources/buyers-guide.pdf", "/resources/roi-calculator.xlsx", "/resources/benchmark-report.pdf", "/resources/checklist.pdf"];
    private static readonly string[] FormPaths = ["/contact", "/webinars/register", "/newsletter", "/trial"];

    public static string LeadId(int index) => "L-" + (index + 1).ToString("D6", CultureInfo.InvariantCulture);

    public CrmLead Generate(int index)
    {
        var rng = new Prng(Prng.Mix(options.Seed, (ulong)index));
        var created = _exportAt - _span + (long)Math.Floor((index + rng.NextDouble()) * _span / options.Leads);
        created = Math.Min(created, _exportAt - 1);

        var f = Firmographics.Draw(rng);
        string? industry = rng.Chance(0.04) ? null : f.Industry.Name;
        int? employees = rng.Chance(0.05) ? null : f.Employees;
        long? revenue = rng.Chance(0.06) ? null : f.Revenue;
        string? country = rng.Chance(0.03) ? null : f.Country.Name;
        string? title = rng.Chance(0.04) ? null : f.Title;
        var fit = CrmProcess.FitClass(employees, title is null ? null : f.Seniority, industry);
        var level = Draw(rng, CrmProcess.LevelPrior(f.Source.Intent, fit));
        long? budget = rng.Chance(CrmProcess.BudgetShare[level]) ? f.DrawBudget(rng) : null;

        var (stages, wonAt, lostAt) = StagePath(rng, created, level, fit);
        var activities = Activities(rng, created, level, wonAt, lostAt);
        var outOfOrder = rng.Chance(0.03);

        return new CrmLead
        {
            Index = index,
            LeadId = LeadId(index),
            CreatedAtSeconds = created,
            Company = f.Company,
            Industry = industry,
            Employees = employees,
            AnnualRevenue = revenue,
            Country = country,
            JobTitle = title,
            LeadSource = f.Source.Name,
            Budget = budget,
            Level = (IntentLevel)level,
            FitClass = fit,
            SourceIntent = f.Source.Intent,
            Stages = stages,
            WonAt = wonAt,
            LostAt = lostAt,
            Activities = activities,
            StageRowsOutOfOrder = outOfOrder,
        };
    }

    private static int Draw(Prng rng, double[] probabilities)
    {
        var u = rng.NextDouble();
        for (var k = 0; k < probabilities.Length - 1; k++)
        {
            if (u < probabilities[k]) return k;
            u -= probabilities[k];
        }
        return probabilities.Length - 1;
    }

    /// <summary>
    /// The semi-Markov walk down the ladder: in each stage, an Erlang time (phases x exponential) races an exponential loss;
    /// the winner decides. Times are whole seconds and every real stay lasts at least one second, so only the
    /// "entered as MQL" pair shares a timestamp.
    /// </summary>
    private static (List<StageEntry> Stages, long? WonAt, long? LostAt) StagePath(Prng rng, long created, int level, int fit)
    {
        var stages = new List<StageEntry>(6) { new(CrmStage.Lead, created) };
        var s = 0;
        if (rng.Chance(CrmProcess.StartAsMql[level]))
        {
            stages.Add(new(CrmStage.Mql, created));
            s = 1;
        }
        var t = created;
        while (true)
        {
            var r = CrmProcess.Rates(s, level, fit);
            var stay = 0.0;
            for (var i = 0; i < r.Phases; i++) stay += rng.Exponential(r.Rate);
            var loss = rng.Exponential(r.LossRate);
            if (loss < stay) return (stages, null, t + Seconds(loss));
            t += Seconds(stay);
            s += r.BackShare > 0 && rng.Chance(r.BackShare) ? -1 : 1;
            stages.Add(new((CrmStage)s, t));
            if (s == (int)CrmStage.Customer) return (stages, t, null);
        }
    }

    private static long Seconds(double days) => Math.Max(1, (long)Math.Floor(days * ActivityCalendar.SecondsPerDay));

    private List<CrmActivity> Activities(Prng rng, long created, int level, long? wonAt, long? lostAt)
    {
        var events = new List<CrmActivity>();
        var createdDay = calendar.DayOf(created);
        var closed = wonAt ?? lostAt!.Value;
        AddPiece(rng, events, static _ => 1, created, closed, createdDay, level);
        if (wonAt is null) AddPiece(rng, events, static t => t.AfterLossFactor, closed, _exportAt, createdDay, level);
        else AddPiece(rng, events, static t => t.AfterConversionFactor, closed, _exportAt, createdDay, level);
        if (wonAt is { } won && won < _exportAt) AddAfterConversion(rng, events, won);
        events.Sort(static (a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Type.CompareTo(b.Type));
        return events;
    }

    /// <summary>Events of every modeled type over [from, to) (cut at the export), at each type's rate times <paramref name="factor"/>.</summary>
    private void AddPiece(Prng rng, List<CrmActivity> events, Func<ActivityType, double> factor, long from, long to, int createdDay, int level)
    {
        to = Math.Min(to, _exportAt);
        if (to <= from) return;
        var types = ActivityType.Modeled;
        for (var j = 0; j < types.Count; j++)
        {
            var f = factor(types[j]);
            if (f == 0) continue;
            var exposure = calendar.Exposure(j, from, to, createdDay);
            if (exposure <= 0) continue;
            var n = rng.PoissonExact(types[j].Rates[level] * f * exposure);
            for (var e = 0; e < n; e++)
            {
                var at = calendar.Place(j, from, to, createdDay, rng.NextDouble() * exposure);
                events.Add(Value(rng, j, at));
            }
        }
    }

    private static CrmActivity Value(Prng rng, int type, long at)
    {
        var (duration, page) = ValueDrawers[type](rng);
        return new(at, type, duration, page);
    }

    /// <summary>What each modeled type's value columns hold; drawn independently of the level, so they carry no signal.</summary>
    private static readonly Func<Prng, (int Duration, string? Page)>[] ValueDrawers =
    [
        .. ActivityType.Modeled.Select<ActivityType, Func<Prng, (int, string?)>>(t => t.Name switch
        {
            "email_click" => rng => (0, rng.Pick(ClickPaths)),
            "page_view" => rng => (0, rng.Pick(PagePaths)),
            "pricing_page_view" => rng => (0, rng.Pick(PricingPaths)),
            "content_download" => rng => (0, rng.Pick(DownloadPaths)),
            "form_submit" => rng => (0, rng.Pick(FormPaths)),
            "webinar_attended" => rng => (600 + rng.Next(3001), null),
            "meeting" => rng => (900 * (1 + rng.Next(4)), null),
            "call" => rng => ((int)Math.Clamp(Math.Exp(5.3 + 0.9 * rng.Normal()), 20, 5400), null),
            _ => _ => (0, null),
        }),
    ];

    /// <summary>The bait only customers produce: the signed contract at the conversion itself, onboarding calls, monthly invoices.</summary>
    private void AddAfterConversion(Prng rng, List<CrmActivity> events, long won)
    {
        var modeled = ActivityType.Modeled.Count;
        events.Add(new(won, modeled, 0, null));
        var calls = 1 + rng.Poisson(1.5);
        for (var i = 0; i < calls; i++)
        {
            var at = won + Seconds(0.5 + 39.5 * rng.NextDouble());
            var duration = rng.Chance(0.5) ? 1800 : 3600;
            if (at < _exportAt) events.Add(new(at, modeled + 1, duration, null));
        }
        for (var at = won + Seconds(3 * rng.NextDouble()); at < _exportAt; at += Seconds(28 + 4 * rng.NextDouble()))
            events.Add(new(at, modeled + 2, 0, null));
    }
}
