namespace LeadPredict.ML.Scoring;

/// <summary>
/// One ranked lead, typed: what its line in the ranked file says before it is text. <see cref="Annotations"/> holds each
/// annotator's view in the layout's order (<see cref="Annotation{T}"/> finds one by type), <see cref="Fields"/> the input
/// record under <see cref="RankedLayout.InputHeader"/> as it was read.
/// </summary>
public sealed record RankedLead(
    int Rank, string Id, double Probability, int Score, string Grade,
    IReadOnlyList<ILeadAnnotation> Annotations, IReadOnlyList<ScoreFactor> Reasons, IReadOnlyList<string> Fields)
{
    /// <summary>The annotation of the annotator of type <typeparamref name="T"/>, or null when none annotated this lead.</summary>
    public T? Annotation<T>() where T : class, ILeadAnnotation
    {
        foreach (var a in Annotations)
            if (a is T typed) return typed;
        return null;
    }

    /// <summary>The annotators' cells, in the order of <see cref="RankedLayout.AnnotationHeaders"/>.</summary>
    public IEnumerable<string> Cells => Annotations.SelectMany(a => a.Cells);
}

/// <summary>
/// A lead the moment it is scored, before the file is ranked: what a record of every scored lead needs (the prediction log).
/// <see cref="Fields"/> is the input record under <see cref="RankedLayout.InputHeader"/>; it is reused once the call returns.
/// </summary>
public readonly record struct ScoredRow(string Id, double Probability, string Grade, IReadOnlyList<ILeadAnnotation> Annotations, IReadOnlyList<string> Fields)
{
    /// <summary>The lead's reasons, when the sink asks for them (<see cref="IScoredLeadSink.WantsReasons"/>); else null.</summary>
    public IReadOnlyList<ScoreFactor>? Reasons { get; init; }

    /// <summary>
    /// The lead's place in the input: larger for later leads (not a line number). Ranking by probability, highest first, ties
    /// in this order, gives the ranked file's order (<see cref="RankOrder"/>).
    /// </summary>
    public long Position { get; init; }
}

/// <summary>Receives every lead of a file as it is scored: from several threads at once, in no particular order.</summary>
public interface IScoredLeadSink
{
    void Scored(RankedLayout layout, in ScoredRow lead);

    /// <summary>Whether each lead's reasons are worded for the sink (they cost time; the prediction log does without).</summary>
    bool WantsReasons => false;
}
