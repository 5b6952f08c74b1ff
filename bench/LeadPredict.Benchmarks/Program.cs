using LeadPredict.ML.Training;
using System.Globalization;
using BenchmarkDotNet.Running;
using LeadPredict.Benchmarks;

// LeadPredict.Benchmarks e2e [--rows N] [--score-rows a,b,c] [--repeats N] [--work DIR] [--no-peers] [--in-process]
// LeadPredict.Benchmarks micro [BenchmarkDotNet arguments, e.g. --filter *]
// LeadPredict.Benchmarks quality --data F --label L [--exclude a,b] [--peer-drop a,b] [--separator ;] [--created C] [--trainer T] [--seed S] [--no-peers] [--peer-models hgb,xgb,logreg] [--test F] [--refit-max-rows N]
// LeadPredict.Benchmarks timeline [--leads N] [--per-lead N] [--repeats N] [--work DIR] [--no-peers] [--single-only] [--single-calls N]
// LeadPredict.Benchmarks timeline-e2e [--leads N] [--per-lead N] [--repeats N] [--work DIR] [--no-peers]
// LeadPredict.Benchmarks sources [--rows 1000000] [--history 100000] [--crm-leads 100000] [--repeats 3] [--work DIR]
if (args.Length > 0 && args[0] == "sources") return SourcesBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "score-child") return ScoreChild.Run(args[1..]);
if (args.Length > 0 && args[0] == "train-child") return TrainChild.Run(args[1..]);
if (args.Length > 0 && args[0] == "wide") return WideBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "fit-probe") return FitProbe.Run(args[1..]);
if (args.Length > 0 && args[0] == "quality") return Quality.Run(Quality.Parse(args[1..]));
if (args.Length > 0 && args[0] == "timeline-child") return TimelineBench.Child(args[1]);
if (args.Length > 0 && args[0] is "timeline" or "timeline-e2e")
{
    var t = new TimelineBenchOptions { Pipeline = args[0] == "timeline-e2e" };
    for (var i = 1; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        int Int(string s) => int.Parse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture);
        t = args[i] switch
        {
            "--leads" => t with { Leads = Int(Next()) },
            "--per-lead" => t with { ActivitiesPerLead = Int(Next()) },
            "--repeats" => t with { Repeats = Int(Next()) },
            "--work" => t with { WorkDir = Path.GetFullPath(Next()) },
            "--no-peers" => t with { Peers = false },
            "--single-only" => t with { SingleOnly = true },
            "--single-calls" => t with { SingleLeadCalls = Int(Next()) },
            var other => throw new ArgumentException($"unknown option {other}"),
        };
    }
    if (t.Pipeline) TimelinePipelineBench.Run(t);
    else if (t.SingleOnly) TimelineBench.SingleOnly(t);
    else TimelineBench.Run(t);
    return 0;
}
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(EndToEnd).Assembly).Run(args.Length > 1 ? args[1..] : ["--filter", "*"]);
    return 0;
}
if (args.Length == 0 || args[0] != "e2e")
{
    Console.Error.WriteLine("usage: LeadPredict.Benchmarks e2e [--rows 1000000] [--score-rows 250000,500000,1000000] [--repeats 3] [--work DIR] [--no-peers] [--in-process]");
    Console.Error.WriteLine("       LeadPredict.Benchmarks micro [BenchmarkDotNet arguments]");
    Console.Error.WriteLine("       LeadPredict.Benchmarks sources [--rows 1000000] [--history 100000] [--crm-leads 100000] [--repeats 3] [--work DIR]");
    Console.Error.WriteLine("       LeadPredict.Benchmarks timeline [--leads 1000000] [--per-lead 50] [--repeats 3] [--work DIR] [--no-peers] [--single-only] [--single-calls 300]");
    Console.Error.WriteLine("       LeadPredict.Benchmarks timeline-e2e [--leads 1000000] [--per-lead 50] [--repeats 3] [--work DIR] [--no-peers]");
    Console.Error.WriteLine("       LeadPredict.Benchmarks quality --data F --label L [--exclude a,b] [--peer-drop a,b] [--separator ;] [--created C] [--trainer T] [--seed S] [--no-peers] [--peer-models hgb,xgb,logreg] [--test F] [--refit-max-rows N]");
    return 2;
}
var options = new BenchOptions();
for (var i = 1; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    int Int(string s) => int.Parse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture);
    options = args[i] switch
    {
        "--rows" => options with { Rows = Int(Next()) },
        "--score-rows" => options with { ScoreRows = Next().Split(',').Select(Int).ToArray() },
        "--repeats" => options with { Repeats = Int(Next()) },
        "--work" => options with { WorkDir = Path.GetFullPath(Next()) },
        "--no-peers" => options with { Peers = false },
        "--peer-models" => options with { PeerModels = Next() },
        "--in-process" => options with { ChildProcesses = false },
        "--trainer" => options with { Trainer = new LeadPredict.ML.Training.TrainerOptions { Algorithm = Enum.Parse<LeadPredict.ML.Training.TrainerAlgorithm>(Next(), ignoreCase: true) } },
        "--train-only" => options with { TrainOnly = true },
        "--train-repeats" => options with { TrainRepeats = Int(Next()) },
        var other => throw new ArgumentException($"unknown option {other}"),
    };
}
EndToEnd.Run(options);
return 0;
