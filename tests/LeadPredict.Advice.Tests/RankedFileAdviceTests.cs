using LeadPredict.Core.Csv;
using LeadPredict.ML.Scoring;
using LeadPredict.TestSupport;

namespace LeadPredict.Advice.Tests;

/// <summary>
/// The ranked file gets the ICP and stage columns written straight into its lines; they must read exactly as the
/// annotator's own texts (what the API returns), hostile values and unknown stages included.
/// </summary>
public sealed class RankedFileAdviceTests
{
    private static IScoreAnnotator[] Funnel(ML.ModelBundle bundle, string? rules) => [new FunnelAnnotator(bundle, rules)];

    /// <summary>The bundled new leads, with some cells made awkward: formulas, quotes, separators, spaces, unknown and missing stages.</summary>
    internal static string AwkwardLeads(TempDir dir)
    {
        var path = dir.File("awkward.csv");
        if (File.Exists(path)) return path;
        using (var reader = new CsvRecordReader(TestPaths.Data("leads-new.csv")))
        using (var writer = new StreamWriter(path))
        {
            writer.WriteLine(CsvText.JoinRow(reader.Header));
            var fields = new List<string>();
            var stage = reader.Header.ToList().IndexOf("stage");
            var industry = reader.Header.ToList().IndexOf("industry");
            var title = reader.Header.ToList().IndexOf("job_title");
            for (var i = 0; reader.Read(fields); i++)
            {
                switch (i % 9)
                {
                    case 1: fields[stage] = "=HYPERLINK(\"http://x\")"; break;
                    case 2: fields[stage] = "Negotiation, late"; break;
                    case 3: fields[stage] = ""; break;
                    case 4: fields[industry] = "Retail, \"Online\""; break;
                    case 5: fields[industry] = "  financial \t services "; break;
                    case 6: fields[title] = "+VP of Sales"; break;
                }
                writer.WriteLine(CsvText.JoinRow(fields));
            }
        }
        return path;
    }

    private static string? Rules(bool withRules) => withRules ? TestPaths.Data("rules.json") : null;

    /// <summary>Ranks the awkward leads into <paramref name="output"/> in <paramref name="dir"/> with the funnel annotator.</summary>
    private static BatchSummary Rank(TempDir dir, string output, bool withRules, BatchScoringOptions options, bool stringsOnly = false)
    {
        var bundle = SampleModels.LoadSample();
        var annotators = Funnel(bundle, Rules(withRules));
        if (stringsOnly) annotators = [.. annotators.Select(a => new StringsOnly(a))];
        return new BatchScorer(new LeadScorer(bundle), annotators).ScoreFile(AwkwardLeads(dir), dir.File(output), options);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_ranked_file_reads_as_the_annotators_own_texts(bool withRules)
    {
        using var dir = new TempDir();
        var direct = Rank(dir, "direct.csv", withRules, new BatchScoringOptions { ChunkBytes = 8192 });
        var viaStrings = Rank(dir, "strings.csv", withRules, new BatchScoringOptions { ChunkBytes = 8192 }, stringsOnly: true);

        Assert.Equal(File.ReadAllBytes(dir.File("strings.csv")), File.ReadAllBytes(dir.File("direct.csv")));
        Assert.Equal(Describe(viaStrings), Describe(direct));
        Assert.Contains("'=HYPERLINK", File.ReadAllText(dir.File("direct.csv")));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void The_ranked_file_is_what_a_simple_writer_writes_from_each_lead_scored_alone(bool withRules, bool reasons)
    {
        using var dir = new TempDir();
        Rank(dir, "ranked.csv", withRules, new BatchScoringOptions { Reasons = reasons, ChunkBytes = 8192 });
        var bundle = SampleModels.LoadSample();
        var expected = ReferenceRankedFile.Write(new LeadScorer(bundle), Funnel(bundle, Rules(withRules)), AwkwardLeads(dir), reasons);
        Assert.Equal(expected, File.ReadAllBytes(dir.File("ranked.csv")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_lead_is_counted_once_whether_it_is_kept_typed_or_written_straight_to_the_file(bool withRules)
    {
        using var dir = new TempDir();
        var written = Rank(dir, "written.csv", withRules, new BatchScoringOptions { TopRows = 0 });
        var typed = Rank(dir, "typed.csv", withRules, new BatchScoringOptions { TopRows = 1_000, ChunkBytes = 8192 });

        Assert.Equal(500, typed.Top.Count);
        Assert.Equal(File.ReadAllBytes(dir.File("written.csv")), File.ReadAllBytes(dir.File("typed.csv")));
        Assert.Equal(Describe(written), Describe(typed));
    }

    private static string Describe(BatchSummary summary) =>
        string.Join("\n", summary.Sections.Select(s => s.Title + ": " + string.Join(", ", s.Counts.Select(c => $"{c.Key}={c.Count}"))));

    /// <summary>An annotator seen only through its strings, as the API sees it.</summary>
    private sealed class StringsOnly(IScoreAnnotator inner) : IScoreAnnotator
    {
        public IReadOnlyList<string> Headers => inner.Headers;
        public IRowAnnotator Bind(IReadOnlyList<string> header, string source) => new Row(inner.Bind(header, source));

        private sealed class Row(IRowAnnotator inner) : IRowAnnotator
        {
            public ILeadAnnotation Annotate(IReadOnlyList<string> fields, double probability) => inner.Annotate(fields, probability);
            public IReadOnlyList<(string Title, IReadOnlyList<(string Key, int Count)> Counts)> Summary() => inner.Summary();
        }
    }
}
