using LeadPredict.Core;

namespace LeadPredict.SampleData.Tests;

public sealed class LeadGeneratorTests : IDisposable
{
    private const string ExpectedHeader =
        "lead_id,created_at,company,industry,employees,annual_revenue,country,job_title,lead_source,website_visits,"
        + "pricing_page_views,email_opens,email_clicks,content_downloads,webinar_attended,demo_requested,"
        + "days_since_last_activity,budget,stage,converted";

    private readonly string _dir = Directory.CreateTempSubdirectory("leadpredict-sampledata-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(GeneratorOptions options, string name = "leads.csv")
    {
        var path = Path.Combine(_dir, name);
        LeadGenerator.WriteCsv(path, options);
        return path;
    }

    private static List<List<string>> ReadRows(string path, out IReadOnlyList<string> header)
    {
        var (h, rows) = Crm.CrmFiles.Read(path);
        header = h;
        return [.. rows.Select(r => r.ToList())];
    }

    [Fact]
    public void Same_seed_gives_identical_files()
    {
        var a = File.ReadAllBytes(Write(new() { Rows = 3000, Seed = 42 }, "a.csv"));
        var b = File.ReadAllBytes(Write(new() { Rows = 3000, Seed = 42 }, "b.csv"));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Different_seeds_give_different_files()
    {
        var a = File.ReadAllBytes(Write(new() { Rows = 3000, Seed = 42 }, "a.csv"));
        var b = File.ReadAllBytes(Write(new() { Rows = 3000, Seed = 43 }, "b.csv"));
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void The_first_rows_for_seed_7_never_change()
    {
        var lines = File.ReadLines(Write(new() { Rows = 3, IncludeTrueProbability = true })).ToArray();
        Assert.Equal(
        [
            ExpectedHeader + ",true_probability",
            "L-000001,2025-05-07,Pinnacle Pvt Ltd,Financial Services,4268,871606000,India,\"Team Lead, Customer Success\",Select,1,1,3,2,0,no,no,1,,mql,no,0.148042",
            "L-000002,2025-12-06,Alder SA,Financial Services,1076,266513000,France,Director of Customer Success,Organic Search,10,4,3,0,1,yes,yes,1,1223500,opportunity,yes,0.975837",
            "L-000003,2026-06-12,Westfield Shipping LLC,Logistics,5,526000,United States,Software Engineer,Webinar,0,0,3,1,0,no,yes,19,4500,opportunity,no,0.081614",
        ], lines);
    }

    [Fact]
    public void The_whole_file_for_seed_7_never_changes()
    {
        // Pinned when the CRM generator began sharing the firmographics draws: the flat file must stay byte for byte the same.
        var bytes = File.ReadAllBytes(Write(new() { Rows = 20_000, IncludeTrueProbability = true }));
        Assert.Equal("749b2a3f0a5d57ca690af27ee5efa648c946c992bddf1a4ab78c47ee042a28b6", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    [Fact]
    public void Header_lists_the_columns_in_order_with_unix_line_endings_and_no_bom()
    {
        var bytes = File.ReadAllBytes(Write(new() { Rows = 50 }));
        Assert.False(bytes is [0xEF, 0xBB, 0xBF, ..], "the file starts with a byte order mark");
        Assert.DoesNotContain((byte)'\r', bytes);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Equal(ExpectedHeader, text[..text.IndexOf('\n')]);
        Assert.EndsWith("\n", text);
        Assert.Equal(ExpectedHeader.Split(','), SampleSchema.Header(new GeneratorOptions()));
    }

    [Fact]
    public void True_probability_is_the_extra_last_column_when_asked()
    {
        ReadRows(Write(new() { Rows = 50, IncludeTrueProbability = true }), out var header);
        Assert.Equal([.. ExpectedHeader.Split(','), "true_probability"], header);
    }

    [Fact]
    public void New_leads_mode_has_no_converted_column()
    {
        var rows = ReadRows(Write(new() { Rows = 200, IncludeOutcome = false }), out var header);
        Assert.Equal(ExpectedHeader.Split(',')[..^1], header);
        Assert.DoesNotContain(SampleSchema.Converted, header);
        Assert.DoesNotContain(SampleSchema.TrueProbability, header);
        Assert.Equal(200, rows.Count);
    }

    [Fact]
    public void New_leads_mode_can_still_carry_the_true_probability()
    {
        ReadRows(Write(new() { Rows = 20, IncludeOutcome = false, IncludeTrueProbability = true }), out var header);
        Assert.Equal([.. SampleSchema.FeatureColumns, SampleSchema.TrueProbability], header);
    }

    [Fact]
    public void Ids_are_unique_and_start_at_FirstId()
    {
        var rows = ReadRows(Write(new() { Rows = 500, FirstId = 900_001 }), out _);
        var ids = rows.Select(r => r[0]).ToList();
        Assert.Equal("L-900001", ids[0]);
        Assert.Equal("L-900500", ids[^1]);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal("L-000001", LeadGenerator.Generate(new() { Rows = 1 }).Single().LeadId);
    }

    [Fact]
    public void Rows_are_in_time_order_within_the_requested_days()
    {
        var start = new DateOnly(2026, 7, 1);
        var dates = LeadGenerator.Generate(new() { Rows = 5000, Start = start, Days = 30 }).Select(l => l.CreatedAt).ToList();
        Assert.Equal(dates.Order(), dates);
        Assert.Equal(start, dates[0]);
        Assert.Equal(start.AddDays(29), dates[^1]);
    }

    [Fact]
    public void Conversion_rate_is_between_10_and_22_percent()
    {
        var leads = LeadGenerator.Generate(new() { Rows = 20_000 }).ToList();
        var rate = leads.Average(l => l.Converted ? 1.0 : 0.0);
        Assert.InRange(rate, 0.10, 0.22);
    }

    [Fact]
    public void Best_possible_auc_read_back_from_the_file_is_learnable_but_not_trivial()
    {
        var rows = ReadRows(Write(new() { Rows = 20_000, IncludeTrueProbability = true }), out var header);
        var p = header.ToList().IndexOf(SampleSchema.TrueProbability);
        var y = header.ToList().IndexOf(SampleSchema.Converted);
        var scores = rows.Select(r => double.Parse(r[p], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var labels = rows.Select(r => r[y] == "yes").ToArray();
        Assert.InRange(RankMetrics.Auc(scores, labels), 0.80, 0.93);
    }

    [Fact]
    public void Leads_that_requested_a_demo_convert_far_more_often()
    {
        var leads = LeadGenerator.Generate(new() { Rows = 20_000 }).ToList();
        var withDemo = leads.Where(l => l.DemoRequested).Average(l => l.Converted ? 1.0 : 0.0);
        var without = leads.Where(l => !l.DemoRequested).Average(l => l.Converted ? 1.0 : 0.0);
        Assert.True(withDemo > 3 * without, $"demo {withDemo:P1} vs no demo {without:P1}");
    }

    [Fact]
    public void Students_and_interns_rarely_convert()
    {
        var leads = LeadGenerator.Generate(new() { Rows = 20_000 }).ToList();
        var junior = leads.Where(l => l.JobTitle is { } t && (t.Contains("Intern") || t.Contains("Student") || t == "Trainee")).ToList();
        Assert.True(junior.Count > 500);
        Assert.InRange(junior.Average(l => l.Converted ? 1.0 : 0.0), 0, 0.05);
    }

    [Fact]
    public void Influence_ranking_matches_the_spread_of_each_columns_share_of_the_log_odds()
    {
        var terms = LeadGenerator.GenerateWithTerms(new() { Rows = 20_000 }).Select(d => d.Terms).ToList();
        double Spread(Func<LogitTerms, double> f)
        {
            var mean = terms.Average(f);
            return Math.Sqrt(terms.Average(t => (f(t) - mean) * (f(t) - mean)));
        }
        var spreads = new Dictionary<string, double>
        {
            [SampleSchema.DemoRequested] = Spread(t => t.Demo),
            [SampleSchema.PricingPageViews] = Spread(t => t.Pricing),
            [SampleSchema.JobTitle] = Spread(t => t.Title),
            [SampleSchema.Employees] = Spread(t => t.Employees),
            [SampleSchema.DaysSinceLastActivity] = Spread(t => t.Recency),
            [SampleSchema.Industry] = Spread(t => t.Industry),
            [SampleSchema.EmailClicks] = Spread(t => t.Clicks),
            [SampleSchema.WebinarAttended] = Spread(t => t.Webinar),
        };
        var ranked = spreads.OrderByDescending(kv => kv.Value).ToList();
        Assert.True(SampleSchema.MostInfluentialColumns.SequenceEqual(ranked.Select(kv => kv.Key)),
            "ranked by spread: " + string.Join(", ", ranked.Select(kv => $"{kv.Key} {kv.Value:F3}")) + $"; other {Spread(t => t.Other):F3}");
        Assert.Equal([SampleSchema.DemoRequested, SampleSchema.PricingPageViews, SampleSchema.JobTitle], SampleSchema.MostInfluentialColumns.Take(3));
        Assert.True(Spread(t => t.Other) < spreads[SampleSchema.WebinarAttended], "the minor effects together outweigh webinar_attended");
    }

    [Fact]
    public void Counts_are_consistent()
    {
        foreach (var l in LeadGenerator.Generate(new() { Rows = 20_000 }))
        {
            Assert.InRange(l.EmailClicks, 0, l.EmailOpens);
            Assert.InRange(l.PricingPageViews, 0, l.WebsiteVisits);
            Assert.InRange(l.DaysSinceLastActivity, 0, 180);
            Assert.InRange(l.ContentDownloads, 0, 1000);
            if (l.Employees is { } e) Assert.InRange(e, 1, 50_000);
            Assert.Contains(l.Stage, SampleSchema.Stages);
            Assert.InRange(l.TrueProbability, 0.0, 1.0);
        }
    }

    [Fact]
    public void Missing_values_appear_at_realistic_rates()
    {
        var leads = LeadGenerator.Generate(new() { Rows = 20_000 }).ToList();
        double Share(Func<GeneratedLead, bool> missing) => leads.Average(l => missing(l) ? 1.0 : 0.0);
        Assert.InRange(Share(l => l.Industry is null), 0.02, 0.08);
        Assert.InRange(Share(l => l.Employees is null), 0.02, 0.08);
        Assert.InRange(Share(l => l.AnnualRevenue is null), 0.02, 0.08);
        Assert.InRange(Share(l => l.Country is null), 0.02, 0.08);
        Assert.InRange(Share(l => l.JobTitle is null), 0.02, 0.08);
        Assert.InRange(Share(l => l.Budget is null), 0.33, 0.47);
        Assert.InRange(Share(l => l.LeadSource == SampleSchema.UnknownSource), 0.02, 0.04);
    }

    [Fact]
    public void Company_names_with_commas_quotes_and_non_latin_letters_round_trip()
    {
        var options = new GeneratorOptions { Rows = 5000 };
        var expected = LeadGenerator.Generate(options).ToList();
        var rows = ReadRows(Write(options), out var header);
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(expected[i].Company, rows[i][2]);
            Assert.Equal(expected[i].JobTitle ?? "", rows[i][7]);
        }
        var companies = rows.Select(r => r[2]).ToHashSet();
        Assert.Contains(companies, c => c.Contains(','));
        Assert.Contains(companies, c => c.Contains('"'));
        Assert.Contains("Ærø Fisk AS", companies);
        Assert.Contains("Brașov Tech SRL", companies);
        Assert.Contains("深圳数据科技", companies);
    }

    [Fact]
    public void The_file_matches_the_generated_leads()
    {
        var options = new GeneratorOptions { Rows = 300 };
        var lead = LeadGenerator.Generate(options).ToList();
        var rows = ReadRows(Write(options), out _);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(lead[i].DemoRequested ? "yes" : "no", rows[i][15]);
            Assert.Equal(lead[i].Converted ? "yes" : "no", rows[i][19]);
            Assert.Equal(lead[i].Budget?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", rows[i][17]);
        }
    }

    [Fact]
    public void Writing_replaces_an_existing_file_and_leaves_no_temporary_files()
    {
        var path = Path.Combine(_dir, "leads.csv");
        File.WriteAllText(path, "old");
        LeadGenerator.WriteCsv(path, new() { Rows = 10 });
        Assert.StartsWith("lead_id,", File.ReadAllText(path));
        Assert.Equal(["leads.csv"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(0, 540, 1, "Rows must be at least 1 (was 0).")]
    [InlineData(10, 0, 1, "Days must be at least 1 (was 0).")]
    [InlineData(10, 540, -5, "FirstId must be 0 or more (was -5).")]
    public void Invalid_options_are_rejected_with_a_precise_message(int rows, int days, int firstId, string message)
    {
        var options = new GeneratorOptions { Rows = rows, Days = days, FirstId = firstId };
        var e = Assert.Throws<ArgumentException>(() => LeadGenerator.Generate(options));
        Assert.StartsWith(message, e.Message);
        Assert.Throws<ArgumentException>(() => LeadGenerator.WriteCsv(Path.Combine(_dir, "x.csv"), options));
        Assert.False(File.Exists(Path.Combine(_dir, "x.csv")));
    }
}
