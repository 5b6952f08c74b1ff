using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Training;
using LeadPredict.Sources;
using LeadPredict.Timeline;

namespace LeadPredict.Scoring;

/// <summary>
/// Scoring with a model trained on point-in-time snapshots: the open leads of the leads table as of a date, with their
/// engagement from the activity log strictly before it, made by the same SQL and laid out by the same table
/// (<see cref="SnapshotTable"/>) as the training examples, then ranked by the batch scorer like any lead file.
/// </summary>
internal static class AsOfScoring
{
    /// <summary>The open leads as of a date, written to a private temporary CSV the batch scorer reads.</summary>
    internal sealed record Prepared(string ExamplesPath, DateTime AsOf, string AsOfSource, int OpenLeads, TimelineModel Model, TimelineLoadReport Load) : IDisposable
    {
        public string Meaning => Model.Meaning(AsOf);

        public void Dispose()
        {
            try { File.Delete(ExamplesPath); }
            catch (IOException) { }
        }
    }

    /// <summary>
    /// Reads the leads table (<paramref name="leadsPath"/>) and the timeline's tables: those of <paramref name="configPath"/> when
    /// given (paths relative to it), otherwise the model's own timeline section with paths relative to the leads table's folder.
    /// </summary>
    public static Prepared Prepare(ModelBundle bundle, TimelineModel model, string leadsPath, string? configPath, DateTime? asOf,
        IProgress<string>? progress, CancellationToken ct)
    {
        DatasetConfig dataset;
        string baseDirectory;
        if (configPath is not null) (dataset, baseDirectory) = Configured(model, configPath);
        else
        {
            // The training history's export date is not this export's: without a configuration it is the latest timestamp.
            dataset = new DatasetConfig { Id = model.IdColumn, Created = model.CreatedColumn, Timeline = model.Config with { AsOf = null } };
            baseDirectory = Path.GetDirectoryName(Path.GetFullPath(leadsPath))!;
        }
        return Prepare(model, leadsPath, dataset, baseDirectory, asOf, null, progress, ct);
    }

    /// <summary>The dataset configuration of a settings file for scoring with <paramref name="model"/> (its tables' paths start at the file's folder).</summary>
    public static (DatasetConfig Dataset, string BaseDirectory) Configured(TimelineModel model, string configPath)
    {
        var loaded = TrainingConfig.Load(configPath);
        return (loaded with { Id = loaded.Id ?? model.IdColumn, Created = loaded.Created ?? model.CreatedColumn, Timeline = loaded.Timeline ?? model.Config with { AsOf = null } },
            Path.GetDirectoryName(Path.GetFullPath(configPath))!);
    }

    /// <summary>
    /// As above with the dataset configuration given (the host's uploads: the model's timeline with the uploaded tables): the
    /// leads table's id, creation column and timeline, relative paths read from <paramref name="baseDirectory"/>. The examples
    /// file goes to <paramref name="workFolder"/> (default: the temporary folder).
    /// </summary>
    public static Prepared Prepare(TimelineModel model, string leadsPath, DatasetConfig dataset, string baseDirectory, DateTime? asOf,
        string? workFolder, IProgress<string>? progress, CancellationToken ct)
    {
        var leads = LeadTableReader.Load(leadsPath, dataset.SeparatorChar, dataset.MissingTokens);
        using var tables = StagedTimeline.Stage(dataset.Timeline, SourceSettings.From(CommandSettings.Current.Find("source", "postgres")), progress, ct);
        using var data = TimelineData.Load(leads, dataset, baseDirectory, tables.Tables, progress, ct);
        var set = data.OpenLeadsAsOf(asOf, model.Schema);
        if (set.Count == 0)
            throw new LeadPredictException($"{Path.GetFileName(leadsPath)}: no lead is open as of {SnapshotTable.TimeText(asOf ?? data.AsOf)} (every lead was created later, converted or closed by then).");
        var table = SnapshotTable.Build(set);
        LeadPredict.Core.ColumnNames.KeepAsWritten(table.WrittenForPeople);
        var path = Path.Combine(workFolder ?? Path.GetTempPath(), $"leadpredict-asof-{Environment.ProcessId}-{Guid.NewGuid():N}.csv");
        try
        {
            using (var stream = PrivateFiles.Create(path)) table.WriteCsv(stream);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        var source = asOf is null ? $"the export date: {data.Report.AsOfSource}" : "--as-of";
        return new Prepared(path, set.ExportDate, source, set.Count, model, data.Report);
    }
}
