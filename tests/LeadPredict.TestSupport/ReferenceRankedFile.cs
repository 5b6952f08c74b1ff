using System.Globalization;
using System.Text;
using LeadPredict.Core.Csv;
using LeadPredict.ML.Scoring;

namespace LeadPredict.TestSupport;

/// <summary>
/// The ranked file as the simplest code writes it: every lead scored on its own (<see cref="LeadScorer.Score"/>), the
/// annotators' cells as strings, the leads sorted with LINQ (best first, ties in file order), every cell through
/// <see cref="CsvText.SafeField"/>. Batch scoring must write exactly these bytes for an input whose fields are quoted only
/// where they must be (as <see cref="CsvText.JoinRow"/> writes them).
/// </summary>
public static class ReferenceRankedFile
{
    public static byte[] Write(LeadScorer scorer, IReadOnlyList<IScoreAnnotator> annotators, string input, bool reasons = true)
    {
        using var reader = new CsvRecordReader(input);
        var header = reader.Header;
        var sep = reader.Separator;
        var binding = scorer.Bind(header, input);
        var rows = annotators.Select(a => a.Bind(header, input)).ToArray();
        var leads = new List<(double Probability, string Line)>();
        var fields = new List<string>();
        var values = new string?[scorer.FeatureColumns.Count];
        while (reader.Read(fields))
        {
            scorer.Extract(binding, fields, values);
            var lead = scorer.Score(values, reasons && scorer.CanExplain ? 3 : 0);
            var cells = new List<string>
            {
                binding.IdIndex >= 0 ? fields[binding.IdIndex] : reader.RecordLine.ToString(CultureInfo.InvariantCulture),
                LeadScorer.FormatProbability(lead.Probability),
                lead.Score.ToString(CultureInfo.InvariantCulture),
                lead.Grade,
            };
            foreach (var row in rows) cells.AddRange(row.Annotate(fields, lead.Probability).Cells);
            cells.Add(string.Join(" | ", lead.Reasons));
            cells.AddRange(fields);
            leads.Add((lead.Probability, string.Join(sep, cells.Select(c => CsvText.SafeField(c, sep)))));
        }

        var id = scorer.Bundle.Schema.Id ?? "line";
        var outputs = new List<string> { "rank", id, "probability", "score", "grade" };
        outputs.AddRange(annotators.SelectMany(a => a.Headers));
        outputs.Add("top_reasons");
        var renamed = header.Select(h => outputs.Contains(h, StringComparer.OrdinalIgnoreCase) ? h + "_input" : h);
        var text = new StringBuilder(CsvText.JoinRow(outputs.Concat(renamed), sep)).Append('\n');
        var rank = 0;
        foreach (var lead in leads.Select((l, i) => (l, i)).OrderByDescending(x => x.l.Probability).ThenBy(x => x.i))
            text.Append(++rank).Append(sep).Append(lead.l.Line).Append('\n');
        return new UTF8Encoding(false).GetBytes(text.ToString());
    }
}
