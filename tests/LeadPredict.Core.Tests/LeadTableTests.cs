using LeadPredict.Core;

namespace LeadPredict.Core.Tests;

public sealed class LeadTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("table-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string content)
    {
        var path = Path.Combine(_dir, "t.csv");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Missing_value_tokens_become_null_whatever_their_case()
    {
        var table = LeadTable.Load(Write("id,source,size\n1,Select,NA\n2,web,n/a\n3,  ,null\n4,web,12\n"));
        Assert.Equal(new string?[] { null, "web", null, "web" }, table.Column("source").AsEnumerable());
        Assert.Equal(new string?[] { null, null, null, "12" }, table.Column("size").AsEnumerable());
    }

    [Fact]
    public void Custom_missing_value_tokens_replace_the_defaults()
    {
        var table = LeadTable.Load(Write("id,source\n1,Select\n2,--\n"), missingTokens: ["--"]);
        Assert.Equal(new string?[] { "Select", null }, table.Column("source").AsEnumerable());
    }

    [Fact]
    public void A_header_without_rows_is_rejected()
    {
        var e = Assert.Throws<InputFileException>(() => LeadTable.Load(Write("id,name\n")));
        Assert.Contains("no data rows", e.Message);
    }

    [Fact]
    public void Asking_for_an_unknown_column_lists_the_columns_that_exist()
    {
        var table = LeadTable.Load(Write("id,name\n1,a\n"));
        var e = Assert.Throws<InputFileException>(() => table.Column("stage"));
        Assert.Contains("id, name", e.Message);
    }

    [Fact]
    public void Each_row_remembers_its_line_in_the_file()
    {
        var table = LeadTable.Load(Write("id,note\n1,\"two\nlines\"\n2,b\n"));
        Assert.Equal(2, table.LineOf(0));
        Assert.Equal(4, table.LineOf(1));
    }
}
