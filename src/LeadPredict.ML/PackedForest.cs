using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LeadPredict.ML;

/// <summary>
/// A <see cref="CompiledEnsemble"/> laid out for fast scoring and explaining, above all of many leads at once.
/// <para>
/// Batches of eight leads find their leaves with <see cref="QuickScorer"/> (ruling leaves out split by split, with no
/// walk at all) when every tree has at most 32 leaves, which is about 3x fewer cycles a lead than the walks below; the
/// walks serve one lead at a time, and batches of trees with more leaves.
/// </para>
/// <para>
/// Walking a tree is a chain of dependent loads with a hard-to-predict branch per level. Here the trees are chained into
/// one long walk (each leaf leads on to the next tree's root, the last tree's leaves to an end node that leads to itself),
/// and eight leads take that walk side by side, one branch-free step each at a time, so the core keeps eight loads in
/// flight and no lead waits for a deeper one to finish a tree (about 3x fewer cycles a lead than one walk at a time):
/// </para>
/// <list type="bullet">
/// <item>Nodes are 32 bytes in one array and children are byte offsets into it, so a step is a handful of instructions.</item>
/// <item>Eight leads' features are interleaved (feature f of lead i at 8f + i) and each node stores 8f (in bytes), so
/// lead i's value is one load at a constant offset.</item>
/// <item>There are no leaf nodes, only splits: a branch to a leaf names the leaf and leads to the next tree's root, so a
/// tree costs one step fewer than walking to the leaf. Leaves' outputs are added in tree order, exactly as
/// <see cref="CompiledEnsemble.RawScore"/> does.</item>
/// </list>
/// <para>
/// Explanations (Saabas): each leaf keeps, per group of feature slots (per original column for reasons), the sum of the
/// changes in expected output made by the splits on its path, as a row of floats, so explaining a lead costs the walk plus
/// a few vector additions per tree. Sums are made in tree order, and per leaf in path order, the same way in the batch and the one-lead methods,
/// so both give bit-for-bit the same results.
/// </para>
/// </summary>
internal sealed class PackedForest
{
    public const int Lanes = 8;

    private const int NodeBytes = 32;

    /// <summary>A split of the walk, which has no leaf nodes: a branch to a leaf names the leaf (-1 for a branch to a split) and leads to the next tree's root.</summary>
    [StructLayout(LayoutKind.Sequential, Size = NodeBytes)]
    private struct Split
    {
        public int FeatureOffset;
        public float Threshold;
        public int Left;
        public int Right;
        public int LeftLeaf;
        public int RightLeaf;
    }

    private readonly Split[] _splits;
    /// <summary>Batches use it instead of walking when every tree has at most 32 leaves (the usual case).</summary>
    private readonly QuickScorer? _quick;
    /// <summary>Every walk starts at the first tree's root, the first node, and ends at the last node, the end.</summary>
    private const int Entry = 0;
    private readonly int _end;
    private readonly int _trees;
    private readonly double[] _leafOutput;
    // The explanation of leaf k: its contribution to each group, at _explanations[k × Stride ..], zero-padded to Stride.
    private readonly float[] _explanations;

    /// <param name="ensemble">The trees.</param>
    /// <param name="slotGroups">For explanations: the group (e.g. the original column) of each feature slot; null: each slot is its own group.</param>
    public PackedForest(CompiledEnsemble ensemble, IReadOnlyList<int>? slotGroups = null)
    {
        Bias = ensemble.Bias;
        var trees = ensemble.Trees;
        _trees = trees.Length;
        var leafCount = trees.Sum(t => t.LeafValues.Length);
        _leafOutput = new double[leafCount];
        var explanations = new List<(int Group, double Delta)>[leafCount];
        var leafId = 0;
        foreach (var tree in trees)
        {
            for (var i = 0; i < tree.Left.Length; i++)
            {
                var feature = tree.SplitFeature[i];
                FeaturesNeeded = Math.Max(FeaturesNeeded, feature + 1);
                Groups = Math.Max(Groups, (slotGroups is null ? feature : slotGroups[feature]) + 1);
            }
            var paths = new List<(int Group, double Delta)>[tree.LeafValues.Length];
            if (tree.Left.Length == 0) paths[0] = [];
            else Collect(tree, 0, tree.NodeValues[0], slotGroups, [], paths);
            for (var j = 0; j < tree.LeafValues.Length; j++, leafId++)
            {
                _leafOutput[leafId] = tree.Weight * tree.LeafValues[j];
                explanations[leafId] = paths[j];
            }
        }
        (_splits, _end) = Pack(trees);
        _quick = QuickScorer.TryCreate(trees);
        if (slotGroups is not null) Groups = Math.Max(Groups, slotGroups.Count == 0 ? 0 : slotGroups.Max() + 1);
        Stride = Math.Max(1, (Groups + Vector256<float>.Count - 1) / Vector256<float>.Count) * Vector256<float>.Count;
        _explanations = new float[leafCount * Stride];
        for (var k = 0; k < leafCount; k++)
            foreach (var (group, delta) in explanations[k]) _explanations[k * Stride + group] = (float)delta;
    }

    /// <summary>
    /// The walk's nodes: each tree's splits in order, children as byte offsets, a leaf child pointing at the next tree's
    /// root with the leaf's number. A tree without splits becomes one split whose both branches lead to its leaf, so a walk
    /// passes exactly one leaf a tree, in tree order. The last node is the end, which leads to itself.
    /// </summary>
    private static (Split[] Splits, int End) Pack(CompiledTree[] trees)
    {
        var first = new int[trees.Length + 1];
        for (var t = 0; t < trees.Length; t++) first[t + 1] = first[t] + Math.Max(1, trees[t].Left.Length);
        var end = first[^1];
        var splits = new Split[end + 1];
        splits[end] = new Split { Left = end * NodeBytes, Right = end * NodeBytes, LeftLeaf = -1, RightLeaf = -1 };
        var firstLeaf = 0;
        for (var t = 0; t < trees.Length; t++)
        {
            var tree = trees[t];
            var next = first[t + 1] * NodeBytes;
            if (tree.Left.Length == 0)
                splits[first[t]] = new Split { Left = next, Right = next, LeftLeaf = firstLeaf, RightLeaf = firstLeaf };
            for (var i = 0; i < tree.Left.Length; i++)
            {
                var (left, leftLeaf) = Child(tree.Left[i]);
                var (right, rightLeaf) = Child(tree.Right[i]);
                splits[first[t] + i] = new Split
                {
                    FeatureOffset = tree.SplitFeature[i] * Lanes * sizeof(float), Threshold = tree.Threshold[i],
                    Left = left, Right = right, LeftLeaf = leftLeaf, RightLeaf = rightLeaf,
                };
            }
            firstLeaf += tree.LeafValues.Length;

            (int Offset, int Leaf) Child(int c) => c >= 0 ? ((first[t] + c) * NodeBytes, -1) : (next, firstLeaf + ~c);
        }
        return (splits, end * NodeBytes);
    }

    /// <summary>Each leaf's path, as the change in expected output per group, summed in path order (groups in order of first appearance).</summary>
    private static void Collect(CompiledTree tree, int node, double expected, IReadOnlyList<int>? slotGroups,
        List<(int Group, double Delta)> path, List<(int, double)>[] leaves)
    {
        var feature = tree.SplitFeature[node];
        var group = slotGroups is null ? feature : slotGroups[feature];
        foreach (var child in new[] { tree.Left[node], tree.Right[node] })
        {
            var next = child < 0 ? tree.LeafValues[~child] : tree.NodeValues[child];
            var delta = tree.Weight * (next - expected);
            var here = path.FindIndex(p => p.Group == group);
            var before = here >= 0 ? path[here] : default;
            if (here >= 0) path[here] = (group, before.Delta + delta);
            else path.Add((group, delta));
            if (child < 0) leaves[~child] = [.. path];
            else Collect(tree, child, next, slotGroups, path, leaves);
            if (here >= 0) path[here] = before;
            else path.RemoveAt(path.Count - 1);
        }
    }

    public double Bias { get; }

    /// <summary>One more than the highest feature index any split reads.</summary>
    public int FeaturesNeeded { get; }

    /// <summary>The number of groups (or of feature slots without groups): a lead's contributions are in the first Groups slots of its row.</summary>
    public int Groups { get; }

    /// <summary>The length of a lead's row of contributions: <see cref="Groups"/> rounded up to a whole number of vectors.</summary>
    public int Stride { get; }

    /// <summary>
    /// Raw scores of <paramref name="scores"/>.Length leads whose features are row-major in <paramref name="features"/>
    /// (<paramref name="width"/> per lead). With <paramref name="contributions"/> (row-major, <see cref="Stride"/> per lead),
    /// each lead's contributions per group are added there too.
    /// </summary>
    public void Score(ReadOnlySpan<float> features, int width, Span<double> scores, Span<float> contributions = default)
    {
        var rows = scores.Length;
        if (width < FeaturesNeeded)
            throw new ArgumentException($"the trees split on feature {FeaturesNeeded - 1} but the vectors have {width} features.");
        if (features.Length < rows * width) throw new ArgumentException($"{features.Length} features is fewer than {rows} leads × {width}.");
        var explain = !contributions.IsEmpty;
        if (explain && contributions.Length < rows * Stride)
            throw new ArgumentException($"{contributions.Length} contribution slots is fewer than {rows} leads × {Stride}.");

        var block = width <= 1024 ? stackalloc float[width * Lanes] : new float[width * Lanes];
        Span<double> sums = stackalloc double[Lanes];
        var leaves = explain || _quick is null ? new int[Lanes * (_trees + 1)] : [];
        var bits = _quick is null ? [] : _quick.ScratchLength <= 8192 ? stackalloc uint[_quick.ScratchLength] : new uint[_quick.ScratchLength];
        for (var at = 0; at < rows; at += Lanes)
        {
            var count = Math.Min(Lanes, rows - at);
            Interleave(features, width, at, count, block);
            if (!explain && _quick is not null)
            {
                _quick.Sum(block, Bias, sums, bits);
                sums[..count].CopyTo(scores.Slice(at, count));
                continue;
            }
            if (_quick is not null) _quick.Record(block, leaves, _trees + 1, bits);
            else Walk(block, leaves);
            if (!explain)
            {
                // Trees with more leaves than QuickScorer takes: each lane's leaves added in tree order.
                for (var lane = 0; lane < count; lane++)
                {
                    var score = Bias;
                    foreach (var leaf in leaves.AsSpan(lane * (_trees + 1), _trees)) score += _leafOutput[leaf];
                    scores[at + lane] = score;
                }
                continue;
            }
            var i = 0;
            if (Stride <= 4 * Vector256<float>.Count)
                for (; i + 4 <= count; i += 4) ExplainFour(leaves, i, contributions.Slice((at + i) * Stride, 4 * Stride), scores.Slice(at + i, 4));
            for (; i < count; i++)
            {
                var score = Bias;
                ref var row = ref contributions[(at + i) * Stride];
                foreach (var leaf in leaves.AsSpan(i * (_trees + 1), _trees))
                {
                    score += _leafOutput[leaf];
                    Explain(leaf, ref row);
                }
                scores[at + i] = score;
            }
        }
    }

    /// <summary>
    /// The scores and contributions of four lanes' recorded leaves, for rows of at most four vectors: the same sums in the
    /// same order as one lead at a time (<see cref="Explain"/>), but kept in registers and four leads at once, so the
    /// additions of one lead do not wait on each other through memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ExplainFour(ReadOnlySpan<int> leaves, int lane, Span<float> rows, Span<double> scores)
    {
        var vectors = Stride / Vector256<float>.Count;
        nint stride = _trees + 1;
        nint width = Stride;
        ref var l0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(leaves), lane * stride);
        ref var l1 = ref Unsafe.Add(ref l0, stride);
        ref var l2 = ref Unsafe.Add(ref l1, stride);
        ref var l3 = ref Unsafe.Add(ref l2, stride);
        ref var r0 = ref MemoryMarshal.GetReference(rows);
        ref var r1 = ref Unsafe.Add(ref r0, width);
        ref var r2 = ref Unsafe.Add(ref r1, width);
        ref var r3 = ref Unsafe.Add(ref r2, width);
        ref var e = ref MemoryMarshal.GetArrayDataReference(_explanations);
        ref var o = ref MemoryMarshal.GetArrayDataReference(_leafOutput);
        const int V = 8;
        var a0 = Vector256.LoadUnsafe(ref r0); var b0 = vectors > 1 ? Vector256.LoadUnsafe(ref r0, V) : default;
        var c0 = vectors > 2 ? Vector256.LoadUnsafe(ref r0, 2 * V) : default; var d0 = vectors > 3 ? Vector256.LoadUnsafe(ref r0, 3 * V) : default;
        var a1 = Vector256.LoadUnsafe(ref r1); var b1 = vectors > 1 ? Vector256.LoadUnsafe(ref r1, V) : default;
        var c1 = vectors > 2 ? Vector256.LoadUnsafe(ref r1, 2 * V) : default; var d1 = vectors > 3 ? Vector256.LoadUnsafe(ref r1, 3 * V) : default;
        var a2 = Vector256.LoadUnsafe(ref r2); var b2 = vectors > 1 ? Vector256.LoadUnsafe(ref r2, V) : default;
        var c2 = vectors > 2 ? Vector256.LoadUnsafe(ref r2, 2 * V) : default; var d2 = vectors > 3 ? Vector256.LoadUnsafe(ref r2, 3 * V) : default;
        var a3 = Vector256.LoadUnsafe(ref r3); var b3 = vectors > 1 ? Vector256.LoadUnsafe(ref r3, V) : default;
        var c3 = vectors > 2 ? Vector256.LoadUnsafe(ref r3, 2 * V) : default; var d3 = vectors > 3 ? Vector256.LoadUnsafe(ref r3, 3 * V) : default;
        double s0 = Bias, s1 = Bias, s2 = Bias, s3 = Bias;
        for (nint t = 0; t < _trees; t++)
        {
            var k0 = Unsafe.Add(ref l0, t); var k1 = Unsafe.Add(ref l1, t); var k2 = Unsafe.Add(ref l2, t); var k3 = Unsafe.Add(ref l3, t);
            s0 += Unsafe.Add(ref o, k0); s1 += Unsafe.Add(ref o, k1); s2 += Unsafe.Add(ref o, k2); s3 += Unsafe.Add(ref o, k3);
            ref var e0 = ref Unsafe.Add(ref e, (nint)k0 * width); ref var e1 = ref Unsafe.Add(ref e, (nint)k1 * width);
            ref var e2 = ref Unsafe.Add(ref e, (nint)k2 * width); ref var e3 = ref Unsafe.Add(ref e, (nint)k3 * width);
            a0 += Vector256.LoadUnsafe(ref e0); a1 += Vector256.LoadUnsafe(ref e1); a2 += Vector256.LoadUnsafe(ref e2); a3 += Vector256.LoadUnsafe(ref e3);
            if (vectors < 2) continue;
            b0 += Vector256.LoadUnsafe(ref e0, V); b1 += Vector256.LoadUnsafe(ref e1, V); b2 += Vector256.LoadUnsafe(ref e2, V); b3 += Vector256.LoadUnsafe(ref e3, V);
            if (vectors < 3) continue;
            c0 += Vector256.LoadUnsafe(ref e0, 2 * V); c1 += Vector256.LoadUnsafe(ref e1, 2 * V); c2 += Vector256.LoadUnsafe(ref e2, 2 * V); c3 += Vector256.LoadUnsafe(ref e3, 2 * V);
            if (vectors < 4) continue;
            d0 += Vector256.LoadUnsafe(ref e0, 3 * V); d1 += Vector256.LoadUnsafe(ref e1, 3 * V); d2 += Vector256.LoadUnsafe(ref e2, 3 * V); d3 += Vector256.LoadUnsafe(ref e3, 3 * V);
        }
        a0.StoreUnsafe(ref r0); a1.StoreUnsafe(ref r1); a2.StoreUnsafe(ref r2); a3.StoreUnsafe(ref r3);
        if (vectors > 1) { b0.StoreUnsafe(ref r0, V); b1.StoreUnsafe(ref r1, V); b2.StoreUnsafe(ref r2, V); b3.StoreUnsafe(ref r3, V); }
        if (vectors > 2) { c0.StoreUnsafe(ref r0, 2 * V); c1.StoreUnsafe(ref r1, 2 * V); c2.StoreUnsafe(ref r2, 2 * V); c3.StoreUnsafe(ref r3, 2 * V); }
        if (vectors > 3) { d0.StoreUnsafe(ref r0, 3 * V); d1.StoreUnsafe(ref r1, 3 * V); d2.StoreUnsafe(ref r2, 3 * V); d3.StoreUnsafe(ref r3, 3 * V); }
        scores[0] = s0; scores[1] = s1; scores[2] = s2; scores[3] = s3;
    }

    /// <summary>The raw score of one lead, adding its contributions per group into <paramref name="contributions"/> (<see cref="Stride"/> long) when given.</summary>
    public double ScoreOne(ReadOnlySpan<float> features, Span<float> contributions = default)
    {
        if (features.Length < FeaturesNeeded)
            throw new ArgumentException($"the trees split on feature {FeaturesNeeded - 1} but the vector has {features.Length} features.");
        var explain = !contributions.IsEmpty;
        if (explain && contributions.Length < Stride) throw new ArgumentException($"{contributions.Length} contribution slots is fewer than {Stride}.");
        // In range: children are offsets of nodes in the array, and the vector covers every split feature (checked above).
        ref var nodes = ref Unsafe.As<Split, byte>(ref MemoryMarshal.GetArrayDataReference(_splits));
        ref var lead = ref MemoryMarshal.GetReference(features);
        var score = Bias;
        nint n = Entry;
        while (n != _end)
        {
            ref var node = ref Unsafe.As<byte, Split>(ref Unsafe.AddByteOffset(ref nodes, n));
            var value = Unsafe.AddByteOffset(ref lead, (nint)(node.FeatureOffset / Lanes));
            var right = !(value <= node.Threshold);
            var leaf = right ? node.RightLeaf : node.LeftLeaf;
            if (leaf >= 0)
            {
                score += _leafOutput[leaf];
                if (explain) Explain(leaf, ref contributions[0]);
            }
            n = right ? node.Right : node.Left;
        }
        return score;
    }

    /// <summary>Adds the contributions of leaf <paramref name="leaf"/> to a lead's row (checked to hold <see cref="Stride"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Explain(int leaf, ref float row)
    {
        // A whole row of vectors, zeros included, rather than only the groups on the leaf's path: a fixed-length loop of
        // vector additions has no branch to mispredict, and adding 0 changes nothing.
        ref var from = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_explanations), leaf * Stride);
        for (var c = 0; c < Stride; c += Vector256<float>.Count)
        {
            ref var to = ref Unsafe.Add(ref row, c);
            Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref to) + Vector256.LoadUnsafe(ref Unsafe.Add(ref from, c)), ref to);
        }
    }

    private static void Interleave(ReadOnlySpan<float> features, int width, int at, int count, Span<float> block)
    {
        if (count < Lanes) block.Clear();
        for (var i = 0; i < count; i++)
        {
            var row = features.Slice((at + i) * width, width);
            for (var f = 0; f < row.Length; f++) block[f * Lanes + i] = row[f];
        }
    }

    // In range because every stored child is the offset of a node in the array (the end leads to itself), and Score
    // checked that the block covers every split feature. Eight steps, then a check whether all eight are at the end.

    /// <summary>Writes the leaf each lane reaches in each tree: lane i's at <paramref name="leaves"/>[i × (trees + 1) + t].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Walk(ReadOnlySpan<float> block, Span<int> leaves)
    {
        ref var nodes = ref Unsafe.As<Split, byte>(ref MemoryMarshal.GetArrayDataReference(_splits));
        ref var f = ref MemoryMarshal.GetReference(block);
        // Each lane writes at its position at every step and moves on only when it reached a leaf, so it records exactly
        // one leaf per tree, then keeps overwriting the spare slot after them at the end.
        ref var r = ref MemoryMarshal.GetReference(leaves);
        nint stride = _trees + 1;
        nint end = _end;
        nint n0 = Entry, n1 = Entry, n2 = Entry, n3 = Entry, n4 = Entry, n5 = Entry, n6 = Entry, n7 = Entry;
        nint p0 = 0, p1 = stride, p2 = 2 * stride, p3 = 3 * stride, p4 = 4 * stride, p5 = 5 * stride, p6 = 6 * stride, p7 = 7 * stride;
        do
        {
            for (var k = 0; k < 8; k++)
            {
                n0 = Step(ref nodes, n0, ref f, 0, ref r, ref p0);
                n1 = Step(ref nodes, n1, ref f, 1, ref r, ref p1);
                n2 = Step(ref nodes, n2, ref f, 2, ref r, ref p2);
                n3 = Step(ref nodes, n3, ref f, 3, ref r, ref p3);
                n4 = Step(ref nodes, n4, ref f, 4, ref r, ref p4);
                n5 = Step(ref nodes, n5, ref f, 5, ref r, ref p5);
                n6 = Step(ref nodes, n6, ref f, 6, ref r, ref p6);
                n7 = Step(ref nodes, n7, ref f, 7, ref r, ref p7);
            }
        }
        while (((n0 ^ end) | (n1 ^ end) | (n2 ^ end) | (n3 ^ end) | (n4 ^ end) | (n5 ^ end) | (n6 ^ end) | (n7 ^ end)) != 0);
    }

    /// <summary>One lane's step of the walk: writes the branch's leaf (or -1) at <paramref name="at"/>, moves past it when it is a leaf, and returns where the branch leads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint Step(ref byte nodes, nint offset, ref float block, int lane, ref int leaves, ref nint at)
    {
        ref var node = ref Unsafe.As<byte, Split>(ref Unsafe.AddByteOffset(ref nodes, offset));
        var value = Unsafe.AddByteOffset(ref block, (nint)node.FeatureOffset + lane * sizeof(float));
        // Not "value > threshold": a missing (NaN) value goes right, as in ML.NET and CompiledTree.Leaf.
        var right = Unsafe.BitCast<bool, byte>(!(value <= node.Threshold));
        var leaf = Unsafe.Add(ref node.LeftLeaf, right);
        Unsafe.Add(ref leaves, at) = leaf;
        at += (int)((uint)~leaf >> 31);
        return Unsafe.Add(ref node.Left, right);
    }
}
