using System.Text;
using LeadPredict.Core.Csv;

namespace LeadPredict.ML.Scoring;

/// <summary>Adds columns to the ranked output (e.g. the ICP check and the stage suggestion) without the ML library knowing them.</summary>
public interface IScoreAnnotator
{
    /// <summary>The columns it adds, in order.</summary>
    IReadOnlyList<string> Headers { get; }
    /// <summary>Binds to an input file's header; throws a configuration error when a needed column is missing.</summary>
    IRowAnnotator Bind(IReadOnlyList<string> header, string source);
}

/// <summary>
/// An annotator bound to one header. Every member must be thread-safe. Each lead is annotated once, through
/// <see cref="Annotate"/> or <see cref="Write"/>, and counted once in <see cref="Summary"/> either way.
/// </summary>
public interface IRowAnnotator
{
    /// <summary>What the annotator says about one lead: typed, with its cells (one per header).</summary>
    ILeadAnnotation Annotate(IReadOnlyList<string> fields, double probability);

    /// <summary>
    /// Writes this lead's cells into its ranked line: exactly the cells of <see cref="Annotate"/>. An annotator on the hot path
    /// implements it to write without a string per cell (batch scoring calls it for every lead it does not keep typed).
    /// </summary>
    void Write(IReadOnlyList<string> fields, double probability, CsvCells cells)
    {
        foreach (var cell in Annotate(fields, probability).Cells) cells.Cell(cell);
    }

    /// <summary>Lines for the printed summary after all leads are scored.</summary>
    IReadOnlyList<(string Title, IReadOnlyList<(string Key, int Count)> Counts)> Summary();
}

/// <summary>
/// One annotator's view of one lead: its cells, one per header of the annotator and in that order. Code that knows the
/// annotator reads the typed data of its own annotation type (see <see cref="RankedLead.Annotation{T}"/>).
/// </summary>
public interface ILeadAnnotation
{
    IReadOnlyList<string> Cells { get; }
}

/// <summary>The cells of one ranked line, written as the ranked CSV writes every cell: formula-neutralized, then quoted as needed.</summary>
public sealed class CsvCells
{
    private readonly Utf8Buffer _buffer;
    private readonly char _separator;

    internal CsvCells(Utf8Buffer buffer, char separator) => (_buffer, _separator) = (buffer, separator);

    public void Cell(string value)
    {
        _buffer.AppendSafeField(value, _separator);
        _buffer.Append(_separator);
    }

    public void Cell(StringBuilder value)
    {
        // A text that may run as a spreadsheet formula is rare; it takes the string path, which neutralizes it.
        if (value.Length > 0 && CsvText.MayStartFormula(value[0])) { Cell(value.ToString()); return; }
        _buffer.AppendEscaped(value, _separator);
        _buffer.Append(_separator);
    }
}
