using LeadPredict.Core;

namespace LeadPredict.ML.Training;

public sealed record TrainingRequest
{
    public required string DataPath { get; init; }
    /// <summary>What the model card names as the data (a table, a Parquet glob) when <see cref="DataPath"/> is a staged copy; its file name otherwise.</summary>
    public string? DataName { get; init; }
    public required TrainingConfig Config { get; init; }
    public required string ModelPath { get; init; }
    public string ConfigSource { get; init; } = "configuration";
    /// <summary>Replace the existing model even when the new one is worse.</summary>
    public bool Force { get; init; }
    public int ImportanceRepeats { get; init; } = 3;
    /// <summary>For examples that are not one row per lead (snapshots): groups and a time-based holdout with a gap.</summary>
    public SplitOptions? Split { get; init; }
    /// <summary>
    /// Examples made in memory (point-in-time snapshots of a CRM history) instead of read from <see cref="DataPath"/>, which
    /// then names the leads table they came from.
    /// </summary>
    public LeadTable? Table { get; init; }
    /// <summary>Columns built point in time (engagement features): their names say nothing about when they were filled in.</summary>
    public IReadOnlyCollection<string> PointInTimeColumns { get; init; } = [];
    /// <summary>The other tables <see cref="Table"/> was made from (activity log, outcomes, stage history): the data hash covers them too.</summary>
    public IReadOnlyList<string> HistoryFiles { get; init; } = [];
    /// <summary>The snapshots' facts (horizon, export date, counts); the split's cut-off and sides are added by training.</summary>
    public TimeFacts? Time { get; init; }
}

/// <summary>A step of training, reported as it happens.</summary>
public sealed record TrainingProgress(string Step, double? Fraction = null, string? Detail = null);

/// <summary>Hooks the command line (or a test) uses to follow training.</summary>
public interface ITrainingObserver
{
    void Progress(TrainingProgress progress);
    /// <summary>Called as soon as the leak check is done, before the model is trained.</summary>
    void LeakSuspects(IReadOnlyList<LeakSuspect> suspects);
    void Warning(string message);
}

public sealed class SilentObserver : ITrainingObserver
{
    public static readonly SilentObserver Instance = new();
    public void Progress(TrainingProgress progress) { }
    public void LeakSuspects(IReadOnlyList<LeakSuspect> suspects) { }
    public void Warning(string message) { }
}

public sealed record TrainingOutcome(TrainingReport Report, bool Promoted, string ModelPath, string ReportPath, string Message)
{
    /// <summary>False when nothing was written (a model with no signal, without --force).</summary>
    public bool Saved { get; init; } = true;
}

/// <summary>Lets other libraries (ICP backtest, HTML report) add to what training writes, without the ML library knowing them.</summary>
public interface ITrainingExtension
{
    /// <summary>Runs once the data is read and its schema resolved, before any training: the place to reject bad configuration.</summary>
    void Prepare(LeadTable table, ResolvedDataset data) { }

    /// <summary>
    /// Rules that can serve as the cold-start prior of a small-history model, reading only the feature columns of
    /// <paramref name="data"/>; null when there are none (with the reason given to <paramref name="warn"/> when it is not obvious).
    /// </summary>
    ILeadPrior? Prior(ResolvedDataset data, Action<string> warn) => null;

    /// <summary>Runs after evaluation; may return a named JSON document stored in the model file.</summary>
    (string Name, string Json)? AfterEvaluation(TrainingContext context);
    /// <summary>
    /// Files that describe the model (e.g. the HTML report), written to temporaries and published with it, so a reader never
    /// finds one beside another model (<see cref="AtomicFile.WriteTogether"/>).
    /// </summary>
    IEnumerable<AtomicFile.Part> Companions(TrainingContext context, string modelPath) => [];

    /// <summary>Runs after the model and its JSON report were written.</summary>
    void AfterSave(TrainingContext context, TrainingOutcome outcome);
}

/// <summary>What an extension can see of a finished training run.</summary>
public sealed record TrainingContext(
    LeadTable Table, ResolvedDataset Data, HoldoutSplit Split, double[] HoldoutProbabilities, TrainingReport Report, TrainingRequest Request);
