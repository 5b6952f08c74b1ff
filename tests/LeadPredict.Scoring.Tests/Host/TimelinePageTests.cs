using LeadPredict.Core;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>The page in a real headless browser with the timeline model of <see cref="TimelineApiTests"/> (its host and ranked file).</summary>
public sealed partial class TimelineApiTests
{
    [SkippableFact]
    public async Task The_page_ranks_the_open_leads_from_uploaded_history_shows_stage_odds_and_filters_stalled_leads_without_console_errors()
    {
        Skip.IfNot(File.Exists(PageTests.Chromium) && File.Exists(PageTests.ChromeDriver), "needs Debian's chromium and chromium-driver; run scripts/install-test-deps.sh");
        var ranked = LeadTable.Load(_ranked);
        var stalled = ranked.Column("reason").Count(r => r!.Contains("stalled from", StringComparison.Ordinal));
        Assert.True(stalled > 0);
        using var profile = new TempDir();
        using var browser = PageTests.StartBrowser(profile);
        var wait = new OpenQA.Selenium.Support.UI.WebDriverWait(browser, TimeSpan.FromSeconds(60));
        browser.Navigate().GoToUrl(_host.BaseAddress);
        wait.Until(d => d.FindElement(OpenQA.Selenium.By.Id("status")).Text.Contains("converts within 90 days", StringComparison.Ordinal));
        Assert.True(browser.FindElement(OpenQA.Selenium.By.Id("history")).Displayed);
        browser.FindElement(OpenQA.Selenium.By.Id("file")).SendKeys(Crm("leads.csv"));
        browser.FindElement(OpenQA.Selenium.By.Id("activities")).SendKeys(Crm("activities.csv"));
        browser.FindElement(OpenQA.Selenium.By.Id("stages")).SendKeys(Crm("stage-history.csv"));
        browser.FindElement(OpenQA.Selenium.By.Id("outcomes")).SendKeys(Crm("outcomes.csv"));
        browser.ExecuteScript($"document.getElementById('as-of').value = '{AsOf}';");
        browser.FindElement(OpenQA.Selenium.By.Id("rank")).Click();
        wait.Until(d => d.FindElements(OpenQA.Selenium.By.CssSelector("#rows tr")).Count == ranked.RowCount);

        var meaning = browser.FindElement(OpenQA.Selenium.By.Id("meaning")).Text;
        Assert.Contains("As of 2026-05-01 00:00 UTC", meaning);
        Assert.Contains("converting within 90 days", meaning);
        var head = browser.FindElements(OpenQA.Selenium.By.CssSelector("#head th")).Select(th => th.Text).ToArray();
        Assert.Equal(["rank", "lead", "probability", "grade", "≤ 30 days", "≤ 60 days", "odds of the next stage", "days in stage"], head[..8]);
        var top = browser.FindElements(OpenQA.Selenium.By.CssSelector("#rows tr"))[0].FindElements(OpenQA.Selenium.By.TagName("td"));
        Assert.Equal(ranked.Column("lead_id")[0], top[1].Text);
        Assert.Matches(@"^\w+ → \w+ \d+% \(avg \d+%\)$", browser.FindElements(OpenQA.Selenium.By.CssSelector("#rows td.odds")).First(td => td.Text.Length > 0).Text);
        PageTests.Shot(browser, "timeline-1400.png");
        // The ranked CSV of the same upload is fetched when asked for.
        browser.FindElement(OpenQA.Selenium.By.Id("download")).Click();
        wait.Until(d => d.FindElement(OpenQA.Selenium.By.Id("download")).GetAttribute("href")!.StartsWith("blob:", StringComparison.Ordinal));

        browser.FindElement(OpenQA.Selenium.By.Id("stalled")).Click();
        wait.Until(d => d.FindElements(OpenQA.Selenium.By.CssSelector("#rows tr")).Count == stalled);
        Assert.Equal(stalled, browser.FindElements(OpenQA.Selenium.By.CssSelector("#rows .badge.stalled")).Count);
        Assert.Equal($"{stalled} of {ranked.RowCount} leads", browser.FindElement(OpenQA.Selenium.By.Id("count")).Text);
        browser.Manage().Window.Size = new System.Drawing.Size(700, 1000);
        PageTests.Shot(browser, "timeline-stalled-700.png");
        browser.FindElement(OpenQA.Selenium.By.Id("stalled")).Click();
        wait.Until(d => d.FindElements(OpenQA.Selenium.By.CssSelector("#rows tr")).Count == ranked.RowCount);
        PageTests.Shot(browser, "timeline-700.png");

        var console = browser.Manage().Logs.GetLog(OpenQA.Selenium.LogType.Browser).Where(e => e.Level >= OpenQA.Selenium.LogLevel.Warning).Select(e => e.Message).ToArray();
        Assert.True(console.Length == 0, "console: " + string.Join("\n", console));
    }
}
