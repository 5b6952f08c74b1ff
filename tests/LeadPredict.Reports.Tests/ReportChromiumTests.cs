using System.Collections.ObjectModel;
using LeadPredict.TestSupport;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace LeadPredict.Reports.Tests;

/// <summary>Opens the report of the sample model in Debian's headless Chromium: no console errors, every chart drawn.</summary>
public sealed class ReportChromiumTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    private static readonly string[] ExpectedTitles =
    [
        "ROC curve", "Precision-recall curve", "Calibration (reliability)", "Score distribution by outcome", "Cumulative gains",
        "Lift by decile", "Feature importance", "Class balance", "Missing values per column", "ICP rule lift", "Conversion by ICP fit",
        "Champion vs challenger", "Cross-validated AUC of each candidate",
    ];

    [SkippableFact]
    public void The_report_renders_in_headless_Chromium_with_every_chart_and_no_console_errors()
    {
        Skip.IfNot(File.Exists(Chromium) && File.Exists(ChromeDriver),
            $"needs Debian's chromium and chromium-driver ({Chromium}, {ChromeDriver}); install them with scripts/install-test-deps.sh");
        using var temp = new TempDir();
        var page = temp.File("sample.report.html");
        TrainingReportWriter.Write(page, SampleReport.WithChampion(), SampleReport.IcpBacktest());

        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900", $"--user-data-dir={temp.File("profile")}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        using var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.HideCommandPromptWindow = true;
        using var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));

        driver.Navigate().GoToUrl(new Uri(page).AbsoluteUri);
        var plots = WaitForPlots(driver, ExpectedTitles.Length);

        var errors = driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ToArray();
        Assert.True(errors.Length == 0, "console errors: " + string.Join("\n", errors));
        Assert.Equal(ExpectedTitles.Length, plots.Count);
        var titles = driver.FindElements(By.CssSelector(".js-plotly-plot .gtitle")).Select(t => t.Text).ToArray();
        foreach (var title in ExpectedTitles) Assert.Contains(title, titles);
        // The charts have data in them, not just axes: every plot has at least one trace drawn.
        foreach (var plot in plots) Assert.NotEmpty(plot.FindElements(By.CssSelector("g.trace, g.barlayer .point, g.scatterlayer path")));
        Assert.Contains("Lead conversion model", driver.FindElement(By.TagName("h1")).Text);

        var height = Convert.ToInt32(((IJavaScriptExecutor)driver).ExecuteScript("return document.documentElement.scrollHeight;"));
        driver.Manage().Window.Size = new System.Drawing.Size(1280, Math.Min(height + 40, 12000));
        // The charts are responsive: let them redraw at the new size before the picture is taken.
        ((IJavaScriptExecutor)driver).ExecuteAsyncScript("""
            var done = arguments[arguments.length - 1];
            Promise.all(Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => Plotly.Plots.resize(p)))
              .then(() => setTimeout(done, 500));
            """);
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var png = Path.Combine(folder, "training-report.png");
        ((ITakesScreenshot)driver).GetScreenshot().SaveAsFile(png);
        Assert.True(new FileInfo(png).Length > 50_000, "the screenshot is suspiciously small: " + png);
    }

    // For every chart: its cell (figure.chart), and the parts of the plot that must lie inside it (the drawing surface, the
    // plotting area and the axis titles), as [left, top, right, bottom] rectangles in page pixels.
    private const string ChartGeometry = """
        return Array.from(document.querySelectorAll('figure.chart')).map(f => {
          const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top + scrollY, r.right, r.bottom + scrollY]; };
          const parts = Array.from(f.querySelectorAll('svg.main-svg, .cartesianlayer .bg, .xtitle, .ytitle, .gtitle')).filter(e => e.getBoundingClientRect().width > 0);
          return { title: (f.querySelector('.gtitle') || {}).textContent || '?', cell: box(f), parts: parts.map(e => ({ what: e.getAttribute('class'), box: box(e) })) };
        });
        """;

    public static TheoryData<int> WideScreens => new() { 1024, 1400, 1920 };

    [SkippableTheory]
    [MemberData(nameof(WideScreens))]
    public void Should_draw_every_chart_inside_its_own_cell_two_to_a_row_When_the_report_is_opened_on_a_wide_screen(int width)
    {
        Skip.IfNot(File.Exists(Chromium) && File.Exists(ChromeDriver), $"needs Debian's chromium and chromium-driver ({Chromium}, {ChromeDriver}); install them with scripts/install-test-deps.sh");
        using var temp = new TempDir();
        using var driver = OpenReport(temp, width);

        var charts = Geometry(driver);

        Assert.Equal(ExpectedTitles.Length, charts.Count);
        AssertInsideCells(charts, width);
        var roc = charts.Single(c => c.Title == "ROC curve");
        var pr = charts.Single(c => c.Title == "Precision-recall curve");
        Assert.True(Math.Abs(roc.Cell[1] - pr.Cell[1]) < 1 && pr.Cell[0] > roc.Cell[2], $"at {width} px the ROC and precision-recall charts are not side by side");
        Shot(driver, $"report-{width}.png");
    }

    [SkippableFact]
    public void Should_stack_the_charts_one_per_row_each_inside_its_cell_When_the_report_is_opened_on_a_narrow_screen()
    {
        Skip.IfNot(File.Exists(Chromium) && File.Exists(ChromeDriver), $"needs Debian's chromium and chromium-driver ({Chromium}, {ChromeDriver}); install them with scripts/install-test-deps.sh");
        using var temp = new TempDir();
        using var driver = OpenReport(temp, 700);

        var charts = Geometry(driver);

        AssertInsideCells(charts, 700);
        var left = charts.Select(c => Math.Round(c.Cell[0])).Distinct().ToArray();
        Assert.True(left.Length == 1, $"at 700 px the charts are not in one column: their left edges are {string.Join(", ", left)}");
        Shot(driver, "report-700.png");
    }

    private sealed record Chart(string Title, double[] Cell, IReadOnlyList<(string What, double[] Box)> Parts);

    private static ChromeDriver OpenReport(TempDir temp, int width)
    {
        var page = temp.File("sample.report.html");
        TrainingReportWriter.Write(page, SampleReport.WithChampion(), SampleReport.IcpBacktest());
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--window-size={width},1000", $"--user-data-dir={temp.File("profile")}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.HideCommandPromptWindow = true;
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        driver.Navigate().GoToUrl(new Uri(page).AbsoluteUri);
        WaitForPlots(driver, ExpectedTitles.Length);
        return driver;
    }

    /// <summary>The charts' geometry once it has settled (two reads 300 ms apart agree): what a reader sees after loading.</summary>
    private static List<Chart> Geometry(ChromeDriver driver)
    {
        string Read() => System.Text.Json.JsonSerializer.Serialize(((IJavaScriptExecutor)driver).ExecuteScript(ChartGeometry));
        var until = DateTime.UtcNow.AddSeconds(10);
        var last = Read();
        while (DateTime.UtcNow < until)
        {
            Thread.Sleep(300);
            var now = Read();
            if (now == last) break;
            last = now;
        }
        using var doc = System.Text.Json.JsonDocument.Parse(last);
        static double[] Box(System.Text.Json.JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        return doc.RootElement.EnumerateArray().Select(c => new Chart(c.GetProperty("title").GetString()!, Box(c.GetProperty("cell")),
            c.GetProperty("parts").EnumerateArray().Select(p => (p.GetProperty("what").GetString() ?? "?", Box(p.GetProperty("box")))).ToArray())).ToList();
    }

    private static void AssertInsideCells(IReadOnlyList<Chart> charts, int width)
    {
        var problems = new List<string>();
        foreach (var c in charts)
        {
            if (c.Parts.Count == 0) problems.Add($"{c.Title}: nothing drawn");
            foreach (var (what, box) in c.Parts)
                if (box[0] < c.Cell[0] - 1 || box[2] > c.Cell[2] + 1 || box[1] < c.Cell[1] - 1 || box[3] > c.Cell[3] + 1)
                    problems.Add($"{c.Title}: {what} [{string.Join(", ", box.Select(v => Math.Round(v)))}] is outside its cell [{string.Join(", ", c.Cell.Select(v => Math.Round(v)))}]");
        }
        Assert.True(problems.Count == 0, $"at {width} px:\n" + string.Join("\n", problems.Take(12)));
    }

    private static void Shot(ChromeDriver driver, string name)
    {
        var height = Convert.ToInt32(((IJavaScriptExecutor)driver).ExecuteScript("return document.documentElement.scrollHeight;"), System.Globalization.CultureInfo.InvariantCulture);
        var width = driver.Manage().Window.Size.Width;
        driver.Manage().Window.Size = new System.Drawing.Size(width, Math.Min(height + 40, 12000));
        Thread.Sleep(500);
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        ((ITakesScreenshot)driver).GetScreenshot().SaveAsFile(Path.Combine(folder, name));
    }

    private static ReadOnlyCollection<IWebElement> WaitForPlots(ChromeDriver driver, int expected)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var plots = driver.FindElements(By.CssSelector(".js-plotly-plot"));
            if (plots.Count >= expected || DateTime.UtcNow > until) return plots;
            Thread.Sleep(200);
        }
    }
}
