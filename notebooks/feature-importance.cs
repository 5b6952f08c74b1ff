// What drives the model: permutation importance per column (with its spread), partial dependence (how the average
// predicted probability changes as one column is set to each value in turn, all else as in the data), and a few
// individual leads explained by the factors that raise and lower their score.
// Run from the repository root (a .NET 10 file-based app; trains a model on the data first, ~30-60 s in all):
//   dotnet run --file notebooks/feature-importance.cs                                   (the bundled sample)
//   dotnet run --file notebooks/feature-importance.cs -- DATA.csv [OUT.html] [LABEL]    (your export; LABEL = outcome column)
// Writes an HTML page of charts (default: artifacts/notebooks/feature-importance.html) and prints a short summary.
#:project ../src/LeadPredict.Reports/LeadPredict.Reports.csproj
#:property PublishAot=false
using System.Globalization;
using System.Runtime.CompilerServices;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;
using LeadPredict.ML.Training;
using LeadPredict.Reports;

var root = Path.GetFullPath(Path.Combine(NotebookFolder(), ".."));
var dataPath = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine(root, "data", "leads-history.csv"));
var output = Path.GetFullPath(args.Length > 1 ? args[1] : Path.Combine(root, "artifacts", "notebooks", "feature-importance.html"));
try
{
    OutputGuard.Check([new("OUT.html", output)], [new("DATA.csv", dataPath)], refuseZip: true);
}
catch (LeadPredictException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2; // bad input, the command line's exit code for it
}
var sampleConfig = Path.Combine(root, "data", "leadpredict.json");
var config = args.Length > 2 ? new TrainingConfig { Label = args[2] }
    : File.Exists(sampleConfig) && args.Length == 0 ? TrainingConfig.Load(sampleConfig)
    : new TrainingConfig { Label = "converted" };
// Exploration, not a release: skip cross-validation to keep the notebook quick.
config = config with { Evaluation = config.Evaluation with { Folds = 0 }, Trainer = config.Trainer with { Trees = Math.Min(config.Trainer.Trees, 200) } };

var work = Path.Combine(Path.GetTempPath(), "leadpredict-notebooks", Guid.NewGuid().ToString("N"));
var modelPath = Path.Combine(work, "model.zip");
Console.WriteLine($"Training on {Path.GetFileName(dataPath)} (no cross-validation, {config.Trainer.Trees} trees)...");
var outcome = new ModelTrainer(TimeProvider.System).Train(new TrainingRequest
{
    DataPath = dataPath, Config = config, ModelPath = modelPath, Force = true, ImportanceRepeats = 5,
});
var report = outcome.Report;
var scorer = new LeadScorer(ModelBundle.Load(modelPath));
Console.WriteLine($"Holdout AUC {report.HoldoutMetrics.Auc:F3} on {report.Card.HoldoutRows:N0} leads.");

var page = new HtmlPage($"What drives the score: {Path.GetFileName(dataPath)}");
page.Paragraph($"A {report.Card.Trainer.Algorithm} model with {report.Card.Trainer.Trees} trees trained on {report.Card.TrainingRows:N0} leads; " +
               $"holdout AUC {report.HoldoutMetrics.Auc:F3} on {report.Card.HoldoutRows:N0} leads ({report.Card.HoldoutMethod}).");

// 1. Permutation importance (mean ± sd over 5 shuffles of each column on the holdout).
var importance = report.Importance.Take(20).Reverse().ToArray();
page.Heading("Permutation importance").Paragraph("How much the holdout AUC drops when one column's values are shuffled across leads; the whiskers are one standard deviation over five shuffles.")
    .Charts(new PlotlyFigure("Feature importance", height: 120 + 24 * importance.Length)
        .Bar("AUC drop", importance.Select(i => i.Column), importance.Select(i => i.AucDrop), "#1f77b4", importance.Select(i => i.StdDev), horizontal: true)
        .XAxis("holdout AUC drop").Layout("showlegend", false));
Console.WriteLine("Most important: " + string.Join(", ", report.Importance.Take(5).Select(i => $"{i.Column} {i.AucDrop:F3}±{i.StdDev:F3}")));

// 2. Partial dependence of the top columns: set the column to each value for a sample of leads and average the probability.
var table = LeadTable.Load(dataPath, config.SeparatorChar, config.MissingTokens);
var columns = scorer.FeatureColumns;
var sample = Enumerable.Range(0, table.RowCount).Where(r => r % Math.Max(1, table.RowCount / 400) == 0).Take(400).ToArray();
var leads = sample.Select(r => columns.Select(c => table.HasColumn(c.Name) ? scorer.NormalizeValue(table.Column(c.Name)[r]) : null).ToArray()).ToArray();
var dependence = new List<PlotlyFigure>();
foreach (var top in report.Importance.Take(4))
{
    var index = columns.ToList().FindIndex(c => c.Name == top.Column);
    var observed = table.Column(top.Column).Where(v => v is not null).Select(v => v!).ToArray();
    var numeric = observed.Length > 0 && observed.All(v => Values.TryParseNumber(v, out _));
    string[] grid = numeric
        ? Quantiles(observed.Select(v => { Values.TryParseNumber(v, out var d); return d; }).ToArray())
        : observed.GroupBy(v => v).OrderByDescending(g => g.Count()).Take(10).Select(g => g.Key).ToArray();
    var means = grid.Select(value => leads.Average(lead =>
    {
        var copy = (string?[])lead.Clone();
        copy[index] = value;
        return scorer.Score(copy, reasonsEachWay: 0).Probability;
    })).ToArray();
    var figure = new PlotlyFigure($"Partial dependence: {top.Column}");
    if (numeric) figure.Line("mean probability", grid.Select(g => double.Parse(g, CultureInfo.InvariantCulture)), means, mode: "lines+markers", color: "#ff7f0e");
    else figure.Bar("mean probability", grid, means, "#ff7f0e").XAxis(top.Column, type: "category");
    dependence.Add(figure.XAxis(top.Column, type: numeric ? null : "category").YAxis("mean predicted probability", format: ".0%").Layout("showlegend", false));
    Console.WriteLine($"Partial dependence of {top.Column}: {means.Min():P0} to {means.Max():P0} over {grid.Length} values.");
}
page.Heading("Partial dependence").Paragraph($"For {leads.Length} leads from the file, the column is set to each value in turn (everything else unchanged) and the predicted probabilities are averaged.")
    .Charts(dependence.ToArray());

// 3. A few leads explained: the most, the middle and the least likely of the sample.
var scored = leads.Select((lead, i) => (Row: sample[i], Lead: lead, Result: scorer.Score(lead))).OrderByDescending(s => s.Result.Probability).ToArray();
var idColumn = scorer.Bundle.Schema.Id is { } id ? table.Column(id) : null;
var explained = new List<PlotlyFigure>();
foreach (var (row, _, result) in new[] { scored[0], scored[scored.Length / 2], scored[^1] })
{
    var name = idColumn?[row] ?? $"row {row + 2}";
    var reasons = result.Reasons.OrderBy(r => r.Effect).ToArray();
    explained.Add(new PlotlyFigure($"Lead {name}: {result.Probability:P0} (grade {result.Grade})", height: 320)
        .Bar("effect", reasons.Select(r => $"{r.Column} = {r.Value}"), reasons.Select(r => r.Effect), null, horizontal: true)
        .Layout("showlegend", false).XAxis("effect on the score (log-odds)"));
    Console.WriteLine($"Lead {name} ({result.Probability:P0}): {string.Join(" | ", result.Reasons)}");
}
page.Heading("Individual leads explained").Paragraph("The three factors that raise and the three that lower each lead's score, from the trees' contributions (log-odds; positive raises the probability).")
    .Charts(explained.ToArray());

Console.WriteLine($"Wrote {page.Save(output)}");
try { Directory.Delete(work, recursive: true); } catch (IOException) { }
return 0;

// Twelve evenly spaced values from the 1st to the 99th percentile (whole numbers when the column holds whole numbers).
static string[] Quantiles(double[] values)
{
    var sorted = values.Order().ToArray();
    double lo = sorted[(int)(0.01 * (sorted.Length - 1))], hi = sorted[(int)(0.99 * (sorted.Length - 1))];
    var whole = sorted.All(v => v == Math.Floor(v));
    return Enumerable.Range(0, 12).Select(k => lo + (hi - lo) * k / 11).Select(v => whole ? Math.Round(v) : v)
        .Distinct().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
}

static string NotebookFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
