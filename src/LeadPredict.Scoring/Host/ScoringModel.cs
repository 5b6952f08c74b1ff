using System.Collections.Concurrent;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;

namespace LeadPredict.Scoring.Host;

/// <summary>A loaded model ready to score: the bundle, its scorer and annotators, and header bindings cached per request shape.</summary>
public sealed class ScoringModel
{
    private readonly ConcurrentDictionary<string, Binding> _bindings = new(StringComparer.Ordinal);

    public ScoringModel(ModelBundle bundle, string path, DateTimeOffset loadedAt, ModelFileStamp stamp, string? rulesPath = null)
    {
        Bundle = bundle;
        Path = path;
        LoadedAt = loadedAt;
        Stamp = stamp;
        Scorer = ScoringExtensions.Scorer(bundle, rulesPath);
        Annotators = ScoringExtensions.Annotators(bundle, rulesPath);
        AnnotationHeaders = Annotators.SelectMany(a => a.Headers).ToArray();
        FeatureKinds = Scorer.FeatureColumns.ToDictionary(c => c.Name, c => c.Kind, StringComparer.OrdinalIgnoreCase);
        NumberFormats = Scorer.FeatureColumns.ToDictionary(c => c.Name, c => c.Number, StringComparer.OrdinalIgnoreCase);
        DateFormats = Scorer.FeatureColumns.ToDictionary(c => c.Name, c => c.DateFormat, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The kind of each feature column, by name (case-insensitive), for checking request values.</summary>
    public IReadOnlyDictionary<string, LeadPredict.Core.ColumnKind> FeatureKinds { get; }

    /// <summary>How each numeric feature column writes its numbers ("4,268" is a number in a column trained on such values).</summary>
    public IReadOnlyDictionary<string, LeadPredict.Core.NumberFormat> NumberFormats { get; }

    /// <summary>How each date feature column writes its dates (01/02/2025 reads as the column's history did).</summary>
    public IReadOnlyDictionary<string, string?> DateFormats { get; }

    public ModelBundle Bundle { get; }
    public string Version => Bundle.Card.Version;
    public string Path { get; }
    public DateTimeOffset LoadedAt { get; }
    public ModelFileStamp Stamp { get; }
    public LeadScorer Scorer { get; }
    public IReadOnlyList<IScoreAnnotator> Annotators { get; }
    public IReadOnlyList<string> AnnotationHeaders { get; }

    public sealed record Binding(RankedLayout Layout, ColumnBinding Columns, IReadOnlyList<IRowAnnotator> Rows);

    /// <summary>Binds the scorer and annotators to a header; JSON requests of the same shape reuse the binding.</summary>
    public Binding Bind(IReadOnlyList<string> header, string source)
    {
        var key = string.Join('\u001f', header);
        if (_bindings.TryGetValue(key, out var cached)) return cached;
        var binding = new Binding(RankedLayout.For(Bundle, Annotators, header), Scorer.Bind(header, source), Annotators.Select(a => a.Bind(header, source)).ToArray());
        if (_bindings.Count > 1000) _bindings.Clear();
        _bindings[key] = binding;
        return binding;
    }
}
