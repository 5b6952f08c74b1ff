using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LeadPredict.ML;

/// <summary>
/// Finds the leaf each of eight leads reaches in every tree without walking the trees (QuickScorer, Lucchese et al.,
/// SIGIR 2015, here with the eight leads side by side in vectors).
/// <para>
/// A tree's leaves are numbered left to right, and a lead starts with every leaf possible (a bit each). Each split that
/// sends the lead right rules out the leaves of its left subtree, so after every split of every tree has been looked at
/// once, the lowest bit still set is the leaf the lead's walk would reach. Looking at a split is a compare and two bit
/// operations for all eight leads at once, with no chain of dependent loads and no branch, which is several times fewer
/// cycles a lead than walking, even eight walks at a time. Splits are grouped by feature so each feature's values are
/// loaded once.
/// </para>
/// Needs every tree to have at most 32 leaves (one bit each in a 32-bit lane); <see cref="TryCreate"/> says when not.
/// </summary>
internal sealed class QuickScorer
{
    public const int Lanes = PackedForest.Lanes;
    private const int MaxLeaves = 32;

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Split(float threshold, uint leftLeaves, int tree)
    {
        public readonly float Threshold = threshold;
        /// <summary>The bits of the leaves in the split's left subtree, ruled out when a lead goes right.</summary>
        public readonly uint LeftLeaves = leftLeaves;
        public readonly int Tree = tree;
        private readonly int _padding = 0;
    }

    private readonly Split[] _splits;
    /// <summary>Feature group g holds splits [_groupStart[g], _groupStart[g + 1]) on feature _groupFeature[g].</summary>
    private readonly int[] _groupStart, _groupFeature;
    private readonly int _trees;
    /// <summary>Per tree, per leaf bit: the leaf's weighted value, and its number in <see cref="PackedForest"/>'s numbering.</summary>
    private readonly double[] _output;
    private readonly int[] _leaf;

    private QuickScorer(Split[] splits, int[] groupStart, int[] groupFeature, int trees, double[] output, int[] leaf) =>
        (_splits, _groupStart, _groupFeature, _trees, _output, _leaf) = (splits, groupStart, groupFeature, trees, output, leaf);

    /// <summary>How much scratch space <see cref="Sum"/> and <see cref="Record"/> need: a lane of bits per tree.</summary>
    public int ScratchLength => _trees * Lanes;

    /// <summary>The scorer for these trees, or null when a tree has more leaves than fit in a lane.</summary>
    public static QuickScorer? TryCreate(IReadOnlyList<CompiledTree> trees)
    {
        if (trees.Any(t => t.LeafValues.Length > MaxLeaves)) return null;
        var output = new double[trees.Count * MaxLeaves];
        var leaf = new int[trees.Count * MaxLeaves];
        var splits = new List<(int Feature, Split Split)>();
        var firstLeaf = 0;
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            // Bit of each leaf: its place in a left-first walk of the tree.
            var bit = new int[tree.LeafValues.Length];
            var next = 0;
            void Place(int child)
            {
                if (child < 0) { bit[~child] = next++; return; }
                Place(tree.Left[child]);
                Place(tree.Right[child]);
            }
            uint Leaves(int child) => child < 0 ? 1u << bit[~child] : Leaves(tree.Left[child]) | Leaves(tree.Right[child]);
            if (tree.Left.Length > 0) Place(0);
            for (var j = 0; j < tree.LeafValues.Length; j++)
            {
                output[t * MaxLeaves + bit[j]] = tree.Weight * tree.LeafValues[j];
                leaf[t * MaxLeaves + bit[j]] = firstLeaf + j;
            }
            for (var i = 0; i < tree.Left.Length; i++)
                splits.Add((tree.SplitFeature[i], new Split(tree.Threshold[i], Leaves(tree.Left[i]), t)));
            firstLeaf += tree.LeafValues.Length;
        }
        // By feature, then threshold: one load of a feature's values serves all its splits, and neighbouring splits
        // mostly belong to different trees, so their updates of a tree's bits do not wait on each other.
        var ordered = splits.OrderBy(s => s.Feature).ThenBy(s => s.Split.Threshold).ThenBy(s => s.Split.Tree).ToArray();
        var groupStart = new List<int>();
        var groupFeature = new List<int>();
        for (var i = 0; i < ordered.Length; i++)
            if (i == 0 || ordered[i].Feature != ordered[i - 1].Feature)
            {
                groupStart.Add(i);
                groupFeature.Add(ordered[i].Feature);
            }
        groupStart.Add(ordered.Length);
        return new QuickScorer(ordered.Select(s => s.Split).ToArray(), [.. groupStart], [.. groupFeature], trees.Count, output, leaf);
    }

    /// <summary>
    /// Each lane's raw score: <paramref name="bias"/> plus its leaf in every tree, added in tree order (bit for bit what
    /// walking gives). <paramref name="block"/> is eight leads' features interleaved (feature f of lead i at 8f + i), and
    /// covers every split feature (the caller checks). <paramref name="bits"/> is scratch space of <see cref="ScratchLength"/>,
    /// reused from block to block.
    /// </summary>
    public void Sum(ReadOnlySpan<float> block, double bias, Span<double> sums, Span<uint> bits)
    {
        RuleOut(block, bits);
        ref var b = ref MemoryMarshal.GetReference(bits);
        ref var o = ref MemoryMarshal.GetArrayDataReference(_output);
        double s0 = bias, s1 = bias, s2 = bias, s3 = bias, s4 = bias, s5 = bias, s6 = bias, s7 = bias;
        for (nint t = 0; t < _trees; t++)
        {
            ref var lane = ref Unsafe.Add(ref b, t * Lanes);
            ref var leaves = ref Unsafe.Add(ref o, t * MaxLeaves);
            s0 += Unsafe.Add(ref leaves, BitOperations.TrailingZeroCount(lane));
            s1 += Unsafe.Add(ref leaves, BitOperations.TrailingZeroCount(Unsafe.Add(ref lane, 1)));
            s2 += Unsafe.Add(ref leaves, BitOperations.TrailingZeroCount(Unsafe.Add(ref lane, 2)));
            s3 += Unsafe.Add(ref leaves, BitOperations.TrailingZeroCount(Unsafe.Add(ref lane, 3)));
            s4 += Unsafe.Add(ref leaves, BitOperations.TrailingZeroCount(Unsafe.Add(ref lane, 4)));
            s5 += Unsafe.Add(ref leaves, BitOperations.TrailingZeroCount(Unsafe.Add(ref lane, 5)));
            s6 += Unsafe.Add(ref leaves, BitOperations.TrailingZeroCount(Unsafe.Add(ref lane, 6)));
            s7 += Unsafe.Add(ref leaves, BitOperations.TrailingZeroCount(Unsafe.Add(ref lane, 7)));
        }
        sums[0] = s0; sums[1] = s1; sums[2] = s2; sums[3] = s3; sums[4] = s4; sums[5] = s5; sums[6] = s6; sums[7] = s7;
    }

    /// <summary>Writes the leaf each lane reaches in each tree: lane i's at <paramref name="leaves"/>[i × <paramref name="stride"/> + t]. <paramref name="bits"/> as for <see cref="Sum"/>.</summary>
    public void Record(ReadOnlySpan<float> block, Span<int> leaves, int stride, Span<uint> bits)
    {
        RuleOut(block, bits);
        for (var t = 0; t < _trees; t++)
            for (var i = 0; i < Lanes; i++)
                leaves[i * stride + t] = _leaf[t * MaxLeaves + BitOperations.TrailingZeroCount(bits[t * Lanes + i])];
    }

    /// <summary>Every split of every tree, eight leads at once: clears the bits of the leaves each lead cannot reach.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RuleOut(ReadOnlySpan<float> block, Span<uint> bits)
    {
        ref var lanes = ref Unsafe.As<uint, Vector256<uint>>(ref MemoryMarshal.GetReference(bits));
        for (var t = 0; t < _trees; t++) Unsafe.Add(ref lanes, t) = Vector256<uint>.AllBitsSet;
        ref var f = ref MemoryMarshal.GetReference(block);
        ref var split = ref MemoryMarshal.GetArrayDataReference(_splits);
        for (var g = 0; g < _groupFeature.Length; g++)
        {
            var values = Vector256.LoadUnsafe(ref f, (nuint)(_groupFeature[g] * Lanes));
            var end = _groupStart[g + 1];
            for (var i = _groupStart[g]; i < end; i++)
            {
                ref readonly var s = ref Unsafe.Add(ref split, i);
                // Right unless value <= threshold, so a missing (NaN) value goes right, as in ML.NET and CompiledTree.Leaf.
                var right = ~Vector256.LessThanOrEqual(values, Vector256.Create(s.Threshold)).AsUInt32();
                ref var tree = ref Unsafe.Add(ref lanes, s.Tree);
                tree = Vector256.AndNot(tree, right & Vector256.Create(s.LeftLeaves));
            }
        }
    }
}
