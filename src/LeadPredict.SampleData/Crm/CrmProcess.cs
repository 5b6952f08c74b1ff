namespace LeadPredict.SampleData.Crm;

/// <summary>The funnel ladder of the generated CRM, earliest first; <see cref="Customer"/> is conversion.</summary>
public enum CrmStage { Lead, Mql, Sal, Sql, Opportunity, Customer }

/// <summary>
/// A lead's hidden buying intent. It drives both its activity rates and how fast and how far it moves down the funnel.
/// Dormant leads barely engage at all (the quiet leads of a real CRM).
/// </summary>
public enum IntentLevel { Dormant, Cold, Warm, Hot }

/// <summary>
/// How one stage is left by a lead of a given intent level and fit class: after <see cref="Phases"/> exponential phases of
/// rate <see cref="Rate"/> per day (an Erlang time in stage), unless lost first at <see cref="LossRate"/> per day; a lead that
/// completes the phases moves back one stage with probability <see cref="BackShare"/>, otherwise up one.
/// </summary>
public sealed record StageRates(int Phases, double Rate, double LossRate, double BackShare);

/// <summary>
/// The stated process behind <see cref="CrmHistory"/> (docs/sample-data.md explains it). Everything a lead does depends on
/// its hidden <see cref="IntentLevel"/> and on its fit class (0-3, from the recorded firmographics), and on nothing else that
/// is hidden, which is what makes the best possible probability exact (<see cref="TruthModel"/>).
/// </summary>
public static class CrmProcess
{
    public const int Levels = 4;
    public const int FitClasses = 4;
    public const int LadderStages = 5; // lead .. opportunity; customer is absorbing

    /// <summary>Industries the ideal customer profile targets (as in data/rules.json).</summary>
    public static readonly IReadOnlySet<string> TargetIndustries =
        new HashSet<string>(["Software", "Financial Services", "Healthcare", "Manufacturing", "Logistics"], StringComparer.Ordinal);

    /// <summary>Prior log-odds of each level: base + per unit of the source's intent + per fit class point.</summary>
    internal static readonly double[] PriorBase = [-0.7, 0, -1.0, -2.3];
    internal static readonly double[] PriorPerSourceIntent = [-0.5, 0, 0.8, 1.8];
    internal static readonly double[] PriorPerFitClass = [0, 0, 0.25, 0.55];

    /// <summary>Chance that a lead of each level states a budget (the only firmographic that depends on the level).</summary>
    public static readonly IReadOnlyList<double> BudgetShare = [0.3, 0.35, 0.5, 0.7];

    /// <summary>Chance that a lead of each level enters as an MQL at once (the CRM writes "lead" and "MQL" with the same timestamp).</summary>
    public static readonly IReadOnlyList<double> StartAsMql = [0.02, 0.04, 0.12, 0.3];

    /// <summary>The rates of a warm lead of fit class 2, per ladder stage (lead, MQL, SAL, SQL, opportunity).</summary>
    public static readonly IReadOnlyList<StageRates> BaseStages =
    [
        new(2, 0.1, 0.017, 0),
        new(2, 0.06, 0.01, 0),
        new(3, 0.18, 0.018, 0.08),
        new(3, 0.09, 0.0095, 0.12),
        new(3, 0.045, 0.0048, 0.10),
    ];

    /// <summary>Multipliers of the phase rate and of the loss rate per level and per fit class.</summary>
    public static readonly IReadOnlyList<double> LevelSpeed = [0.25, 0.4, 1.0, 1.5];
    public static readonly IReadOnlyList<double> LevelLoss = [1.0, 0.7, 1.0, 0.6];
    public static readonly IReadOnlyList<double> ClassSpeed = [0.75, 0.9, 1.0, 1.1];
    public static readonly IReadOnlyList<double> ClassLoss = [1.5, 1.15, 1.0, 0.85];

    /// <summary>The stage rates for a lead of this level and fit class.</summary>
    public static StageRates Rates(int stage, int level, int fitClass)
    {
        var b = BaseStages[stage];
        return b with
        {
            Rate = b.Rate * LevelSpeed[level] * ClassSpeed[fitClass],
            LossRate = b.LossRate * LevelLoss[level] * ClassLoss[fitClass],
        };
    }

    /// <summary>Prior probability of each level for a lead with this source intent and fit class (before any activity).</summary>
    public static double[] LevelPrior(double sourceIntent, int fitClass)
    {
        var logits = new double[Levels];
        for (var k = 0; k < Levels; k++)
            logits[k] = PriorBase[k] + PriorPerSourceIntent[k] * sourceIntent + PriorPerFitClass[k] * fitClass;
        return Softmax(logits);
    }

    /// <summary>
    /// The fit class: one point each for 50-5,000 employees, a decision-maker's title and a target industry, as recorded
    /// (a value missing from the leads table earns no point); students and interns are class 0.
    /// </summary>
    internal static int FitClass(int? employees, Seniority? seniority, string? industry)
    {
        if (seniority == Seniority.Junior) return 0;
        var points = 0;
        if (employees is >= 50 and <= 5000) points++;
        if (seniority is { } s && Vocabulary.IsDecisionMaker(s)) points++;
        if (industry is not null && TargetIndustries.Contains(industry)) points++;
        return points;
    }

    /// <summary>Days over which early engagement fades to each type's floor (<see cref="ActivityType.Floor"/>).</summary>
    public const double DecayDays = 45;

    internal static double[] Softmax(double[] logits)
    {
        var max = logits.Max();
        var p = new double[logits.Length];
        var sum = 0.0;
        for (var i = 0; i < p.Length; i++) sum += p[i] = Math.Exp(logits[i] - max);
        for (var i = 0; i < p.Length; i++) p[i] /= sum;
        return p;
    }
}
