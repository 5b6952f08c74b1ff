using System.Globalization;
using System.Text;

namespace LeadPredict.Rules;

/// <summary>
/// The learned funnel's numbers in a lead's reason: "SAL -> SQL: 41% reach SQL within 30 days (SAL average 50%); 9 days in SAL
/// (median 14)", and whether the lead is stalled (in its stage for at least <see cref="LearnedFunnel.StalledFactor"/> times the
/// stage's median stay). The texts that are the same for every lead are made once; a lead's numbers are appended without allocating.
/// </summary>
internal sealed class FunnelHistoryNotes
{
    private readonly LearnedFunnel _learned;
    private readonly StageFigures?[] _figures;
    private readonly string?[] _opening, _average, _inStage, _dayInStage, _median;
    private readonly double[] _stalledFrom;
    private readonly string[] _stages;

    public FunnelHistoryNotes(Funnel funnel, LearnedFunnel learned)
    {
        _learned = learned;
        var n = funnel.Stages.Count;
        _figures = new StageFigures?[n];
        _opening = new string?[n];
        _average = new string?[n];
        _inStage = new string?[n];
        _dayInStage = new string?[n];
        _median = new string?[n];
        _stalledFrom = Enumerable.Repeat(double.PositiveInfinity, n).ToArray();
        _stages = funnel.Stages.Select(s => s.Name).ToArray();
        for (var i = 0; i + 1 < n; i++)
        {
            var f = learned.For(funnel.Stages[i].Name);
            if (f is null || f.Leads == 0) continue;
            _figures[i] = f;
            var (stage, next) = (funnel.Stages[i].Name, funnel.Stages[i + 1].Name);
            _opening[i] = $"{stage} -> {next}: ";
            _average[i] = $" reach {next} within {learned.PromotionHorizonDays} days ({stage} average {Percent(f.PromotedWithinHorizon ?? 0)})";
            _inStage[i] = $" days in {stage}";
            _dayInStage[i] = $" day in {stage}";
            if (f.MedianDays is { } median)
            {
                _median[i] = $" (median {Math.Round(median).ToString(CultureInfo.InvariantCulture)}";
                _stalledFrom[i] = learned.StalledFactor * median;
            }
        }
    }

    public string? DaysInStageColumn => _learned.DaysInStageColumn;

    /// <summary>Whether the history knows this stage (a ladder stage below the last that leads entered).</summary>
    public bool Knows(int stage) => _figures[stage] is not null;

    public bool IsStalled(int stage, double daysInStage) => Knows(stage) && daysInStage >= _stalledFrom[stage];

    /// <summary>The stage's numbers for a lead <paramref name="daysInStage"/> days into it (NaN when unknown); the stage must be known.</summary>
    public StageProgress Progress(int stage, double daysInStage)
    {
        var f = _figures[stage]!;
        var average = f.PromotedWithinHorizon ?? 0;
        var odds = f.PromotionOdds(daysInStage, _learned.PromotionHorizonDays) ?? average;
        var stalledFrom = double.IsPositiveInfinity(_stalledFrom[stage]) ? (double?)null : _stalledFrom[stage];
        return new StageProgress(_stages[stage], _stages[stage + 1], _learned.PromotionHorizonDays, odds, average,
            double.IsNaN(daysInStage) ? null : daysInStage, f.MedianDays, stalledFrom, IsStalled(stage, daysInStage));
    }

    /// <summary>Appends the stage's note from its numbers (<see cref="Progress"/>).</summary>
    public void Write(StringBuilder r, int stage, in StageProgress progress)
    {
        r.Append(_opening[stage]);
        r.Append((int)Math.Round(progress.Odds * 100)).Append('%').Append(_average[stage]);
        if (progress.DaysInStage is not { } daysInStage) return;
        var days = (int)Math.Round(daysInStage);
        r.Append("; ").Append(days).Append(days == 1 ? _dayInStage[stage] : _inStage[stage]);
        if (_median[stage] is { } median)
        {
            r.Append(median);
            if (progress.Stalled) r.Append(", stalled from ").Append((int)Math.Round(_stalledFrom[stage]));
            r.Append(')');
        }
    }

    private static string Percent(double p) => $"{Math.Round(p * 100).ToString(CultureInfo.InvariantCulture)}%";
}
