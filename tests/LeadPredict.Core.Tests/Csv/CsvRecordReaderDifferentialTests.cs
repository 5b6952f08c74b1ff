using System.Text;
using LeadPredict.Core.Csv;

namespace LeadPredict.Core.Tests.Csv;

/// <summary>
/// The span-based reader must read every input exactly as the original character-at-a-time reader did: the same fields,
/// record lines, raw records, and the same errors with the same line numbers, however the text arrives in pieces.
/// </summary>
public sealed class CsvRecordReaderDifferentialTests
{
    private const string Alphabet = "ab,;\"\n\r é|\t";

    [Fact]
    public void Should_Read_Random_Csv_Exactly_As_The_Reference_Reader_When_Text_Arrives_In_Small_Pieces()
    {
        var rng = new Random(12345);
        for (var run = 0; run < 3000; run++)
        {
            var length = rng.Next(1, 60);
            var sb = new StringBuilder("h1,h2,h3\n");
            for (var i = 0; i < length; i++) sb.Append(Alphabet[rng.Next(Alphabet.Length)]);
            var text = sb.ToString();
            var seed = rng.Next();
            Assert.Equal(Read(text, t => new ReferenceCsvReader(new PieceReader(t, seed), "x.csv", null, true)),
                         Read(text, t => new CsvRecordReader(new PieceReader(t, seed), "x.csv", null, true)));
        }
    }

    [Theory]
    [MemberData(nameof(CsvEdgeCases.All), MemberType = typeof(CsvEdgeCases))]
    public void Should_Match_The_Reference_Reader_On_Known_Edge_Cases(string text)
    {
        Assert.Equal(Read(text, t => new ReferenceCsvReader(new StringReader(t), "x.csv", null, true)),
                     Read(text, t => new CsvRecordReader(new StringReader(t), "x.csv", null, true)));
        Assert.Equal(Read(text, t => new ReferenceCsvReader(new StringReader(t), "x.csv", null, true)),
                     Read(text, t => new CsvRecordReader(new PieceReader(t, 1), "x.csv", null, true)));
    }

    [Fact]
    public void Should_Read_A_Record_Longer_Than_The_Buffer()
    {
        var big = new string('x', 200_000);
        var text = $"a,b\n{big},\"{big}\"\n1,2\n";
        Assert.Equal(Read(text, t => new ReferenceCsvReader(new StringReader(t), "x.csv", null, true)),
                     Read(text, t => new CsvRecordReader(new StringReader(t), "x.csv", null, true)));
    }

    [Fact]
    public void Should_Share_Repeated_Values_When_Interning()
    {
        using var reader = new CsvRecordReader(new StringReader("a,b\nSoftware,1\nSoftware,2\n"), "x.csv");
        reader.InternValues();
        var first = new List<string>();
        var second = new List<string>();
        Assert.True(reader.Read(first));
        Assert.True(reader.Read(second));
        Assert.Same(first[0], second[0]);
    }

    private static List<string> Read(string text, Func<string, IDisposable> open)
    {
        var log = new List<string>();
        try
        {
            using var r = open(text);
            dynamic reader = r;
            log.Add("header " + string.Join("|", (IReadOnlyList<string>)reader.Header) + " sep " + (char)reader.Separator);
            var fields = new List<string>();
            while ((bool)reader.Read(fields))
                log.Add($"line {(long)reader.RecordLine}: {string.Join("|", fields.Select(f => $"[{f}]"))} raw [{(string?)reader.RawRecord}]");
        }
        catch (InputFileException e)
        {
            log.Add("error " + e.Message);
        }
        return log;
    }

    /// <summary>Hands out the text a few characters at a time, as a slow stream would.</summary>
    private sealed class PieceReader(string text, int seed) : TextReader
    {
        private readonly Random _rng = new(seed);
        private int _pos;

        public override int Read(char[] buffer, int index, int count)
        {
            var n = Math.Min(Math.Min(count, _rng.Next(1, 8)), text.Length - _pos);
            text.CopyTo(_pos, buffer, index, n);
            _pos += n;
            return n;
        }
    }
}
