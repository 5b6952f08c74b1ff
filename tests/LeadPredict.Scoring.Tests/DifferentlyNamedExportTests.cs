using LeadPredict.Advice;
using LeadPredict.Core;
using LeadPredict.Core.Csv;
using LeadPredict.ML.Training;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests;

/// <summary>
/// The same leads exported by another CRM (HubSpot-style column names, true/false outcome, lifecycle stage values):
/// training, the ICP and the funnel all work from configuration, with nothing about the sample's layout in the code.
/// </summary>
public sealed class DifferentlyNamedExportTests
{
    private static readonly Dictionary<string, string> Renamed = new()
    {
        ["lead_id"] = "Record ID", ["created_at"] = "Create Date", ["company"] = "Company name", ["industry"] = "Industry",
        ["employees"] = "Number of Employees", ["annual_revenue"] = "Annual Revenue", ["country"] = "Country/Region",
        ["job_title"] = "Job Title", ["lead_source"] = "Original Source", ["website_visits"] = "Number of Pageviews",
        ["pricing_page_views"] = "Pricing Page Views", ["email_opens"] = "Marketing emails opened", ["email_clicks"] = "Marketing emails clicked",
        ["content_downloads"] = "Content Downloads", ["webinar_attended"] = "Attended Webinar", ["demo_requested"] = "Demo Requested",
        ["days_since_last_activity"] = "Days Since Last Engagement", ["budget"] = "Budget", ["stage"] = "Lifecycle Stage", ["converted"] = "Became a Customer",
    };

    private static readonly Dictionary<string, string> Lifecycle = new()
    {
        ["lead"] = "lead", ["mql"] = "marketingqualifiedlead", ["sal"] = "salesacceptedlead", ["sql"] = "salesqualifiedlead", ["opportunity"] = "opportunity",
    };

    private const string Rules = """
        // HubSpot-style rules: its own column names and lifecycle stage values.
        {
          "icp": [
            { "name": "Company size", "column": "Number of Employees", "op": "between", "min": 50, "max": 5000, "mustHave": true, "weight": 2 },
            { "name": "Decision-maker", "column": "Job Title", "op": "matches", "pattern": "\\b(director|vp|head|chief|ceo|cto|founder)\\b", "weight": 2 },
            { "name": "Budget", "column": "Budget", "op": "atLeast", "value": 10000 },
          ],
          "funnel": {
            "stageColumn": "Lifecycle Stage",
            "stages": [
              { "name": "Subscriber", "aliases": ["subscriber"] },
              { "name": "Lead", "aliases": ["lead"] },
              { "name": "MQL", "aliases": ["marketingqualifiedlead"] },
              { "name": "SAL", "aliases": ["salesacceptedlead"] },
              { "name": "SQL", "aliases": ["salesqualifiedlead"] },
              { "name": "Opportunity", "aliases": ["opportunity"] },
              { "name": "Customer", "aliases": ["customer"] },
            ],
            "gates": {
              "MQL": { "minProbability": 0.10 },
              "SAL": { "minProbability": 0.20 },
              "SQL": { "minConversionRate": 0.5, "anyEvidence": [ { "column": "Demo Requested", "op": "equals", "value": true } ] },
              "Opportunity": { "minProbability": 0.6, "icp": "pass" },
            },
          },
        }
        """;

    private static string Convert(string source, string target, int take)
    {
        using var reader = new CsvRecordReader(source);
        using var writer = new StreamWriter(target);
        writer.WriteLine(CsvText.JoinRow(reader.Header.Select(h => Renamed[h])));
        var stage = reader.Header.ToList().IndexOf("stage");
        var converted = reader.Header.ToList().IndexOf("converted");
        var fields = new List<string>();
        for (var n = 0; n < take && reader.Read(fields); n++)
        {
            fields[stage] = Lifecycle[fields[stage]];
            if (converted >= 0) fields[converted] = fields[converted] == "yes" ? "true" : "false";
            writer.WriteLine(CsvText.JoinRow(fields));
        }
        return target;
    }

    [Fact]
    public void A_hubspot_style_export_trains_and_scores_with_its_own_names_icp_and_stages()
    {
        using var dir = new TempDir();
        var history = Convert(TestPaths.Data("leads-history.csv"), dir.File("contacts.csv"), 4000);
        var newLeads = Convert(TestPaths.Data("leads-new.csv"), dir.File("new-contacts.csv"), 200);
        var rules = dir.Write("hubspot-rules.json", Rules);
        var model = dir.File("hubspot-model.zip");

        var rulesExtension = new RulesTrainingExtension(rules);
        var outcome = new ModelTrainer(TimeProvider.System, [rulesExtension]).Train(new TrainingRequest
        {
            DataPath = history,
            Config = new TrainingConfig { Label = "Became a Customer", Created = "Create Date", Evaluation = new EvaluationOptions { Folds = 0 } },
            ModelPath = model,
            ImportanceRepeats = 1,
        });
        Assert.Equal("true", outcome.Report.Card.PositiveLabel);
        Assert.InRange(outcome.Report.HoldoutMetrics.Auc, 0.8, 1);
        Assert.NotNull(rulesExtension.Backtest);
        Assert.Contains(rulesExtension.Thresholds.Gates, g => g.Stage == "SQL" && g.MinProbability is > 0 and < 1);

        var output = dir.File("ranked.csv");
        var result = Cli.Score("score", "--model", model, "--input", newLeads, "--icp", rules, "--output", output);
        Assert.True(result.ExitCode == 0, result.All);
        using var reader = new CsvRecordReader(output);
        Assert.Equal("Record ID", reader.Header[1]);
        var fields = new List<string>();
        var stages = new HashSet<string>();
        var actions = new HashSet<string>();
        var h = reader.Header.ToList();
        while (reader.Read(fields))
        {
            stages.Add(fields[h.IndexOf("stage")]);
            actions.Add(fields[h.IndexOf("action")]);
            Assert.StartsWith("L-9", fields[1]);
        }
        Assert.Subset(new HashSet<string> { "Lead", "MQL", "SAL", "SQL", "Opportunity" }, stages);
        Assert.Contains("promote", actions);
        Assert.Contains("unknown stage 0", result.Output);
    }
}
