using System.Globalization;
using LeadPredict.Core;

namespace LeadPredict.PredictionLog;

/// <summary>One bin of a population stability comparison.</summary>
public sealed record PsiBin(string Label, double ReferenceShare, double CurrentShare);

/// <summary>The population stability index of one quantity, with its bins.</summary>
public sealed record PsiResult(string Name, double Psi, int ReferenceCount, int CurrentCount, IReadOnlyList<PsiBin> Bins)
{
    /// <summary>The usual rule of thumb: below 0.1 stable, 0.1 to 0.2 some shift, above 0.2 a significant shift.</summary>
    public const double WarningThreshold = 0.2;
    public bool Warning => Psi > WarningThreshold;
}

/// <summary>Population stability index: sum over bins of (current - reference) * ln(current / reference).</summary>
public static class Psi
{
    private const double Floor = 1e-4;

    /// <summary>Numbers binned at the reference's deciles (ties merged); missing values (NaN) get their own bin.</summary>
    public static PsiResult Numeric(string name, IReadOnlyList<double> reference, IReadOnlyList<double> current, int bins = 10)
    {
        var sorted = reference.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
        var edges = new List<double>();
        for (var k = 1; k < bins && sorted.Length > 0; k++)
        {
            var q = sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(k * (double)sorted.Length / bins))];
            if (edges.Count == 0 || q > edges[^1]) edges.Add(q);
        }
        int BinOf(double v)
        {
            if (double.IsNaN(v)) return edges.Count + 1;
            var i = edges.BinarySearch(v);
            return i >= 0 ? i + 1 : ~i;
        }
        var labels = new List<string>();
        for (var i = 0; i <= edges.Count; i++)
        {
            var lo = i == 0 ? "-inf" : Format(edges[i - 1]);
            var hi = i == edges.Count ? "+inf" : Format(edges[i]);
            labels.Add($"[{lo}, {hi})");
        }
        labels.Add("missing");
        return Compare(name, labels, reference.Select(BinOf), current.Select(BinOf));
    }

    /// <summary>Categories: the reference's most frequent values, the rest as "other", and missing.</summary>
    public static PsiResult Categorical(string name, IReadOnlyList<string?> reference, IReadOnlyList<string?> current, int maxCategories = 20)
    {
        var top = reference.Where(v => v is not null).GroupBy(v => v!, StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(maxCategories).Select(g => g.Key).ToList();
        var index = top.Select((v, i) => (v, i)).ToDictionary(x => x.v, x => x.i, StringComparer.OrdinalIgnoreCase);
        int BinOf(string? v) => v is null ? top.Count + 1 : index.TryGetValue(v, out var i) ? i : top.Count;
        var labels = top.Append("(other)").Append("missing").ToList();
        return Compare(name, labels, reference.Select(BinOf), current.Select(BinOf));
    }

    private static PsiResult Compare(string name, IReadOnlyList<string> labels, IEnumerable<int> reference, IEnumerable<int> current)
    {
        var r = new int[labels.Count];
        var c = new int[labels.Count];
        int nr = 0, nc = 0;
        foreach (var b in reference) { r[b]++; nr++; }
        foreach (var b in current) { c[b]++; nc++; }
        var psi = 0.0;
        var result = new List<PsiBin>();
        for (var i = 0; i < labels.Count; i++)
        {
            if (r[i] == 0 && c[i] == 0) continue;
            var pr = nr == 0 ? 0 : (double)r[i] / nr;
            var pc = nc == 0 ? 0 : (double)c[i] / nc;
            var a = Math.Max(pr, Floor);
            var b = Math.Max(pc, Floor);
            psi += (b - a) * Math.Log(b / a);
            result.Add(new PsiBin(labels[i], pr, pc));
        }
        return new PsiResult(name, nr == 0 || nc == 0 ? 0 : psi, nr, nc, result);
    }

    private static string Format(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}

/// <summary>Drift of the model's input columns between the training file and a file of new leads.</summary>
public static class FeatureDrift
{
    public static IReadOnlyList<PsiResult> Compare(IReadOnlyList<FeatureColumn> features, IReadOnlyList<string> missingTokens, string referenceCsv, string currentCsv)
    {
        var reference = ReadColumns(referenceCsv, features);
        var current = ReadColumns(currentCsv, features);
        var missing = new HashSet<string>(missingTokens, StringComparer.OrdinalIgnoreCase);
        string? Norm(string? v) => v is null || v.Trim().Length == 0 || missing.Contains(v.Trim()) ? null : v.Trim();
        var result = new List<PsiResult>();
        foreach (var f in features)
        {
            if (!reference.TryGetValue(f.Name, out var rv) || !current.TryGetValue(f.Name, out var cv)) continue;
            if (f.Kind == ColumnKind.Numeric)
            {
                static double Num(string? v) => v is not null && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN;
                result.Add(Psi.Numeric(f.Name, rv.Select(v => Num(Norm(v))).ToArray(), cv.Select(v => Num(Norm(v))).ToArray()));
            }
            else if (f.Kind is ColumnKind.Categorical or ColumnKind.Boolean)
                result.Add(Psi.Categorical(f.Name, rv.Select(Norm).ToArray(), cv.Select(Norm).ToArray()));
        }
        return result.OrderByDescending(r => r.Psi).ToArray();
    }

    private static Dictionary<string, List<string?>> ReadColumns(string path, IReadOnlyList<FeatureColumn> features)
    {
        using var reader = new Core.Csv.CsvRecordReader(path);
        var columns = new Dictionary<string, (int Index, List<string?> Values)>(StringComparer.OrdinalIgnoreCase);
        foreach (var f in features)
        {
            var i = reader.Header.ToList().FindIndex(h => string.Equals(h, f.Name, StringComparison.OrdinalIgnoreCase));
            if (i >= 0) columns[f.Name] = (i, []);
        }
        var fields = new List<string>();
        while (reader.Read(fields))
            foreach (var (_, (index, values)) in columns) values.Add(index < fields.Count ? fields[index] : null);
        return columns.ToDictionary(kv => kv.Key, kv => kv.Value.Values, StringComparer.OrdinalIgnoreCase);
    }
}
