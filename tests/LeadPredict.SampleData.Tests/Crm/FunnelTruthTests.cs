using LeadPredict.SampleData.Crm;

namespace LeadPredict.SampleData.Tests.Crm;

/// <summary>
/// Issue 15's yardstick: the per-stage numbers counted on complete stories agree with the numbers the stated process gives,
/// so a learner on the censored tables can be checked against either.
/// </summary>
public sealed class FunnelTruthTests
{
    private static readonly Lazy<FunnelTruth> Truth = new(() => CrmPopulation.History.Funnel());

    [Fact]
    public void Should_Count_Stage_Shares_On_Complete_Stories_As_The_Stated_Process_Gives_Them()
    {
        var truth = Truth.Value;
        Assert.Equal(20_000, truth.Population);
        for (var s = 0; s < CrmProcess.LadderStages; s++)
        {
            var e = truth.Expected[s];
            var o = truth.Observed[s];
            Assert.InRange(o.Leads, e.Leads - 4 * Math.Sqrt(e.Leads) - 1, e.Leads + 4 * Math.Sqrt(e.Leads) + 1);
            Assert.InRange(o.Stays, e.Stays - 4 * Math.Sqrt(e.Stays) - 1, e.Stays + 4 * Math.Sqrt(e.Stays) + 1);
            Near(e.PromotedWithinHorizon, o.PromotedWithinHorizon, o.Leads, $"{e.Stage} promoted within {truth.HorizonDays} days");
            Near(e.EventuallyConverted, o.EventuallyConverted, o.Leads, $"{e.Stage} eventually converted");
            Near(e.LostShare, o.LostShare, o.Stays, $"{e.Stage} stays lost");
            Near(e.BackwardShare, o.BackwardShare, o.Stays, $"{e.Stage} stays moved back");
        }
    }

    private static void Near(double expected, double observed, double n, string what)
    {
        var se = Math.Sqrt(expected * (1 - expected) / n);
        Assert.True(Math.Abs(observed - expected) <= 4 * se + 1e-9, $"{what}: observed {observed:F4}, process {expected:F4} (±{4 * se:F4})");
    }

    [Fact]
    public void Should_Count_Days_In_Stage_Within_Three_Percent_Of_The_Stated_Process()
    {
        var truth = Truth.Value;
        for (var s = 0; s < CrmProcess.LadderStages; s++)
        {
            var e = truth.Expected[s];
            var o = truth.Observed[s];
            Assert.InRange(o.MedianDays, e.MedianDays * 0.97, e.MedianDays * 1.03);
            Assert.InRange(o.P25Days, e.P25Days * 0.95, e.P25Days * 1.05);
            Assert.InRange(o.P75Days, e.P75Days * 0.95, e.P75Days * 1.05);
            Assert.True(e.P25Days < e.MedianDays && e.MedianDays < e.P75Days);
        }
    }

    [Fact]
    public void Should_State_A_Funnel_A_Sales_Team_Would_Recognise()
    {
        var e = Truth.Value.Expected;
        Assert.InRange(e[0].EventuallyConverted, 0.08, 0.16);
        for (var s = 1; s < CrmProcess.LadderStages; s++)
            Assert.True(e[s].EventuallyConverted > e[s - 1].EventuallyConverted, $"{e[s].Stage} converts more often than {e[s - 1].Stage}");
        Assert.Equal(0, e[(int)CrmStage.Lead].BackwardShare);
        Assert.True(e[(int)CrmStage.Sql].BackwardShare > 0.05);
        Assert.True(e[(int)CrmStage.Opportunity].MedianDays > e[(int)CrmStage.Sal].MedianDays, "deals take longer than acceptance");
    }

    [Fact]
    public void Should_Give_The_Same_Numbers_Through_The_File_And_The_Api()
    {
        var options = new CrmOptions { Leads = 2000, Seed = 4, WithTruth = true, StageHorizonDays = 21 };
        var dir = Directory.CreateTempSubdirectory("leadpredict-funnel-").FullName;
        try
        {
            var history = new CrmHistory(options);
            history.Write(dir);
            var api = history.Funnel();
            Assert.Equal(21, api.HorizonDays);
            var (header, rows) = CrmFiles.Read(Path.Combine(dir, CrmSchema.FunnelTruthFile));
            Assert.Equal(CrmSchema.FunnelTruthColumns, header);
            Assert.Equal(["Lead", "Mql", "Sal", "Sql", "Opportunity"], rows.Select(r => r[0]));
            Assert.Equal(["lead", "marketingqualifiedlead", "salesacceptedlead", "salesqualifiedlead", "opportunity"], rows.Select(r => r[1]));
            double Cell(int stage, string column) =>
                double.Parse(rows[stage][header.ToList().IndexOf(column)], System.Globalization.CultureInfo.InvariantCulture);
            for (var s = 0; s < rows.Count; s++)
            {
                Assert.Equal(api.Observed[s].PromotedWithinHorizon, Cell(s, "promoted_within_horizon_observed"), 6);
                Assert.Equal(api.Expected[s].PromotedWithinHorizon, Cell(s, "promoted_within_horizon_expected"), 6);
                Assert.Equal(api.Expected[s].MedianDays, Cell(s, "median_days_expected"), 4);
                Assert.Equal(api.Observed[s].MedianDays, Cell(s, "median_days_observed"), 4);
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
