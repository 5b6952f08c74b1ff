using System.Text;
using LeadPredict.Core.Csv;

namespace LeadPredict.Core.Tests.Csv;

/// <summary>
/// Cutting a file into chunks and parsing the chunks apart (as batch scoring does on several threads) must read exactly
/// what one reader over the whole file reads: the same records, lines and errors, wherever the cuts fall.
/// </summary>
public sealed class CsvChunkerTests : IDisposable
{
    private const string Alphabet = "ab,;\"\n\r é|\t";
    private readonly string _dir = Directory.CreateTempSubdirectory("leadpredict-chunker-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_Read_Random_Csv_In_Chunks_Exactly_As_One_Reader_Does()
    {
        var rng = new Random(2024);
        for (var run = 0; run < 2000; run++)
        {
            var sb = new StringBuilder(rng.Next(4) == 0 ? "h1;h2\r\n" : "h1,h2,h3\n");
            var length = rng.Next(1, 120);
            for (var i = 0; i < length; i++) sb.Append(Alphabet[rng.Next(Alphabet.Length)]);
            var file = Write(sb.ToString(), Encoding.UTF8);
            Assert.Equal(Whole(file), Chunked(file, rng.Next(16, 64)));
        }
    }

    [Theory]
    [MemberData(nameof(CsvEdgeCases.All), MemberType = typeof(CsvEdgeCases))]
    public void Should_Match_One_Reader_On_Known_Edge_Cases(string text)
    {
        var file = Write(text, Encoding.UTF8);
        foreach (var size in new[] { 16, 17, 19, 1 << 20 })
            Assert.Equal(Whole(file), Chunked(file, size));
    }

    [Fact]
    public void Should_Read_Utf8_With_A_Byte_Order_Mark_And_Utf16_With_One()
    {
        const string text = "name,city\nJosé,Zürich\n株式会社,東京\n";
        foreach (var encoding in new Encoding[] { new UTF8Encoding(true), Encoding.Unicode, Encoding.BigEndianUnicode })
            Assert.Equal(Whole(Write(text, new UTF8Encoding(false))), Chunked(Write(text, encoding), 16));
    }

    [Fact]
    public void Should_Name_The_Line_Of_Invalid_Utf8()
    {
        // Past the first 64 KB, which the header's reader decodes on its own.
        var file = Path.Combine(_dir, "bad.csv");
        var body = string.Concat(Enumerable.Repeat("1,2\n", 40_000));
        File.WriteAllBytes(file, [.. Encoding.UTF8.GetBytes("a,b\n" + body), .. "3,"u8, 0xC3, 0x28, .. "\n5,6\n"u8]);
        var log = Chunked(file, 4096);
        Assert.Equal("error bad.csv, line 40002: the file is not valid UTF-8 text; save it as UTF-8 (CSV UTF-8 in Excel).", log[^1]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1501)]
    public void Should_Name_The_Line_Of_Invalid_Utf8_In_The_First_Block_As_One_Reader_Does(int badLine)
    {
        var file = Path.Combine(_dir, "latin1.csv");
        var lines = Enumerable.Range(2, 1600).Select(i => Encoding.UTF8.GetBytes(i == badLine ? $"{i},Z" : $"{i},Zurich")).ToList();
        File.WriteAllBytes(file, [.. "id,city\n"u8, .. lines.SelectMany(l => l == lines[badLine - 2] ? [.. l, 0xFC, (byte)'\n'] : l.Append((byte)'\n'))]);
        foreach (var size in new[] { 64, 4096, 1 << 20 })
            Assert.Equal($"error latin1.csv, line {badLine}: the file is not valid UTF-8 text; save it as UTF-8 (CSV UTF-8 in Excel).", Chunked(file, size)[^1]);
        Assert.Equal(Whole(file)[^1], Chunked(file, 64)[^1]);
    }

    private string Write(string text, Encoding encoding)
    {
        var file = Path.Combine(_dir, $"{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, text, encoding);
        return file;
    }

    private static List<string> Whole(string file)
    {
        var log = new List<string>();
        try
        {
            using var reader = new CsvRecordReader(file, keepRawRecord: true);
            log.Add("header " + string.Join("|", reader.Header));
            var fields = new List<string>();
            while (reader.Read(fields)) log.Add($"line {reader.RecordLine}: {string.Join("|", fields.Select(f => $"[{f}]"))} raw [{reader.RawRecord}]");
        }
        catch (InputFileException e)
        {
            log.Add("error " + e.Message);
        }
        return log;
    }

    private static List<string> Chunked(string file, int chunkBytes)
    {
        var log = new List<string>();
        try
        {
            IReadOnlyList<string> header;
            char separator;
            using (var head = new CsvRecordReader(file))
            {
                header = head.Header;
                separator = head.Separator;
            }
            log.Add("header " + string.Join("|", header));
            using var chunker = new CsvChunker(file, separator, chunkBytes);
            var chars = Array.Empty<char>();
            var expected = 0;
            while (chunker.Next() is { } chunk)
            {
                Assert.Equal(expected++, chunk.Index);
                var length = chunk.Decode(ref chars, file);
                chunk.Release();
                var reader = new CsvRecordReader(chars, length, file, separator, header, chunk.FirstLine);
                var fields = new List<string>();
                while (reader.Read(fields))
                {
                    var (start, count) = reader.RawRecordRange;
                    log.Add($"line {reader.RecordLine}: {string.Join("|", fields.Select(f => $"[{f}]"))} raw [{new string(chars, start, count)}]");
                }
            }
        }
        catch (InputFileException e)
        {
            log.Add("error " + e.Message);
        }
        return log;
    }
}
