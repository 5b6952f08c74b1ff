using LeadPredict.SampleData.Crm;
using static LeadPredict.SampleData.Tests.Crm.CrmFiles;

namespace LeadPredict.SampleData.Tests.Crm;

public sealed class CrmHistoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("leadpredict-crm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] AllFiles =
        [CrmSchema.LeadsFile, CrmSchema.ActivitiesFile, CrmSchema.OutcomesFile, CrmSchema.StageHistoryFile, CrmSchema.TruthFile, CrmSchema.FunnelTruthFile, CrmSchema.ManifestFile];

    private CrmWriteSummary Write(CrmOptions options, string name = "crm") => new CrmHistory(options).Write(Path.Combine(_dir, name));

    [Fact]
    public void Should_Write_Identical_Files_When_Generated_Twice_With_The_Same_Seed()
    {
        Write(new() { Leads = 1500, Seed = 42, WithTruth = true }, "a");
        Write(new() { Leads = 1500, Seed = 42, WithTruth = true }, "b");
        foreach (var file in AllFiles)
            Assert.True(File.ReadAllBytes(Path.Combine(_dir, "a", file)).SequenceEqual(File.ReadAllBytes(Path.Combine(_dir, "b", file))), file + " differs");
    }

    [Fact]
    public void Should_Write_Different_Files_When_The_Seed_Differs()
    {
        Write(new() { Leads = 500, Seed = 42 }, "a");
        Write(new() { Leads = 500, Seed = 43 }, "b");
        foreach (var file in new[] { CrmSchema.LeadsFile, CrmSchema.ActivitiesFile, CrmSchema.StageHistoryFile })
            Assert.False(File.ReadAllBytes(Path.Combine(_dir, "a", file)).SequenceEqual(File.ReadAllBytes(Path.Combine(_dir, "b", file))), file);
    }

    [Fact]
    public void Should_Regenerate_Any_Lead_Alone_Exactly_As_It_Comes_In_The_Stream()
    {
        var history = new CrmHistory(new CrmOptions { Leads = 400, Seed = 9 });
        var stream = history.Leads().ToList();
        foreach (var i in new[] { 399, 0, 123, 7 })
        {
            var alone = history.Lead(i);
            var streamed = stream[i];
            Assert.Equal(streamed.LeadId, alone.LeadId);
            Assert.Equal(streamed.Company, alone.Company);
            Assert.Equal(streamed.Stages, alone.Stages);
            Assert.Equal(streamed.Activities, alone.Activities);
            Assert.Equal(streamed.WonAt, alone.WonAt);
            Assert.Equal(alone.LeadId, history.Lead(alone.LeadId).LeadId);
        }
    }

    [Fact]
    public void Should_Write_Every_Table_With_Its_Columns_And_Rows_Matching_The_Generated_Leads()
    {
        var options = new CrmOptions { Leads = 800, Seed = 3, WithTruth = true };
        var summary = Write(options);
        var dir = Path.Combine(_dir, "crm");
        Assert.Equal(AllFiles.Order(), Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        var history = new CrmHistory(options);
        var leads = history.Leads().ToList();
        var export = CrmPopulation.Seconds(history.ExportAt);

        var (leadHeader, leadRows) = Read(Path.Combine(dir, CrmSchema.LeadsFile));
        Assert.Equal(CrmSchema.LeadColumns(false), leadHeader);
        Assert.Equal(leads.Select(l => l.LeadId), leadRows.Select(r => r[0]));
        Assert.Equal(leads.Select(l => l.Company), leadRows.Select(r => r[2]));

        var (activityHeader, activityRows) = Read(Path.Combine(dir, CrmSchema.ActivitiesFile));
        Assert.Equal(CrmSchema.ActivityColumns, activityHeader);
        Assert.Equal(leads.Sum(l => l.Activities.Count), activityRows.Count);
        Assert.Equal(summary.Activities, activityRows.Count);
        var first = leads.First(l => l.Activities.Count > 3);
        Assert.Equal(first.Activities.Select(a => a.TypeName), activityRows.Where(r => r[0] == first.LeadId).Select(r => r[2]));

        var (outcomeHeader, outcomeRows) = Read(Path.Combine(dir, CrmSchema.OutcomesFile));
        Assert.Equal(CrmSchema.OutcomeColumns, outcomeHeader);
        Assert.Equal(leads.Count(l => l.ClosedAt < export), outcomeRows.Count);
        Assert.All(outcomeRows, r => Assert.Contains(r[2], new[] { CrmSchema.Won, CrmSchema.Lost }));

        var (stageHeader, stageRows) = Read(Path.Combine(dir, CrmSchema.StageHistoryFile));
        Assert.Equal(CrmSchema.StageColumns, stageHeader);
        Assert.Equal(leads.Sum(l => l.Stages.Count(s => s.At < export)), stageRows.Count);
    }

    [Fact]
    public void Should_Date_Every_Row_Before_The_Export_And_No_Activity_Before_Its_Lead_Was_Created()
    {
        var options = new CrmOptions { Leads = 1000, Seed = 5, ExportDate = new DateOnly(2025, 3, 15), Days = 200 };
        Write(options);
        var dir = Path.Combine(_dir, "crm");
        var created = Read(Path.Combine(dir, CrmSchema.LeadsFile)).Rows.ToDictionary(r => r[0], r => Time(r[1]));
        var export = options.ExportAt;
        Assert.All(created.Values, c => Assert.InRange(c, export.AddDays(-200), export.AddSeconds(-1)));
        foreach (var (file, column) in new[] { (CrmSchema.ActivitiesFile, 1), (CrmSchema.OutcomesFile, 1), (CrmSchema.StageHistoryFile, 2) })
            foreach (var row in Read(Path.Combine(dir, file)).Rows)
            {
                var time = Time(row[column]);
                Assert.True(time < export, $"{file}: {row[0]} at {row[column]} is not before the export");
                Assert.True(time >= created[row[0]], $"{file}: {row[0]} at {row[column]} comes before the lead was created");
            }
    }

    [Fact]
    public void Should_Regenerate_The_Same_History_From_Its_Manifest()
    {
        var options = new CrmOptions { Leads = 300, Seed = 77, Days = 120, StageNames = StageNaming.Labels, TruthHorizons = [14, 45] };
        Write(options);
        var manifest = CrmManifest.Read(Path.Combine(_dir, "crm", CrmSchema.ManifestFile));
        Assert.Equal(options.Leads, manifest.Options.Leads);
        Assert.Equal(options.Seed, manifest.Options.Seed);
        Assert.Equal(options.StageNames, manifest.Options.StageNames);
        Assert.Equal(options.TruthHorizons, manifest.Options.TruthHorizons);
        Assert.Equal(options.ExportAt, manifest.ExportAt);
        Assert.Equal(File.ReadAllLines(Path.Combine(_dir, "crm", CrmSchema.ActivitiesFile)).Length - 1, manifest.Rows[CrmSchema.ActivitiesFile]);
        Write(manifest.Options, "again");
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "crm", CrmSchema.StageHistoryFile)), File.ReadAllBytes(Path.Combine(_dir, "again", CrmSchema.StageHistoryFile)));
    }

    [Fact]
    public void Should_Put_The_Won_Date_On_The_Leads_Table_Only_When_Asked()
    {
        Write(new() { Leads = 1500, Seed = 8, ConvertedAtColumn = true });
        var (header, rows) = Read(Path.Combine(_dir, "crm", CrmSchema.LeadsFile));
        Assert.Equal(CrmSchema.ConvertedAt, header[^1]);
        var won = Read(Path.Combine(_dir, "crm", CrmSchema.OutcomesFile)).Rows.Where(r => r[2] == CrmSchema.Won).ToDictionary(r => r[0], r => r[1]);
        Assert.NotEmpty(won);
        foreach (var row in rows) Assert.Equal(won.GetValueOrDefault(row[0], ""), row[^1]);
        Write(new() { Leads = 10, Seed = 8 }, "plain");
        Assert.DoesNotContain(CrmSchema.ConvertedAt, Read(Path.Combine(_dir, "plain", CrmSchema.LeadsFile)).Header);
    }

    [Fact]
    public void Should_Write_The_Truth_Of_Exactly_The_Leads_Open_At_The_Export_As_The_Api_Gives_It()
    {
        var options = new CrmOptions { Leads = 1200, Seed = 21, WithTruth = true };
        var summary = Write(options);
        var history = new CrmHistory(options);
        var (header, rows) = Read(Path.Combine(_dir, "crm", CrmSchema.TruthFile));
        Assert.Equal(CrmSchema.TruthColumns(options.TruthHorizons), header);
        var closed = Read(Path.Combine(_dir, "crm", CrmSchema.OutcomesFile)).Rows.Select(r => r[0]).ToHashSet();
        var open = history.Leads().Select(l => l.LeadId).Where(id => !closed.Contains(id)).ToList();
        Assert.Equal(open, rows.Select(r => r[0]));
        Assert.Equal(summary.Open, rows.Count);
        Assert.True(rows.Count > 100, $"{rows.Count} open leads");
        var p90 = header.ToList().IndexOf(CrmSchema.TruthColumn(90));
        var p90WithoutStages = header.ToList().IndexOf(CrmSchema.TruthColumn(90, Evidence.WithoutStageHistory));
        foreach (var row in rows.Take(40))
        {
            var p = double.Parse(row[p90], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(history.TrueProbability(row[0], history.ExportAt, 90), p, 6);
            Assert.Equal(history.TrueProbability(row[0], history.ExportAt, 90, Evidence.WithoutStageHistory),
                double.Parse(row[p90WithoutStages], System.Globalization.CultureInfo.InvariantCulture), 6);
            var p30 = double.Parse(row[header.ToList().IndexOf(CrmSchema.TruthColumn(30))], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(p30, 0, p);
        }
    }

    [Fact]
    public void Should_Show_Censoring_Recent_Leads_Have_Not_Converted_Yet_But_Will()
    {
        var leads = CrmPopulation.Leads;
        var export = CrmPopulation.Seconds(CrmPopulation.History.ExportAt);
        var recent = leads.Where(l => l.CreatedAtSeconds >= export - 30 * CrmPopulation.Day).ToList();
        var old = leads.Where(l => l.CreatedAtSeconds < export - 365 * CrmPopulation.Day).ToList();
        double WonByExport(IEnumerable<CrmLead> ls) => ls.Average(l => l.WonAt < export ? 1.0 : 0);
        double WonEver(IEnumerable<CrmLead> ls) => ls.Average(l => l.WonAt is null ? 0.0 : 1);
        Assert.True(WonByExport(recent) < WonEver(recent) / 5, $"recent leads: {WonByExport(recent):P1} won by the export, {WonEver(recent):P1} ever");
        Assert.True(WonEver(recent) > WonEver(old) / 2, "recent leads are not worse leads, only younger ones");
        Assert.True(WonByExport(old) > WonEver(old) * 0.95, "old leads have had their time");
        Assert.True(recent.Average(l => l.ClosedAt >= export ? 1.0 : 0) > 0.5, "most recent leads are open at the export");
    }

    [Fact]
    public void Should_Replace_Existing_Files_And_Leave_No_Temporary_Files()
    {
        var dir = Path.Combine(_dir, "crm");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, CrmSchema.LeadsFile), "old");
        Write(new() { Leads = 20 });
        Assert.StartsWith("lead_id,", File.ReadAllText(Path.Combine(dir, CrmSchema.LeadsFile)));
        Assert.Equal(5, Directory.GetFiles(dir).Length);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void Should_Leave_The_Old_Files_When_Cancelled()
    {
        var dir = Path.Combine(_dir, "crm");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, CrmSchema.LeadsFile), "old");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new CrmHistory(new CrmOptions { Leads = 5000 }).Write(dir, null, cts.Token));
        Assert.Equal("old", File.ReadAllText(Path.Combine(dir, CrmSchema.LeadsFile)));
        Assert.Equal([CrmSchema.LeadsFile], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Should_Match_The_Bundled_Sample_Byte_For_Byte_When_Regenerated_From_Its_Manifest()
    {
        // data/crm is what the quick start and other tests read; a change to the process must regenerate it (docs/sample-data.md).
        var sample = Path.Combine(RepositoryRoot(), "data", "crm");
        var manifest = CrmManifest.Read(Path.Combine(sample, CrmSchema.ManifestFile));
        Assert.True(manifest.Options.WithTruth);
        Write(manifest.Options, "again");
        foreach (var file in AllFiles)
        {
            var bundled = File.ReadAllBytes(Path.Combine(sample, file));
            Assert.True(bundled.Length < 4_000_000, $"data/crm/{file} is {bundled.Length:N0} bytes; keep each file well under 5 MB");
            Assert.True(bundled.SequenceEqual(File.ReadAllBytes(Path.Combine(_dir, "again", file))),
                $"data/crm/{file} is not what the generator writes now; regenerate it with the command in docs/sample-data.md");
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LeadPredict.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find LeadPredict.sln above " + AppContext.BaseDirectory);
    }

    [Theory]
    [InlineData(0, 540, "Leads must be at least 1 (was 0).")]
    [InlineData(10, 0, "Days must be between 1 and 3650 (was 0).")]
    [InlineData(10, 4000, "Days must be between 1 and 3650 (was 4000).")]
    public void Should_Reject_Invalid_Options_With_A_Precise_Message(int leads, int days, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new CrmHistory(new CrmOptions { Leads = leads, Days = days }));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void Should_Reject_Bad_Horizons_With_A_Precise_Message()
    {
        Assert.StartsWith("TruthHorizons must be between 1 and 3650 days (was 0).",
            Assert.Throws<ArgumentException>(() => new CrmOptions { TruthHorizons = [30, 0] }.Validate()).Message);
        Assert.StartsWith("TruthHorizons lists a horizon twice (30, 30).",
            Assert.Throws<ArgumentException>(() => new CrmOptions { TruthHorizons = [30, 30] }.Validate()).Message);
        Assert.StartsWith("StageHorizonDays must be between 1 and 3650 (was 0).",
            Assert.Throws<ArgumentException>(() => new CrmOptions { StageHorizonDays = 0 }.Validate()).Message);
    }
}
