namespace LeadPredict.Core.Tests;

public sealed class ColumnNamesTests
{
    [Theory]
    [InlineData("days_since_last_activity", "Days Since Last Activity", "Days since last activity")]
    [InlineData("JobTitle", "Job Title", "Job title")]
    [InlineData("job title", "Job Title", "Job title")]
    public void Should_Read_A_Column_As_A_Label_And_Inside_A_Sentence_From_The_Same_Words_When_Named_In_Any_Case_Style(string column, string label, string inSentence)
    {
        Assert.Equal(label, ColumnNames.Display(column));
        Assert.Equal(inSentence, ColumnNames.InSentence(column));
    }
}
