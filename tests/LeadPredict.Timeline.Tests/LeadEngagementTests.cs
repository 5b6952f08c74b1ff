using System.Globalization;
using LeadPredict.Core;

namespace LeadPredict.Timeline.Tests;

/// <summary>
/// The API's C# engagement path against its reference, the batch SQL on the lead's activities in an in-memory DuckDB
/// (<see cref="SingleLeadFeatures.ComputeWithSql"/>): bit for bit on many generated leads and their awkward cases.
/// </summary>
public sealed class LeadEngagementTests
{
    private static readonly DateTime AsOf = new(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    public static TheoryData<string> Schemas => new() { "plain", "pooled+value", "long-window", "stages+excluded", "paris" };

    private static (EngagementSchema Schema, TimelineConfig Config) Setup(string name) => name switch
    {
        "plain" => (new EngagementSchema { HasActivities = true, ActivityTypes = ["visit", "pricing_view", "demo"] }, new TimelineConfig()),
        "pooled+value" => (new EngagementSchema { HasActivities = true, ActivityTypes = ["visit", "email_open"], PoolOthers = true, ValueColumn = "duration" }, new TimelineConfig()),
        "long-window" => (new EngagementSchema { HasActivities = true, ActivityTypes = ["visit", "demo"], PoolOthers = true, Windows = [3, 14, 200] }, new TimelineConfig()),
        "stages+excluded" => (new EngagementSchema { HasActivities = true, HasStages = true, ActivityTypes = ["visit", "demo", "webinar"], Excluded = ["Invoice"] }, new TimelineConfig()),
        _ => (new EngagementSchema { HasActivities = true, ActivityTypes = ["visit", "demo"], PoolOthers = true, ValueColumn = "v" }, new TimelineConfig { TimeZone = "Europe/Paris" }),
    };

    private static readonly string[] Types = ["visit", "pricing_view", "demo", "email_open", "webinar", "Visit", " visit ", "invoice", "INVOICE", "call", "", "NA", null!];
    private static readonly string[] Values = ["12.5", "3", "-0.25", "1e3", "", "0.1", "7.125", "100"];

    private static string Time(Random rng, DateTime at) => rng.Next(12) switch
    {
        0 => at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        1 => at.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture),
        2 => at.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        3 => at.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "Z",
        4 => at.AddHours(2).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "+02:00",
        5 => at.AddHours(-5).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + "-05:00",
        _ => at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
    };

    private static (string? Created, ActivityInput[] Activities, StageInput[] Stages) Lead(Random rng)
    {
        var created = AsOf.AddDays(-rng.Next(1, 400)).AddSeconds(rng.Next(86400));
        var n = rng.Next(10) == 0 ? 0 : rng.Next(1, 40);
        var times = new List<DateTime>();
        for (var i = 0; i < n; i++)
        {
            var r = rng.Next(20);
            times.Add(r switch
            {
                0 when times.Count > 0 => times[rng.Next(times.Count)],              // the same time as another
                1 => AsOf,                                                          // at the as-of time: not yet known
                2 => AsOf.AddHours(rng.Next(1, 500)),                               // after it
                3 => AsOf.AddDays(-rng.Next(0, 3)).AddSeconds(-rng.Next(1, 86400)), // just before
                _ => AsOf.AddDays(-rng.NextDouble() * 260).AddTicks(rng.Next(10) * 10),
            });
        }
        var activities = times.Select(t => new ActivityInput(rng.Next(30) == 0 ? "NA" : Time(rng, t), Types[rng.Next(Types.Length)], Values[rng.Next(Values.Length)])).ToArray();
        var stages = rng.Next(3) == 0 ? [] : Enumerable.Range(0, rng.Next(1, 4))
            .Select(k => new StageInput(new[] { "lead", "mql", "sql" }[k], Time(rng, created.AddDays(k * rng.Next(1, 60))))).ToArray();
        return (rng.Next(15) == 0 ? null : Time(rng, created), activities, stages);
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Should_Give_The_Features_Of_The_Batch_Sql_Bit_For_Bit_When_Computed_In_CSharp(string name)
    {
        var (schema, config) = Setup(name);
        using var single = new SingleLeadFeatures(config, schema);
        var rng = new Random(name.Length * 7919);
        var fast = 0;
        for (var lead = 0; lead < 400; lead++)
        {
            var (created, activities, stages) = Lead(rng);
            float[] viaSql;
            string? stageViaSql;
            try
            {
                viaSql = single.ComputeWithSql(created, activities, AsOf, stages);
                stageViaSql = single.LastStage;
            }
            catch (LeadPredictException)
            {
                // What the SQL path refuses, the C# path must not answer.
                Assert.Throws<LeadPredictException>(() => single.Compute(created, activities, AsOf, stages));
                continue;
            }
            var got = single.Compute(created, activities, AsOf, stages);
            if (single.LastPath == "C#") fast++;
            Assert.True(Bits(viaSql).SequenceEqual(Bits(got)),
                $"lead {lead} ({single.LastPath}): {string.Join(", ", schema.Features.Select((f, i) => (f, i)).Where(x => BitConverter.SingleToInt32Bits(viaSql[x.i]) != BitConverter.SingleToInt32Bits(got[x.i])).Select(x => $"{x.f.Name} {viaSql[x.i]:R} vs {got[x.i]:R}"))}");
            Assert.Equal(stageViaSql, single.LastStage);
        }
        Assert.True(fast >= (name == "paris" ? 10 : 200), $"only {fast} of 400 leads took the C# path");
    }

    [Fact]
    public void Should_Take_The_CSharp_Path_And_Count_Nothing_When_A_Lead_Has_No_Activities()
    {
        var (schema, config) = Setup("plain");
        using var single = new SingleLeadFeatures(config, schema);
        var features = single.Compute("2024-01-01", [], AsOf);
        Assert.Equal("C#", single.LastPath);
        Assert.Equal(Bits(single.ComputeWithSql("2024-01-01", [], AsOf)), Bits(features));
        Assert.Equal(0f, features[schema.Features.ToList().FindIndex(f => f.Name == "act_any_count_30d")]);
    }

    [Fact]
    public void Should_Leave_A_Configured_Timestamp_Format_To_The_Sql_Path()
    {
        var (schema, _) = Setup("plain");
        using var single = new SingleLeadFeatures(new TimelineConfig { TimestampFormat = "%d/%m/%Y %H:%M" }, schema);
        var features = single.Compute("2024-01-01", [new("05/02/2024 09:30", "visit")], AsOf);
        Assert.Equal("DuckDB", single.LastPath);
        Assert.Equal(1f, features[schema.Features.ToList().FindIndex(f => f.Name == "act_visit_count_30d")]);
    }

    private static int[] Bits(float[] row) => row.Select(BitConverter.SingleToInt32Bits).ToArray();
}
