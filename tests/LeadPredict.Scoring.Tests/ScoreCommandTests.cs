using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.Core.Csv;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests;

/// <summary>The score command as a sales-ops user runs it on the day's leads.</summary>
public sealed class ScoreCommandTests
{
    private static readonly string NewLeads = TestPaths.Data("leads-new.csv");

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        using var reader = new CsvRecordReader(path);
        var rows = new List<Dictionary<string, string>>();
        var fields = new List<string>();
        while (reader.Read(fields))
        {
            var row = new Dictionary<string, string>();
            for (var i = 0; i < fields.Count; i++) row.TryAdd(reader.Header[i], fields[i]);
            rows.Add(row);
        }
        return rows;
    }

    [Fact]
    public void Scoring_writes_every_lead_ranked_by_probability_with_grade_icp_stage_and_reasons()
    {
        using var dir = new TempDir();
        var output = dir.File("ranked.csv");
        var result = Cli.Score("score", "--model", SampleModels.SamplePath, "--input", NewLeads, "--icp", TestPaths.Data("rules.json"), "--output", output);
        Assert.True(result.ExitCode == 0, result.All);
        using (var reader = new CsvRecordReader(output))
            Assert.Equal(["rank", "lead_id", "probability", "score", "grade", "icp_fit", "icp_score", "icp_failed", "stage", "suggested_stage", "action", "reason", "top_reasons"],
                reader.Header.Take(13));
        var rows = ReadCsv(output);
        Assert.Equal(500, rows.Count);
        var p = rows.Select(r => double.Parse(r["probability"], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(p.Zip(p.Skip(1)).All(x => x.First >= x.Second), "rows are not sorted by probability");
        Assert.Equal(Enumerable.Range(1, 500).Select(i => i.ToString()), rows.Select(r => r["rank"]));
        Assert.All(rows, r => Assert.Contains(r["grade"], new[] { "A", "B", "C", "D" }));
        Assert.All(rows, r => Assert.Contains(r["icp_fit"], new[] { "pass", "partial", "fail" }));
        Assert.All(rows, r => Assert.Contains(r["action"], new[] { "promote", "hold", "nurture", "disqualify", "review" }));
        Assert.All(rows.Take(20), r => Assert.Contains("▲", r["top_reasons"]));
        Assert.Contains("Top 10 of 500 leads", result.Output);
        Assert.Contains("Actions:", result.Output);
    }

    [Fact]
    public void A_bad_argument_exits_with_2_naming_the_option_and_what_it_expects()
    {
        var result = Cli.Score("score", "--input", NewLeads, "--output", "x.csv", "--top", "ten");
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("--top expects a whole number, got 'ten'", result.Error);
        Assert.DoesNotContain("System.", result.All);
    }

    [Fact]
    public void Without_a_rules_file_there_are_no_icp_columns_and_the_reason_says_icp_gates_were_skipped()
    {
        using var dir = new TempDir();
        var output = dir.File("ranked.csv");
        var result = Cli.Score("score", "--model", SampleModels.SamplePath, "--input", NewLeads, "--output", output);
        Assert.True(result.ExitCode == 0, result.All);
        using (var reader = new CsvRecordReader(output))
        {
            Assert.DoesNotContain("icp_fit", reader.Header);
            Assert.Contains("suggested_stage", reader.Header);
        }
        Assert.Contains("no rules file: ICP gates skipped", result.Output);
    }

    [Fact]
    public void Scores_do_not_depend_on_the_outcome_column_being_present()
    {
        using var dir = new TempDir();
        var withLabel = dir.Write("with-label.csv", string.Join("\n", File.ReadLines(TestPaths.Data("leads-history.csv")).Take(101)));
        var withoutLabel = dir.Write("without-label.csv", string.Join("\n", File.ReadLines(TestPaths.Data("leads-history.csv")).Take(101).Select(l => l[..l.LastIndexOf(',')])));
        Assert.Equal(0, Cli.Score("score", "--model", SampleModels.SamplePath, "--input", withLabel, "--output", dir.File("a.csv")).ExitCode);
        Assert.Equal(0, Cli.Score("score", "--model", SampleModels.SamplePath, "--input", withoutLabel, "--output", dir.File("b.csv")).ExitCode);
        Assert.Equal(ReadCsv(dir.File("a.csv")).Select(r => r["probability"]), ReadCsv(dir.File("b.csv")).Select(r => r["probability"]));
    }

    [Fact]
    public void A_file_missing_a_few_feature_columns_is_scored_with_a_warning_that_names_them()
    {
        using var dir = new TempDir();
        var lines = File.ReadLines(NewLeads).Take(51).Select(l => CsvText.JoinRow(CsvSplit(l).Where((_, i) => i != 4))).ToArray(); // drop employees
        var input = dir.Write("fewer.csv", string.Join("\n", lines));
        var result = Cli.Score("score", "--model", SampleModels.SamplePath, "--input", input, "--output", dir.File("out.csv"));
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("employees", result.Error);
        Assert.Equal(50, ReadCsv(dir.File("out.csv")).Count);
    }

    [Fact]
    public void A_file_without_the_id_column_is_rejected_and_no_output_is_written()
    {
        using var dir = new TempDir();
        var lines = File.ReadLines(NewLeads).Take(11).Select(l => CsvText.JoinRow(CsvSplit(l).Skip(1))).ToArray();
        var input = dir.Write("noid.csv", string.Join("\n", lines));
        var result = Cli.Score("score", "--model", SampleModels.SamplePath, "--input", input, "--output", dir.File("out.csv"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("'lead_id'", result.Error);
        Assert.False(File.Exists(dir.File("out.csv")));
    }

    [Fact]
    public void A_file_from_another_export_is_rejected_with_the_missing_columns_named()
    {
        using var dir = new TempDir();
        var input = dir.Write("other.csv", "lead_id,colour,shape\nL-1,red,round\n");
        var result = Cli.Score("score", "--model", SampleModels.SamplePath, "--input", input, "--output", dir.File("out.csv"));
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("feature columns are missing", result.Error);
        Assert.Contains("demo_requested", result.Error);
    }

    [Fact]
    public void A_corrupt_model_exits_with_code_4_and_leaves_the_previous_output_untouched()
    {
        using var dir = new TempDir();
        var output = dir.Write("out.csv", "yesterday's ranking");
        var model = dir.Write("m.zip", "garbage");
        var result = Cli.Score("score", "--model", model, "--input", NewLeads, "--output", output);
        Assert.Equal(ExitCodes.BadModel, result.ExitCode);
        Assert.Contains("not a LeadPredict model", result.Error);
        Assert.Equal("yesterday's ranking", File.ReadAllText(output));
    }

    [Fact]
    public void Values_that_would_run_as_spreadsheet_formulas_are_neutralized_in_the_ranked_csv()
    {
        using var dir = new TempDir();
        var lines = File.ReadLines(NewLeads).Take(6).ToList();
        var company = CsvSplit(lines[0]).ToList().IndexOf("company");
        var hostile = new[] { "=HYPERLINK(\"http://evil.example\",\"click\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1" };
        for (var i = 1; i <= hostile.Length; i++)
        {
            var fields = CsvSplit(lines[i]);
            fields[company] = hostile[i - 1];
            lines[i] = CsvText.JoinRow(fields);
        }
        var input = dir.Write("hostile.csv", string.Join("\n", lines));
        var result = Cli.Score("score", "--model", SampleModels.SamplePath, "--input", input, "--output", dir.File("out.csv"));
        Assert.True(result.ExitCode == 0, result.All);
        var companies = ReadCsv(dir.File("out.csv")).Select(r => r["company"]).ToArray();
        Assert.Equal(hostile.Select(h => "'" + h).Order(), companies.Order());
        Assert.All(ReadCsv(dir.File("out.csv")), r => Assert.DoesNotMatch("^[=+@\t\r-]", r["employees"] + r["company"]));
    }

    [Fact]
    public void A_bom_windows_line_endings_and_semicolons_give_the_same_scores_as_the_plain_file()
    {
        using var dir = new TempDir();
        var rows = File.ReadLines(NewLeads).Take(41).Select(l => CsvText.JoinRow(CsvSplit(l), ';'));
        var odd = dir.File("excel-export.csv");
        File.WriteAllText(odd, string.Join("\r\n", rows) + "\r\n", new System.Text.UTF8Encoding(true));
        var plain = dir.Write("plain.csv", string.Join("\n", File.ReadLines(NewLeads).Take(41)));
        Assert.Equal(0, Cli.Score("score", "--model", SampleModels.SamplePath, "--input", odd, "--output", dir.File("a.csv")).ExitCode);
        Assert.Equal(0, Cli.Score("score", "--model", SampleModels.SamplePath, "--input", plain, "--output", dir.File("b.csv")).ExitCode);
        using (var reader = new CsvRecordReader(dir.File("a.csv"))) Assert.Equal(';', reader.Separator);
        Assert.Equal(ReadCsv(dir.File("b.csv")).Select(r => (r["lead_id"], r["probability"], r["company"])),
                     ReadCsv(dir.File("a.csv")).Select(r => (r["lead_id"], r["probability"], r["company"])));
    }

    [Fact]
    public void Score_has_help()
    {
        var result = Cli.Score("score", "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--icp", result.Output);
    }

    private static string[] CsvSplit(string line)
    {
        using var reader = new CsvRecordReader(new StringReader(File.ReadLines(NewLeads).First() + "\n" + line + "\n"), "line", ',');
        var fields = new List<string>();
        reader.Read(fields);
        return [.. fields];
    }
}
