using LeadPredict.SampleData.Crm;

namespace LeadPredict.SampleData.Tests.Crm;

/// <summary>Histories generated once per test run and shared by the tests that only read them.</summary>
internal static class CrmPopulation
{
    private static readonly Lazy<(CrmHistory History, IReadOnlyList<CrmLead> Leads)> Large = new(() =>
    {
        var history = new CrmHistory(new CrmOptions { Leads = 20_000, Seed = 11 });
        return (history, history.Leads().ToList());
    });

    /// <summary>20,000 leads over 540 days (seed 11), with their complete stories.</summary>
    public static CrmHistory History => Large.Value.History;

    public static IReadOnlyList<CrmLead> Leads => Large.Value.Leads;

    public static long Seconds(DateTime time) => (long)(time - DateTime.UnixEpoch).TotalSeconds;

    public const long Day = 86_400;

    /// <summary>A two-sided band of <paramref name="z"/> standard errors around the mean of Bernoulli(p_i) draws.</summary>
    public static (double Low, double High) Band(IReadOnlyCollection<double> p, double z = 4)
    {
        var mean = p.Average();
        var se = Math.Sqrt(p.Sum(x => x * (1 - x))) / p.Count;
        return (mean - z * se, mean + z * se);
    }
}
