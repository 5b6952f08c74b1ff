using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.Rules;

namespace LeadPredict.Reports;

/// <summary>
/// Writes <c>&lt;model&gt;.report.html</c> with the model, published together with it. The ICP backtest section comes from
/// <paramref name="icpBacktest"/> (the rules extension's backtest) when it gives one.
/// </summary>
public sealed class HtmlReportExtension(Func<TrainingContext, IcpBacktestReport?>? icpBacktest = null) : ITrainingExtension
{
    public (string Name, string Json)? AfterEvaluation(TrainingContext context) => null;

    public IEnumerable<AtomicFile.Part> Companions(TrainingContext context, string modelPath)
    {
        var html = TrainingReportWriter.Render(context.Report, icpBacktest?.Invoke(context));
        yield return new AtomicFile.Part(TrainingReportWriter.PathFor(modelPath), s => TrainingReportWriter.WriteTo(s, html));
    }

    public void AfterSave(TrainingContext context, TrainingOutcome outcome) { }
}
