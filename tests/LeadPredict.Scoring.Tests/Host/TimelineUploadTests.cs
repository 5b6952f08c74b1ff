using LeadPredict.Scoring.Host;

namespace LeadPredict.Scoring.Tests.Host;

/// <summary>An uploaded part is saved in the request's folder under the sender's file name, which can never leave that folder.</summary>
public sealed class TimelineUploadTests
{
    [Theory]
    [InlineData("crm activities (May).csv", "activities", "crm_activities__May_.csv")]
    [InlineData("../../etc/passwd", "activities", "passwd")]
    [InlineData("..\\..\\Windows\\acts.parquet", "activities", "acts.parquet")]
    [InlineData("..", "stages", "stages.csv")]
    [InlineData("", "outcomes", "outcomes.csv")]
    [InlineData(null, "leads", "leads.csv")]
    [InlineData("/", "leads", "leads.csv")]
    public void Should_Keep_Only_A_Plain_File_Name_When_Saving_An_Uploaded_Part(string? sent, string part, string saved) =>
        Assert.Equal(saved, TimelineUpload.SafeName(sent, part));
}
