using System.Text;
using LeadPredict.Core.Csv;

namespace LeadPredict.Core.Tests.Csv;

/// <summary>
/// Training reads big exports on every core (<see cref="LeadTable.LoadParallel"/>): the table must be the one the simple
/// one-thread reader builds, value for value and line for line, and a bad file must fail with the same sentence, wherever
/// the chunks are cut.
/// </summary>
public sealed class ParallelTableLoadTests : IDisposable
{
    private const string Alphabet = "ab,;\"\n\r é|\tNA ";
    private readonly string _dir = Directory.CreateTempSubdirectory("leadpredict-parallel-load-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_Build_The_Same_Table_As_One_Reader_When_Random_Csv_Is_Cut_Anywhere()
    {
        var rng = new Random(7);
        for (var run = 0; run < 1500; run++)
        {
            var sb = new StringBuilder(rng.Next(4) == 0 ? "h1;h2\r\n" : "h1,h2,h3\n");
            var length = rng.Next(1, 160);
            for (var i = 0; i < length; i++) sb.Append(Alphabet[rng.Next(Alphabet.Length)]);
            var file = Write(sb.ToString(), Encoding.UTF8);
            Assert.Equal(Sequential(file), Parallel(file, rng.Next(16, 64), rng.Next(1, 4)));
        }
    }

    [Theory]
    [MemberData(nameof(CsvEdgeCases.All), MemberType = typeof(CsvEdgeCases))]
    public void Should_Build_The_Same_Table_As_One_Reader_When_The_File_Is_A_Known_Edge_Case(string text)
    {
        var file = Write(text, Encoding.UTF8);
        foreach (var size in new[] { 16, 17, 19, 1 << 20 })
            Assert.Equal(Sequential(file), Parallel(file, size, 2));
    }

    [Fact]
    public void Should_Build_The_Same_Table_As_One_Reader_When_An_Export_Has_Missing_Tokens_Padding_And_Multi_Line_Fields()
    {
        var sb = new StringBuilder("lead_id,source,amount,notes,created\n");
        var rng = new Random(11);
        string[] sources = ["web", " Web ", "Select", "NA", "", "partner", "n/a", "\"quoted, source\""];
        for (var i = 0; i < 30_000; i++)
            sb.Append(i).Append(',').Append(sources[rng.Next(sources.Length)]).Append(',').Append(rng.Next(100_000)).Append(',')
              .Append(rng.Next(20) == 0 ? "\"two\nlines\"" : $"note {rng.Next(500)}").Append(",2025-0").Append(1 + rng.Next(9)).Append("-1").Append(rng.Next(10))
              .Append(rng.Next(3) == 0 ? "\r\n" : "\n");
        var file = Write(sb.ToString(), Encoding.UTF8);
        foreach (var (size, workers) in new[] { (4096, 2), (65_536, 3), (1 << 20, 2) })
            Assert.Equal(Sequential(file), Parallel(file, size, workers));
        Assert.Equal(30_000, LeadTable.LoadParallel(file, chunkBytes: 4096).RowCount);
    }

    [Fact]
    public void Should_Report_The_First_Bad_Record_Of_The_File_When_Several_Chunks_Have_One()
    {
        var body = string.Concat(Enumerable.Range(0, 5000).Select(i => i is 1200 or 4000 ? $"{i},x,extra\n" : $"{i},x\n"));
        var file = Write("id,v\n" + body, Encoding.UTF8);
        var expected = Sequential(file);
        Assert.StartsWith("error", expected[^1]);
        Assert.Contains("line 1202", expected[^1]);
        Assert.Equal(expected, Parallel(file, 256, 3));
    }

    private string Write(string text, Encoding encoding)
    {
        var file = Path.Combine(_dir, $"{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, text, encoding);
        return file;
    }

    private static List<string> Sequential(string file) => Describe(() => LeadTable.LoadSequential(file));

    private static List<string> Parallel(string file, int chunkBytes, int workers) => Describe(() => LeadTable.LoadParallel(file, chunkBytes: chunkBytes, workers: workers));

    private static List<string> Describe(Func<LeadTable> load)
    {
        var log = new List<string>();
        try
        {
            var table = load();
            log.Add($"header {string.Join("|", table.ColumnNames)} separator {table.Separator}");
            for (var r = 0; r < table.RowCount; r++)
                log.Add($"line {table.LineOf(r)}: " + string.Join("|", Enumerable.Range(0, table.ColumnNames.Count).Select(c => table.Column(c)[r] is { } v ? $"[{v}]" : "null")));
        }
        catch (InputFileException e)
        {
            log.Add("error " + e.Message);
        }
        return log;
    }
}
