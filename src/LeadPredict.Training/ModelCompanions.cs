using System.IO.Compression;
using System.Text.Json;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Training;
using LeadPredict.Reports;

namespace LeadPredict.Training;

/// <summary>
/// What `train` checks beside the model before it starts: temporaries left by a killed run are removed, and the metrics and
/// report of a model (and of its candidate) are rewritten from the model file when they are missing or stamped with another
/// version, which only a crash between the renames that publish a model can leave behind.
/// </summary>
internal static class ModelCompanions
{
    /// <summary>Returns the files it rewrote.</summary>
    public static IReadOnlyList<string> Repair(string modelPath)
    {
        var rewritten = new List<string>();
        foreach (var model in new[] { modelPath, ModelTrainer.CandidatePath(modelPath) })
        {
            var metrics = ModelTrainer.ReportPath(model);
            var html = TrainingReportWriter.PathFor(model);
            foreach (var file in new[] { model, metrics, html, ModelTrainer.PreviousPath(model) }) AtomicFile.RemoveStaleTemporaries(file);
            if (Stored(model) is not var (version, reportJson)) continue;
            if (MetricsVersion(metrics) != version)
            {
                AtomicFile.Write(metrics, s => s.Write(reportJson));
                rewritten.Add(metrics);
            }
            if (TrainingReportWriter.VersionOf(html) != version)
            {
                var report = JsonSerializer.Deserialize<TrainingReport>(reportJson, DatasetConfig.Json)!;
                TrainingReportWriter.Write(html, report, TrainingExtensions.BacktestOf(report));
                rewritten.Add(html);
            }
        }
        return rewritten;
    }

    /// <summary>The version and training report stored in a model file, read without loading the model; null when absent or unreadable.</summary>
    private static (string Version, byte[] ReportJson)? Stored(string model)
    {
        if (!File.Exists(model)) return null;
        try
        {
            using var zip = ZipFile.OpenRead(model);
            if (zip.GetEntry("card.json") is not { } card || zip.GetEntry("report.json") is not { } report) return null;
            using var cardStream = card.Open();
            using var doc = JsonDocument.Parse(cardStream);
            var version = doc.RootElement.GetProperty("version").GetString();
            using var reportStream = report.Open();
            using var bytes = new MemoryStream();
            reportStream.CopyTo(bytes);
            return version is null ? null : (version, bytes.ToArray());
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or KeyNotFoundException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null; // a corrupt model is train's own business (it says so and refuses or replaces it)
        }
    }

    private static string? MetricsVersion(string metrics)
    {
        try
        {
            using var f = File.OpenRead(metrics);
            using var doc = JsonDocument.Parse(f);
            return doc.RootElement.GetProperty("card").GetProperty("version").GetString();
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }
}
