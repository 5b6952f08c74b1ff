using LeadPredict.TestSupport;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>
/// The page in a real headless browser (Debian's chromium and chromium-driver): upload the sample lead list,
/// check the top row and a filter, and save a screenshot (tests/.../bin/.../screenshots/ranked-leads.png).
/// </summary>
public sealed class PageTests
{
    internal const string Chromium = "/usr/bin/chromium";
    internal const string ChromeDriver = "/usr/bin/chromedriver";

    internal static ChromeDriver StartBrowser(TempDir profile)
    {
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,1000", $"--user-data-dir={profile.Path}");
        options.SetLoggingPreference(LogType.Browser, OpenQA.Selenium.LogLevel.All);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver), Path.GetFileName(ChromeDriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    [SkippableFact]
    public async Task Uploading_the_day_s_leads_shows_the_ranked_table_and_the_grade_filter_works()
    {
        Skip.IfNot(File.Exists(Chromium) && File.Exists(ChromeDriver),
            "needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver); run scripts/install-test-deps.sh");
        await using var host = await RunningHost.StartAsync();
        await host.WaitUntilReadyAsync();
        var expected = await ExpectedRankingAsync(host);

        using var profile = new TempDir();
        using var browser = StartBrowser(profile);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        browser.Navigate().GoToUrl(host.BaseAddress);
        wait.Until(d => d.FindElement(By.Id("status")).Text.StartsWith("Model ", StringComparison.Ordinal));
        Assert.Contains(SampleModels.LoadSample().Card.Version, browser.FindElement(By.Id("card-fields")).Text);

        browser.FindElement(By.Id("file")).SendKeys(TestPaths.Data("leads-new.csv"));
        browser.FindElement(By.Id("rank")).Click();
        wait.Until(d => d.FindElements(By.CssSelector("#rows tr")).Count == Leads.SampleCount);

        var top = browser.FindElements(By.CssSelector("#rows tr"))[0].FindElements(By.TagName("td"));
        Assert.Equal("1", top[0].Text);
        Assert.Equal(expected[0].Id, top[1].Text);
        Assert.Equal(expected[0].Grade, top[3].Text);
        Assert.True(browser.FindElement(By.Id("download")).Displayed);
        // What the probability means, for a model trained on a flat lead file.
        Assert.StartsWith("Probability = the chance a lead converts, learned from", browser.FindElement(By.Id("meaning")).Text);
        Assert.False(browser.FindElement(By.Id("history")).Displayed);
        Assert.False(browser.FindElement(By.Id("stalled-filter")).Displayed);

        browser.FindElement(By.CssSelector("#grade option:nth-child(2)")).Click(); // A
        var gradeA = expected.Count(e => e.Grade == "A");
        wait.Until(d => d.FindElements(By.CssSelector("#rows tr")).Count == gradeA);
        Assert.All(browser.FindElements(By.CssSelector("#rows tr .grade")), g => Assert.Equal("A", g.Text));
        Assert.Equal($"{gradeA} of {Leads.SampleCount} leads", browser.FindElement(By.Id("count")).Text);

        browser.FindElement(By.CssSelector("#grade option:nth-child(1)")).Click(); // all
        browser.FindElement(By.Id("search")).SendKeys(expected[3].Id);
        wait.Until(d => d.FindElements(By.CssSelector("#rows tr")).Count == 1);

        browser.FindElement(By.Id("search")).Clear();
        browser.FindElement(By.Id("search")).SendKeys(" ");
        wait.Until(d => d.FindElements(By.CssSelector("#rows tr")).Count == Leads.SampleCount);
        Shot(browser, "ranked-leads.png");

        // The page works under the host's Content-Security-Policy: nothing it needs was refused.
        var refused = browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= OpenQA.Selenium.LogLevel.Warning).Select(e => e.Message).ToArray();
        Assert.True(refused.Length == 0, "console: " + string.Join("\n", refused));
    }

    [SkippableFact]
    public async Task With_a_rules_file_each_lead_shows_its_icp_badge_and_stage_suggestion()
    {
        Skip.IfNot(File.Exists(Chromium) && File.Exists(ChromeDriver), "needs Debian's chromium and chromium-driver; run scripts/install-test-deps.sh");
        await using var host = await RunningHost.StartAsync(settings: new Dictionary<string, string?> { ["ScoringHost:RulesPath"] = TestPaths.Data("rules.json") });
        await host.WaitUntilReadyAsync();
        using var profile = new TempDir();
        using var browser = StartBrowser(profile);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        browser.Navigate().GoToUrl(host.BaseAddress);
        wait.Until(d => d.FindElement(By.Id("status")).Text.StartsWith("Model ", StringComparison.Ordinal));
        browser.FindElement(By.Id("file")).SendKeys(TestPaths.Data("leads-new.csv"));
        browser.FindElement(By.Id("rank")).Click();
        wait.Until(d => d.FindElements(By.CssSelector("#rows tr")).Count == Leads.SampleCount);

        var badges = browser.FindElements(By.CssSelector("#rows .badge")).Select(b => (b.Text, b.GetAttribute("class"))).ToArray();
        Assert.Equal(Leads.SampleCount, badges.Length);
        Assert.All(badges, b => Assert.Contains(b.Item2, new[] { "badge fit", "badge partial", "badge nofit" }));
        Assert.Contains(badges, b => b.Text == "pass");
        Assert.Contains(badges, b => b.Text == "fail");
        Assert.Contains(browser.FindElements(By.CssSelector("#head th")), th => th.Text == "stage → suggested");
        Assert.Contains(browser.FindElements(By.CssSelector("#rows td")), td => td.Text.Contains(" → ", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task With_an_api_key_the_page_asks_for_it_and_then_works()
    {
        Skip.IfNot(File.Exists(Chromium) && File.Exists(ChromeDriver), "needs Debian's chromium and chromium-driver; run scripts/install-test-deps.sh");
        const string key = "page-test-key-0123456789";
        await using var host = await RunningHost.StartAsync(settings: new Dictionary<string, string?> { ["ScoringHost:ApiKey"] = key });
        await host.WaitUntilReadyAsync();
        using var profile = new TempDir();
        using var browser = StartBrowser(profile);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        browser.Navigate().GoToUrl(host.BaseAddress);
        wait.Until(d => d.FindElement(By.Id("key-form")).Displayed);
        Assert.Contains("API key", browser.FindElement(By.Id("status")).Text);

        browser.FindElement(By.Id("api-key")).SendKeys(key);
        browser.FindElement(By.Id("use-key")).Click();
        wait.Until(d => d.FindElement(By.Id("status")).Text.StartsWith("Model ", StringComparison.Ordinal));
        browser.FindElement(By.Id("file")).SendKeys(TestPaths.Data("leads-new.csv"));
        browser.FindElement(By.Id("rank")).Click();
        wait.Until(d => d.FindElements(By.CssSelector("#rows tr")).Count == Leads.SampleCount);
    }

    [SkippableFact]
    public Task A_lead_value_with_markup_is_shown_as_text_never_run() =>
        WithTwoLeadsRankedAsync(first => first.Replace("Pinnacle Outfitters SAS", "\"<img src=x onerror=\"\"document.title='pwned'\"\">\""), browser =>
        {
            Assert.Contains("<img src=x", browser.FindElement(By.Id("rows")).Text);
            Assert.Empty(browser.FindElements(By.CssSelector("#rows img")));
            Assert.NotEqual("pwned", browser.Title);
        });

    [SkippableFact]
    public Task Should_show_the_scoring_warnings_as_text_When_the_upload_has_a_value_the_model_cannot_read() =>
        WithTwoLeadsRankedAsync(first => first.Replace(",103,", ",50–100,"), browser => // employees of the first lead
        {
            var warnings = browser.FindElement(By.Id("warnings"));
            Assert.True(warnings.Displayed);
            Assert.Contains("50–100", warnings.Text);
            Assert.DoesNotContain("%E2", warnings.Text);
            Shot(browser, "warnings-1400.png");
            browser.Manage().Window.Size = new System.Drawing.Size(700, 1000);
            Assert.True(browser.FindElement(By.Id("warnings")).Displayed);
            Shot(browser, "warnings-700.png");
        });

    internal static void Shot(ChromeDriver browser, string name)
    {
        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(Path.Combine(shots, name));
    }

    /// <summary>Uploads the sample's first two leads, the first one changed, through the page, and checks the page.</summary>
    private static async Task WithTwoLeadsRankedAsync(Func<string, string> changeFirst, Action<ChromeDriver> check)
    {
        Skip.IfNot(File.Exists(Chromium) && File.Exists(ChromeDriver), "needs Debian's chromium and chromium-driver; run scripts/install-test-deps.sh");
        await using var host = await RunningHost.StartAsync();
        await host.WaitUntilReadyAsync();
        var lines = await File.ReadAllLinesAsync(TestPaths.Data("leads-new.csv"));
        var first = changeFirst(lines[1]);
        Assert.NotEqual(lines[1], first);
        using var dir = new TempDir();
        var path = dir.Write("two.csv", lines[0] + "\n" + first + "\n" + lines[2] + "\n");

        using var profile = new TempDir();
        using var browser = StartBrowser(profile);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        browser.Navigate().GoToUrl(host.BaseAddress);
        browser.FindElement(By.Id("file")).SendKeys(path);
        browser.FindElement(By.Id("rank")).Click();
        wait.Until(d => d.FindElements(By.CssSelector("#rows tr")).Count == 2);
        check(browser);
    }

    private sealed record Expected(string Id, string Grade);

    private static async Task<IReadOnlyList<Expected>> ExpectedRankingAsync(RunningHost host)
    {
        var content = new ByteArrayContent(await File.ReadAllBytesAsync(TestPaths.Data("leads-new.csv")));
        content.Headers.ContentType = new("text/csv");
        var csv = await (await host.Client.PostAsync("/api/v1/score/csv", content)).Content.ReadAsStringAsync();
        return csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).Select(f => new Expected(f[1], f[4])).ToArray();
    }
}
