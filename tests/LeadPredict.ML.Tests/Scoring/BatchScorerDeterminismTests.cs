using System.Globalization;
using LeadPredict.Core.Csv;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;
using LeadPredict.SampleData;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Scoring;

/// <summary>
/// Batch scoring gives the same ranked file whatever the degree of parallelism and however the input is cut into chunks,
/// and the same ranks and probabilities as scoring each lead on its own.
/// </summary>
public sealed class BatchScorerDeterminismTests
{
    private static readonly Lazy<string> NewLeads = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "leadpredict-tests", "batch-determinism-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "new-5000.csv");
        if (!File.Exists(path)) LeadGenerator.WriteCsv(path, new GeneratorOptions { Rows = 5_000, Seed = 11, IncludeOutcome = false, FirstId = 900_000 });
        return path;
    });

    public static TheoryData<string> Inputs => new() { "sample", "generated" };

    private static string Input(string which) => which == "sample" ? TestPaths.Data("leads-new.csv") : NewLeads.Value;

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Should_Write_The_Same_File_When_Scored_On_One_Thread_Or_In_Parallel(string which)
    {
        using var dir = new TempDir();
        var scorer = new BatchScorer(new LeadScorer(SampleModels.LoadSample()), [new EchoAnnotator()]);
        var one = dir.File("one.csv");
        var many = dir.File("many.csv");
        scorer.ScoreFile(Input(which), one, new BatchScoringOptions { MaxDegreeOfParallelism = 1, ChunkBytes = 4096 });
        scorer.ScoreFile(Input(which), many, new BatchScoringOptions { MaxDegreeOfParallelism = 4, ChunkBytes = 4096 });
        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(many));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Should_Write_The_Same_File_When_Streamed_One_Lead_At_A_Time_Or_In_Default_Chunks(string which)
    {
        using var dir = new TempDir();
        var scorer = new BatchScorer(new LeadScorer(SampleModels.LoadSample()), [new EchoAnnotator()]);
        var single = dir.File("chunk1.csv");
        var chunked = dir.File("default.csv");
        var all = dir.File("whole.csv");
        var a = scorer.ScoreFile(Input(which), single, new BatchScoringOptions { ChunkBytes = 16, BatchSize = 1 });
        var b = scorer.ScoreFile(Input(which), chunked, new BatchScoringOptions());
        scorer.ScoreFile(Input(which), all, new BatchScoringOptions { ChunkBytes = 1 << 30 });
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(chunked));
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(all));
        Assert.Equal(a.Grades, b.Grades);
        Assert.Equal(a.Top.Select(r => (r.Rank, r.Id, r.Probability, string.Join(" | ", r.Reasons))), b.Top.Select(r => (r.Rank, r.Id, r.Probability, string.Join(" | ", r.Reasons))));
    }

    [Theory]
    [InlineData("sample", true)]
    [InlineData("sample", false)]
    [InlineData("generated", true)]
    [InlineData("generated", false)]
    public void Should_Write_What_A_Simple_Writer_Writes_From_Each_Lead_Scored_Alone(string which, bool reasons)
    {
        using var dir = new TempDir();
        var scorer = new LeadScorer(SampleModels.LoadSample());
        var output = dir.File("ranked.csv");
        new BatchScorer(scorer, [new EchoAnnotator()]).ScoreFile(Input(which), output, new BatchScoringOptions { Reasons = reasons, ChunkBytes = 8192 });
        Assert.Equal(ReferenceRankedFile.Write(scorer, [new EchoAnnotator()], Input(which), reasons), File.ReadAllBytes(output));
    }

    [Fact]
    public void Should_Rank_As_Scoring_Each_Lead_Alone_When_Scored_In_Parallel()
    {
        using var dir = new TempDir();
        var bundle = SampleModels.LoadSample();
        var leadScorer = new LeadScorer(bundle);
        var output = dir.File("ranked.csv");
        var summary = new BatchScorer(leadScorer).ScoreFile(NewLeads.Value, output, new BatchScoringOptions { ChunkBytes = 8192 });

        // Expected: each lead scored alone, sorted by probability (highest first), ties in file order.
        var expected = new List<(string Id, double P)>();
        using (var reader = new CsvRecordReader(NewLeads.Value))
        {
            var binding = leadScorer.Bind(reader.Header, NewLeads.Value);
            var fields = new List<string>();
            var values = new string?[leadScorer.FeatureColumns.Count];
            while (reader.Read(fields))
            {
                leadScorer.Extract(binding, fields, values);
                expected.Add((fields[binding.IdIndex], leadScorer.Score(values, 0).Probability));
            }
        }
        var ranked = expected.Select((e, i) => (e, i)).OrderByDescending(x => x.e.P).ThenBy(x => x.i).Select(x => x.e).ToArray();

        var actual = new List<(int Rank, string Id, double P)>();
        foreach (var line in File.ReadLines(output).Skip(1)) // the ranked file repeats the id column, so read its first fields by hand
        {
            var fields = line.Split(',', 4);
            actual.Add((int.Parse(fields[0], CultureInfo.InvariantCulture), fields[1], double.Parse(fields[2], CultureInfo.InvariantCulture)));
        }
        Assert.Equal(ranked.Length, actual.Count);
        Assert.Equal(ranked.Length, summary.Leads);
        for (var k = 0; k < ranked.Length; k++)
        {
            Assert.Equal(k + 1, actual[k].Rank);
            Assert.Equal(ranked[k].Id, actual[k].Id);
            Assert.InRange(actual[k].P, ranked[k].P - 1e-6, ranked[k].P + 1e-6);
        }
    }

    [Fact]
    public void Should_Report_The_Line_Of_A_Bad_Record_When_Scoring_In_Parallel()
    {
        using var dir = new TempDir();
        var lines = File.ReadAllLines(NewLeads.Value).ToList();
        lines[3000] += ",extra";
        var input = dir.Write("bad.csv", string.Join('\n', lines) + "\n");
        var output = dir.File("ranked.csv");
        var e = Assert.Throws<LeadPredict.Core.InputFileException>(() =>
            new BatchScorer(new LeadScorer(SampleModels.LoadSample())).ScoreFile(input, output, new BatchScoringOptions { ChunkBytes = 8192 }));
        Assert.Contains("3001", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }
}
