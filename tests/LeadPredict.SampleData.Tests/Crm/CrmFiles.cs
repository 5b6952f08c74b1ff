using LeadPredict.Core.Csv;

namespace LeadPredict.SampleData.Tests.Crm;

/// <summary>Reads generated tables back the way a user's tools would: header and rows of text.</summary>
internal static class CrmFiles
{
    public static (IReadOnlyList<string> Header, List<string[]> Rows) Read(string path)
    {
        using var reader = new CsvRecordReader(path);
        var rows = new List<string[]>();
        var fields = new List<string>();
        while (reader.Read(fields)) rows.Add([.. fields]);
        return (reader.Header, rows);
    }

    public static DateTime Time(string text) =>
        DateTime.ParseExact(text, "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
}
