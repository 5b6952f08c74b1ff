using LeadPredict.CommandLine;
using System.Globalization;
using System.Text.Json;
using LeadPredict.Core;
using LeadPredict.TestSupport;

namespace LeadPredict.Training.Tests;

/// <summary>
/// The created column orders the holdout (the newest leads): every date must be read, and read one way. An unreadable date
/// is an error naming its line, not the oldest lead; 01/02/2025 is never read month-first without a word.
/// </summary>
public sealed class CreatedDateTests
{
    private static readonly string History = TestPaths.Data("leads-history.csv");

    /// <summary>The sample history with its created_at dates rewritten by <paramref name="write"/>.</summary>
    private static string WithDates(TempDir dir, string name, Func<DateTime, int, string> write)
    {
        var lines = File.ReadAllLines(History);
        for (var i = 1; i < lines.Length; i++)
        {
            var cut = lines[i].IndexOf(',') + 1;
            var end = lines[i].IndexOf(',', cut);
            var date = DateTime.ParseExact(lines[i][cut..end], "yyyy-MM-dd", CultureInfo.InvariantCulture);
            lines[i] = lines[i][..cut] + write(date, i + 1) + lines[i][end..];
        }
        return dir.Write(name, string.Join("\n", lines) + "\n");
    }

    private static CliResult Train(TempDir dir, string data, string model, params string[] extra) =>
        Cli.Train(["train", "--data", data, "--label", "converted", "--created", "created_at", "--model", dir.File(model), "--folds", "0", "--trees", "30", .. extra]);

    private static double Auc(TempDir dir, string model) =>
        JsonDocument.Parse(File.ReadAllText(dir.File(Path.ChangeExtension(model, null) + ".metrics.json"))).RootElement
            .GetProperty("holdoutMetrics").GetProperty("auc").GetDouble();

    [Fact]
    public void An_unreadable_created_date_stops_training_naming_its_line()
    {
        using var dir = new TempDir();
        var data = WithDates(dir, "h.csv", (d, line) => line == 5 ? "yesterday" : d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var result = Train(dir, data, "m.zip");
        Assert.True(result.ExitCode == ExitCodes.BadInput, result.All);
        Assert.Contains("created column 'created_at'", result.Error);
        Assert.Contains("line 5 'yesterday'", result.Error);
        Assert.False(File.Exists(dir.File("m.zip")));
    }

    [Fact]
    public void Day_first_dates_are_read_day_first_and_give_the_same_holdout_as_iso_dates()
    {
        using var dir = new TempDir();
        var iso = Train(dir, History, "iso.zip");
        var dayFirst = Train(dir, WithDates(dir, "dmy.csv", (d, _) => d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)), "dmy.zip");
        var monthFirst = Train(dir, WithDates(dir, "mdy.csv", (d, _) => d.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture)), "mdy.zip");
        Assert.True(iso.ExitCode == 0 && dayFirst.ExitCode == 0 && monthFirst.ExitCode == 0, iso.All + dayFirst.All + monthFirst.All);
        Assert.Equal(Auc(dir, "iso.zip"), Auc(dir, "dmy.zip"));
        Assert.Equal(Auc(dir, "iso.zip"), Auc(dir, "mdy.zip"));
    }

    [Fact]
    public void Dates_that_could_be_day_or_month_first_stop_training_until_the_format_is_set()
    {
        using var dir = new TempDir();
        // Every date in its month's first 12 days: 01/02/2025 could be 1 February or 2 January.
        var data = WithDates(dir, "h.csv", (d, _) => new DateTime(d.Year, d.Month, Math.Min(d.Day, 12)).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture));

        var refused = Train(dir, data, "m.zip");
        Assert.True(refused.ExitCode == ExitCodes.BadInput, refused.All);
        Assert.Contains("could be day-first or month-first", refused.Error);
        Assert.Contains("line 2 '01/01/2025'", refused.Error);
        Assert.Contains("dateFormat", refused.Error);

        var config = dir.Write("c.json", """{ "label": "converted", "dateFormat": "dd/MM/yyyy" }""");
        var settled = Train(dir, data, "m.zip", "--config", config);
        Assert.True(settled.ExitCode == 0, settled.All);
    }

    [Fact]
    public void A_lead_without_a_created_date_is_a_warning_and_trains_with_the_oldest()
    {
        using var dir = new TempDir();
        var data = WithDates(dir, "h.csv", (d, line) => line == 9 ? "" : d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var result = Train(dir, data, "m.zip");
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("1 lead(s) have no date", result.All);
    }
}
