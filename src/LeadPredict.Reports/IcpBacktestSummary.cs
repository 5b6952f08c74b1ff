using System.Text.Json;
using LeadPredict.Rules;

namespace LeadPredict.Reports;

/// <summary>One ICP rule's backtest, as the report shows it.</summary>
public sealed record IcpRuleRow(string Rule, ConversionCount Met, ConversionCount NotMet, double Lift, bool NoLift, string Verdict);

/// <summary>
/// The ICP backtest as the report needs it: per rule, conversion when met and when not, and conversion by fit.
/// Built from an <see cref="IcpBacktestReport"/>, or read leniently from the JSON stored in a model file
/// (<c>ModelBundle.Extras["icp-backtest"]</c>), so the report does not break when that document gains fields.
/// </summary>
public sealed record IcpBacktestSummary(IReadOnlyList<IcpRuleRow> Rules, ConversionCount Pass, ConversionCount Partial, ConversionCount Fail, ConversionCount All)
{
    /// <summary>The name under which training stores the backtest in the model file.</summary>
    public const string ExtraName = "icp-backtest";

    public static IcpBacktestSummary From(IcpBacktestReport report) => new(
        report.Rules.Select(r => new IcpRuleRow(r.Rule.Name, r.Met, r.NotMet, r.Lift, r.NoLift, r.Verdict)).ToArray(),
        report.Pass, report.Partial, report.Fail, report.All);

    /// <summary>Reads the backtest from its stored JSON; null when the text is not recognisably an ICP backtest.</summary>
    public static IcpBacktestSummary? TryParse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Get(root, "rules") is not { ValueKind: JsonValueKind.Array } rules) return null;
            var rows = new List<IcpRuleRow>();
            foreach (var r in rules.EnumerateArray())
            {
                var name = Get(r, "rule") is { } rule
                    ? (rule.ValueKind == JsonValueKind.String ? rule.GetString() : Get(rule, "name")?.GetString())
                    : Get(r, "name")?.GetString();
                if (name is null || Count(Get(r, "met")) is not { } met || Count(Get(r, "notMet")) is not { } notMet) return null;
                var lift = Number(Get(r, "lift"));
                rows.Add(new IcpRuleRow(name, met, notMet, lift, Get(r, "noLift")?.ValueKind == JsonValueKind.True || !(lift >= 1.1),
                    Get(r, "verdict")?.GetString() ?? ""));
            }
            if (Count(Get(root, "all")) is not { } all) return null;
            return new IcpBacktestSummary(rows, Count(Get(root, "pass")) ?? default, Count(Get(root, "partial")) ?? default,
                Count(Get(root, "fail")) ?? default, all);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static JsonElement? Get(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        foreach (var p in e.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        return null;
    }

    private static ConversionCount? Count(JsonElement? e) =>
        e is { } v && Get(v, "leads") is { ValueKind: JsonValueKind.Number } leads && Get(v, "converted") is { ValueKind: JsonValueKind.Number } converted
            ? new ConversionCount(leads.GetInt32(), converted.GetInt32())
            : null;

    private static double Number(JsonElement? e) => e switch
    {
        { ValueKind: JsonValueKind.Number } n => n.GetDouble(),
        { ValueKind: JsonValueKind.String } s when double.TryParse(s.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        _ => double.NaN,
    };
}
