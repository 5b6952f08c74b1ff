// Explore a lead history before training: class balance, missing values, how numeric columns are distributed for
// converters and the rest, and the conversion rate by segment (every categorical and yes/no column).
// Run from the repository root (a .NET 10 file-based app; the first run builds the referenced projects, ~30-60 s):
//   dotnet run --file notebooks/explore-leads.cs                                   (the bundled sample)
//   dotnet run --file notebooks/explore-leads.cs -- DATA.csv [OUT.html] [LABEL]    (your export; LABEL = outcome column)
// Writes an HTML page of charts (default: artifacts/notebooks/explore-leads.html) and prints a short summary.
#:project ../src/LeadPredict.Reports/LeadPredict.Reports.csproj
#:package Microsoft.Data.Analysis
#:property PublishAot=false
using System.Globalization;
using System.Runtime.CompilerServices;
using LeadPredict.Core;
using LeadPredict.ML.Training;
using LeadPredict.Reports;
using Microsoft.Data.Analysis;

var root = Path.GetFullPath(Path.Combine(NotebookFolder(), ".."));
var dataPath = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine(root, "data", "leads-history.csv"));
var output = Path.GetFullPath(args.Length > 1 ? args[1] : Path.Combine(root, "artifacts", "notebooks", "explore-leads.html"));
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
// The sample's configuration file also holds the trainer's settings, so it is read as the training configuration.
DatasetConfig config = args.Length > 2 ? new DatasetConfig { Label = args[2] }
    : File.Exists(sampleConfig) && args.Length == 0 ? TrainingConfig.Load(sampleConfig)
    : new DatasetConfig { Label = "converted" };

var table = LeadTable.Load(dataPath, config.SeparatorChar, config.MissingTokens);
var data = SchemaResolver.Resolve(config, table);
var label = data.Schema.Label;
var rows = data.LabelledRows;
var y = data.Labels;
var baseRate = y.Count(b => b) / (double)y.Length;

// Microsoft.Data.Analysis: the table as a DataFrame; numeric columns parsed to doubles for a describe().
var frame = new DataFrame(table.ColumnNames.Select((name, c) => (DataFrameColumn)new StringDataFrameColumn(name, table.Column(c))));
var numericColumns = data.Schema.Features.Where(f => f.Kind == ColumnKind.Numeric).ToArray();
var numeric = numericColumns.Select(f => f.Name).ToArray();
// Each column read in its own number format (4,268 or 12.521.000,0 as well as 4268).
var numbers = new DataFrame(numericColumns.Select(f => (DataFrameColumn)new DoubleDataFrameColumn(f.Name,
    ((StringDataFrameColumn)frame[f.Name]).Select(v => v is not null && Values.TryParseNumber(v, f.Number, out var d) ? d : (double?)null))));

Console.WriteLine($"{Path.GetFileName(dataPath)}: {table.RowCount:N0} rows, {table.ColumnNames.Count} columns; outcome '{label}' = '{data.Schema.PositiveLabel}' " +
                  $"for {y.Count(b => b):N0} of {y.Length:N0} labelled leads ({baseRate:P1}).");
Console.WriteLine("Numeric columns (Microsoft.Data.Analysis describe):");
Console.WriteLine(numbers.Description().ToString());

var page = new HtmlPage($"Exploring {Path.GetFileName(dataPath)}");
page.Paragraph($"{table.RowCount:N0} rows, {table.ColumnNames.Count} columns. Outcome column '{label}': {y.Count(b => b):N0} of {y.Length:N0} labelled leads converted ({baseRate:P1}).");

// Class balance and missing values.
var missing = data.Profiles.OrderBy(p => p.Missing).ToArray();
page.Heading("Class balance and missing values").Charts(
    new PlotlyFigure("Class balance").Bar("leads", new[] { "converted", "did not convert" }, [y.Count(b => b), y.Count(b => !b)], "#1f77b4")
        .YAxis("leads").Layout("showlegend", false),
    new PlotlyFigure("Missing values per column", height: 140 + 22 * missing.Length)
        .Bar("missing", missing.Select(p => p.Name), missing.Select(p => p.MissingShare(table.RowCount)), "#ff7f0e", horizontal: true)
        .XAxis("share of rows missing", format: ".0%").Layout("showlegend", false));
Console.WriteLine("Most missing: " + string.Join(", ", missing.Reverse().Take(4).Where(p => p.Missing > 0)
    .Select(p => $"{p.Name} {p.MissingShare(table.RowCount):P0}")));

// Numeric distributions by outcome (clipped at the 99th percentile so a few huge companies do not flatten the chart).
var distributions = new List<PlotlyFigure>();
foreach (var name in numeric)
{
    var col = (DoubleDataFrameColumn)numbers[name];
    var pairs = rows.Select((row, i) => (Value: col[row], Converted: y[i])).Where(p => p.Value is not null).Select(p => (Value: p.Value!.Value, p.Converted)).ToArray();
    if (pairs.Length == 0) continue;
    var sorted = pairs.Select(p => p.Value).Order().ToArray();
    var hi = sorted[(int)(0.99 * (sorted.Length - 1))];
    var lo = sorted[0];
    var size = hi > lo ? (hi - lo) / 30 : 1;
    distributions.Add(new PlotlyFigure($"{name} by outcome")
        .Histogram("did not convert", pairs.Where(p => !p.Converted).Select(p => Math.Min(p.Value, hi)), lo, hi + size, size, "#9e9e9e")
        .Histogram("converted", pairs.Where(p => p.Converted).Select(p => Math.Min(p.Value, hi)), lo, hi + size, size, "#2ca02c")
        .Layout("barmode", "overlay").XAxis(name).YAxis("% of the group"));
}
page.Heading("Numeric columns by outcome").Paragraph("Each histogram is normalised within its group, so the shapes compare even though converters are fewer.")
    .Charts(distributions.ToArray());

// Conversion by segment: categorical and yes/no columns, the 12 largest values of each.
var segments = new List<PlotlyFigure>();
var spread = new List<(string Column, double Range)>();
foreach (var f in data.Schema.Features.Where(f => f.Kind is ColumnKind.Categorical or ColumnKind.Boolean))
{
    var values = table.Column(f.Name);
    var groups = rows.Select((row, i) => (Value: values[row] ?? "(missing)", Converted: y[i]))
        .GroupBy(p => p.Value).Select(g => (Value: g.Key, Leads: g.Count(), Rate: g.Count(p => p.Converted) / (double)g.Count()))
        .OrderByDescending(g => g.Leads).Take(12).OrderByDescending(g => g.Rate).ToArray();
    spread.Add((f.Name, groups.Where(g => g.Leads >= 30).Select(g => g.Rate).DefaultIfEmpty(0).Max() - groups.Where(g => g.Leads >= 30).Select(g => g.Rate).DefaultIfEmpty(0).Min()));
    segments.Add(new PlotlyFigure($"Conversion by {f.Name}")
        .Bar("conversion rate", groups.Select(g => g.Value), groups.Select(g => g.Rate), "#1f77b4",
            text: groups.Select(g => $"{g.Rate:P0} of {g.Leads:N0}"))
        .Line("all leads", groups.Select(g => g.Value), groups.Select(_ => baseRate), color: "#9e9e9e", dash: "dash")
        .XAxis(f.Name, type: "category").YAxis("conversion rate", format: ".0%"));
}
page.Heading("Conversion by segment").Paragraph($"The dashed line is the overall rate ({baseRate:P1}). Segments with fewer than about 30 leads are noise.")
    .Charts(segments.ToArray());
Console.WriteLine("Widest conversion spread between segments (30+ leads): " +
    string.Join(", ", spread.OrderByDescending(s => s.Range).Take(4).Select(s => $"{s.Column} {s.Range.ToString("P0", CultureInfo.InvariantCulture)}")));

Console.WriteLine($"Wrote {page.Save(output)}");
return 0;

static string NotebookFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
