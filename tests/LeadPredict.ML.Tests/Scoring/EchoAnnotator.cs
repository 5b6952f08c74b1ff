using LeadPredict.ML.Scoring;

namespace LeadPredict.ML.Tests.Scoring;

/// <summary>An annotator whose columns depend on the lead and its probability, with a separator and a quote to escape.</summary>
internal sealed class EchoAnnotator : IScoreAnnotator
{
    public IReadOnlyList<string> Headers { get; } = ["echo", "band"];
    public IRowAnnotator Bind(IReadOnlyList<string> header, string source) => new Row();

    private sealed class Row : IRowAnnotator
    {
        public ILeadAnnotation Annotate(IReadOnlyList<string> fields, double probability) =>
            new Echo([$"{fields[0]}, \"{fields[3]}\"", probability >= 0.5 ? "high" : "low"]);

        public IReadOnlyList<(string Title, IReadOnlyList<(string Key, int Count)> Counts)> Summary() => [];
    }

    public sealed record Echo(IReadOnlyList<string> Cells) : ILeadAnnotation;
}
