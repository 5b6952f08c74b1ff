using LeadPredict.Core;

namespace LeadPredict.Core.Tests;

public sealed class SchemaInferenceTests
{
    private static string?[] Repeat(int n, params string?[] values) => Enumerable.Range(0, n).Select(i => values[i % values.Length]).ToArray();

    [Theory]
    [InlineData(ColumnKind.Boolean, "yes", "no")]
    [InlineData(ColumnKind.Boolean, "TRUE", "false")]
    [InlineData(ColumnKind.Boolean, "1", "0")]
    [InlineData(ColumnKind.Numeric, "1", "2", "3.5", "-4")]
    [InlineData(ColumnKind.Date, "2024-01-31", "2024-02-01")]
    [InlineData(ColumnKind.Categorical, "Software", "Retail", "Energy")]
    public void Column_kinds_are_inferred_from_the_values(ColumnKind expected, params string[] values) =>
        Assert.Equal(expected, SchemaInference.Profile("col", Repeat(100, values)).Kind);

    [Fact]
    public void A_column_named_like_a_key_with_unique_values_is_an_identifier()
    {
        var ids = Enumerable.Range(0, 100).Select(i => $"L-{i:D5}").ToArray<string?>();
        Assert.Equal(ColumnKind.Identifier, SchemaInference.Profile("Lead Number", ids).Kind);
        Assert.Equal(ColumnKind.Identifier, SchemaInference.Profile("anything", ids).Kind);
    }

    [Fact]
    public void Multi_word_values_with_many_distinct_values_are_free_text()
    {
        var titles = Enumerable.Range(0, 200).Select(i => $"Senior Manager {i % 60} Sales").ToArray<string?>();
        Assert.Equal(ColumnKind.Text, SchemaInference.Profile("job title", titles).Kind);
    }

    [Fact]
    public void Missing_values_are_counted_and_do_not_change_the_kind()
    {
        var profile = SchemaInference.Profile("employees", Repeat(100, "12", null, "40"));
        Assert.Equal(ColumnKind.Numeric, profile.Kind);
        Assert.Equal(33, profile.Missing);
    }

    [Theory]
    [InlineData("Tags", true)]
    [InlineData("Lead Quality", true)]
    [InlineData("Last Activity", true)]
    [InlineData("Last Notable Activity", true)]
    [InlineData("lead_status", true)]
    [InlineData("call duration", true)]
    [InlineData("stage", false)]
    [InlineData("days_since_last_activity", false)]
    [InlineData("content_downloads", false)]
    public void Names_of_columns_filled_in_after_contact_are_recognised(string name, bool expected) =>
        Assert.Equal(expected, SchemaInference.LooksFilledAfterContact(name));

    [Theory]
    [InlineData(new[] { "no", "yes" }, "yes")]
    [InlineData(new[] { "0", "1" }, "1")]
    [InlineData(new[] { "Lost", "Won" }, "Won")]
    [InlineData(new[] { "red", "blue" }, null)]
    public void The_positive_label_is_inferred_when_it_is_unambiguous(string[] classes, string? expected) =>
        Assert.Equal(expected, SchemaInference.InferPositiveLabel(classes));
}
