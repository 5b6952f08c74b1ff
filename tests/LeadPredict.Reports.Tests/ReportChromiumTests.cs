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
