using LeadPredict.Core;

namespace LeadPredict.Rules;

/// <summary>Leads in a group and how many converted.</summary>
public readonly record struct ConversionCount(int Leads, int Converted)
{
    /// <summary>Share converted; NaN for an empty group.</summary>
    public double Rate => Leads == 0 ? double.NaN : (double)Converted / Leads;

    public override string ToString() => Leads == 0 ? "no leads" : $"{Text.Percent(Rate)} of {Leads}";
}

/// <summary>
/// How one rule did in history: the rule (its name, column, condition in words, weight and whether it is a must-have) and
/// the leads meeting and missing it. <see cref="Lift"/> is the conversion rate of leads meeting it over that of leads
/// missing it (NaN when either group is empty). <see cref="NoLift"/> flags a rule that does not separate converters from the rest.
/// </summary>
public sealed record RuleBacktest(string Rule, string Column, string Condition, double Weight, bool MustHave,
    ConversionCount Met, ConversionCount NotMet, double Lift, bool NoLift, string Verdict);

/// <summary>
/// The ICP backtest on labelled history: per rule, and conversion by fit. Plain data, so training stores it in the model file
/// (inside the funnel document) and the console, the metrics JSON and the HTML report all show this one record.
/// </summary>
public sealed record IcpBacktestReport(
    IReadOnlyList<RuleBacktest> Rules, ConversionCount Pass, ConversionCount Partial, ConversionCount Fail, ConversionCount All);

/// <summary>
/// Backtests the ICP on labelled history: feed every lead with its outcome to <see cref="Add"/>, then call <see cref="Report"/>.
/// Adding a lead allocates nothing.
/// </summary>
public sealed class IcpBacktest(Icp icp)
{
    private readonly int[] _met = new int[icp.Rules.Count];
    private readonly int[] _metConverted = new int[icp.Rules.Count];
    private readonly int[] _fit = new int[3];
    private readonly int[] _fitConverted = new int[3];
    private int _leads, _converted;

    /// <summary>A rule whose lift is below this is flagged as having no lift.</summary>
    public double MinLift { get; init; } = 1.1;

    public void Add(ILeadValues lead, bool converted)
    {
        _leads++;
        if (converted) _converted++;
        var rules = icp.Rules;
        for (var i = 0; i < rules.Count; i++)
        {
            if (!rules[i].Condition.IsMetBy(lead)) continue;
            _met[i]++;
            if (converted) _metConverted[i]++;
        }
        var fit = (int)icp.FitOf(lead, out _);
        _fit[fit]++;
        if (converted) _fitConverted[fit]++;
    }

    public IcpBacktestReport Report()
    {
        if (MinLift is < 1 or > 100 || double.IsNaN(MinLift))
            throw new LeadPredictException($"the minimum lift must be between 1 and 100 (was {Text.Number(MinLift)}).");
        var rules = new RuleBacktest[icp.Rules.Count];
        for (var i = 0; i < rules.Length; i++)
        {
            var met = new ConversionCount(_met[i], _metConverted[i]);
            var notMet = new ConversionCount(_leads - _met[i], _converted - _metConverted[i]);
            double lift = met.Leads == 0 || notMet.Leads == 0 ? double.NaN
                : notMet.Rate == 0 ? (met.Rate == 0 ? 1 : double.PositiveInfinity)
                : met.Rate / notMet.Rate;
            var noLift = !(lift >= MinLift);
            var verdict =
                met.Leads == 0 ? "no lead meets it: no lift can be measured"
                : notMet.Leads == 0 ? "every lead meets it: no lift can be measured"
                : noLift ? $"no lift: {met} converted when met vs {notMet} when not (lift {Lift(lift)}, below {Text.Number(MinLift)})"
                : $"lift {Lift(lift)}: {met} converted when met vs {notMet} when not";
            var rule = icp.Rules[i];
            rules[i] = new RuleBacktest(rule.Name, rule.Condition.Column, rule.Condition.Description, rule.Weight, rule.MustHave, met, notMet, lift, noLift, verdict);
        }
        return new IcpBacktestReport(rules,
            new(_fit[(int)IcpFit.Pass], _fitConverted[(int)IcpFit.Pass]),
            new(_fit[(int)IcpFit.Partial], _fitConverted[(int)IcpFit.Partial]),
            new(_fit[(int)IcpFit.Fail], _fitConverted[(int)IcpFit.Fail]),
            new(_leads, _converted));
    }

    private static string Lift(double lift) => double.IsPositiveInfinity(lift) ? "infinite" : lift.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}
