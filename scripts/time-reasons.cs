// Measures what per-lead reasons cost in batch scoring: scores the same file with and without top_reasons and prints the ratio.
//   dotnet run --file scripts/time-reasons.cs -- [MODEL.zip] [LEADS.csv] [REPEATS]
// Defaults: trains nothing; expects a model (e.g. from 'leadpredict-train train'), scores data/leads-new.csv repeated to 50,000 rows.
#:project ../src/LeadPredict.ML/LeadPredict.ML.csproj
#:property PublishAot=false
using System.Diagnostics;
using System.Runtime.CompilerServices;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;

var root = Path.GetFullPath(Path.Combine(Folder(), ".."));
var modelPath = args.Length > 0 ? args[0] : Path.Combine(root, "models", "lead-model.zip");
var leads = args.Length > 1 ? args[1] : Path.Combine(root, "data", "leads-new.csv");
var copies = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100;
var work = Directory.CreateTempSubdirectory("leadpredict-timing-").FullName;
var input = Path.Combine(work, "leads.csv");
var lines = File.ReadAllLines(leads);
File.WriteAllLines(input, [lines[0], .. Enumerable.Repeat(lines[1..], copies).SelectMany(l => l)]);
var scorer = new LeadScorer(ModelBundle.Load(modelPath));
var batch = new BatchScorer(scorer);
double Time(bool reasons)
{
    var best = double.MaxValue;
    for (var run = 0; run < 5; run++)
    {
        var sw = Stopwatch.StartNew();
        batch.ScoreFile(input, Path.Combine(work, "out.csv"), new BatchScoringOptions { Reasons = reasons });
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    return best;
}
Time(true); // warm-up (JIT, file cache)
var off = Time(false);
var on = Time(true);
Console.WriteLine($"{(lines.Length - 1) * copies:N0} leads, {Environment.ProcessorCount} cores, best of 5: without reasons {off:F3} s, with reasons {on:F3} s, ratio {on / off:F2}x");
Directory.Delete(work, recursive: true);
static string Folder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
