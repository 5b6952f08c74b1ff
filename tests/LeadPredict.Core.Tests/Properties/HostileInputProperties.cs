using System.Text;
using FsCheck;
using FsCheck.Fluent;
using LeadPredict.Core;
using LeadPredict.Core.Csv;

namespace LeadPredict.Core.Tests.Properties;

/// <summary>
/// Property-based tests over the readers that take user files: whatever the bytes, they either read the input
/// or fail with a LeadPredict error that names the file — never another exception, never a hang.
/// </summary>
public sealed class HostileInputProperties
{
    private static readonly char[] CsvAlphabet = ['a', 'b', ',', ';', '\t', '"', '\n', '\r', ' ', '1', '.', '=', '-', 'ø', '中', '\uFEFF', '|'];

    private static Arbitrary<string> CsvLike() =>
        Gen.ArrayOf(Gen.Elements(CsvAlphabet)).Select(cs => new string(cs)).ToArbitrary();

    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(500);

    [Fact]
    public void The_csv_reader_reads_or_rejects_any_text_with_a_located_error()
    {
        int read = 0, rejected = 0;
        Check.One(Runs, Prop.ForAll(CsvLike(), text =>
        {
            var task = Task.Run(() =>
            {
                try
                {
                    using var reader = new CsvRecordReader(new StringReader(text), "fuzz.csv");
                    var fields = new List<string>();
                    var rows = 0;
                    while (reader.Read(fields)) Assert.Equal(reader.Header.Count, fields.Count);
                    Interlocked.Increment(ref read);
                    return rows >= 0;
                }
                catch (InputFileException e)
                {
                    Interlocked.Increment(ref rejected);
                    return e.Message.StartsWith("fuzz.csv", StringComparison.Ordinal);
                }
            });
            return task.Wait(TimeSpan.FromSeconds(5)) && task.Result;
        }));
        Assert.True(read > 20 && rejected > 20, $"read {read}, rejected {rejected}: the generator no longer exercises both paths");
    }

    [Fact]
    public void Any_table_written_with_csv_quoting_reads_back_field_for_field()
    {
        var field = Gen.ArrayOf(Gen.Elements(CsvAlphabet.Where(c => c != '\uFEFF').ToArray())).Select(cs => new string(cs));
        var rows = Gen.Choose(1, 4).SelectMany(width =>
            Gen.ListOf(Gen.ArrayOf(field, width)).Select(list => (width, list)));
        Check.One(Runs, Prop.ForAll(rows.ToArbitrary(), t =>
        {
            var (width, list) = t;
            var header = Enumerable.Range(0, width).Select(i => $"c{i}").ToArray();
            var text = new StringBuilder(CsvText.JoinRow(header)).Append('\n');
            foreach (var row in list) text.Append(CsvText.JoinRow(row)).Append('\n');
            using var reader = new CsvRecordReader(new StringReader(text.ToString()), "roundtrip.csv", ',');
            var fields = new List<string>();
            var expected = list.Where(r => !(r.Length == 1 && r[0].Length == 0)).ToList(); // a lone empty field is a blank line
            foreach (var row in expected)
            {
                if (!reader.Read(fields)) return false;
                if (!fields.SequenceEqual(row.Select(NormalizeNewlines))) return false;
            }
            return !reader.Read(fields);
        }));
    }

    // Inside quotes, line breaks are kept as written.
    private static string NormalizeNewlines(string s) => s;

    [Fact]
    public void The_configuration_reader_accepts_or_rejects_any_text_with_a_leadpredict_error()
    {
        var json = Gen.ArrayOf(Gen.Elements('{', '}', '[', ']', '"', ':', ',', 'l', 'a', 'b', 'e', '1', '-', ' ', '\n', 't', 'r', 'u', 'n'))
            .Select(cs => new string(cs));
        var fragments = Gen.Elements(
            """{"label":"y"}""", """{"label":"y","trainer":{"trees":-5}}""", """{"label":"y","grades":{"a":2}}""",
            """{"label":"y","separator":"ab"}""", """{"label":"y","columns":{"x":"banana"}}""", """{"label":1}""", """[]""", "null", """{"label":"y","evaluation":{"folds":99}}""");
        var dir = Directory.CreateTempSubdirectory("config-fuzz");
        try
        {
            Check.One(Runs, Prop.ForAll(Gen.OneOf(json, fragments).ToArbitrary(), text =>
            {
                var path = Path.Combine(dir.FullName, "leadpredict.json");
                File.WriteAllText(path, text);
                try
                {
                    var config = DatasetConfig.Load<DatasetConfig>(path);
                    return config.Label.Length > 0;
                }
                catch (LeadPredictException e)
                {
                    return e.Message.Length > 0 && !e.Message.Contains("   at ", StringComparison.Ordinal);
                }
            }));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
