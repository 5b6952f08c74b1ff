using LeadPredict.Core;

namespace LeadPredict.Core.Tests;

public sealed class SchemaResolverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("resolver-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private LeadTable Table(string content)
    {
        var path = Path.Combine(_dir, "leads.csv");
        File.WriteAllText(path, content);
        return LeadTable.Load(path);
    }

    [Fact]
    public void A_missing_label_column_lists_the_columns_that_exist()
    {
        var e = Assert.Throws<LeadPredictException>(() => SchemaResolver.Resolve(new DatasetConfig { Label = "won" }, Table("id,size,converted\n1,3,yes\n")));
        Assert.Contains("label column 'won'", e.Message);
        Assert.Contains("id, size, converted", e.Message);
    }

    [Fact]
    public void A_label_with_more_than_two_values_shows_examples_with_line_numbers()
    {
        var e = Assert.Throws<LeadPredictException>(() =>
            SchemaResolver.Resolve(new DatasetConfig { Label = "status" }, Table("id,size,status\n1,3,won\n2,4,lost\n3,5,open\n")));
        Assert.Contains("must have two classes", e.Message);
        Assert.Contains("'open' (line 4", e.Message);
    }

    [Fact]
    public void A_label_with_a_single_class_is_rejected()
    {
        var e = Assert.Throws<LeadPredictException>(() =>
            SchemaResolver.Resolve(new DatasetConfig { Label = "converted" }, Table("id,size,converted\n1,3,yes\n2,4,yes\n")));
        Assert.Contains("only one class", e.Message);
    }

    [Fact]
    public void A_configured_column_that_does_not_exist_is_named()
    {
        var config = new DatasetConfig { Label = "converted", Exclude = ["notes"] };
        var e = Assert.Throws<LeadPredictException>(() => SchemaResolver.Resolve(config, Table("id,size,converted\n1,3,yes\n2,4,no\n")));
        Assert.Contains("'notes'", e.Message);
    }

    [Fact]
    public void The_id_label_and_excluded_columns_are_not_features()
    {
        var table = Table("lead_id,size,region,converted\n" + string.Join("\n", Enumerable.Range(0, 40).Select(i => $"L{i},{i},r{i % 3},{(i % 4 == 0 ? "yes" : "no")}")) + "\n");
        var resolved = SchemaResolver.Resolve(new DatasetConfig { Label = "converted", Exclude = ["region"] }, table);
        Assert.Equal("lead_id", resolved.Schema.Id);
        Assert.Equal(["size"], resolved.Schema.Features.Select(f => f.Name));
        Assert.Equal("yes", resolved.Schema.PositiveLabel);
        Assert.Equal(10, resolved.Labels.Count(b => b));
    }

    [Fact]
    public void Rows_without_a_label_are_counted_and_left_out()
    {
        var resolved = SchemaResolver.Resolve(new DatasetConfig { Label = "converted" }, Table("id,size,converted\n1,3,yes\n2,4,\n3,5,no\n"));
        Assert.Equal(1, resolved.MissingLabels);
        Assert.Equal(2, resolved.Labels.Length);
    }
}
