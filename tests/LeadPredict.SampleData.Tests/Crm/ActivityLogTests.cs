using LeadPredict.Core;
using LeadPredict.SampleData.Crm;
using static LeadPredict.SampleData.Tests.Crm.CrmPopulation;

namespace LeadPredict.SampleData.Tests.Crm;

public sealed class ActivityLogTests
{
    private static bool Weekend(CrmActivity a) => a.Timestamp.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    private static IEnumerable<CrmActivity> WhileOpen(CrmLead l) => l.Activities.Where(a => a.At < (l.ClosedAt ?? long.MaxValue));

    [Fact]
    public void Should_Happen_Mostly_On_Weekdays_And_Sales_Calls_Almost_Never_On_Weekends()
    {
        var open = Leads.SelectMany(WhileOpen).ToList();
        Assert.InRange(open.Average(a => Weekend(a) ? 1.0 : 0), 0.05, 0.18); // 2/7 = 29% if days did not matter
        var sales = open.Where(a => a.TypeName is "meeting" or "call").ToList();
        Assert.True(sales.Count > 1000);
        Assert.InRange(sales.Average(a => Weekend(a) ? 1.0 : 0), 0, 0.05);
    }

    [Fact]
    public void Should_Happen_Mostly_In_Office_Hours()
    {
        var open = Leads.SelectMany(WhileOpen).ToList();
        Assert.InRange(open.Average(a => a.Timestamp.Hour < 6 ? 1.0 : 0), 0, 0.08);
        Assert.InRange(open.Average(a => a.Timestamp.Hour is >= 9 and < 17 ? 1.0 : 0), 0.5, 0.75);
    }

    [Fact]
    public void Should_Burst_On_The_Shared_Campaign_Dates()
    {
        var history = History;
        var campaigns = history.EmailCampaignDates.ToHashSet();
        Assert.True(campaigns.Count > 30);
        var opens = Leads.SelectMany(l => l.Activities).Where(a => a.TypeName == "email_open")
            .GroupBy(a => DateOnly.FromDateTime(a.Timestamp)).ToDictionary(g => g.Key, g => g.Count());
        var last = DateOnly.FromDateTime(history.ExportAt).AddDays(-1);
        var days = Enumerable.Range(0, 400).Select(i => last.AddDays(-i))
            .Where(d => d.DayOfWeek is DayOfWeek.Tuesday or DayOfWeek.Wednesday or DayOfWeek.Thursday).ToList();
        var onCampaign = days.Where(campaigns.Contains).Average(d => opens.GetValueOrDefault(d));
        var quiet = days.Where(d => !campaigns.Contains(d) && !campaigns.Contains(d.AddDays(-1)) && !campaigns.Contains(d.AddDays(-2)))
            .Average(d => opens.GetValueOrDefault(d));
        Assert.True(onCampaign > 3 * quiet, $"email opens per campaign day {onCampaign:F0}, per quiet weekday {quiet:F0}");
        var webinars = history.WebinarDates.ToHashSet();
        Assert.All(Leads.SelectMany(l => l.Activities).Where(a => a.TypeName == "webinar_attended"),
            a => Assert.Contains(DateOnly.FromDateTime(a.Timestamp), webinars));
    }

    [Fact]
    public void Should_Fade_As_A_Lead_Ages()
    {
        var export = Seconds(History.ExportAt);
        var open = Leads.Where(l => l.ClosedAt > l.CreatedAtSeconds + 140 * Day && l.CreatedAtSeconds + 140 * Day < export).ToList();
        Assert.True(open.Count > 500);
        double In(CrmLead l, int fromDay, int toDay) =>
            l.Activities.Count(a => a.IsModeled && a.At >= l.CreatedAtSeconds + fromDay * Day && a.At < l.CreatedAtSeconds + toDay * Day);
        var early = open.Average(l => In(l, 0, 14));
        var late = open.Average(l => In(l, 120, 134));
        Assert.True(early > 1.5 * late, $"first two weeks {early:F2} events per lead, days 120-134 {late:F2}");
    }

    [Fact]
    public void Should_Include_Quiet_Leads_That_Do_Nothing_For_Weeks()
    {
        var export = Seconds(History.ExportAt);
        var leads = Leads.Where(l => l.CreatedAtSeconds + 30 * Day < export).ToList();
        Assert.InRange(leads.Average(l => l.Activities.Any(a => a.At < l.CreatedAtSeconds + 30 * Day) ? 0.0 : 1), 0.08, 0.3);
    }

    [Fact]
    public void Should_Log_The_Post_Conversion_Bait_At_Or_After_Conversion()
    {
        foreach (var type in ActivityType.PostConversionBait)
        {
            var events = Leads.SelectMany(l => l.Activities.Where(a => a.TypeName == type).Select(a => (Lead: l, a.At))).ToList();
            Assert.True(events.Count > 500, $"{type}: {events.Count} events");
            var after = events.Average(e => e.Lead.WonAt is { } won && e.At >= won ? 1.0 : 0);
            Assert.InRange(after, ActivityType.AfterConversionOnly.Contains(type) ? 1.0 : 0.95, 1.0);
        }
        Assert.All(Leads.Where(l => l.WonAt < Seconds(History.ExportAt)),
            l => Assert.Contains(l.Activities, a => a.TypeName == ActivityType.ContractSigned && a.At == l.WonAt));
    }

    [Fact]
    public void Should_Make_Ever_Converted_With_Every_Activity_Counted_Look_Better_Than_The_Best_Honest_Model()
    {
        // The leak: counting every activity in the export, including the ones after the sale, "predicts" having converted
        // better than the best possible point-in-time probability predicts converting.
        var history = History;
        var export = Seconds(history.ExportAt);
        var leads = Leads.Where(l => l.CreatedAtSeconds < export - 120 * Day).ToList();
        var everConverted = leads.Select(l => l.WonAt < export).ToArray();
        var leaky = RankMetrics.Auc(leads.Select(l => (double)l.Activities.Count).ToArray(), everConverted);
        var bait = RankMetrics.Auc(leads.Select(l => (double)l.Activities.Count(a => ActivityType.PostConversionBait.Contains(a.TypeName))).ToArray(), everConverted);

        var snapshots = leads.Where(l => l.ClosedAt > l.CreatedAtSeconds + 7 * Day).ToList();
        var honest = RankMetrics.Auc(
            snapshots.Select(l => history.Truth(l, CrmTime.ToDateTime(l.CreatedAtSeconds + 7 * Day), [90]).Probabilities[0]).ToArray(),
            snapshots.Select(l => l.WonAt is { } w && w < l.CreatedAtSeconds + 97 * Day).ToArray());
        Assert.True(leaky > 0.97, $"all activities counted: AUC {leaky:F3}");
        Assert.True(bait > 0.99, $"bait types counted: AUC {bait:F3}");
        Assert.True(leaky > honest + 0.03, $"leaky {leaky:F3} vs best honest {honest:F3}");
    }

    [Fact]
    public void Should_Fill_The_Value_Columns_As_Their_Type_Says()
    {
        var events = Leads.Take(3000).SelectMany(l => l.Activities).ToList();
        foreach (var a in events)
        {
            var modeled = a.IsModeled ? ActivityType.Modeled[a.Type].Value : ActivityValue.None;
            if (a.TypeName == ActivityType.OnboardingCall) modeled = ActivityValue.Duration;
            Assert.Equal(modeled == ActivityValue.Duration, a.DurationSeconds > 0);
            Assert.Equal(modeled == ActivityValue.Page, a.Page is not null);
            if (a.Page is not null) Assert.StartsWith("/", a.Page);
        }
        Assert.Equal(ActivityType.AllNames.Order(), events.Select(a => a.TypeName).Distinct().Order());
    }
}
