using System.Diagnostics;
using System.Text.Json;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;

namespace LeadPredict.Benchmarks;

/// <summary>One batch-scoring run, in a process of its own so its peak memory is its own; prints one JSON line.</summary>
internal static class ScoreChild
{
    public static int Run(string[] args)
    {
        var result = Score(args[0], args[1], args[2], args[3], args[4] == "reasons");
        Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions(DatasetConfig.Json) { WriteIndented = false }));
        return 0;
    }

    public static EndToEnd.ChildResult Score(string model, string input, string output, string rules, bool reasons)
    {
        var bundle = ModelBundle.Load(model);
        var scorer = new LeadScorer(bundle);
        IScoreAnnotator[] annotators = rules == "-" ? [] : [new LeadPredict.Advice.FunnelAnnotator(bundle, rules)];
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var summary = new BatchScorer(scorer, annotators).ScoreFile(input, output, new BatchScoringOptions { Reasons = reasons });
        var seconds = sw.Elapsed.TotalSeconds;
        self.Refresh();
        var cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        var phases = summary.Timings?.Select(t => new Phase(t.Key, t.Value)).ToArray() ?? [];
        return new EndToEnd.ChildResult(summary.Leads, seconds, seconds, cpu, self.PeakWorkingSet64, phases);
    }
}
