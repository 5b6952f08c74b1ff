using System.Diagnostics;
using System.Text.Json;
using LeadPredict.Core;
using LeadPredict.ML.Training;

namespace LeadPredict.Benchmarks;

/// <summary>One training run (the whole ModelTrainer.Train, as `leadpredict-train train` runs it), in a process of its own; prints one JSON line.</summary>
internal static class TrainChild
{
    public static int Run(string[] args)
    {
        var config = JsonSerializer.Deserialize<TrainingConfig>(File.ReadAllText(args[2]), DatasetConfig.Json)!;
        Console.WriteLine(JsonSerializer.Serialize(Train(args[0], args[1], config), new JsonSerializerOptions(DatasetConfig.Json) { WriteIndented = false }));
        return 0;
    }

    public static TrainRun Train(string history, string model, TrainingConfig config)
    {
        using var self = Process.GetCurrentProcess();
        var observer = new EndToEnd.TimingObserver();
        var cpuBefore = self.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var outcome = new ModelTrainer(TimeProvider.System).Train(new TrainingRequest { DataPath = history, Config = config, ModelPath = model, Force = true }, observer);
        var seconds = sw.Elapsed.TotalSeconds;
        self.Refresh();
        var card = outcome.Report.Card;
        return new TrainRun(seconds, seconds, (self.TotalProcessorTime - cpuBefore).TotalSeconds, self.PeakWorkingSet64, observer.Finish(seconds),
            card.Holdout.Auc, card.Model, card.ChosenBy, card.TrainingRows, card.HoldoutRows, outcome.Report.ImportanceBasis?.Description)
        {
            ProcessCpuSeconds = self.TotalProcessorTime.TotalSeconds,
        };
    }
}
