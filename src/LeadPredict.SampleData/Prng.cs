namespace LeadPredict.SampleData;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Our own generator rather than <see cref="Random"/>,
/// whose sequence for a given seed is not promised to stay the same across .NET versions.
/// </summary>
internal sealed class Prng
{
    private ulong _s0, _s1, _s2, _s3;

    public Prng(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n); the tiny modulo bias is irrelevant for n this small.</summary>
    public int Next(int n) => (int)(NextUInt64() % (ulong)n);

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal by Box-Muller (one of the pair is dropped to keep the state simple).</summary>
    public double Normal()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public int Poisson(double mean)
    {
        if (mean <= 0) return 0;
        if (mean > 30) return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * Normal()));
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = NextDouble();
        while (p > limit)
        {
            k++;
            p *= NextDouble();
        }
        return k;
    }

    /// <summary>
    /// An exact Poisson draw for any mean (<see cref="Poisson"/> approximates means above 30 and is kept as it is for the flat
    /// generator's files): a sum of independent draws of mean at most 30 each.
    /// </summary>
    public int PoissonExact(double mean)
    {
        var k = 0;
        while (mean > 30)
        {
            k += Poisson(30);
            mean -= 30;
        }
        return k + Poisson(mean);
    }

    /// <summary>Exponential waiting time with the given rate.</summary>
    public double Exponential(double rate) => -Math.Log(1.0 - NextDouble()) / rate;

    /// <summary>A 64-bit seed for item <paramref name="index"/> of a stream seeded with <paramref name="seed"/> (SplitMix64 finalizer).</summary>
    public static ulong Mix(ulong seed, ulong index)
    {
        var z = seed + 0x9E3779B97F4A7C15UL * (index + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>How many of <paramref name="n"/> trials succeed with probability <paramref name="p"/> each.</summary>
    public int Binomial(int n, double p)
    {
        var k = 0;
        for (var i = 0; i < n; i++)
            if (NextDouble() < p) k++;
        return k;
    }

    public T Pick<T>(T[] items) => items[Next(items.Length)];

    public T Pick<T>(Weighted<T> items)
    {
        var u = NextDouble() * items.Total;
        var acc = 0.0;
        foreach (var (item, weight) in items.Items)
        {
            acc += weight;
            if (u < acc) return item;
        }
        return items.Items[^1].Item;
    }
}

internal sealed class Weighted<T>((T Item, double Weight)[] items)
{
    public (T Item, double Weight)[] Items { get; } = items;
    public double Total { get; } = items.Sum(i => i.Weight);
}
