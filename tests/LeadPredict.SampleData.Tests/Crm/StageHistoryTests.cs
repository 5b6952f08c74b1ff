using LeadPredict.Rules;
using LeadPredict.SampleData.Crm;
using static LeadPredict.SampleData.Tests.Crm.CrmFiles;

namespace LeadPredict.SampleData.Tests.Crm;

public sealed class StageHistoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("leadpredict-stages-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private List<string[]> StageRows(CrmOptions options)
    {
        new CrmHistory(options).Write(_dir);
        return Read(Path.Combine(_dir, CrmSchema.StageHistoryFile)).Rows;
    }

    [Fact]
    public void Should_Hold_Out_Of_Order_Rows_Same_Timestamp_Entries_And_Backward_Moves()
    {
        var rows = StageRows(new CrmOptions { Leads = 3000, Seed = 2, StageNames = StageNaming.Short });
        var byLead = rows.GroupBy(r => r[0]).ToList();
        Assert.Contains(byLead, g => g.Select(r => Time(r[2])).Zip(g.Skip(1).Select(r => Time(r[2]))).Any(p => p.Second < p.First));
        Assert.Contains(byLead, g => g.GroupBy(r => r[2]).Any(t => t.Count() > 1));
        string[] ladder = ["lead", "mql", "sal", "sql", "opportunity", "customer"];
        Assert.Contains(byLead, g =>
        {
            var path = g.OrderBy(r => Time(r[2])).ThenBy(r => Array.IndexOf(ladder, r[1])).Select(r => Array.IndexOf(ladder, r[1])).ToList();
            return path.Zip(path.Skip(1)).Any(p => p.Second < p.First);
        });
    }

    [Theory]
    [InlineData(StageNaming.HubSpot)]
    [InlineData(StageNaming.Labels)]
    [InlineData(StageNaming.Short)]
    public void Should_Write_Stage_Values_The_Default_Ladder_Knows_By_Name_Or_Alias(StageNaming naming)
    {
        var funnel = new Funnel(Funnel.DefaultStages);
        var values = StageRows(new CrmOptions { Leads = 2000, Seed = 6, StageNames = naming }).Select(r => r[1]).Distinct().ToList();
        Assert.Equal(6, values.Count);
        foreach (var stage in Enum.GetValues<CrmStage>())
        {
            var value = CrmSchema.StageValue(naming, stage);
            Assert.Contains(value, values);
            Assert.True(funnel.TryFind(value, out var index), $"'{value}' is not on the default ladder");
            Assert.Equal(stage.ToString().Equals("Mql", StringComparison.Ordinal) ? "MQL" : stage switch
            {
                CrmStage.Sal => "SAL",
                CrmStage.Sql => "SQL",
                _ => stage.ToString(),
            }, funnel.Stages[index].Name);
        }
    }

    [Fact]
    public void Should_Agree_With_The_Outcomes_Conversion_Is_Entering_Customer_And_Nothing_Follows_A_Loss()
    {
        var options = new CrmOptions { Leads = 3000, Seed = 12, StageNames = StageNaming.Labels };
        var rows = StageRows(options);
        var outcomes = Read(Path.Combine(_dir, CrmSchema.OutcomesFile)).Rows.ToDictionary(r => r[0]);
        var customers = rows.Where(r => r[1] == "Customer").ToDictionary(r => r[0], r => r[2]);
        Assert.Equal(outcomes.Values.Where(o => o[2] == CrmSchema.Won).ToDictionary(o => o[0], o => o[1]), customers);
        var lastEntry = rows.GroupBy(r => r[0]).ToDictionary(g => g.Key, g => g.Max(r => Time(r[2])));
        foreach (var lost in outcomes.Values.Where(o => o[2] == CrmSchema.Lost))
            Assert.True(lastEntry[lost[0]] < Time(lost[1]), $"{lost[0]} has a stage row after it was lost");
        var created = Read(Path.Combine(_dir, CrmSchema.LeadsFile)).Rows.ToDictionary(r => r[0], r => r[1]);
        Assert.All(rows.Where(r => r[1] == "Lead"), r => Assert.Equal(created[r[0]], r[2]));
        Assert.Equal(created.Keys.Order(), rows.Where(r => r[1] == "Lead").Select(r => r[0]).Order());
    }
}
