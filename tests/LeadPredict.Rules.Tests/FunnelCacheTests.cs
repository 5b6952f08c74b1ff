namespace LeadPredict.Rules.Tests;

/// <summary>
/// Rules keep what they worked out for a value (whether a pattern matches, the words of an explanation) for the next lead
/// with the same value; whatever was seen before, a lead's advice must read exactly as it would for the first lead an
/// advisor ever saw.
/// </summary>
public sealed class FunnelCacheTests
{
    private static readonly DecileCuts Cuts = new(TopDecileFrom: 0.6, BottomDecileBelow: 0.03);

    private static readonly string[] Stages = ["lead", "mql", "sal", "sql", "opportunity", "customer", "Marketing Qualified", "unheard-of", ""];
    private static readonly string[] Industries = ["Software", "Retail", "Healthcare", "Energy", "Education"];
    private static readonly string[] Countries = ["US", "Brazil", "Germany", "India"];
    private static readonly string[] Titles = ["VP of Sales", "Student", "Head of IT", "Analyst", "CEO"];

    /// <summary>Leads whose values repeat in content, each value a new string instance, with probabilities near every threshold.</summary>
    private static List<(LeadValues Lead, double Probability)> Leads(int count, int seed)
    {
        var random = new Random(seed);
        string Fresh(string s) => new(s.AsSpan());
        string? Number(int max) => random.Next(8) == 0 ? null : Fresh(random.Next(max).ToString(System.Globalization.CultureInfo.InvariantCulture));
        double[] near = [0.03, 0.05, 0.10, 0.20, 0.35, 0.50, 0.60];
        return Enumerable.Range(0, count).Select(_ => (LeadValues.Of(
            ("stage", Fresh(Stages[random.Next(Stages.Length)])), ("industry", Fresh(Industries[random.Next(Industries.Length)])),
            ("country", Fresh(Countries[random.Next(Countries.Length)])), ("job_title", Fresh(Titles[random.Next(Titles.Length)])),
            ("employees", Number(200)), ("budget", Number(30_000)), ("website_visits", Number(6)), ("pricing_page_views", Number(5)),
            ("email_clicks", Number(3)), ("content_downloads", Number(3)), ("webinar_attended", random.Next(2) == 0 ? "yes" : "no"),
            ("demo_requested", random.Next(3) == 0 ? "yes" : "no")),
            random.Next(3) == 0 ? near[random.Next(near.Length)] + (random.NextDouble() - 0.5) * 0.01 : random.NextDouble())).ToList();
    }

    private static string Describe(FunnelDecision d) =>
        $"{d.CurrentStage}|{d.SuggestedStage}|{d.Action}|{d.Review}|{d.Reason}|{d.Icp?.Fit}|{d.Icp?.Score}|{d.IcpFailed}";

    [Fact]
    public void Advice_after_thousands_of_leads_reads_as_the_advice_of_a_fresh_advisor()
    {
        var leads = Leads(4_000, seed: 3);
        var seasoned = new FunnelAdvisor(Sample.Rules(), Cuts);
        var afterAll = leads.Select(l => Describe(seasoned.Decide(l.Lead, l.Probability))).ToArray();

        // The same leads in the opposite order on another advisor, and the first ones each on an advisor of its own.
        var reversed = new FunnelAdvisor(Sample.Rules(), Cuts);
        for (var i = leads.Count - 1; i >= 0; i--)
            Assert.Equal(afterAll[i], Describe(reversed.Decide(leads[i].Lead, leads[i].Probability)));
        for (var i = 0; i < 150; i++)
            Assert.Equal(afterAll[i], Describe(new FunnelAdvisor(Sample.Rules(), Cuts).Decide(leads[i].Lead, leads[i].Probability)));
        Assert.True(afterAll.Distinct().Count() > 500, "the leads should cover many different pieces of advice");
    }
}
