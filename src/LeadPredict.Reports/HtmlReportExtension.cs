using LeadPredict.Core;
using LeadPredict.ML.Training;

namespace LeadPredict.Reports;

/// <summary>
/// Writes <c>&lt;model&gt;.report.html</c> with the model, published together with it. The ICP backtest section comes from
/// <paramref name="icpBacktest"/> when given, otherwise from the <c>icp-backtest</c> document of the training report, if any.
/// </summary>
public sealed class HtmlReportExtension(Func<TrainingContext, IcpBacktestSummary?>? icpBacktest = null) : ITrainingExtension
{
    public (string Name, string Json)? AfterEvaluation(TrainingContext context) => null;

    public IEnumerable<AtomicFile.Part> Companions(TrainingContext context, string modelPath)
    {
        var icp = icpBacktest?.Invoke(context)
                  ?? (context.Report.Extensions.TryGetValue(IcpBacktestSummary.ExtraName, out var doc) ? IcpBacktestSummary.TryParse(doc.GetRawText()) : null);
        var html = TrainingReportWriter.Render(context.Report, icp);
        yield return new AtomicFile.Part(TrainingReportWriter.PathFor(modelPath), s => TrainingReportWriter.WriteTo(s, html));
    }

    public void AfterSave(TrainingContext context, TrainingOutcome outcome) { }
}
