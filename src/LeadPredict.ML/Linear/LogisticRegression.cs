namespace LeadPredict.ML.Linear;

/// <summary>
/// The design matrix of a logistic regression, built from featurized training leads: every slot that varies becomes a
/// column, centred on its training mean and, when it is not a 0/1 indicator, scaled by its standard deviation (so one L2
/// strength suits all of them, as scikit-learn's StandardScaler does); with binning, each numeric slot also gets one
/// 0/1 column per quantile bin, which lets the model bend where a straight line would not fit. Stored sparse: the raw
/// non-zero values and the bin each numeric falls in, with centring and scaling applied through the weights.
/// </summary>
internal sealed class LinearDesign
{
    /// <summary>Quantile bins per numeric slot (deciles; fewer when the slot has fewer distinct values).</summary>
    public const int Bins = 10;

    private LinearDesign(int slots, bool binned) => (Slots, Binned) = (slots, binned);

    public int Slots { get; }
    public bool Binned { get; }
    public int Rows { get; private set; }
    /// <summary>Design columns: the slot each reads, and the bin it stands for (-1: the slot's value itself).</summary>
    public int[] Source { get; private set; } = [];
    public int[] BinOf { get; private set; } = [];
    public double[] Mean { get; private set; } = [];
    public double[] Scale { get; private set; } = [];
    /// <summary>Each binned slot's thresholds (null when the slot is not binned).</summary>
    public float[]?[] Thresholds { get; private set; } = [];
    /// <summary>Each slot's value column (-1 when the slot is constant) and first bin column (-1 when not binned).</summary>
    private int[] _valueColumn = [];
    private int[] _firstBin = [];

    // Compressed sparse rows: row i's entries are _entries[_rowStart[i] .. _rowStart[i + 1]].
    internal int[] RowStart = [];
    internal int[] Column = [];
    internal float[] Value = [];

    public int Columns => Source.Length;

    public static LinearDesign Build(IReadOnlyList<float[]> rows, bool binned)
    {
        var n = rows.Count;
        var d = n == 0 ? 0 : rows[0].Length;
        var design = new LinearDesign(d, binned) { Rows = n };
        var source = new List<int>();
        var binOf = new List<int>();
        var mean = new List<double>();
        var scale = new List<double>();
        design._valueColumn = new int[d];
        design._firstBin = new int[d];
        design.Thresholds = new float[]?[d];
        var values = new float[n];
        for (var j = 0; j < d; j++)
        {
            double sum = 0, sumSq = 0;
            var binary = true;
            for (var i = 0; i < n; i++)
            {
                var x = rows[i][j];
                values[i] = x;
                sum += x;
                sumSq += (double)x * x;
                if (x != 0 && x != 1) binary = false;
            }
            var mu = n == 0 ? 0 : sum / n;
            var variance = n == 0 ? 0 : Math.Max(0, sumSq / n - mu * mu);
            design._valueColumn[j] = -1;
            design._firstBin[j] = -1;
            if (!(variance > 1e-12 * Math.Max(1, mu * mu))) continue;
            design._valueColumn[j] = source.Count;
            source.Add(j);
            binOf.Add(-1);
            mean.Add(mu);
            scale.Add(binary ? 1 : Math.Sqrt(variance));
            if (!binned || binary) continue;
            var thresholds = QuantileThresholds(values);
            if (thresholds.Length == 0) continue;
            design.Thresholds[j] = thresholds;
            var counts = new int[thresholds.Length + 1];
            for (var i = 0; i < n; i++) counts[LinearScorer.Bin(thresholds, values[i])]++;
            design._firstBin[j] = source.Count;
            for (var k = 0; k < counts.Length; k++)
            {
                source.Add(j);
                binOf.Add(k);
                mean.Add((double)counts[k] / n);
                scale.Add(1);
            }
        }
        design.Source = [.. source];
        design.BinOf = [.. binOf];
        design.Mean = [.. mean];
        design.Scale = [.. scale];
        design.Fill(rows);
        return design;
    }

    /// <summary>Interior quantile cut points, distinct and below the largest value (a cut no value exceeds makes an empty bin).</summary>
    private static float[] QuantileThresholds(float[] values)
    {
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        var n = sorted.Length;
        var max = sorted[^1];
        var cuts = new List<float>();
        for (var q = 1; q < Bins; q++)
        {
            var v = sorted[(int)((long)q * n / Bins)];
            if (v < max && (cuts.Count == 0 || v > cuts[^1])) cuts.Add(v);
        }
        // With few distinct values the quantiles miss some of them: then every distinct value is its own bin.
        if (cuts.Count < Bins - 1)
        {
            var distinct = new List<float>();
            foreach (var v in sorted)
                if (distinct.Count == 0 || v > distinct[^1]) { distinct.Add(v); if (distinct.Count > Bins) break; }
            if (distinct.Count <= Bins) return distinct.Take(distinct.Count - 1).ToArray();
        }
        return [.. cuts];
    }

    private void Fill(IReadOnlyList<float[]> rows)
    {
        var n = rows.Count;
        RowStart = new int[n + 1];
        for (var i = 0; i < n; i++) RowStart[i + 1] = RowStart[i] + Count(rows[i]);
        Column = new int[RowStart[n]];
        Value = new float[RowStart[n]];
        for (var i = 0; i < n; i++)
        {
            var at = RowStart[i];
            var row = rows[i];
            for (var j = 0; j < Slots; j++)
            {
                var x = row[j];
                if (_valueColumn[j] >= 0 && x != 0) { Column[at] = _valueColumn[j]; Value[at++] = x; }
                if (_firstBin[j] >= 0) { Column[at] = _firstBin[j] + LinearScorer.Bin(Thresholds[j], x); Value[at++] = 1; }
            }
        }

        int Count(float[] row)
        {
            var c = 0;
            for (var j = 0; j < Slots; j++)
            {
                if (_valueColumn[j] >= 0 && row[j] != 0) c++;
                if (_firstBin[j] >= 0) c++;
            }
            return c;
        }
    }

    /// <summary>The stored model for intercept <paramref name="b"/> and standardized weights <paramref name="u"/> (one per design column).</summary>
    public LinearModel ToModel(double b, ReadOnlySpan<double> u, double c)
    {
        var terms = new List<LinearTerm>();
        for (var j = 0; j < Slots; j++)
        {
            var value = _valueColumn[j];
            var weight = value >= 0 ? u[value] / Scale[value] : 0;
            var mean = value >= 0 ? Mean[value] : 0;
            if (_firstBin[j] < 0)
            {
                if (weight != 0) terms.Add(new LinearTerm(j, weight, mean));
                continue;
            }
            var th = Thresholds[j]!;
            var binWeights = new double[th.Length + 1];
            double binMean = 0;
            for (var k = 0; k < binWeights.Length; k++)
            {
                binWeights[k] = u[_firstBin[j] + k];
                binMean += binWeights[k] * Mean[_firstBin[j] + k];
            }
            terms.Add(new LinearTerm(j, weight, mean, th, binWeights, binMean));
        }
        return new LinearModel { Intercept = b, Terms = terms, C = c, Binned = Binned };
    }
}

/// <summary>
/// L2-regularised logistic regression fitted by L-BFGS on a <see cref="LinearDesign"/>: minimises the mean log-loss plus
/// ‖u‖² / (2·C·n) over the standardized weights u (the intercept is not penalised), scikit-learn's objective divided by n.
/// A path of increasing C starts each fit from the previous one's weights.
/// </summary>
internal static class LogisticRegression
{
    /// <summary>The C values tried by cross-validation (as scikit-learn's C), from strong to weak regularisation.</summary>
    public static readonly double[] Path = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 10];

    public static LinearModel[] FitPath(LinearDesign design, bool[] labels, IReadOnlyList<double> cs, CancellationToken ct = default)
    {
        var n = design.Rows;
        if (n == 0 || labels.Length != n) throw new ArgumentException("the design and the labels must have the same, non-zero number of rows.");
        var positives = labels.Count(y => y);
        var rate = Math.Clamp((double)positives / n, 1e-6, 1 - 1e-6);
        var theta = new double[design.Columns + 1];
        theta[0] = Math.Log(rate / (1 - rate));
        var models = new LinearModel[cs.Count];
        for (var k = 0; k < cs.Count; k++)
        {
            ct.ThrowIfCancellationRequested();
            var objective = new Objective(design, labels, cs[k]);
            Lbfgs.Minimize(objective.Evaluate, theta, ct: ct);
            models[k] = design.ToModel(theta[0], theta.AsSpan(1), cs[k]);
        }
        return models;
    }

    private sealed class Objective
    {
        private readonly LinearDesign _design;
        private readonly bool[] _labels;
        private readonly double _c;
        // Blocks of rows summed in parallel, then added in block order: a fixed number for a given size, so the result does not
        // depend on the machine's core count.
        private readonly int _blocks;
        private readonly double[] _v;
        private readonly double[][] _g;
        private readonly double[] _loss;
        private readonly double[] _r;

        public Objective(LinearDesign design, bool[] labels, double c)
        {
            (_design, _labels, _c) = (design, labels, c);
            _blocks = Math.Clamp(design.Rows / 4096, 1, 16);
            _v = new double[design.Columns];
            _g = Enumerable.Range(0, _blocks).Select(_ => new double[design.Columns]).ToArray();
            _loss = new double[_blocks];
            _r = new double[_blocks];
        }

        /// <summary>The objective at <paramref name="theta"/> (intercept first), its gradient written to <paramref name="gradient"/>.</summary>
        public double Evaluate(double[] theta, double[] gradient)
        {
            var design = _design;
            var d = design.Columns;
            var n = design.Rows;
            // Weights on the raw values, and the intercept that centres them: z = c0 + Σ v·x.
            var c0 = theta[0];
            for (var j = 0; j < d; j++)
            {
                _v[j] = theta[j + 1] / design.Scale[j];
                c0 -= _v[j] * design.Mean[j];
            }
            if (_blocks == 1) Block(0, c0);
            else Parallel.For(0, _blocks, block => Block(block, c0));
            double total = 0, rSum = 0;
            Array.Clear(gradient);
            for (var block = 0; block < _blocks; block++)
            {
                total += _loss[block];
                rSum += _r[block];
                var g = _g[block];
                for (var j = 0; j < d; j++) gradient[j + 1] += g[j];
            }
            var penalty = 1 / (_c * n);
            var objective = total / n;
            gradient[0] = rSum / n;
            for (var j = 0; j < d; j++)
            {
                var u = theta[j + 1];
                gradient[j + 1] = (gradient[j + 1] - design.Mean[j] * rSum) / (design.Scale[j] * n) + penalty * u;
                objective += 0.5 * penalty * u * u;
            }
            return objective;
        }

        /// <summary>The loss, residual sum and X^T residuals of one block of rows.</summary>
        private void Block(int block, double c0)
        {
            var n = _design.Rows;
            var from = (int)((long)n * block / _blocks);
            var to = (int)((long)n * (block + 1) / _blocks);
            var g = _g[block];
            Array.Clear(g);
            double loss = 0, r = 0;
            var rowStart = _design.RowStart;
            var column = _design.Column;
            var value = _design.Value;
            var v = _v;
            for (var i = from; i < to; i++)
            {
                var z = c0;
                for (var e = rowStart[i]; e < rowStart[i + 1]; e++) z += v[column[e]] * value[e];
                var y = _labels[i];
                // log(1 + e^z) − y·z, and σ(z) − y, without overflow.
                double p;
                if (z > 0)
                {
                    var ez = Math.Exp(-z);
                    loss += z + Math.Log(1 + ez) - (y ? z : 0);
                    p = 1 / (1 + ez);
                }
                else
                {
                    var ez = Math.Exp(z);
                    loss += Math.Log(1 + ez) - (y ? z : 0);
                    p = ez / (1 + ez);
                }
                var residual = p - (y ? 1 : 0);
                r += residual;
                for (var e = rowStart[i]; e < rowStart[i + 1]; e++) g[column[e]] += residual * value[e];
            }
            _loss[block] = loss;
            _r[block] = r;
        }
    }
}

/// <summary>Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives.</summary>
internal static class Lbfgs
{
    public delegate double Function(double[] x, double[] gradient);

    /// <summary>Minimises <paramref name="f"/> from <paramref name="x"/> (updated in place); returns the iterations taken.</summary>
    public static int Minimize(Function f, double[] x, int maxIterations = 300, double gradientTolerance = 1e-6, int memory = 10, CancellationToken ct = default)
    {
        var n = x.Length;
        var g = new double[n];
        var fx = f(x, g);
        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        var d = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var alpha = new double[memory];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            if (MaxAbs(g) < gradientTolerance) return iteration;
            ct.ThrowIfCancellationRequested();
            // Two-loop recursion: d = −H·g.
            for (var i = 0; i < n; i++) d[i] = -g[i];
            for (var k = s.Count - 1; k >= 0; k--)
            {
                alpha[k] = rho[k] * Dot(s[k], d);
                Axpy(-alpha[k], y[k], d);
            }
            var gamma = s.Count > 0 ? Dot(s[^1], y[^1]) / Dot(y[^1], y[^1]) : 1 / Math.Max(1, Math.Sqrt(Dot(g, g)));
            for (var i = 0; i < n; i++) d[i] *= gamma;
            for (var k = 0; k < s.Count; k++)
            {
                var beta = rho[k] * Dot(y[k], d);
                Axpy(alpha[k] - beta, s[k], d);
            }
            var slope = Dot(g, d);
            if (!(slope < 0))
            {
                // Not a descent direction (rounding): start again from steepest descent.
                s.Clear(); y.Clear(); rho.Clear();
                for (var i = 0; i < n; i++) d[i] = -g[i] / Math.Max(1, Math.Sqrt(Dot(g, g)));
                slope = Dot(g, d);
            }
            var t = 1.0;
            double fNew;
            var accepted = false;
            for (var tries = 0; tries < 40; tries++)
            {
                for (var i = 0; i < n; i++) xNew[i] = x[i] + t * d[i];
                fNew = f(xNew, gNew);
                if (double.IsFinite(fNew) && fNew <= fx + 1e-4 * t * slope)
                {
                    var decrease = fx - fNew;
                    var sk = new double[n];
                    var yk = new double[n];
                    for (var i = 0; i < n; i++) { sk[i] = xNew[i] - x[i]; yk[i] = gNew[i] - g[i]; }
                    var sy = Dot(sk, yk);
                    if (sy > 1e-12)
                    {
                        if (s.Count == memory) { s.RemoveAt(0); y.RemoveAt(0); rho.RemoveAt(0); }
                        s.Add(sk); y.Add(yk); rho.Add(1 / sy);
                    }
                    Array.Copy(xNew, x, n);
                    Array.Copy(gNew, g, n);
                    fx = fNew;
                    accepted = true;
                    if (decrease <= 1e-12 * Math.Max(1, Math.Abs(fx))) return iteration + 1;
                    break;
                }
                t *= 0.5;
            }
            if (!accepted) return iteration;
        }
        return maxIterations;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++) y[i] += a * x[i];
    }

    private static double MaxAbs(double[] a)
    {
        var max = 0.0;
        foreach (var v in a) max = Math.Max(max, Math.Abs(v));
        return max;
    }
}
