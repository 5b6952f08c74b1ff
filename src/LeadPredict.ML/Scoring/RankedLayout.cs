namespace LeadPredict.ML.Scoring;

/// <summary>
/// The columns of a ranked lead list and where each piece sits: <c>rank</c>, the id, <c>probability</c>, <c>score</c>,
/// <c>grade</c>, the annotators' columns, <c>top_reasons</c>, then the input's columns as they were. An input column named
/// like an output column (the id itself, or the CRM's own <c>stage</c>) is headed <c>&lt;name&gt;_input</c>, so every column
/// name is unique. The one layout of the ranked file, the page's CSV, the console summary, the API and the prediction log.
/// </summary>
public sealed class RankedLayout
{
    public const string Rank = "rank";
    public const string Probability = "probability";
    public const string Score = "score";
    public const string Grade = "grade";
    public const string TopReasons = "top_reasons";
    /// <summary>The id header when the model has no id column: the lead's line in the input file.</summary>
    public const string Line = "line";
    /// <summary>Added to an input column's name that is also an output column's.</summary>
    public const string InputSuffix = "_input";

    /// <param name="idColumn">The model's id column (<see cref="LeadPredict.Core.DatasetSchema.Id"/>); null: leads are named by their line.</param>
    /// <param name="annotationHeaders">The annotators' columns, in order.</param>
    /// <param name="inputHeader">The input's header as it is in the input.</param>
    public RankedLayout(string? idColumn, IReadOnlyList<string> annotationHeaders, IReadOnlyList<string> inputHeader)
    {
        IdHeader = idColumn ?? Line;
        AnnotationHeaders = [.. annotationHeaders];
        InputHeader = [.. inputHeader];
        string[] outputs = [Rank, IdHeader, Probability, Score, Grade, .. AnnotationHeaders, TopReasons];
        var taken = new HashSet<string>(outputs, StringComparer.OrdinalIgnoreCase);
        RankedInputHeader = InputHeader.Select(h => taken.Contains(h) ? h + InputSuffix : h).ToArray();
        Headers = [.. outputs, .. RankedInputHeader];
    }

    public static RankedLayout For(ModelBundle model, IEnumerable<IScoreAnnotator> annotators, IReadOnlyList<string> inputHeader) =>
        new(model.Schema.Id, annotators.SelectMany(a => a.Headers).ToArray(), inputHeader);

    /// <summary>The second column: the model's id column, or <see cref="Line"/>.</summary>
    public string IdHeader { get; }
    public IReadOnlyList<string> AnnotationHeaders { get; }
    /// <summary>The input's columns as the input names them (a lead's <see cref="RankedLead.Fields"/> are in this order).</summary>
    public IReadOnlyList<string> InputHeader { get; }
    /// <summary>The input's columns as the ranked file heads them.</summary>
    public IReadOnlyList<string> RankedInputHeader { get; }
    /// <summary>Every column of the ranked file, in order.</summary>
    public IReadOnlyList<string> Headers { get; }

    /// <summary>The position of the first annotator column (they follow rank, id, probability, score and grade).</summary>
    public int AnnotationsAt => 5;
    public int TopReasonsAt => AnnotationsAt + AnnotationHeaders.Count;
    /// <summary>The position of the first input column.</summary>
    public int InputAt => TopReasonsAt + 1;
}
