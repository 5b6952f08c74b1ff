using Microsoft.FSharp.Core;
using Plotly.NET;

namespace LeadPredict.Reports;

/// <summary>
/// A Plotly.NET chart built from C# without the F# optional-argument API: traces and layout are Plotly.NET's dynamic
/// objects, and <see cref="ToDiv"/> renders the chart as a div plus the script that draws it. The page that holds the divs
/// inlines plotly.js once (<see cref="PlotlyJs"/>), so a report with ten charts carries one copy of the library, not ten.
/// </summary>
public sealed class PlotlyFigure
{
    private static readonly FSharpFunc<Trace2D, Trace2D> AsIs = FuncConvert.FromFunc<Trace2D, Trace2D>(t => t);
    private static readonly Lazy<string> Script = new(LoadPlotlyJs);

    private readonly List<Trace> _traces = [];
    private readonly Dictionary<string, object> _xAxis = new() { ["automargin"] = true };
    private readonly Dictionary<string, object> _yAxis = new() { ["automargin"] = true };
    private readonly Layout _layout = new();

    public PlotlyFigure(string title, int height = 380)
    {
        Title = title;
        _layout.SetProperty("title", new Dictionary<string, object> { ["text"] = title, ["x"] = 0.02 });
        _layout.SetProperty("height", height);
        _layout.SetProperty("margin", new Dictionary<string, object> { ["l"] = 60, ["r"] = 20, ["t"] = 50, ["b"] = 50 });
        _layout.SetProperty("legend", new Dictionary<string, object> { ["orientation"] = "h", ["y"] = -0.2 });
        _layout.SetProperty("xaxis", _xAxis);
        _layout.SetProperty("yaxis", _yAxis);
    }

    public string Title { get; }

    /// <summary>The plotly.js that ships inside Plotly.NET (the one its <c>PlotlyJSReference.Full</c> option inlines).</summary>
    public static string PlotlyJs => Script.Value;

    /// <summary>
    /// A row of charts (<see cref="Grid"/>): two to a row from about 1000 px, one to a row below, a lone chart the whole width.
    /// The columns are fixed before any chart is drawn (auto-fill keeps the empty column), because plotly sizes a chart to its
    /// cell once, when its script runs, and the second chart of a row does not exist yet then.
    /// </summary>
    public const string GridCss = """
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr)); gap: 16px; }
        .grid.single { grid-template-columns: minmax(0, 1fr); }
        figure.chart { margin: 0; background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 4px; min-width: 0; }
        """;

    /// <summary>
    /// Redraws a chart whenever its cell changes size (a scroll bar appearing, the rows stacking on a narrower window, printing):
    /// plotly's own "responsive" option follows only the window. Put it once at the end of the page.
    /// </summary>
    public const string ResizeScript = """
        <script type="text/javascript">
        (function () {
          if (!window.ResizeObserver) return;
          var seen = new WeakMap();
          var observer = new ResizeObserver(function (entries) {
            entries.forEach(function (e) {
              var width = Math.round(e.contentRect.width), plot = e.target.querySelector('.js-plotly-plot');
              if (plot && seen.get(e.target) !== width) { seen.set(e.target, width); Plotly.Plots.resize(plot); }
            });
          });
          document.querySelectorAll('figure.chart').forEach(function (f) { observer.observe(f); });
        })();
        </script>
        """;

    /// <summary>Charts as one row of <see cref="GridCss"/>'s grid.</summary>
    public static string Grid(IReadOnlyCollection<string> chartDivs) =>
        $"<div class=\"grid{(chartDivs.Count == 1 ? " single" : "")}\">\n{string.Join("\n", chartDivs)}\n</div>\n";

    public PlotlyFigure XAxis(string title, double? min = null, double? max = null, string? format = null, string? type = null)
    {
        Axis(_xAxis, title, min, max, format, type);
        return this;
    }

    public PlotlyFigure YAxis(string title, double? min = null, double? max = null, string? format = null, string? type = null)
    {
        Axis(_yAxis, title, min, max, format, type);
        return this;
    }

    public PlotlyFigure Layout(string name, object value)
    {
        _layout.SetProperty(name, value);
        return this;
    }

    /// <summary>A line (or markers, or both) through the points.</summary>
    public PlotlyFigure Line<TX>(string name, IEnumerable<TX> x, IEnumerable<double> y, string mode = "lines", string? color = null,
        string? dash = null, IEnumerable<string>? hover = null)
    {
        var t = Trace2D.initScatter(AsIs);
        t.SetProperty("x", x.ToArray());
        t.SetProperty("y", y.Select(Finite).ToArray());
        t.SetProperty("mode", mode);
        t.SetProperty("name", name);
        var line = new Dictionary<string, object> { ["width"] = 2 };
        if (color is not null) line["color"] = color;
        if (dash is not null) line["dash"] = dash;
        t.SetProperty("line", line);
        if (color is not null) t.SetProperty("marker", new Dictionary<string, object> { ["color"] = color, ["size"] = 7 });
        if (hover is not null) { t.SetProperty("text", hover.ToArray()); t.SetProperty("hoverinfo", "text+name"); }
        _traces.Add(t);
        return this;
    }

    /// <summary>Bars; horizontal when <paramref name="horizontal"/> (then <paramref name="values"/> go on the x axis).</summary>
    public PlotlyFigure Bar<TC>(string name, IEnumerable<TC> categories, IEnumerable<double> values, string? color = null,
        IEnumerable<double>? errors = null, bool horizontal = false, IEnumerable<string>? text = null)
    {
        var t = Trace2D.initBar(AsIs);
        var cats = categories.ToArray();
        var vals = values.Select(Finite).ToArray();
        t.SetProperty(horizontal ? "y" : "x", cats);
        t.SetProperty(horizontal ? "x" : "y", vals);
        t.SetProperty("name", name);
        if (horizontal) t.SetProperty("orientation", "h");
        if (color is not null) t.SetProperty("marker", new Dictionary<string, object> { ["color"] = color });
        if (errors is not null)
            t.SetProperty(horizontal ? "error_x" : "error_y", new Dictionary<string, object>
            {
                ["type"] = "data", ["array"] = errors.Select(Finite).ToArray(), ["visible"] = true, ["thickness"] = 1.5, ["width"] = 4,
            });
        if (text is not null) { t.SetProperty("text", text.ToArray()); t.SetProperty("textposition", "auto"); }
        _traces.Add(t);
        return this;
    }

    /// <summary>Flows between named nodes (a Sankey diagram): each link goes from node <c>Source</c> to node <c>Target</c> (indexes into <paramref name="nodes"/>).</summary>
    public PlotlyFigure Sankey(IReadOnlyList<string> nodes, IEnumerable<(int Source, int Target, double Value)> links, string? color = null)
    {
        var t = TraceDomain.initSankey(FuncConvert.FromFunc<TraceDomain, TraceDomain>(x => x));
        var l = links.ToArray();
        t.SetProperty("node", new Dictionary<string, object> { ["label"] = nodes.ToArray(), ["pad"] = 18, ["thickness"] = 16, ["color"] = color ?? "#4c78a8" });
        t.SetProperty("link", new Dictionary<string, object>
        {
            ["source"] = l.Select(x => x.Source).ToArray(), ["target"] = l.Select(x => x.Target).ToArray(), ["value"] = l.Select(x => x.Value).ToArray(),
        });
        t.SetProperty("arrangement", "snap");
        _traces.Add(t);
        return this;
    }

    /// <summary>A box plot of values (median, quartiles, whiskers), one per call.</summary>
    public PlotlyFigure Box(string name, IEnumerable<double> values, string? color = null)
    {
        var t = Trace2D.initBoxPlot(AsIs);
        t.SetProperty("y", values.ToArray());
        t.SetProperty("name", name);
        t.SetProperty("boxpoints", false);
        if (color is not null) t.SetProperty("marker", new Dictionary<string, object> { ["color"] = color });
        _traces.Add(t);
        return this;
    }

    /// <summary>A histogram of values in fixed bins, as a percentage of the trace's values.</summary>
    public PlotlyFigure Histogram(string name, IEnumerable<double> values, double start, double end, double size, string? color = null)
    {
        var t = Trace2D.initHistogram(AsIs);
        t.SetProperty("x", values.ToArray());
        t.SetProperty("name", name);
        t.SetProperty("histnorm", "percent");
        t.SetProperty("opacity", 0.6);
        t.SetProperty("xbins", new Dictionary<string, object> { ["start"] = start, ["end"] = end, ["size"] = size });
        if (color is not null) t.SetProperty("marker", new Dictionary<string, object> { ["color"] = color });
        _traces.Add(t);
        return this;
    }

    /// <summary>The chart as a div and the script that draws it (plotly.js must already be on the page).</summary>
    public string ToDiv()
    {
        var chart = GenericChart.ofTraceObjects(false, _traces);
        chart = GenericChart.addLayout(_layout, chart);
        chart = GenericChart.addConfig(Config(), chart);
        return $"<figure class=\"chart\">{GenericChart.toChartHTML(chart)}</figure>";
    }

    private static Plotly.NET.Config Config()
    {
        var config = new Plotly.NET.Config();
        config.SetProperty("responsive", true);
        config.SetProperty("displaylogo", false);
        return config;
    }

    private static void Axis(Dictionary<string, object> axis, string title, double? min, double? max, string? format, string? type)
    {
        axis["title"] = new Dictionary<string, object> { ["text"] = title };
        if (min is { } lo && max is { } hi) axis["range"] = new[] { lo, hi };
        if (format is not null) axis["tickformat"] = format;
        if (type is not null) axis["type"] = type;
    }

    // plotly.js draws NaN as a gap, but JSON has no NaN: System.Text.Json would throw and Newtonsoft writes a bare NaN.
    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static string LoadPlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("Plotly.NET does not carry plotly.js as a resource; cannot write an offline report.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        // A literal "</script>" inside the library would end the inline script early.
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    }
}
