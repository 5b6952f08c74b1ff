namespace LeadPredict.ML.Tests.Trees;

/// <summary>Finding leaves by ruling others out must reach exactly the leaf walking the tree reaches, for every tree and lead.</summary>
public sealed class QuickScorerTests
{
    [Fact]
    public void Every_lead_reaches_the_leaf_its_walk_reaches_in_every_tree()
    {
        var (ensemble, leads) = (TreeLeads.Ensemble, TreeLeads.Leads);
        var scorer = QuickScorer.TryCreate(ensemble.Trees);
        Assert.NotNull(scorer);
        var trees = ensemble.Trees;
        var firstLeaf = new int[trees.Length];
        for (var t = 1; t < trees.Length; t++) firstLeaf[t] = firstLeaf[t - 1] + trees[t - 1].LeafValues.Length;
        var width = leads[0].Length;
        var block = new float[width * QuickScorer.Lanes];
        var leaves = new int[QuickScorer.Lanes * trees.Length];
        var sums = new double[QuickScorer.Lanes];
        for (var at = 0; at + QuickScorer.Lanes <= leads.Length; at += QuickScorer.Lanes)
        {
            for (var i = 0; i < QuickScorer.Lanes; i++)
                for (var f = 0; f < width; f++) block[f * QuickScorer.Lanes + i] = leads[at + i][f];
            var bits = new uint[scorer!.ScratchLength];
            scorer.Record(block, leaves, trees.Length, bits);
            scorer.Sum(block, ensemble.Bias, sums, bits);
            for (var i = 0; i < QuickScorer.Lanes; i++)
            {
                for (var t = 0; t < trees.Length; t++)
                    Assert.Equal(firstLeaf[t] + trees[t].Leaf(leads[at + i]), leaves[i * trees.Length + t]);
                Assert.Equal(ensemble.RawScore(leads[at + i]), sums[i]);
            }
        }
    }

    [Fact]
    public void Trees_with_more_leaves_than_fit_in_a_lane_are_walked_instead_and_score_the_same()
    {
        // A chain of 32 splits on feature 0: 33 leaves, one more than a lane's 32 bits.
        const int splits = 32;
        var deep = new CompiledTree
        {
            Weight = 1,
            SplitFeature = new int[splits],
            Threshold = Enumerable.Range(0, splits).Select(i => (float)i).ToArray(),
            Left = Enumerable.Range(0, splits).Select(i => ~i).ToArray(),
            Right = Enumerable.Range(0, splits).Select(i => i + 1 < splits ? i + 1 : ~splits).ToArray(),
            LeafValues = Enumerable.Range(0, splits + 1).Select(i => 0.01 * i).ToArray(),
            NodeValues = Enumerable.Range(0, splits).Select(i => 0.005 * i).ToArray(),
        };
        var ensemble = new CompiledEnsemble { Bias = 0.25, PlattSlope = -1, PlattOffset = 0, Trees = [deep, .. TreeLeads.Ensemble.Trees.Take(3)] };
        Assert.Null(QuickScorer.TryCreate(ensemble.Trees));

        var forest = new PackedForest(ensemble);
        var leads = TreeLeads.Leads.Select((f, i) => f.Select((v, k) => k == 0 ? i % 40 - 3.5f : v).ToArray()).ToArray();
        var scores = new double[leads.Length];
        var explained = new double[leads.Length];
        var contributions = new float[leads.Length * forest.Stride];
        forest.Score(leads.SelectMany(f => f).ToArray(), leads[0].Length, scores);
        forest.Score(leads.SelectMany(f => f).ToArray(), leads[0].Length, explained, contributions);
        for (var i = 0; i < leads.Length; i++)
        {
            var one = new float[forest.Stride];
            Assert.Equal(ensemble.RawScore(leads[i]), scores[i]);
            Assert.Equal(ensemble.RawScore(leads[i]), explained[i]);
            Assert.Equal(ensemble.RawScore(leads[i]), forest.ScoreOne(leads[i], one));
            Assert.Equal(one, contributions.AsSpan(i * forest.Stride, forest.Stride).ToArray());
        }
        Assert.True(scores.Distinct().Count() > 30);
    }
}
