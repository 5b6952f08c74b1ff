namespace LeadPredict.ML.Tests.Trees;

/// <summary>Scoring many leads at once must give exactly what scoring them one by one gives: the ranked file depends on it.</summary>
public sealed class PackedForestTests
{
    private static CompiledEnsemble Ensemble => TreeLeads.Ensemble;
    private static float[][] Leads => TreeLeads.Leads;
    private static int Width => TreeLeads.Width;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(800)]
    public void Batch_raw_scores_are_bit_for_bit_the_one_lead_scores(int rows)
    {
        var forest = new PackedForest(Ensemble);
        var batch = Leads.Take(rows).ToArray();
        var scores = new double[batch.Length];
        forest.Score(batch.SelectMany(f => f).ToArray(), Width, scores);
        for (var i = 0; i < batch.Length; i++)
        {
            Assert.Equal(Ensemble.RawScore(batch[i]), scores[i]);
            Assert.Equal(Ensemble.RawScore(batch[i]), forest.ScoreOne(batch[i]));
        }
    }

    [Fact]
    public void A_tree_without_splits_adds_its_one_leaf_in_tree_order()
    {
        // A constant tree between two real ones (a trainer can leave one when no split helps).
        var real = Ensemble.Trees;
        var constant = new CompiledTree
        {
            Weight = 0.5, Left = [], Right = [], SplitFeature = [], Threshold = [], LeafValues = [0.123456789], NodeValues = [],
        };
        var ensemble = new CompiledEnsemble
        {
            Bias = Ensemble.Bias, PlattSlope = Ensemble.PlattSlope, PlattOffset = Ensemble.PlattOffset, Trees = [real[0], constant, real[1], constant],
        };
        var forest = new PackedForest(ensemble);
        var scores = new double[Leads.Length];
        var explained = new double[Leads.Length];
        var contributions = new float[Leads.Length * forest.Stride];
        forest.Score(Leads.SelectMany(f => f).ToArray(), Width, scores);
        forest.Score(Leads.SelectMany(f => f).ToArray(), Width, explained, contributions);
        for (var i = 0; i < Leads.Length; i++)
        {
            var one = new float[forest.Stride];
            Assert.Equal(ensemble.RawScore(Leads[i]), scores[i]);
            Assert.Equal(ensemble.RawScore(Leads[i]), explained[i]);
            Assert.Equal(ensemble.RawScore(Leads[i]), forest.ScoreOne(Leads[i], one));
            Assert.Equal(one, contributions.AsSpan(i * forest.Stride, forest.Stride).ToArray());
        }
    }

    [Fact]
    public void Batch_contributions_per_column_are_bit_for_bit_the_one_lead_contributions()
    {
        var columns = TreeLeads.Bundle.Featurizer.Slots.Select(s => s.Column).ToArray();
        var forest = new PackedForest(Ensemble, columns);
        Assert.Equal(TreeLeads.Bundle.Featurizer.Columns.Count, forest.Groups);
        var contributions = new float[Leads.Length * forest.Stride];
        var scores = new double[Leads.Length];
        forest.Score(Leads.SelectMany(f => f).ToArray(), Width, scores, contributions);
        for (var i = 0; i < Leads.Length; i++)
        {
            var one = new float[forest.Stride];
            Assert.Equal(scores[i], forest.ScoreOne(Leads[i], one));
            Assert.Equal(one, contributions.AsSpan(i * forest.Stride, forest.Stride).ToArray());
        }
    }

    [Fact]
    public void Contributions_are_the_saabas_contributions_and_add_up_to_the_score()
    {
        var forest = new PackedForest(Ensemble);
        foreach (var lead in Leads.Take(100))
        {
            var packed = new float[forest.Stride];
            var raw = forest.ScoreOne(lead, packed);
            var expected = Saabas(Ensemble, lead);
            // Stored as floats: good to about 1e-6 of the score's scale.
            for (var s = 0; s < forest.FeaturesNeeded; s++) Assert.Equal(expected[s], packed[s], 1e-4);
            Assert.All(packed.Skip(forest.FeaturesNeeded), c => Assert.Equal(0, c));
            Assert.Equal(raw - Ensemble.BaseScore, packed.Sum(c => (double)c), 1e-4);
        }
    }

    [Fact]
    public void A_vector_shorter_than_the_trees_need_is_refused()
    {
        var forest = new PackedForest(Ensemble);
        var narrow = forest.FeaturesNeeded - 1;
        var error = Assert.Throws<ArgumentException>(() => forest.Score(new float[4 * narrow], narrow, new double[4]));
        Assert.Contains("split on feature", error.Message);
        Assert.Throws<ArgumentException>(() => forest.ScoreOne(new float[narrow]));
    }

    /// <summary>The definition: along each tree's path, the split's feature gets the change in the expected output.</summary>
    private static double[] Saabas(CompiledEnsemble ensemble, float[] features)
    {
        var contributions = new double[features.Length];
        foreach (var t in ensemble.Trees)
        {
            if (t.Left.Length == 0) continue;
            var node = 0;
            var expected = t.NodeValues[0];
            while (true)
            {
                var f = t.SplitFeature[node];
                var child = features[f] <= t.Threshold[node] ? t.Left[node] : t.Right[node];
                var next = child < 0 ? t.LeafValues[~child] : t.NodeValues[child];
                contributions[f] += t.Weight * (next - expected);
                expected = next;
                if (child < 0) break;
                node = child;
            }
        }
        return contributions;
    }
}
