using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;
using LeadPredict.Rules;

namespace LeadPredict.Advice;

/// <summary>
/// Adds the rule-based view next to the model's score in the ranked output: the ICP check (when a rules file is given)
/// and the funnel advice (current stage, suggested stage, action, reason). Without a rules file the default ladder applies
/// and gates that need the ICP are skipped, which the reason says.
/// </summary>
public sealed class FunnelAnnotator : IScoreAnnotator
{
    private readonly ModelBundle _model;
    private readonly string? _rulesPath;
    private readonly GateThresholds _thresholds;
    private readonly DecileCuts _cuts;
    private readonly LearnedFunnel? _learned;
    private readonly LearnedGates? _learnedGates;

    public FunnelAnnotator(ModelBundle model, string? rulesPath)
    {
        _model = model;
        _rulesPath = rulesPath;
        var trained = TrainedRules.From(model.Report);
        _thresholds = trained?.Thresholds ?? GateThresholds.None;
        _learnedGates = trained?.LearnedGates;
        _learned = model.Report.Extensions.TryGetValue(LearnedFunnel.Name, out var learned) ? LearnedFunnel.FromJson(learned) : null;
        _cuts = model.Report.HoldoutProbabilities.Count > 0 ? DecileCuts.FromHoldout(model.Report.HoldoutProbabilities.ToArray()) : DecileCuts.None;
        Headers = FunnelAnnotation.Headers(checksIcp: rulesPath is not null);
    }

    public IReadOnlyList<string> Headers { get; }

    /// <summary>The funnel the model learned from its stage history (null without one).</summary>
    public LearnedFunnel? Learned => _learned;

    /// <summary>Whether it checks the ICP (a rules file was given), adding the ICP columns.</summary>
    public bool ChecksIcp => _rulesPath is not null;

    /// <summary>Loads the rules against the columns of this file (with the kinds training saw), so a rule naming a missing column fails before scoring.</summary>
    public IRowAnnotator Bind(IReadOnlyList<string> header, string source)
    {
        var trainedKinds = _model.Report.Columns.ToDictionary(c => c.Name, c => c.Kind, StringComparer.OrdinalIgnoreCase);
        var kinds = header.ToDictionary(h => h, h => trainedKinds.GetValueOrDefault(h, ColumnKind.Categorical), StringComparer.OrdinalIgnoreCase);
        var rules = _rulesPath is null ? RuleSet.Default(kinds) : RuleSet.Load(_rulesPath, kinds, LeadTableRow.NumberFormatsOf(_model.Report.Columns));
        return new Row(this, rules, new FunnelAdvisor(rules, _cuts, _thresholds, _learned, _learnedGates), header);
    }

    private sealed class Row : IRowAnnotator
    {
        private readonly FunnelAnnotator _owner;
        private readonly RuleSet _rules;
        private readonly FunnelAdvisor _advisor;
        private readonly Dictionary<string, int> _index;
        private readonly ColumnSlots _slots;
        private readonly MissingTokens _missing;
        // Each thread annotates with a lead view and counts of its own, so workers never wait on each other;
        // the counts are added up in Summary().
        private readonly ThreadLocal<PerThread> _local;

        /// <summary>What a thread annotates with: its view of the lead, its counts and the builders its texts are written to.</summary>
        private sealed record PerThread(FieldsLead Lead, AdviceCounts Summary)
        {
            public readonly System.Text.StringBuilder Reason = new(256);
            public readonly System.Text.StringBuilder Failed = new(256);
        }

        public Row(FunnelAnnotator owner, RuleSet rules, FunnelAdvisor advisor, IReadOnlyList<string> header)
        {
            _owner = owner;
            _rules = rules;
            _advisor = advisor;
            _index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Count; i++) _index.TryAdd(header[i], i);
            _slots = ColumnSlots.For(rules, _index);
            _missing = new MissingTokens(owner._model.Schema.MissingTokens);
            _local = new(() => new PerThread(new FieldsLead(_index, _slots, _missing), new AdviceCounts(rules.Funnel)), trackAllValues: true);
        }

        /// <summary>The same cells as <see cref="Annotate"/>, written without a string per lead (the ranked file's path).</summary>
        public void Write(IReadOnlyList<string> fields, double probability, CsvCells cells)
        {
            var advice = Advise(fields, probability, out var texts);
            var line = new LineCells(cells);
            FunnelAnnotation.WriteCells(ref line, advice, _owner.ChecksIcp, ScoreCell(advice), texts.Failed, texts.Reason);
        }

        private readonly record struct LineCells(CsvCells Cells) : FunnelAnnotation.ICellWriter<System.Text.StringBuilder>
        {
            public void Cell(string value) => Cells.Cell(value);
            public void Text(System.Text.StringBuilder text) => Cells.Cell(text);
        }

        public ILeadAnnotation Annotate(IReadOnlyList<string> fields, double probability)
        {
            var advice = Advise(fields, probability, out var texts);
            return new FunnelAnnotation(advice, texts.Reason.ToString(), texts.Failed.ToString(), _owner.ChecksIcp);
        }

        /// <summary>One lead's advice, counted in this thread's summary; its reason and failed rules are in <paramref name="texts"/>.</summary>
        private FunnelAdvice Advise(IReadOnlyList<string> fields, double probability, out PerThread texts)
        {
            texts = _local.Value!;
            texts.Lead.Reset(fields);
            texts.Reason.Clear();
            texts.Failed.Clear();
            var advice = _advisor.Advise(texts.Lead, probability, texts.Reason, texts.Failed);
            texts.Summary.Add(advice);
            return advice;
        }

        private string ScoreCell(FunnelAdvice advice) => advice.Icp is { } icp ? ScoreText(icp.Score) : "";

        // A fit score is a weighted share of a handful of rules, so only a few values ever occur; each is formatted once.
        private readonly System.Collections.Concurrent.ConcurrentDictionary<long, string> _scoreTexts = new();

        private string ScoreText(double score)
        {
            // Keyed by the bits, so values that compare equal but print differently (0 and -0) stay apart.
            var bits = BitConverter.DoubleToInt64Bits(score);
            if (_scoreTexts.TryGetValue(bits, out var text)) return text;
            text = FunnelAnnotation.ScoreText(score);
            if (_scoreTexts.Count < 4096) _scoreTexts.TryAdd(bits, text);
            return text;
        }

        /// <summary>The counts over every lead annotated so far, by every thread; call it once scoring is done.</summary>
        public IReadOnlyList<(string Title, IReadOnlyList<(string Key, int Count)> Counts)> Summary()
        {
            var summary = AdviceCounts.Sum(_rules.Funnel, _local.Values.Select(v => v.Summary));
            var sections = new List<(string, IReadOnlyList<(string, int)>)>
            {
                ("Actions", summary.ByAction.Select(kv => (kv.Key.ToString().ToLowerInvariant(), kv.Value)).ToArray()),
                ("Suggested stages", summary.BySuggestedStage.Select(kv => (kv.Key, kv.Value)).ToArray()),
                ("Review", new (string, int)[]
                {
                    ("hidden gems (ICP fail, top decile)", summary.HiddenGems),
                    ("ICP pass, bottom decile", summary.IcpPassLowProbability),
                    ("unknown stage", summary.UnknownStages),
                }),
            };
            if (summary.UnknownStageValues.Count > 0)
                sections.Add(("Unknown stage values", summary.UnknownStageValues
                    .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)).ToArray()));
            if (_rules.Icp is null)
                sections.Add(("ICP", new (string, int)[] { ("no rules file: ICP gates skipped", summary.Total) }));
            return sections;
        }
    }

    /// <summary>
    /// The columns the rules read, resolved to header positions at bind time, found again per call by reference.
    /// Why that works: the advisor asks for a column only through <see cref="Condition.Column"/> and
    /// <see cref="Funnel.StageColumn"/>, each a string fixed when the rules were loaded, so every call passes one of the
    /// instances collected here, and a few reference comparisons cost less than hashing the name on every call.
    /// Correctness does not rest on it: an equal string from anywhere else finds no slot and is looked up by name
    /// (<see cref="FieldsLead.Get"/>), only more slowly.
    /// </summary>
    private sealed class ColumnSlots
    {
        private readonly string[] _columns;

        private ColumnSlots(string[] columns, int[] positions) => (_columns, Positions) = (columns, positions);

        public int[] Positions { get; }

        public static ColumnSlots For(RuleSet rules, Dictionary<string, int> index)
        {
            var columns = new List<string>();
            void Add(string? column)
            {
                if (column is null) return;
                foreach (var c in columns)
                    if (ReferenceEquals(c, column)) return;
                columns.Add(column);
            }
            Add(rules.Funnel.StageColumn);
            if (rules.Icp is { } icp)
                foreach (var r in icp.Rules) Add(r.Condition.Column);
            foreach (var stage in rules.Funnel.Stages)
            {
                if (stage.Gate is not { } gate) continue;
                foreach (var c in gate.Evidence) Add(c.Column);
                foreach (var c in gate.AnyEvidence) Add(c.Column);
            }
            var positions = new int[columns.Count];
            for (var i = 0; i < columns.Count; i++) positions[i] = index.GetValueOrDefault(columns[i], -1);
            return new ColumnSlots([.. columns], positions);
        }

        public int Count => _columns.Length;

        public int SlotOf(string column)
        {
            var columns = _columns;
            for (var i = 0; i < columns.Length; i++)
                if (ReferenceEquals(columns[i], column)) return i;
            return -1;
        }
    }

    /// <summary>
    /// One row's values by column; each column the rules read is normalised once per lead however often it is asked for.
    /// One per thread, moved from row to row with <see cref="Reset"/>.
    /// </summary>
    private sealed class FieldsLead(Dictionary<string, int> index, ColumnSlots slots, MissingTokens missing) : ILeadValues
    {
        private readonly string?[] _values = new string?[slots.Count];
        private readonly bool[] _loaded = new bool[slots.Count];
        private IReadOnlyList<string> _fields = [];

        public void Reset(IReadOnlyList<string> fields)
        {
            _fields = fields;
            Array.Clear(_loaded);
        }

        public string? Get(string column)
        {
            var slot = slots.SlotOf(column);
            if (slot < 0) return Lookup(column);
            if (_loaded[slot]) return _values[slot];
            var i = slots.Positions[slot];
            var value = i >= 0 && i < _fields.Count ? missing.Normalize(_fields[i]) : null;
            _values[slot] = value;
            _loaded[slot] = true;
            return value;
        }

        private string? Lookup(string column) => index.TryGetValue(column, out var i) && i < _fields.Count ? missing.Normalize(_fields[i]) : null;
    }
}
