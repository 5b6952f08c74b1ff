using LeadPredict.Core.Csv;
using LeadPredict.ML.Scoring;
using LeadPredict.TestSupport;

namespace LeadPredict.Scoring.Tests;

/// <summary>
/// The ranked file gets the ICP and stage columns written straight into its lines; they must read exactly as the
/// annotator's own texts (what the API returns), hostile values and unknown stages included.
/// </summary>
public sealed class RankedFileAdviceTests
{
    /// <summary>The bundled new leads, with some cells made awkward: formulas, quotes, separators, spaces, unknown and missing stages.</summary>
    private static string AwkwardLeads(TempDir dir)
    {
        var path = dir.File("awkward.csv");
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_ranked_file_reads_as_the_annotators_own_texts(bool withRules)
    {
        using var dir = new TempDir();
        var input = AwkwardLeads(dir);
        var bundle = SampleModels.LoadSample();
        var rules = withRules ? TestPaths.Data("rules.json") : null;
        var direct = new BatchScorer(new LeadScorer(bundle), ScoringExtensions.Annotators(bundle, rules))
            .ScoreFile(input, dir.File("direct.csv"), new BatchScoringOptions { ChunkBytes = 8192 });
        var viaStrings = new BatchScorer(new LeadScorer(bundle), ScoringExtensions.Annotators(bundle, rules).Select(a => new StringsOnly(a)).ToArray())
            .ScoreFile(input, dir.File("strings.csv"), new BatchScoringOptions { ChunkBytes = 8192 });

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
        var input = AwkwardLeads(dir);
        var bundle = SampleModels.LoadSample();
        var rules = withRules ? TestPaths.Data("rules.json") : null;
        var scorer = new LeadScorer(bundle);
        new BatchScorer(scorer, ScoringExtensions.Annotators(bundle, rules))
            .ScoreFile(input, dir.File("ranked.csv"), new BatchScoringOptions { Reasons = reasons, ChunkBytes = 8192 });
        Assert.Equal(ReferenceRankedFile.Write(scorer, ScoringExtensions.Annotators(bundle, rules), input, reasons), File.ReadAllBytes(dir.File("ranked.csv")));
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
