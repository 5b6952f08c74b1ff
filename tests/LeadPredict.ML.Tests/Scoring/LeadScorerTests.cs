using LeadPredict.Core;
using LeadPredict.ML.Scoring;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Scoring;

public sealed class LeadScorerTests
{
    private static readonly Lazy<LeadScorer> Scorer = new(() => new LeadScorer(SampleModels.LoadSample()));

    private static ScoredLead Score(params (string Column, string? Value)[] values)
    {
        var scorer = Scorer.Value;
        var row = scorer.FeatureColumns.Select(c => values.FirstOrDefault(v => v.Column == c.Name).Value).ToArray();
        return scorer.Score(row);
    }

    [Fact]
    public void Scoring_many_leads_at_once_gives_each_lead_exactly_what_scoring_it_alone_gives()
    {
        var scorer = Scorer.Value;
        AssertManyAtOnceMatchOneByOne(scorer);
    }

    internal static void AssertManyAtOnceMatchOneByOne(LeadScorer scorer)
    {
        var leads = SampleModels.LeadValues(scorer, TestPaths.Data("leads-new.csv"));
        foreach (var each in new[] { 0, 3 })
        {
            var many = new ScoredLead[leads.Length];
            scorer.ScoreMany(leads, many, each);
            for (var i = 0; i < leads.Length; i++)
            {
                var one = scorer.Score(leads[i], each);
                Assert.Equal(one.Probability, many[i].Probability);
                Assert.Equal(one.Grade, many[i].Grade);
                Assert.Equal(one.Reasons, many[i].Reasons);
            }
        }
    }

    [Fact]
    public void Should_Quote_A_Long_Number_Rounded_In_A_Reason_When_The_Lead_Has_One()
    {
        var scorer = Scorer.Value;
        var numeric = scorer.FeatureColumns.Select((c, i) => (c, i)).Where(x => x.c.Kind == ColumnKind.Numeric).Select(x => x.i).ToArray();
        var row = new string?[scorer.FeatureColumns.Count];
        foreach (var c in numeric) row[c] = "54.08315";
        var lead = scorer.Score(row, reasonsEachWay: 50);
        var quoted = lead.Reasons.Where(r => scorer.FeatureColumns.Single(c => c.Name == r.Column).Kind == ColumnKind.Numeric).ToArray();
        Assert.NotEmpty(quoted);
        Assert.All(quoted, r => Assert.Equal("54.1", r.Value));
    }

    [Fact]
    public void The_top_columns_are_the_strongest_each_way_strongest_first_and_the_earlier_column_first_among_equals()
    {
        float[] byColumn = [0.5f, -0.2f, 0.5f, 0.1f, -0.9f, 0f, 0.3f, 1e-12f];
        Span<int> top = stackalloc int[6];
        var raised = LeadScorer.TopColumns(byColumn, 3, top, out var count);
        Assert.Equal(3, raised);
        Assert.Equal([0, 2, 6, 4, 1], top[..count].ToArray());
    }

    [Fact]
    public void A_category_never_seen_in_training_is_scored_not_rejected()
    {
        var lead = Score(("industry", "Interplanetary Mining"), ("country", "Atlantis"), ("demo_requested", "yes"), ("pricing_page_views", "5"));
        Assert.InRange(lead.Probability, 0, 1);
    }

    [Fact]
    public void A_lead_with_every_value_missing_still_gets_a_probability_and_a_grade()
    {
        var lead = Score();
        Assert.InRange(lead.Probability, 0, 1);
        Assert.Contains(lead.Grade, new[] { "A", "B", "C", "D" });
    }

    [Fact]
    public void Engagement_raises_the_probability()
    {
        var cold = Score(("job_title", "Student"), ("demo_requested", "no"), ("pricing_page_views", "0"), ("employees", "300"));
        var hot = Score(("job_title", "VP of Sales"), ("demo_requested", "yes"), ("pricing_page_views", "9"), ("employees", "300"));
        Assert.True(hot.Probability > cold.Probability + 0.3, $"hot {hot.Probability:F3} vs cold {cold.Probability:F3}");
        Assert.Equal(LeadScorer.ToScore(hot.Probability), hot.Score);
    }

    [Fact]
    public void An_unreadable_number_is_counted_and_scored_as_missing()
    {
        var scorer = Scorer.Value;
        var issues = new FeaturizeIssues(scorer.FeatureColumns.Count);
        var row = scorer.FeatureColumns.Select(c => c.Name == "employees" ? "lots" : null).ToArray();
        scorer.Score(row, issues: issues);
        var problem = Assert.Single(issues.Problems());
        Assert.Equal("'lots'", problem.Example);
        Assert.Contains("'employees'", FeaturizeIssues.Describe(scorer.Bundle.Featurizer, issues));
    }

    [Fact]
    public void Grades_follow_the_configured_thresholds()
    {
        var grades = new GradeOptions();
        Assert.Equal("A", grades.GradeOf(0.6));
        Assert.Equal("B", grades.GradeOf(0.59));
        Assert.Equal("C", grades.GradeOf(0.15));
        Assert.Equal("D", grades.GradeOf(0.149));
    }
}

/// <summary>The batch path is checked against one lead at a time, bit for bit, for every kind of model.</summary>
public sealed class LeadScorerKindsTests
{
    [Theory]
    [MemberData(nameof(Explaining.ModelKinds.Names), MemberType = typeof(Explaining.ModelKinds))]
    public void Should_give_each_lead_exactly_what_scoring_it_alone_gives_When_many_leads_are_scored_at_once(string kind)
    {
        var scorer = new LeadScorer(Explaining.ModelKinds.Load(kind));
        LeadScorerTests.AssertManyAtOnceMatchOneByOne(scorer);
    }

    [Theory]
    [MemberData(nameof(Explaining.ModelKinds.Names), MemberType = typeof(Explaining.ModelKinds))]
    public void Should_give_the_same_probability_When_reasons_are_turned_off(string kind)
    {
        var scorer = new LeadScorer(Explaining.ModelKinds.Load(kind));
        foreach (var lead in SampleModels.LeadValues(scorer, TestPaths.Data("leads-new.csv"), 100))
            Assert.Equal(scorer.Score(lead, 3).Probability, scorer.Score(lead, 0).Probability);
    }
}
