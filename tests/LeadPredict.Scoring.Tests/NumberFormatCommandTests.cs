using LeadPredict.ML.Training;
using System.Globalization;
using System.Text.Json;
using LeadPredict.Core;
using LeadPredict.Core.Csv;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests;

/// <summary>
/// Exports that write numbers with thousands separators (4,268; 871,606,000; 12.521.000) train and score exactly as the same
/// numbers written plainly, and values that cannot be read are reported with their column, line and value.
/// </summary>
public sealed class NumberFormatCommandTests
{
    private static readonly string[] Grouped = ["employees", "annual_revenue", "budget"];

    /// <summary>The sample file with the grouped columns' numbers written with <paramref name="thousands"/> between groups of three.</summary>
    private static string Rewrite(TempDir dir, string name, string source, char separator, string thousands, params string[] only)
    {
        using var reader = new CsvRecordReader(TestPaths.Data(source));
        var columns = (only.Length > 0 ? only : Grouped).Select(g => reader.Header.ToList().IndexOf(g)).ToArray();
        var lines = new List<string> { string.Join(separator, reader.Header) };
        var fields = new List<string>();
        while (reader.Read(fields))
        {
            foreach (var c in columns)
                if (long.TryParse(fields[c], CultureInfo.InvariantCulture, out var n))
                    fields[c] = n.ToString("#,0", CultureInfo.InvariantCulture).Replace(",", thousands, StringComparison.Ordinal);
            var line = string.Join(separator, fields.Select(f => f.Contains(separator) || f.Contains('"') ? "\"" + f.Replace("\"", "\"\"") + "\"" : f));
            lines.Add(line);
        }
        return dir.Write(name, string.Join("\n", lines) + "\n");
    }

    private static double HoldoutAuc(string model) =>
        JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(model, null) + ".metrics.json")).RootElement
            .GetProperty("holdoutMetrics").GetProperty("auc").GetDouble();

    private static string[] Train(string data, string model, params string[] extra)
    {
        var result = Cli.Train(["train", "--data", data, "--label", "converted", "--model", model, "--folds", "0", "--trees", "40", .. extra]);
        Assert.True(result.ExitCode == 0, result.All);
        return result.All.Split('\n');
    }

    [Fact]
    public void Numbers_with_comma_or_dot_thousands_train_exactly_as_the_same_numbers_written_plainly()
    {
        using var dir = new TempDir();
        Train(TestPaths.Data("leads-history.csv"), dir.File("plain.zip"));
        var comma = Rewrite(dir, "comma.csv", "leads-history.csv", ',', ",");
        var dots = Rewrite(dir, "dots.csv", "leads-history.csv", ';', ".");

        var commaOutput = Train(comma, dir.File("comma.zip"));
        Train(dots, dir.File("dots.zip"));

        Assert.Equal(HoldoutAuc(dir.File("plain.zip")), HoldoutAuc(dir.File("comma.zip")));
        Assert.Equal(HoldoutAuc(dir.File("plain.zip")), HoldoutAuc(dir.File("dots.zip")));
        Assert.DoesNotContain(commaOutput, l => l.Contains("read as missing") || l.Contains("not read as numbers"));

        // Scoring reads new leads written the same way as the history, with no unreadable values.
        var plainRanked = Cli.Score("score", "--model", dir.File("plain.zip"), "--input", TestPaths.Data("leads-new.csv"), "--output", dir.File("plain-ranked.csv"));
        var commaRanked = Cli.Score("score", "--model", dir.File("comma.zip"), "--input", Rewrite(dir, "comma-new.csv", "leads-new.csv", ',', ","), "--output", dir.File("comma-ranked.csv"));
        Assert.True(commaRanked.ExitCode == 0, commaRanked.All);
        Assert.DoesNotContain("unreadable", commaRanked.All);
        Assert.Equal(Probabilities(dir.File("plain-ranked.csv")), Probabilities(dir.File("comma-ranked.csv")));
        Assert.True(plainRanked.ExitCode == 0, plainRanked.All);
    }

    private static string[] Probabilities(string ranked)
    {
        using var reader = new CsvRecordReader(ranked);
        var id = reader.Header.ToList().IndexOf("lead_id");
        var p = reader.Header.ToList().IndexOf("probability");
        var rows = new List<string>();
        var fields = new List<string>();
        while (reader.Read(fields)) rows.Add(fields[id] + " " + fields[p]);
        return [.. rows.Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void Init_types_grouped_numbers_as_numeric_and_writes_the_number_format()
    {
        using var dir = new TempDir();
        var data = Rewrite(dir, "comma.csv", "leads-history.csv", ',', ",");
        var result = Cli.Train("init", "--data", data, "--label", "converted", "--output", dir.File("leadpredict.json"));
        Assert.True(result.ExitCode == 0, result.All);
        var config = TrainingConfig.Load(dir.File("leadpredict.json"));
        Assert.Equal("1,234.5", config.NumberFormat);
        foreach (var column in Grouped) Assert.Equal(ColumnKind.Numeric, config.Columns[column]);
    }

    [Fact]
    public void A_column_whose_separators_could_mean_either_is_reported_not_guessed()
    {
        using var dir = new TempDir();
        // Only employees is grouped, and every grouped value has one comma and three digits: 1,076 is 1076 or 1.076.
        var data = Rewrite(dir, "ambiguous.csv", "leads-history.csv", ',', ",", "employees");

        var output = Train(data, dir.File("m.zip"));

        Assert.Contains(output, l => l.Contains("warning") && l.Contains("'employees'") && l.Contains("could be") && l.Contains("numberFormat"));
        var profile = JsonDocument.Parse(File.ReadAllText(dir.File("m.metrics.json"))).RootElement.GetProperty("columns").EnumerateArray()
            .First(c => c.GetProperty("name").GetString() == "employees");
        Assert.NotEqual("numeric", profile.GetProperty("kind").GetString());

        // The analyst settles it: with numberFormat the column is read as numbers.
        var config = dir.Write("c.json", """{ "label": "converted", "numberFormat": "1,234.5" }""");
        var settled = Train(data, dir.File("settled.zip"), "--config", config);
        Assert.DoesNotContain(settled, l => l.Contains("'employees'"));
    }

    [Fact]
    public void Values_a_numeric_column_cannot_read_are_reported_with_their_lines_in_training_and_scoring()
    {
        using var dir = new TempDir();
        var history = Rewrite(dir, "h.csv", "leads-history.csv", ',', ",");
        var lines = File.ReadAllLines(history);
        var at = lines[0].Split(',').ToList().IndexOf("employees");
        lines[6] = ReplaceField(lines[6], at, "lots");
        lines[11] = ReplaceField(lines[11], at, "a few");
        File.WriteAllLines(history, lines);
        var config = dir.Write("c.json", """{ "label": "converted", "columns": { "employees": "numeric" } }""");

        var output = string.Join("\n", Train(history, dir.File("m.zip"), "--config", config));

        Assert.Contains("column 'employees': 2 value(s) are not numbers written like 1,234.5 and are read as missing (line 7 'lots', line 12 'a few')", output);

        var newLeads = File.ReadAllLines(Rewrite(dir, "n.csv", "leads-new.csv", ',', ","));
        newLeads[3] = ReplaceField(newLeads[3], at, "many");
        File.WriteAllLines(dir.File("n.csv"), newLeads);
        var scored = Cli.Score("score", "--model", dir.File("m.zip"), "--input", dir.File("n.csv"), "--output", dir.File("ranked.csv"));
        Assert.True(scored.ExitCode == 0, scored.All);
        Assert.Contains("1 unreadable value(s) in 'employees' (line 4 'many'; expected a number written like 1,234.5), scored as missing", scored.Error);
    }

    /// <summary>The fields of one comma-separated line (quoted fields unquoted).</summary>
    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }

    private static string ReplaceField(string line, int index, string value)
    {
        var fields = Split(line);
        fields[index] = value;
        return string.Join(',', fields.Select(f => f.Contains(',') ? "\"" + f + "\"" : f));
    }
}
