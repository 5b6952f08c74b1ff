using System.Collections.Concurrent;
using LeadPredict.Core.Csv;
using LeadPredict.ML.Scoring;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Scoring;

/// <summary>
/// The leads batch scoring hands back typed (the summary's top rows, and every lead to a sink) say what their lines in the
/// ranked file say, whatever the chunks and threads, ties included.
/// </summary>
public sealed class BatchScorerTypedLeadsTests
{
    /// <summary>The bundled new leads, each four times under ids of its own and far apart in the file, so many leads tie across chunks.</summary>
    private static string TiedLeads(TempDir dir)
    {
        var path = dir.File("tied.csv");
        using var reader = new CsvRecordReader(TestPaths.Data("leads-new.csv"));
        var leads = new List<string[]>();
        var fields = new List<string>();
        while (reader.Read(fields)) leads.Add([.. fields]);
        using var writer = new StreamWriter(path);
        writer.WriteLine(CsvText.JoinRow(reader.Header));
        for (var copy = 0; copy < 4; copy++)
            foreach (var lead in leads)
            {
                var row = (string[])lead.Clone();
                row[0] = $"{lead[0]}-{copy}";
                writer.WriteLine(CsvText.JoinRow(row));
            }
        return path;
    }

    /// <summary>The ranked file's lines, split into fields.</summary>
    private static List<string[]> Lines(string ranked)
    {
        using var reader = new CsvRecordReader(ranked);
        var lines = new List<string[]>();
        var fields = new List<string>();
        while (reader.Read(fields)) lines.Add([.. fields]);
        return lines;
    }

    private static string[] AsLine(RankedLead lead, RankedLayout layout) =>
    [
        lead.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture), lead.Id, LeadScorer.FormatProbability(lead.Probability),
        lead.Score.ToString(System.Globalization.CultureInfo.InvariantCulture), lead.Grade, .. lead.Cells, string.Join(" | ", lead.Reasons), .. lead.Fields,
    ];

    [Theory]
    [InlineData(1, 1 << 20, 10)]
    [InlineData(4, 4096, 150)]
    [InlineData(2, 16, 2500)]
    public void Should_Return_The_Top_Rows_As_The_Ranked_File_Has_Them_When_Many_Leads_Tie(int threads, int chunkBytes, int top)
    {
        using var dir = new TempDir();
        var input = TiedLeads(dir);
        var output = dir.File("ranked.csv");
        var summary = new BatchScorer(new LeadScorer(SampleModels.LoadSample()), [new EchoAnnotator()]).ScoreFile(input, output,
            new BatchScoringOptions { TopRows = top, ChunkBytes = chunkBytes, MaxDegreeOfParallelism = threads, BatchSize = 64 });

        var lines = Lines(output);
        Assert.Equal(Math.Min(top, lines.Count), summary.Top.Count);
        Assert.Equal(lines.Take(top), summary.Top.Select(l => AsLine(l, summary.Layout)));
        Assert.All(summary.Top, l => Assert.IsType<EchoAnnotator.Echo>(l.Annotation<EchoAnnotator.Echo>()));
    }

    [Fact]
    public void Should_Return_No_Top_Rows_When_None_Are_Asked_For()
    {
        using var dir = new TempDir();
        var summary = new BatchScorer(new LeadScorer(SampleModels.LoadSample())).ScoreFile(TestPaths.Data("leads-new.csv"), dir.File("ranked.csv"),
            new BatchScoringOptions { TopRows = 0 });
        Assert.Empty(summary.Top);
        Assert.Equal(500, summary.Leads);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Should_Hand_Every_Lead_To_The_Sink_Once_As_The_Ranked_File_Has_It(bool reasons)
    {
        using var dir = new TempDir();
        var input = TiedLeads(dir);
        var output = dir.File("ranked.csv");
        var sink = new CollectingSink();
        var summary = new BatchScorer(new LeadScorer(SampleModels.LoadSample()), [new EchoAnnotator()]).ScoreFile(input, output,
            new BatchScoringOptions { Reasons = reasons, ChunkBytes = 4096, MaxDegreeOfParallelism = 4, Sink = sink });

        var lines = Lines(output);
        var layout = summary.Layout;
        Assert.Equal(lines.Count, sink.Leads.Count);
        var byId = sink.Leads.ToDictionary(l => l.Id);
        foreach (var line in lines)
        {
            var lead = byId[line[1]];
            string[] expected = [lead.Id, LeadScorer.FormatProbability(lead.Probability), lead.Grade, .. lead.Cells, .. lead.Fields];
            string[] actual = [line[1], line[2], line[4], .. line[layout.AnnotationsAt..layout.TopReasonsAt], .. line[layout.InputAt..]];
            Assert.Equal(expected, actual);
            Assert.Equal(layout.InputHeader, lead.Header);
        }
    }

    private sealed class CollectingSink : IScoredLeadSink
    {
        public readonly ConcurrentBag<(string Id, double Probability, string Grade, string[] Cells, string[] Fields, IReadOnlyList<string> Header)> Leads = [];

        public void Scored(RankedLayout layout, in ScoredRow lead) =>
            Leads.Add((lead.Id, lead.Probability, lead.Grade, lead.Annotations.SelectMany(a => a.Cells).ToArray(), [.. lead.Fields], layout.InputHeader));
    }
}
