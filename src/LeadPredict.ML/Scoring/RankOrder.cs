namespace LeadPredict.ML.Scoring;

/// <summary>The order in which to rank leads, wherever they are ranked: by probability, highest first, ties in the order given.</summary>
public static class RankOrder
{
    /// <summary>
    /// The indexes of <paramref name="probabilities"/> from the highest value to the lowest, equal values in index order.
    /// A stable radix sort on the values' bits, a byte at a time, skipping bytes every value shares (most of a probability's
    /// exponent): a few linear passes rather than a comparison sort and a second pass to order ties.
    /// </summary>
    public static int[] Descending(ReadOnlySpan<double> probabilities)
    {
        var n = probabilities.Length;
        var keys = new ulong[n];
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            keys[i] = ~Ascending(probabilities[i]);
            order[i] = i;
        }
        var spareKeys = new ulong[n];
        var spareOrder = new int[n];
        Span<int> counts = stackalloc int[256];
        for (var shift = 0; shift < 64; shift += 8)
        {
            counts.Clear();
            foreach (var key in keys) counts[(int)(key >> shift) & 0xFF]++;
            if (counts[(int)(keys.Length > 0 ? keys[0] >> shift : 0) & 0xFF] == n) continue; // every key has this byte
            var at = 0;
            for (var b = 0; b < 256; b++) (counts[b], at) = (at, at + counts[b]);
            for (var i = 0; i < n; i++)
            {
                var to = counts[(int)(keys[i] >> shift) & 0xFF]++;
                spareKeys[to] = keys[i];
                spareOrder[to] = order[i];
            }
            (keys, spareKeys) = (spareKeys, keys);
            (order, spareOrder) = (spareOrder, order);
        }
        return order;
    }

    /// <summary>The value's bits, turned so that unsigned order is numeric order (0 and -0 alike).</summary>
    private static ulong Ascending(double value)
    {
        var bits = BitConverter.DoubleToUInt64Bits(value == 0 ? 0.0 : value);
        return (bits >> 63) != 0 ? ~bits : bits | (1UL << 63);
    }
}
