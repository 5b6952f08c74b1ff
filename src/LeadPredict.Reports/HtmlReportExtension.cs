using System.IO.Compression;
using LeadPredict.ML.Training;

namespace LeadPredict.Reports;

/// <summary>
/// Writes <c>&lt;model&gt;.report.html</c> next to the model once training has saved it. The ICP backtest section comes from
/// <paramref name="icpBacktest"/> when given, otherwise from the <c>icp-backtest</c> document in the saved model file, if any.
/// </summary>
public sealed class HtmlReportExtension(Func<TrainingContext, IcpBacktestSummary?>? icpBacktest = null) : ITrainingExtension
{
    public (string Name, string Json)? AfterEvaluation(TrainingContext context) => null;

    public void AfterSave(TrainingContext context, TrainingOutcome outcome)
    {
        var icp = icpBacktest?.Invoke(context) ?? IcpBacktestSummary.TryParse(ReadExtra(outcome.ModelPath, IcpBacktestSummary.ExtraName));
        TrainingReportWriter.Write(TrainingReportWriter.PathFor(outcome.ModelPath), outcome.Report, icp);
    }

    /// <summary>One extra JSON document of a model file, read straight from the zip (the model is not loaded).</summary>
    internal static string? ReadExtra(string modelPath, string name)
    {
        try
        {
            using var zip = ZipFile.OpenRead(modelPath);
            var entry = zip.GetEntry($"extras/{name}.json");
            if (entry is null) return null;
            using var reader = new StreamReader(entry.Open());
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
