using System.Text;
using LeadPredict.Core;
using LeadPredict.Core.Csv;

namespace LeadPredict.Core.Tests.Csv;

public sealed class CsvRecordReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("csv-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string content, Encoding? encoding = null)
    {
        var path = Path.Combine(_dir, $"f{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, content, encoding ?? new UTF8Encoding(false));
        return path;
    }

    private static List<List<string>> ReadAll(CsvRecordReader reader)
    {
        var rows = new List<List<string>>();
        var fields = new List<string>();
        while (reader.Read(fields)) rows.Add([.. fields]);
        return rows;
    }

    [Fact]
    public void Quoted_fields_keep_separators_quotes_and_line_breaks()
    {
        using var reader = new CsvRecordReader(Write("id,company,note\n1,\"Acme, Inc.\",\"said \"\"hi\"\"\nthen left\"\n2,Beta,plain\n"));
        var rows = ReadAll(reader);
        Assert.Equal(["1", "Acme, Inc.", "said \"hi\"\nthen left"], rows[0]);
        Assert.Equal(["2", "Beta", "plain"], rows[1]);
        Assert.Equal(4, reader.RecordLine);
    }

    [Fact]
    public void A_utf8_bom_and_windows_line_endings_are_read_transparently()
    {
        using var reader = new CsvRecordReader(Write("id;name\r\n1;Ærø Fisk AS\r\n2;深圳数据科技\r\n", new UTF8Encoding(true)));
        Assert.Equal(["id", "name"], reader.Header);
        Assert.Equal(';', reader.Separator);
        var rows = ReadAll(reader);
        Assert.Equal("Ærø Fisk AS", rows[0][1]);
        Assert.Equal("深圳数据科技", rows[1][1]);
    }

    [Theory]
    [InlineData("a\tb\tc\n1\t2\t3\n", '\t')]
    [InlineData("a|b|c\n1|2|3\n", '|')]
    [InlineData("a,b,c\n1,2,3\n", ',')]
    public void The_separator_is_detected_from_the_header(string content, char expected)
    {
        using var reader = new CsvRecordReader(Write(content));
        Assert.Equal(expected, reader.Separator);
        Assert.Equal(["1", "2", "3"], ReadAll(reader)[0]);
    }

    [Fact]
    public void An_unclosed_quote_is_reported_at_the_line_where_it_opened()
    {
        using var reader = new CsvRecordReader(Write("id,name\n1,ok\n2,\"broken\n3,more\n"));
        var e = Assert.Throws<InputFileException>(() => ReadAll(reader));
        Assert.Equal(3, e.Line);
        Assert.Contains("never closed", e.Message);
        Assert.Equal("name", e.Column);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_fields_names_its_line_and_the_expected_count()
    {
        using var reader = new CsvRecordReader(Write("id,name,size\n1,a,3\n2,b\n"));
        var e = Assert.Throws<InputFileException>(() => ReadAll(reader));
        Assert.Equal(3, e.Line);
        Assert.Contains("expected 3 fields", e.Message);
        Assert.Contains("found 2", e.Message);
    }

    [Fact]
    public void Blank_lines_are_skipped()
    {
        using var reader = new CsvRecordReader(Write("id,name\n1,a\n\n2,b\n\n"));
        Assert.Equal(2, ReadAll(reader).Count);
    }

    [Fact]
    public void An_empty_file_is_rejected_with_a_clear_message()
    {
        var e = Assert.Throws<InputFileException>(() => new CsvRecordReader(Write("")));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void A_missing_file_names_the_full_path_it_looked_for()
    {
        var e = Assert.Throws<InputFileException>(() => new CsvRecordReader(Path.Combine(_dir, "nope.csv")));
        Assert.Contains("file not found", e.Message);
        Assert.Contains(_dir, e.Message);
    }

    [Fact]
    public void Duplicate_column_names_are_rejected()
    {
        var e = Assert.Throws<InputFileException>(() => new CsvRecordReader(Write("id,Name,name\n1,a,b\n")));
        Assert.Contains("more than once", e.Message);
    }

    [Fact]
    public void Invalid_utf8_is_rejected_with_advice_instead_of_being_mangled()
    {
        var path = Path.Combine(_dir, "latin1.csv");
        File.WriteAllBytes(path, [.. "id,name\n1,"u8.ToArray(), 0xC6, 0x72, 0xF8, (byte)'\n']);
        var e = Assert.Throws<InputFileException>(() =>
        {
            using var reader = new CsvRecordReader(path);
            ReadAll(reader);
        });
        Assert.Contains("UTF-8", e.Message);
    }

    [Theory]
    [InlineData(2, 10, "\n")]        // in the first block the reader decodes, where the header is read from
    [InlineData(1501, 1600, "\n")]   // the case: was reported as line 1499
    [InlineData(1501, 1600, "\r\n")]
    [InlineData(40002, 40010, "\n")]
    public void Invalid_utf8_names_the_line_it_is_on(int badLine, int lines, string newline)
    {
        var path = Path.Combine(_dir, "latin1.csv");
        using (var file = File.Create(path))
        {
            file.Write(Encoding.UTF8.GetBytes("id,name,city" + newline));
            for (var line = 2; line <= lines; line++)
            {
                file.Write(Encoding.UTF8.GetBytes($"{line},Company {line},"));
                if (line == badLine) file.Write([0x5A, 0xFC, 0x72, 0x69, 0x63, 0x68]); // "Zürich" in Latin-1
                else file.Write("Zurich"u8);
                file.Write(Encoding.UTF8.GetBytes(newline));
            }
        }
        var e = Assert.Throws<InputFileException>(() =>
        {
            using var reader = new CsvRecordReader(path);
            ReadAll(reader);
        });
        Assert.Equal(badLine, e.Line);
        Assert.Contains($"latin1.csv, line {badLine}: the file is not valid UTF-8", e.Message);
    }

    [Fact]
    public void Invalid_utf8_after_a_quoted_line_break_names_the_physical_line()
    {
        var path = Path.Combine(_dir, "latin1.csv");
        File.WriteAllBytes(path, [.. "id,note\n1,\"two\nlines\"\n2,"u8.ToArray(), 0xE9, (byte)'\n']);
        var e = Assert.Throws<InputFileException>(() =>
        {
            using var reader = new CsvRecordReader(path);
            ReadAll(reader);
        });
        Assert.Equal(4, e.Line);
    }

    [Fact]
    public void The_raw_record_is_kept_byte_for_byte_when_asked()
    {
        using var reader = new CsvRecordReader(Write("id,note\n1,\"a,\"\"b\"\"\"\n"), keepRawRecord: true);
        var fields = new List<string>();
        Assert.True(reader.Read(fields));
        Assert.Equal("1,\"a,\"\"b\"\"\"", reader.RawRecord);
    }
}

public sealed class CsvEncodingTests
{
    [Fact]
    public void Utf16_with_a_byte_order_mark_is_read_correctly()
    {
        var path = Path.Combine(Path.GetTempPath(), $"u16-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "id,name\n1,Brașov Tech SRL\n", new UnicodeEncoding(false, true));
        try
        {
            using var reader = new CsvRecordReader(path);
            var fields = new List<string>();
            Assert.True(reader.Read(fields));
            Assert.Equal("Brașov Tech SRL", fields[1]);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("id,name\n1,Acme\n", "UTF-16")]        // ASCII only: every byte is valid UTF-8, the NULs give it away
    [InlineData("id,name\n1,Ærø Fisk AS\n", "UTF-8")]  // non-ASCII: invalid UTF-8
    public void Utf16_without_a_byte_order_mark_is_rejected_instead_of_mangled(string text, string advice)
    {
        var path = Path.Combine(Path.GetTempPath(), $"u16-{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(path, new UnicodeEncoding(false, false).GetBytes(text));
        try
        {
            var e = Assert.Throws<InputFileException>(() => new CsvRecordReader(path));
            Assert.Contains(advice, e.Message);
            Assert.Contains("save it as UTF-8", e.Message);
        }
        finally { File.Delete(path); }
    }
}
