using System.Security.Cryptography;
using LeadPredict.ML.Training;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Training;

public sealed class DataIdentityTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Should_Change_The_Data_Hash_When_Only_The_Activity_Log_Changes()
    {
        var leads = _dir.Write("leads.csv", "lead_id,created_at\nL-1,2026-01-01\n");
        var outcomes = _dir.Write("outcomes.csv", "lead_id,closed_at,result\nL-1,2026-02-01,won\n");
        var activities = _dir.Write("activities.csv", "lead_id,timestamp,activity_type\nL-1,2026-01-02 09:00:00,email_open\n");
        var before = DataIdentity.Of(leads, [activities, outcomes]);
        File.AppendAllText(activities, "L-1,2026-01-03 09:00:00,page_view\n");
        var after = DataIdentity.Of(leads, [activities, outcomes]);
        Assert.NotEqual(before.Sha256, after.Sha256);
        Assert.Equal(DataIdentity.Of(leads, [activities, outcomes]).Sha256, after.Sha256);
        Assert.Equal(2, after.HistoryFiles.Count);
        Assert.StartsWith("activities.csv (SHA-256 ", after.HistoryFiles[0]);
        Assert.StartsWith("outcomes.csv (SHA-256 ", after.HistoryFiles[1]);
    }

    [Fact]
    public void Should_Keep_The_Files_Own_Sha256_When_The_Data_Is_One_Flat_File()
    {
        var leads = _dir.Write("leads.csv", "lead_id,converted\nL-1,yes\n");
        var identity = DataIdentity.Of(leads, []);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(leads))), identity.Sha256);
        Assert.Empty(identity.HistoryFiles);
    }
}
