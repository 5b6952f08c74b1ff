using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using LeadPredict.Core;

namespace LeadPredict.Rules;

/// <summary>
/// The rules file, checked against the data's columns: the ICP (optional) and the funnel (the default ladder when absent).
/// Every mistake (unknown column or operator, an operator that does not fit the column, an empty range, a bad ladder)
/// is reported here, before any lead is scored, as one sentence naming the file, the line and the rule.
/// </summary>
public sealed class RuleSet
{
    private RuleSet(string source, Icp? icp, Funnel funnel)
    {
        Source = source;
        Icp = icp;
        Funnel = funnel;
    }

    /// <summary>The file the rules came from (or "default rules").</summary>
    public string Source { get; }
    /// <summary>Null when there is no ICP: no fit is computed and gates skip their ICP requirement.</summary>
    public Icp? Icp { get; }
    public Funnel Funnel { get; }

    // "Stage at the time": the stage a timeline model's example was in at its time (LeadPredict.Timeline.SnapshotTable).
    private static readonly string[] StageColumnKeys = ["stage", "lifecyclestage", "leadstage", "funnelstage", "stageatthetime"];

    /// <summary>No rules file: no ICP, the default ladder and gates, the stage column found by name ("stage", "lifecyclestage", ...).</summary>
    public static RuleSet Default(IReadOnlyDictionary<string, ColumnKind> columns) =>
        new("default rules", null, new Funnel(Funnel.DefaultStages, FindStageColumn(columns)));

    /// <param name="numberFormats">How numeric columns write their numbers (absent: plainly), so atLeast 50 reads "4,268" as training did.</param>
    public static RuleSet Load(string path, IReadOnlyDictionary<string, ColumnKind> columns, IReadOnlyDictionary<string, NumberFormat>? numberFormats = null)
    {
        if (!File.Exists(path))
            throw new InputFileException(path, null, null, $"rules file not found (looked for {Path.GetFullPath(path)}).");
        return Parse(File.ReadAllBytes(path), columns, path, numberFormats);
    }

    /// <summary>
    /// The ladder a rules file names (its stages and aliases; the default ladder when it names none), read before the data's
    /// columns are known, for learning the funnel from a stage history. A file that does not parse fails as <see cref="Load"/> does.
    /// </summary>
    public static IReadOnlyList<FunnelStage> LoadLadder(string path)
    {
        var (dto, _) = ReadBeforeColumns(path);
        if (dto?.Funnel?.Stages is not { Count: > 0 } stages) return Funnel.DefaultStages;
        return stages.Select((s, i) => string.IsNullOrWhiteSpace(s.Name)
                ? throw new InputFileException(path, null, null, $"funnel stage {i + 1} has no \"name\".")
                : new FunnelStage(s.Name.Trim(), s.Aliases?.Select(a => a.Trim()).ToArray() ?? [], null)).ToArray();
    }

    /// <summary>
    /// The funnel-learning settings a rules file gives (<c>funnel.learned</c>: promotionHorizonDays, stalledFactor), read before
    /// the data's columns are known, for learning the funnel from a stage history; unset values are null (the defaults apply).
    /// </summary>
    public static FunnelLearningSettings LoadLearning(string path)
    {
        var (dto, bytes) = ReadBeforeColumns(path);
        return Learning(dto?.Funnel?.Learned, path, bytes);
    }

    /// <summary>The rules file read before the data's columns are known; a file that does not parse fails as <see cref="Load"/> does.</summary>
    private static (RulesFileDto? Dto, byte[] Json) ReadBeforeColumns(string path)
    {
        if (!File.Exists(path))
            throw new InputFileException(path, null, null, $"rules file not found (looked for {Path.GetFullPath(path)}).");
        var bytes = File.ReadAllBytes(path).AsSpan();
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        try { return (JsonSerializer.Deserialize<RulesFileDto>(bytes, Json), bytes.ToArray()); }
        catch (JsonException)
        {
            Parse(bytes, new Dictionary<string, ColumnKind>(), path, null); // throws the precise message
            throw;
        }
    }

    /// <summary>The <c>funnel.learned</c> settings, each checked where it is written (line and column).</summary>
    private static FunnelLearningSettings Learning(LearnedDto? dto, string source, ReadOnlySpan<byte> json)
    {
        if (dto is null) return FunnelLearningSettings.None;
        var settings = new FunnelLearningSettings(dto.PromotionHorizonDays, dto.StalledFactor);
        var defaults = new FunnelLearningOptions();
        var options = settings.Apply(defaults);
        var problems = new[]
        {
            ("promotionHorizonDays", (options with { StalledFactor = defaults.StalledFactor }).Validate()),
            ("stalledFactor", (options with { PromotionHorizonDays = defaults.PromotionHorizonDays }).Validate()),
        };
        foreach (var (name, problem) in problems)
        {
            if (problem is null) continue;
            // "stalledFactor must be between ..." said where it is written: "funnel.learned.stalledFactor (column 21) must be between ...".
            var at = JsonLines.ValueStart(json, $"funnel.learned.{name}");
            var where = at is { } a ? $" (column {a.Column})" : "";
            throw new InputFileException(source, at?.Line, null, $"funnel.learned.{name}{where}{problem[name.Length..]}");
        }
        return settings;
    }

    public static RuleSet Parse(string json, IReadOnlyDictionary<string, ColumnKind> columns, string source = "rules.json",
        IReadOnlyDictionary<string, NumberFormat>? numberFormats = null) =>
        Parse(Encoding.UTF8.GetBytes(json), columns, source, numberFormats);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static RuleSet Parse(ReadOnlySpan<byte> json, IReadOnlyDictionary<string, ColumnKind> columns, string source,
        IReadOnlyDictionary<string, NumberFormat>? numberFormats)
    {
        if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) json = json[3..];
        RulesFileDto dto;
        try
        {
            dto = JsonSerializer.Deserialize<RulesFileDto>(json, Json)
                ?? throw new InputFileException(source, 1, null, "the rules file is empty; expected a JSON object with \"icp\" and/or \"funnel\".");
        }
        catch (JsonException e)
        {
            var message = JsonFieldProblem.From(e, json, typeof(RulesFileDto)) is { } problem ? FieldProblem(problem, json.ToArray()) : e.Message;
            var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            if (cut > 0) message = message[..cut];
            throw new InputFileException(source, (e.LineNumber ?? 0) + 1, null, $"invalid rules file: {message}", e);
        }
        return new Loader(source, columns, JsonLines.ObjectStarts(json), numberFormats, json.ToArray()).Build(dto);
    }

    /// <summary>A field of the wrong type or name, said with the rule or gate it belongs to: "ICP rule 2 'Size': 'min' must be a number, got "fifty"".</summary>
    private static string FieldProblem(JsonFieldProblem problem, byte[] json)
    {
        var path = problem.Path;
        string? Name(int upTo) => JsonFieldProblem.TextAt(json, [.. path.Take(upTo), "name"]) is { Length: > 0 } n ? $" '{n.Trim()}'" : "";
        int Index(int at) => at < path.Count && path[at].StartsWith('[') && int.TryParse(path[at][1..^1], out var i) ? i : -1;
        string Rest(int from) => string.Concat(path.Skip(from).Select((p, i) => p.StartsWith('[') || i == 0 ? p : "." + p));
        if (path.Count > 2 && path[0] == "icp" && Index(1) >= 0)
            return $"ICP rule {Index(1) + 1}{Name(2)}: {problem.Describe(Rest(2))}.";
        if (path.Count > 3 && path[0] == "funnel" && path[1] == "gates")
        {
            var gate = $"gate '{path[2]}'";
            if (path.Count > 5 && path[3] is "evidence" or "anyEvidence" && Index(4) >= 0)
                return $"{gate}, {path[3]} {Index(4) + 1}{Name(5)}: {problem.Describe(Rest(5))}.";
            return $"{gate}: {problem.Describe(Rest(3))}.";
        }
        if (path.Count > 3 && path[0] == "funnel" && path[1] == "stages" && Index(2) >= 0)
            return $"funnel stage {Index(2) + 1}: {problem.Describe(Rest(3))}.";
        return problem.Describe() + ".";
    }

    private static string? FindStageColumn(IReadOnlyDictionary<string, ColumnKind> columns) =>
        columns.Keys.FirstOrDefault(c => StageColumnKeys.Contains(Text.StageKey(c)));

    private sealed class Loader(string source, IReadOnlyDictionary<string, ColumnKind> kinds, Dictionary<string, long> lines,
        IReadOnlyDictionary<string, NumberFormat>? numberFormats, byte[] json)
    {
        private readonly Dictionary<string, (string Name, ColumnKind Kind)> _columns =
            kinds.ToDictionary(kv => kv.Key, kv => (kv.Key, kv.Value), StringComparer.OrdinalIgnoreCase);

        private InputFileException Error(string path, string problem) =>
            new(source, lines.TryGetValue(path, out var line) ? line : null, null, problem);

        public RuleSet Build(RulesFileDto dto)
        {
            Icp? icp = null;
            if (dto.Icp is { Count: > 0 })
            {
                var rules = dto.Icp.Select((r, i) => IcpRule(r, $"icp[{i}]", $"ICP rule {i + 1}")).ToArray();
                try { icp = new Icp(rules, dto.IcpFailBelow ?? 0); }
                catch (LeadPredictException e) { throw Error("", e.Message); }
            }
            else if (dto.IcpFailBelow is not null)
                throw Error("", "icpFailBelow is set but there are no ICP rules.");
            return new RuleSet(source, icp, BuildFunnel(dto.Funnel));
        }

        private IcpRule IcpRule(RuleDto r, string path, string what)
        {
            var condition = Condition(r, path, what);
            var name = string.IsNullOrWhiteSpace(r.Name) ? condition.Description : r.Name.Trim();
            if (r.Weight is { } w && !(w > 0)) throw Error(path, $"{Title(r, what)}: weight must be a positive number (was {Text.Number(w)}).");
            return new IcpRule(name, condition, r.Weight ?? 1, r.MustHave ?? false);
        }

        private static string Title(RuleDto r, string what) =>
            !string.IsNullOrWhiteSpace(r.Name) ? $"{what} '{r.Name.Trim()}'"
            : r.Column is { Length: > 0 } ? $"{what} ({r.Column} {r.Op})".Replace(" )", ")", StringComparison.Ordinal)
            : what;

        private Condition Condition(RuleDto r, string path, string what)
        {
            var title = Title(r, what);
            if (string.IsNullOrWhiteSpace(r.Column)) throw Error(path, $"{title}: \"column\" is missing.");
            if (!_columns.TryGetValue(r.Column.Trim(), out var column))
            {
                var hint = Text.Closest(r.Column, _columns.Keys) is { } close ? $"did you mean '{close}'?"
                    : _columns.Count <= 40 ? $"the columns are: {string.Join(", ", _columns.Keys)}." : "check the spelling against the file's header.";
                throw Error(path, $"{title}: the data has no column '{r.Column.Trim()}'; {hint}");
            }
            if (string.IsNullOrWhiteSpace(r.Op)) throw Error(path, $"{title}: \"op\" is missing; use one of {string.Join(", ", Rules.Condition.OperatorNames)}.");
            if (!Rules.Condition.TryParseOperator(r.Op, out var op))
                throw Error(path, $"{title}: unknown operator '{r.Op}'; use one of {string.Join(", ", Rules.Condition.OperatorNames)}.");

            try
            {
                var values = new List<string>();
                if (r.Values is not null) values.AddRange(r.Values.Select(v => Scalar(v, "values")));
                double? min = r.Min, max = r.Max;
                string? pattern = r.Pattern;
                if (r.Value is { } value)
                {
                    var text = Scalar(value, "value");
                    switch (op)
                    {
                        case RuleOperator.AtLeast: min = Number(text); break;
                        case RuleOperator.AtMost: max = Number(text); break;
                        case RuleOperator.Matches: pattern ??= text; break;
                        default: values.Insert(0, text); break;
                    }
                }
                if (r.Values is not null && op is RuleOperator.Equals)
                    throw new LeadPredictException("'equals' takes one \"value\"; for a list use 'in'.");
                if ((r.Min is not null || r.Max is not null) && op is not RuleOperator.Between)
                    throw new LeadPredictException($"\"min\" and \"max\" belong to 'between'; '{Rules.Condition.Name(op)}' takes \"value\".");
                if (r.Pattern is not null && op is not RuleOperator.Matches)
                    throw new LeadPredictException($"\"pattern\" belongs to 'matches', not '{Rules.Condition.Name(op)}'.");
                var number = numberFormats is not null && numberFormats.TryGetValue(column.Name, out var f) ? f : NumberFormat.Plain;
                return Rules.Condition.Create(column.Name, column.Kind, op, values, min, max, pattern, number, r.Label);
            }
            catch (LeadPredictException e) when (e is not InputFileException)
            {
                throw Error(path, $"{title}: {e.Message}");
            }
        }

        private static string Scalar(JsonElement e, string field) => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString()!.Trim(),
            JsonValueKind.Number => e.GetRawText(),
            JsonValueKind.True => "yes",
            JsonValueKind.False => "no",
            _ => throw new LeadPredictException($"\"{field}\" must hold text, numbers or true/false, not {e.ValueKind.ToString().ToLowerInvariant()}."),
        };

        private static double Number(string text) =>
            Values.TryParseNumber(text, out var d) ? d : throw new LeadPredictException($"'{text}' is not a number.");

        private Funnel BuildFunnel(FunnelDto? dto)
        {
            dto ??= new FunnelDto();
            string? stageColumn;
            if (dto.StageColumn is { } configured)
            {
                stageColumn = _columns.TryGetValue(configured.Trim(), out var c) ? c.Name
                    : throw Error("funnel", $"funnel: stageColumn '{configured}' is not a column of the data" +
                        (Text.Closest(configured, _columns.Keys) is { } close ? $"; did you mean '{close}'?" : "."));
            }
            else stageColumn = FindStageColumn(kinds);

            List<FunnelStage> stages;
            if (dto.Stages is null)
            {
                stages = [.. Funnel.DefaultStages];
            }
            else
            {
                if (dto.Stages.Count == 0)
                    throw Error("funnel", "funnel: \"stages\" is empty; list the ladder from first to last stage, or leave \"stages\" out for the default ladder.");
                stages = [];
                for (var i = 0; i < dto.Stages.Count; i++)
                {
                    var s = dto.Stages[i];
                    if (string.IsNullOrWhiteSpace(s.Name)) throw Error($"funnel.stages[{i}]", $"funnel stage {i + 1} has no \"name\".");
                    stages.Add(new FunnelStage(s.Name.Trim(), s.Aliases?.Select(a => a.Trim()).ToArray() ?? [], null));
                }
            }

            var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < stages.Count; i++)
                foreach (var n in stages[i].Aliases.Prepend(stages[i].Name))
                    byKey.TryAdd(Text.StageKey(n), i);

            var gated = new Dictionary<int, string>();
            foreach (var (stageName, gate) in dto.Gates ?? [])
            {
                var path = $"funnel.gates.{stageName}";
                var known = string.Join(", ", stages.Select(s => s.Name));
                if (!byKey.TryGetValue(Text.StageKey(stageName), out var index))
                    throw Error(path, $"gate '{stageName}' names no stage of the funnel (known: {known}).");
                if (index == 0)
                    throw Error(path, $"gate '{stageName}': the first stage cannot have a gate, every lead starts there.");
                if (!gated.TryAdd(index, stageName))
                    throw Error(path, $"gates '{gated[index]}' and '{stageName}' are both for stage '{stages[index].Name}'; give each stage one gate.");
                var merged = Gate(gate, stages[index].Gate, path, $"gate '{stages[index].Name}'");
                stages[index] = stages[index] with { Gate = merged };
            }

            try
            {
                return new Funnel(stages, stageColumn, new ActionOptions
                {
                    NurtureBelow = dto.NurtureBelow ?? new ActionOptions().NurtureBelow,
                    DisqualifyBelow = dto.DisqualifyBelow ?? new ActionOptions().DisqualifyBelow,
                    EarlyUntil = dto.EarlyUntil,
                    SuggestWithoutStage = dto.SuggestWithoutStage ?? false,
                    UseLearnedGates = dto.UseLearnedGates ?? false,
                }, Learning(dto.Learned, source, json));
            }
            catch (LeadPredictException e) when (e is not InputFileException)
            {
                throw Error("funnel", $"funnel: {e.Message}");
            }
        }

        /// <summary>A gate given for a default stage changes only the settings it names.</summary>
        private StageGate? Gate(GateDto g, StageGate? defaults, string path, string what)
        {
            if (g.Manual == true)
            {
                if (g.MinProbability is not null || g.MinConversionRate is not null || g.Icp is not null || g.Evidence is not null || g.AnyEvidence is not null)
                    throw Error(path, $"{what}: a manual gate takes no other settings.");
                return null;
            }
            var icp = defaults?.Icp ?? IcpRequirement.None;
            if (g.Icp is { } text)
            {
                icp = text.Trim().ToLowerInvariant() switch
                {
                    "pass" => IcpRequirement.Pass,
                    "partial" => IcpRequirement.Partial,
                    "none" or "any" => IcpRequirement.None,
                    _ => throw Error(path, $"{what}: icp '{text}' is not a requirement; use pass, partial or none."),
                };
            }
            var probabilityGiven = g.MinProbability is not null || g.MinConversionRate is not null;
            var gate = new StageGate
            {
                MinProbability = probabilityGiven ? g.MinProbability : defaults?.MinProbability,
                MinConversionRate = probabilityGiven ? g.MinConversionRate : defaults?.MinConversionRate,
                Icp = icp,
                Evidence = g.Evidence is null ? defaults?.Evidence ?? []
                    : g.Evidence.Select((r, i) => Evidence(r, $"{path}.evidence[{i}]", $"{what}, evidence {i + 1}")).ToArray(),
                AnyEvidence = g.AnyEvidence is null ? defaults?.AnyEvidence ?? []
                    : g.AnyEvidence.Select((r, i) => Evidence(r, $"{path}.anyEvidence[{i}]", $"{what}, anyEvidence {i + 1}")).ToArray(),
            };
            if (gate.Validate() is { } problem) throw Error(path, $"{what}: {problem}");
            return gate;
        }

        private Condition Evidence(RuleDto r, string path, string what)
        {
            if (r.Weight is not null || r.MustHave is not null)
                throw Error(path, $"{Title(r, what)}: weight and mustHave belong to ICP rules; evidence conditions must all hold.");
            return Condition(r, path, what);
        }
    }

    private sealed class RulesFileDto
    {
        public List<RuleDto>? Icp { get; set; }
        public double? IcpFailBelow { get; set; }
        public FunnelDto? Funnel { get; set; }
    }

    private sealed class RuleDto
    {
        public string? Name { get; set; }
        public string? Column { get; set; }
        public string? Label { get; set; }
        public string? Op { get; set; }
        public JsonElement? Value { get; set; }
        public List<JsonElement>? Values { get; set; }
        public double? Min { get; set; }
        public double? Max { get; set; }
        public string? Pattern { get; set; }
        public double? Weight { get; set; }
        public bool? MustHave { get; set; }
    }

    private sealed class FunnelDto
    {
        public string? StageColumn { get; set; }
        public List<StageDto>? Stages { get; set; }
        public Dictionary<string, GateDto>? Gates { get; set; }
        public double? NurtureBelow { get; set; }
        public double? DisqualifyBelow { get; set; }
        public string? EarlyUntil { get; set; }
        public bool? SuggestWithoutStage { get; set; }
        public bool? UseLearnedGates { get; set; }
        public LearnedDto? Learned { get; set; }
    }

    private sealed class LearnedDto
    {
        public int? PromotionHorizonDays { get; set; }
        public double? StalledFactor { get; set; }
    }

    private sealed class StageDto
    {
        public string? Name { get; set; }
        public List<string>? Aliases { get; set; }
    }

    private sealed class GateDto
    {
        public double? MinProbability { get; set; }
        public double? MinConversionRate { get; set; }
        public string? Icp { get; set; }
        public List<RuleDto>? Evidence { get; set; }
        public List<RuleDto>? AnyEvidence { get; set; }
        public bool? Manual { get; set; }
    }
}
