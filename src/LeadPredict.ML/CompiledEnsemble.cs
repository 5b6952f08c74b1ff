using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace LeadPredict.ML;

/// <summary>
/// A trained tree ensemble in plain arrays: scores a feature vector without ML.NET's per-call overhead and is
/// thread-safe. Each node keeps its expected output, weighted by how many training rows passed through it, from which
/// <see cref="PackedForest"/> splits a score into contributions relative to the average lead (Saabas) and scores many
/// leads at once.
/// Built from the ML.NET model and checked against ML.NET's own predictions when a model is trained and loaded.
/// </summary>
public sealed class CompiledEnsemble
{
    public required double Bias { get; init; }
    public required double PlattSlope { get; init; }
    public required double PlattOffset { get; init; }
    public required CompiledTree[] Trees { get; init; }

    public double RawScore(ReadOnlySpan<float> features)
    {
        // Two trees are walked side by side: each step of a walk waits on a load, and two independent walks overlap
        // those waits. The leaves are then added in tree order, so the sum is exactly that of one tree at a time.
        var score = Bias;
        var trees = Trees;
        var t = 0;
        for (; t + 1 < trees.Length; t += 2)
        {
            var a = trees[t];
            var b = trees[t + 1];
            CompiledTree.Leaves(a, b, features, out var la, out var lb);
            score += a.Weight * a.LeafValues[la];
            score += b.Weight * b.LeafValues[lb];
        }
        for (; t < trees.Length; t++) score += trees[t].Weight * trees[t].LeafValues[trees[t].Leaf(features)];
        return score;
    }

    public double Probability(ReadOnlySpan<float> features) => ToProbability(RawScore(features));

    public double ToProbability(double rawScore) => 1.0 / (1.0 + Math.Exp(PlattSlope * rawScore + PlattOffset));

    /// <summary>Raw scores after the first 1..n trees, every <paramref name="step"/> trees (for choosing the number of trees).</summary>
    public double[] RawScoresByTreeCount(ReadOnlySpan<float> features, int step)
    {
        var result = new double[Trees.Length / step];
        var score = Bias;
        for (var t = 0; t < Trees.Length; t++)
        {
            var tree = Trees[t];
            score += tree.Weight * tree.LeafValues[tree.Leaf(features)];
            if ((t + 1) % step == 0 && (t + 1) / step - 1 < result.Length) result[(t + 1) / step - 1] = score;
        }
        return result;
    }

    /// <summary>The expected raw score of a training lead (the starting point of the contributions).</summary>
    public double BaseScore => Bias + Trees.Sum(t => t.Weight * t.NodeValues[0]);

    /// <summary>Extracts the ensemble from a trained FastTree or LightGBM model; null for other trainers.</summary>
    public static CompiledEnsemble? TryCreate(ITransformer model, IReadOnlyList<float[]> trainingFeatures)
    {
        var last = model is TransformerChain<ITransformer> chain ? chain.LastTransformer : model;
        if (last is not ISingleFeaturePredictionTransformer<object> predictor) return null;
        if (predictor.Model is not CalibratedModelParametersBase calibrated) return null;
        var (subModel, calibrator) = Unwrap(calibrated);
        if (calibrator is not PlattCalibrator platt) return null;
        RegressionTreeEnsemble? ensemble = subModel switch
        {
            FastTreeBinaryModelParameters ft => ft.TrainedTreeEnsemble,
            Microsoft.ML.Trainers.LightGbm.LightGbmBinaryModelParameters lgbm => lgbm.TrainedTreeEnsemble,
            _ => null,
        };
        if (ensemble is null) return null;
        var trees = new CompiledTree[ensemble.Trees.Count];
        for (var i = 0; i < trees.Length; i++)
        {
            var t = ensemble.Trees[i];
            if (t.CategoricalSplitFlags.Any(c => c)) return null;
            trees[i] = CompiledTree.Create(t, ensemble.TreeWeights[i], trainingFeatures);
        }
        return new CompiledEnsemble { Bias = ensemble.Bias, PlattSlope = platt.Slope, PlattOffset = platt.Offset, Trees = trees };
    }

    private static (object SubModel, object Calibrator) Unwrap(CalibratedModelParametersBase calibrated)
    {
        // The generic CalibratedModelParametersBase<TSubModel, TCalibrator> exposes SubModel and Calibrator; its
        // non-generic base does not, and after loading from disk the generic arguments are only known at run time.
        var type = calibrated.GetType();
        while (type is not null && !(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(CalibratedModelParametersBase<,>)))
            type = type.BaseType;
        if (type is null) throw new InvalidOperationException($"unexpected calibrated model type {calibrated.GetType()}");
        const System.Reflection.BindingFlags declared = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly;
        var sub = type.GetProperty("SubModel", declared)!.GetValue(calibrated)!;
        var cal = type.GetProperty("Calibrator", declared)!.GetValue(calibrated)!;
        return (sub, cal);
    }
}

public sealed class CompiledTree
{
    public required double Weight { get; init; }
    public required int[] Left { get; init; }
    public required int[] Right { get; init; }
    public required int[] SplitFeature { get; init; }
    public required float[] Threshold { get; init; }
    public required double[] LeafValues { get; init; }
    /// <summary>Expected output of each internal node, weighted by training rows.</summary>
    public required double[] NodeValues { get; init; }

    private SplitNode[]? _nodes;
    private int _featuresNeeded;

    /// <summary>One internal node in one place, so walking the tree touches one array.</summary>
    internal readonly record struct SplitNode(int Feature, float Threshold, int Left, int Right);

    /// <summary>The nodes packed for walking; checks once that the feature vector is long enough for every split.</summary>
    internal ReadOnlySpan<SplitNode> Nodes(int featureCount, int contributionCount = int.MaxValue)
    {
        var nodes = _nodes ??= Pack();
        if (featureCount < _featuresNeeded || contributionCount < _featuresNeeded)
            throw new ArgumentException($"the tree splits on feature {_featuresNeeded - 1} but the vector has {Math.Min(featureCount, contributionCount)} features.");
        return nodes;
    }

    private SplitNode[] Pack()
    {
        var nodes = new SplitNode[Left.Length];
        var needed = 0;
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = new SplitNode(SplitFeature[i], Threshold[i], Left[i], Right[i]);
            needed = Math.Max(needed, SplitFeature[i] + 1);
        }
        _featuresNeeded = needed;
        return nodes;
    }

    /// <summary>The leaves two trees send a vector to, walking both at once.</summary>
    internal static void Leaves(CompiledTree a, CompiledTree b, ReadOnlySpan<float> features, out int leafA, out int leafB)
    {
        if (a.Left.Length == 0 || b.Left.Length == 0)
        {
            leafA = a.Leaf(features);
            leafB = b.Leaf(features);
            return;
        }
        ref var firstA = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a.Nodes(features.Length));
        ref var firstB = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b.Nodes(features.Length));
        ref var f0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(features);
        // In range as in Leaf: Nodes checked the vector covers every split feature; children index their own tree's nodes.
        int na = 0, nb = 0;
        while (true)
        {
            ref readonly var x = ref System.Runtime.CompilerServices.Unsafe.Add(ref firstA, na);
            ref readonly var y = ref System.Runtime.CompilerServices.Unsafe.Add(ref firstB, nb);
            na = System.Runtime.CompilerServices.Unsafe.Add(ref f0, x.Feature) <= x.Threshold ? x.Left : x.Right;
            nb = System.Runtime.CompilerServices.Unsafe.Add(ref f0, y.Feature) <= y.Threshold ? y.Left : y.Right;
            if (na < 0 || nb < 0) break;
        }
        while (na >= 0)
        {
            ref readonly var x = ref System.Runtime.CompilerServices.Unsafe.Add(ref firstA, na);
            na = System.Runtime.CompilerServices.Unsafe.Add(ref f0, x.Feature) <= x.Threshold ? x.Left : x.Right;
        }
        while (nb >= 0)
        {
            ref readonly var y = ref System.Runtime.CompilerServices.Unsafe.Add(ref firstB, nb);
            nb = System.Runtime.CompilerServices.Unsafe.Add(ref f0, y.Feature) <= y.Threshold ? y.Left : y.Right;
        }
        leafA = ~na;
        leafB = ~nb;
    }

    public int Leaf(ReadOnlySpan<float> features)
    {
        if (Left.Length == 0) return 0;
        var nodes = Nodes(features.Length);
        ref var first = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(nodes);
        ref var f0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(features);
        var node = 0;
        while (true)
        {
            // In range: Nodes checked the vector covers every split feature, and children index this tree's nodes.
            ref readonly var n = ref System.Runtime.CompilerServices.Unsafe.Add(ref first, node);
            var child = System.Runtime.CompilerServices.Unsafe.Add(ref f0, n.Feature) <= n.Threshold ? n.Left : n.Right;
            if (child < 0) return ~child;
            node = child;
        }
    }

    internal static CompiledTree Create(RegressionTree t, double weight, IReadOnlyList<float[]> training)
    {
        var tree = new CompiledTree
        {
            Weight = weight,
            Left = t.LeftChild.ToArray(),
            Right = t.RightChild.ToArray(),
            SplitFeature = t.NumericalSplitFeatureIndexes.ToArray(),
            Threshold = t.NumericalSplitThresholds.ToArray(),
            LeafValues = t.LeafValues.ToArray(),
            NodeValues = new double[Math.Max(1, t.NumberOfNodes)],
        };
        var leafCounts = new long[tree.LeafValues.Length];
        var step = Math.Max(1, training.Count / 50_000);
        for (var i = 0; i < training.Count; i += step) leafCounts[tree.Leaf(training[i])]++;
        if (tree.Left.Length > 0) tree.FillNodeValues(0, leafCounts);
        else tree.NodeValues[0] = tree.LeafValues[0];
        return tree;
    }

    private (double Sum, long Count) FillNodeValues(int node, long[] leafCounts)
    {
        (double, long) Child(int c) => c < 0 ? (LeafValues[~c] * Math.Max(1, leafCounts[~c]), Math.Max(1, leafCounts[~c])) : FillNodeValues(c, leafCounts);
        var (ls, lc) = Child(Left[node]);
        var (rs, rc) = Child(Right[node]);
        NodeValues[node] = (ls + rs) / (lc + rc);
        return (ls + rs, lc + rc);
    }
}
