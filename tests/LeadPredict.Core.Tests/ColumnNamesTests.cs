namespace LeadPredict.Core.Tests;

public sealed class ColumnNamesTests
{
    [Theory]
    [InlineData("days_since_last_activity", "Days Since Last Activity", "Days since last activity")]
    [InlineData("JobTitle", "Job Title", "Job title")]
    [InlineData("job title", "Job Title", "Job title")]
    public void A_column_reads_as_a_label_and_inside_a_sentence_from_the_same_words(string column, string label, string inSentence)
    {
        Assert.Equal(label, ColumnNames.Display(column));
        Assert.Equal(inSentence, ColumnNames.InSentence(column));
    }
}
