using LeadPredict.Core;
using LeadPredict.Core.Csv;

namespace LeadPredict.PredictionLog;

/// <summary>Reads outcomes from a CSV: a lead id column and an outcome column (yes/no, 1/0, true/false, won/lost, or the model's positive label).</summary>
public static class OutcomeFile
{
    private static readonly string[] Positive = ["1", "yes", "y", "true", "t", "converted", "won", "closed won", "closed-won", "customer"];
    private static readonly string[] Negative = ["0", "no", "n", "false", "f", "lost", "closed lost", "closed-lost", "not converted", "disqualified"];

    public static IReadOnlyList<OutcomeRecord> Read(string path, string idColumn, string outcomeColumn, string? positiveLabel, DateTimeOffset now)
    {
        using var reader = new CsvRecordReader(path);
        int Find(string name)
        {
            for (var i = 0; i < reader.Header.Count; i++)
                if (string.Equals(reader.Header[i], name, StringComparison.OrdinalIgnoreCase)) return i;
            throw new InputFileException(path, 1, name, $"the column '{name}' is missing; the file has: {string.Join(", ", reader.Header)}.");
        }
        var id = Find(idColumn);
        var outcome = Find(outcomeColumn);
        var result = new List<OutcomeRecord>();
        var fields = new List<string>();
        while (reader.Read(fields))
        {
            var leadId = fields[id].Trim();
            if (leadId.Length == 0) throw new InputFileException(path, reader.RecordLine, idColumn, "the lead id is empty.");
            var value = fields[outcome].Trim();
            bool converted;
            if (positiveLabel is not null && string.Equals(value, positiveLabel.Trim(), StringComparison.OrdinalIgnoreCase)) converted = true;
            else if (Positive.Contains(value, StringComparer.OrdinalIgnoreCase)) converted = true;
            else if (Negative.Contains(value, StringComparer.OrdinalIgnoreCase) || positiveLabel is not null) converted = false;
            else throw new InputFileException(path, reader.RecordLine, outcomeColumn, $"'{value}' is not an outcome; use yes/no, 1/0, true/false or won/lost.");
            result.Add(new OutcomeRecord(leadId, converted, now));
        }
        return result;
    }
}
