using LeadPredict.ML.Scoring;
using LeadPredict.Rules;
using LeadPredict.TestSupport;

namespace LeadPredict.Advice.Tests;

/// <summary>The funnel annotator's typed view of a lead: what the console summary, the API and the prediction log read.</summary>
public sealed class FunnelAnnotationTests
{
    /// <summary>Every lead of the awkward sample, typed, with rules or without.</summary>
    private static IReadOnlyList<RankedLead> Ranked(TempDir dir, bool withRules)
    {
        var bundle = SampleModels.LoadSample();
        var annotator = new FunnelAnnotator(bundle, withRules ? TestPaths.Data("rules.json") : null);
        Assert.Equal(withRules, annotator.ChecksIcp);
        return new BatchScorer(new LeadScorer(bundle), [annotator])
            .ScoreFile(RankedFileAdviceTests.AwkwardLeads(dir), dir.File("ranked.csv"), new BatchScoringOptions { TopRows = 1_000 }).Top;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_typed_advice_reads_as_the_cells_the_ranked_file_shows(bool withRules)
    {
        using var dir = new TempDir();
        foreach (var lead in Ranked(dir, withRules))
        {
            var a = lead.Annotation<FunnelAnnotation>()!;
            string[] expected = withRules
                ? [a.IcpFit, a.IcpScore, a.IcpFailed, a.Stage, a.SuggestedStage, a.Action, a.Reason]
                : [a.Stage, a.SuggestedStage, a.Action, a.Reason];
            Assert.Equal(expected, a.Cells);
            Assert.Equal(a.Advice.Action.ToString().ToLowerInvariant(), a.Action);
            Assert.Equal(withRules, a.Advice.Icp is not null);
        }
    }

    [Fact]
    public void A_hidden_gem_is_a_review_whose_reason_says_hidden_gem_and_nothing_else_is()
    {
        using var dir = new TempDir();
        var leads = Ranked(dir, withRules: true).Select(l => l.Annotation<FunnelAnnotation>()!).ToArray();
        var gems = leads.Where(a => a.Advice.Review == ReviewReason.HiddenGem).ToArray();
        Assert.NotEmpty(gems);
        Assert.All(gems, a => Assert.Equal(LeadAction.Review, a.Advice.Action));
        Assert.All(gems, a => Assert.Equal("fail", a.IcpFit));
        Assert.Equal(gems.Length, leads.Count(a => a.Reason.StartsWith("Hidden gem", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_unknown_stage_is_shown_as_given_with_no_suggestion_and_a_review()
    {
        using var dir = new TempDir();
        var unknown = Ranked(dir, withRules: false).Select(l => l.Annotation<FunnelAnnotation>()!)
            .Where(a => a.Advice.Review == ReviewReason.UnknownStage).ToArray();
        Assert.NotEmpty(unknown);
        Assert.All(unknown, a =>
        {
            Assert.Equal("review", a.Action);
            Assert.Equal("", a.SuggestedStage);
            Assert.Equal(a.Advice.StageValue, a.Stage);
        });
        Assert.Contains(unknown, a => a.Stage == "Negotiation, late");
    }
}
