using LeadPredict.Core;

namespace LeadPredict.Core.Tests;

public sealed class TypedColumnTests
{
    private static LeadTable Table() => new("t.csv", ',', ["id", "visits"], [["a", "b", "c"], null], [null, [1f, float.NaN, 0.1f]], [2, 3, 4]);

    [Fact]
    public void Should_Keep_A_Typed_Column_Typed_When_Rows_Are_Selected()
    {
        var picked = Table().Select([2, 0]);
        Assert.Equal(new[] { 0.1f, 1f }, picked.Numbers("visits")!);
        Assert.Equal(new string?[] { "c", "a" }, picked.Column("id").AsEnumerable());
        Assert.Equal([4L, 2L], [picked.LineOf(0), picked.LineOf(1)]);
    }

    [Fact]
    public void Should_Read_A_Typed_Column_As_Round_Trip_Text_With_Missing_As_Null_When_Asked_For_Text()
    {
        var table = Table();
        Assert.Equal(new string?[] { "1", null, "0.1" }, table.Column("visits").AsEnumerable());
        Assert.Equal(0.1f, float.Parse(table.Column("visits")[2]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Should_Make_A_Column_Text_When_Its_Values_Are_Replaced()
    {
        var table = Table().WithColumn(1, ["9", "8", "7"]);
        Assert.Null(table.Numbers("visits"));
        Assert.False(table.HasNumbers);
        Assert.Equal(new string?[] { "9", "8", "7" }, table.Column(1).AsEnumerable());
    }

    [Fact]
    public void Should_Refuse_A_Column_With_Both_Text_And_Numbers_When_The_Table_Is_Made()
    {
        Assert.Throws<ArgumentException>(() => new LeadTable("t.csv", ',', ["x"], [["1"]], [[1f]], [2]));
        Assert.Throws<ArgumentException>(() => new LeadTable("t.csv", ',', ["x"], [null], [null], [2]));
    }

    [Fact]
    public void Should_Profile_A_Typed_Column_As_Numbers_When_Some_Values_Are_Missing()
    {
        var profile = SchemaInference.ProfileNumbers("visits", [1f, float.NaN, 1f, 2.5f]);
        Assert.Equal(ColumnKind.Numeric, profile.Kind);
        Assert.Equal(1, profile.Missing);
        Assert.Equal(2, profile.Distinct);
        Assert.Equal(["1", "2.5"], profile.Examples);
        Assert.Equal(ColumnKind.Ignored, SchemaInference.ProfileNumbers("never", [float.NaN]).Kind);
    }
}
