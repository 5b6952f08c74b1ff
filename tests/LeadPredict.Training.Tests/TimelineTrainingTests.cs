using System.Globalization;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Timing;
using LeadPredict.ML.Training;
using LeadPredict.SampleData.Crm;
using LeadPredict.TestSupport;
using LeadPredict.Timeline;
using Microsoft.ML;
using Xunit.Abstractions;

namespace LeadPredict.Training.Tests;

/// <summary>
/// Training on the bundled CRM history (data/crm: 2,500 leads, seed 7, 365 days to 2026-07-01) point in time, trained once
/// for the class, next to the exact truth of the process that made it and a model built the easy, leaky way.
/// </summary>
public sealed class CrmTraining : IDisposable
{
    public static readonly CrmOptions Options = new() { Leads = 2500, Seed = 7, Days = 365, ExportDate = new DateOnly(2026, 7, 1) };
    private readonly TempDir _dir = new();

    public CrmTraining()
    {
        History = new CrmHistory(Options);
        var config = TrainingConfig.Load(TestPaths.Data("crm/leadpredict.json"));
        var request = new TrainingRequest { DataPath = TestPaths.Data("crm/leads.csv"), Config = config, ModelPath = _dir.File("crm.zip"), ConfigSource = "leadpredict.json" };
        Prepared = TimelineTraining.Prepare(request, Path.GetDirectoryName(TestPaths.Data("crm/leadpredict.json"))!, Observer, CancellationToken.None);
        Outcome = new ModelTrainer(TimeProvider.System, [.. Prepared.Extensions, Rules, Capture]).Train(Prepared.Request, Observer);
    }

    public CrmHistory History { get; }
    public Recorder Observer { get; } = new();
    public ContextCapture Capture { get; } = new();
    /// <summary>The sample's rules (data/crm/rules.json), as `train --icp` adds them: the gates learned and backtested on the holdout.</summary>
    public Advice.RulesTrainingExtension Rules { get; } = new(TestPaths.Data("crm/rules.json"));
    internal TimelineTraining.Prepared Prepared { get; }
    public TrainingOutcome Outcome { get; }
    public string ModelPath => Outcome.ModelPath;
    public string Dir => _dir.Path;

    public void Dispose() => _dir.Dispose();

    public sealed class Recorder : ITrainingObserver
    {
        public List<string> Warnings { get; } = [];
        public List<LeakSuspect> Suspects { get; } = [];
        public void Progress(TrainingProgress progress) { }
        public void LeakSuspects(IReadOnlyList<LeakSuspect> suspects) => Suspects.AddRange(suspects);
        public void Warning(string message) => Warnings.Add(message);
    }

    public sealed class ContextCapture : ITrainingExtension
    {
        public TrainingContext? Context { get; private set; }
        public (string Name, string Json)? AfterEvaluation(TrainingContext context)
        {
            Context = context;
            return null;
        }
        public void AfterSave(TrainingContext context, TrainingOutcome outcome) { }
    }
}

public sealed class TimelineTrainingTests(CrmTraining crm, ITestOutputHelper output) : IClassFixture<CrmTraining>
{
    private const int Horizon = 90;

    private static DateTime Time(string text) => DateTime.SpecifyKind(DateTime.ParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), DateTimeKind.Utc);

    [Fact]
    public void Should_Reach_97_Percent_Of_The_Best_Possible_Holdout_Auc_On_The_Generated_History()
    {
        var context = crm.Capture.Context!;
        var ids = context.Table.Column("lead_id");
        var times = context.Table.Column(SnapshotTable.TimeColumn);
        // The best possible: the process's own probability for each holdout snapshot, from the tables the model reads (stages included).
        var truth = context.Split.HoldoutRows.Select(r => crm.History.TrueProbability(ids[r]!, Time(times[r]!), Horizon, Evidence.AllTables)).ToArray();
        var best = RankMetrics.Auc(truth, context.Split.HoldoutLabels);
        var ours = crm.Outcome.Report.HoldoutMetrics.Auc;
        output.WriteLine($"holdout AUC {ours:F4}, best possible {best:F4} ({ours / best:P1}) on {truth.Length} snapshots");
        Assert.True(ours >= 0.97 * best, $"holdout AUC {ours:F4} is below 97% of the best possible {best:F4} on the same {truth.Length} snapshots");
    }

    [Fact]
    public void Should_State_The_Horizon_Export_Date_Cutoff_And_Counts_In_The_Model_Card()
    {
        var time = crm.Outcome.Report.Card.Time!;
        Assert.Equal(Horizon, time.HorizonDays);
        Assert.Equal(new DateTime(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc), time.ExportDate);
        Assert.NotNull(time.Cutoff);
        Assert.True(time.GapDays >= Horizon);
        Assert.Equal(crm.Outcome.Report.Card.HoldoutRows, time.HoldoutExamples);
        Assert.Equal(time.Examples, time.TrainingExamples + time.HoldoutExamples + time.LeftOut);
        Assert.True(time.Censored > 0, "recent snapshots must be censored, not negatives");
        Assert.Contains("within 90 days", time.Meaning);
        // The data identity covers every table the examples came from, not only the leads file.
        Assert.Equal(["activities.csv", "outcomes.csv", "stage-history.csv"], crm.Outcome.Report.Card.HistoryFiles.Select(f => f.Split(' ')[0]));
        var metrics = File.ReadAllText(Path.ChangeExtension(crm.ModelPath, null) + ".metrics.json");
        Assert.Contains("\"horizonDays\": 90", metrics);
        Assert.Contains("\"cutoff\"", metrics);
    }

    [Fact]
    public void Should_Never_Let_A_Training_Label_Reach_Past_The_Holdout_Cutoff_Nor_A_Lead_Sit_On_Both_Sides()
    {
        var context = crm.Capture.Context!;
        var ids = context.Table.Column("lead_id");
        var times = context.Table.Column(SnapshotTable.TimeColumn);
        var cutoff = crm.Outcome.Report.Card.Time!.Cutoff!.Value;
        Assert.All(context.Split.TrainRows, r => Assert.True(Time(times[r]!).AddDays(Horizon) <= cutoff));
        var held = context.Split.HoldoutRows.Select(r => ids[r]).ToHashSet();
        Assert.DoesNotContain(context.Split.TrainRows, r => held.Contains(ids[r]));
    }

    [Fact]
    public void Should_Name_Each_Post_Conversion_Activity_Type_With_Its_Share_And_The_Setting_That_Removes_It()
    {
        foreach (var type in new[] { "invoice_sent", "onboarding_call", "contract_signed" })
        {
            var warning = Assert.Single(crm.Observer.Warnings, w => w.Contains($"'{type}'"));
            Assert.Contains("after conversion", warning);
            Assert.Matches(@"\d+ ?% of its", warning);
            Assert.Contains($"\"excludeActivityTypes\": [\"{type}\"]", warning);
        }
        Assert.Contains(crm.Outcome.Report.Card.Time!.PostConversionTypes, t => t.StartsWith("invoice_sent:", StringComparison.Ordinal));
        // Engagement columns are made point in time: their names ("duration") do not make them suspects.
        Assert.DoesNotContain(crm.Observer.Suspects, s => s.Column.Contains("last", StringComparison.Ordinal) || s.Column.Contains("duration", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_Rank_Snapshots_Clearly_Better_Than_A_Model_Trained_On_Ever_Converted_With_All_Activities_Counted()
    {
        var context = crm.Capture.Context!;
        var leads = LeadTable.Load(TestPaths.Data("crm/leads.csv"));
        var activities = LeadTable.Load(TestPaths.Data("crm/activities.csv"));
        var outcomes = LeadTable.Load(TestPaths.Data("crm/outcomes.csv"));
        var won = new HashSet<string>(Enumerable.Range(0, outcomes.RowCount).Where(r => outcomes.Column("result")[r] == "won").Select(r => outcomes.Column("lead_id")[r]!));
        var types = activities.Column("activity_type").Distinct().Order(StringComparer.Ordinal).ToArray();
        var byLead = Enumerable.Range(0, activities.RowCount).GroupBy(r => activities.Column("lead_id")[r]!)
            .ToDictionary(g => g.Key, g => g.Select(r => (Time: Time(activities.Column("timestamp")[r]!), Type: activities.Column("activity_type")[r]!)).ToArray());

        // The easy way: one row per lead, every activity ever logged counted, label "ever converted".
        string?[][] Counts(IReadOnlyList<string> ids, IReadOnlyList<DateTime> before)
        {
            var columns = types.Select(_ => new string?[ids.Count]).ToArray();
            for (var i = 0; i < ids.Count; i++)
                for (var t = 0; t < types.Length; t++)
                    columns[t][i] = (byLead.TryGetValue(ids[i], out var acts) ? acts.Count(a => a.Type == types[t] && a.Time < before[i]) : 0).ToString(CultureInfo.InvariantCulture);
            return columns;
        }
        var leadIds = leads.Column("lead_id").Select(x => x!).ToArray();
        var everNames = new List<string>(leads.ColumnNames) { "converted" };
        everNames.AddRange(types.Select(t => $"count_{t}"));
        var everColumns = Enumerable.Range(0, leads.ColumnNames.Count).Select(leads.Column).ToList();
        everColumns.Add(leadIds.Select(id => (string?)(won.Contains(id) ? "yes" : "no")).ToArray());
        everColumns.AddRange(Counts(leadIds, leadIds.Select(_ => DateTime.MaxValue).ToArray()));
        var ever = new LeadTable(leads.SourcePath, ',', everNames, everColumns.ToArray(), Enumerable.Range(2, leads.RowCount).Select(l => (long)l).ToArray());
        var everModel = Path.Combine(crm.Dir, "ever.zip");
        var config = new TrainingConfig { Label = "converted", PositiveLabel = "yes", Id = "lead_id", Exclude = ["company", "created_at"] };
        new ModelTrainer(TimeProvider.System).Train(new TrainingRequest { DataPath = TestPaths.Data("crm/leads.csv"), Config = config, ModelPath = everModel, Table = ever });

        // Applied as it would be used: to each holdout snapshot, with the activities logged before its time.
        var ids = context.Table.Column("lead_id");
        var times = context.Table.Column(SnapshotTable.TimeColumn);
        var rows = context.Split.HoldoutRows;
        var snapIds = rows.Select(r => ids[r]!).ToArray();
        var snapColumns = Enumerable.Range(0, leads.ColumnNames.Count).Select(c => rows.Select(r => context.Table.Column(leads.ColumnNames[c])[r]).ToArray()).ToList();
        snapColumns.Add(rows.Select(_ => (string?)null).ToArray());
        snapColumns.AddRange(Counts(snapIds, rows.Select(r => Time(times[r]!)).ToArray()));
        var snaps = new LeadTable(leads.SourcePath, ',', everNames, snapColumns.ToArray(), rows.Select(r => context.Table.LineOf(r)).ToArray());
        var bundle = ModelBundle.Load(everModel);
        var probabilities = ProbabilityModels.For(bundle, new MLContext(seed: 1)).ScoreAll(bundle.Featurizer.FeaturizeRows(snaps, Enumerable.Range(0, rows.Length).ToArray()));
        var everAuc = RankMetrics.Auc(probabilities, context.Split.HoldoutLabels);
        var ours = crm.Outcome.Report.HoldoutMetrics.Auc;
        output.WriteLine($"point in time {ours:F4}, 'ever converted' with all activities {everAuc:F4}");
        Assert.True(ours >= everAuc + 0.03, $"point-in-time holdout AUC {ours:F4} vs 'ever converted' with all activities {everAuc:F4}");
    }

    [Fact]
    public void Should_Store_The_Learned_Funnel_Close_To_The_Sample_Truth_When_The_History_Has_Stages()
    {
        var model = ModelBundle.Load(crm.ModelPath);
        var funnel = Rules.LearnedFunnel.FromJson(model.Report.Extensions[Rules.LearnedFunnel.Name])!;
        var truth = File.ReadAllLines(TestPaths.Data("crm/funnel-truth.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(5, truth.Length);
        Assert.Equal(2500, funnel.LeadsWithHistory);
        Assert.Empty(funnel.UnknownStages);
        foreach (var t in truth)
        {
            double Truth(int column) => double.Parse(t[column], CultureInfo.InvariantCulture);
            Assert.True(new Rules.Funnel(Rules.Funnel.DefaultStages).TryFind(t[1], out var index));
            var stage = funnel.Stages[index];
            output.WriteLine($"{stage.Stage}: promoted {stage.PromotedWithinHorizon:F3} vs {Truth(6):F3}, median {stage.MedianDays:F1} vs {Truth(12):F1}");
            // 2,500 leads: promotion within 0.05 of the same leads' complete stories (about two standard errors at SQL), median days within 10%.
            Assert.InRange(stage.PromotedWithinHorizon!.Value, Truth(6) - 0.05, Truth(6) + 0.05);
            Assert.InRange(stage.MedianDays!.Value, Truth(12) * 0.9, Truth(12) * 1.1);
        }
    }

    [Fact]
    public void Should_Rank_Conversion_Within_30_60_And_90_Days_Close_To_The_Best_Possible_On_The_Holdout()
    {
        var context = crm.Capture.Context!;
        var ids = context.Table.Column("lead_id");
        var times = context.Table.Column(SnapshotTable.TimeColumn);
        var delays = crm.Prepared.DaysToConversion;
        var timing = TimeToConvert.From(crm.Outcome.Report.Extensions)!;
        Assert.Equal([30, 60, 90], timing.Days);
        foreach (var figures in timing.Holdout)
        {
            var d = figures.Days;
            var rows = context.Split.HoldoutRows;
            var happened = rows.Select(r => delays[r] <= d).ToArray();
            // The best possible: the process's own probability of converting within d days, for each holdout snapshot.
            var best = RankMetrics.Auc(rows.Select(r => crm.History.TrueProbability(ids[r]!, Time(times[r]!), d, Evidence.AllTables)).ToArray(), happened);
            output.WriteLine($"within {d} days: AUC {figures.Auc:F4} (one share for every lead: {figures.AucConstantTiming:F4}), best possible {best:F4} ({figures.Auc / best:P1}); " +
                             $"mean predicted {figures.MeanPredicted:P2}, observed {figures.ObservedRate:P2} of {figures.Examples} snapshots; Brier {figures.BrierScore:F4} (one share: {figures.BrierConstantTiming:F4})");
            Assert.Equal(happened.Count(y => y), figures.Converted);
            Assert.True(figures.Auc >= 0.95 * best, $"within {d} days: AUC {figures.Auc:F4} is below 95% of the best possible {best:F4}");
            Assert.InRange(figures.MeanPredicted / figures.ObservedRate, 0.75, 1.33);
        }
        // The alternative, one share of the 90-day probability for every lead, keeps the 90-day order; the hazard on the stage,
        // days in it and the lead's age must rank and calibrate better below the horizon.
        foreach (var figures in timing.Holdout.Where(f => f.Days < Horizon))
        {
            Assert.True(figures.Auc >= figures.AucConstantTiming + 0.003, $"within {figures.Days} days: AUC {figures.Auc:F4} vs one share {figures.AucConstantTiming:F4}");
            Assert.True(figures.BrierScore <= 0.9 * figures.BrierConstantTiming, $"within {figures.Days} days: Brier {figures.BrierScore:F4} vs one share {figures.BrierConstantTiming:F4}");
        }
    }

    [Fact]
    public void Should_Promote_Leads_That_Convert_Above_The_Next_Stages_Rate_When_Following_The_Learned_Gates()
    {
        var gates = crm.Rules.Gates!;
        Assert.Equal(Rules.GateRule.Marginal, gates.Chosen);
        Rules.GateBacktest Pooled(Rules.GateRule rule) => gates.Rules.Single(r => r.Rule == rule).Pooled;
        var (marginal, parity) = (Pooled(Rules.GateRule.Marginal), Pooled(Rules.GateRule.Parity));
        output.WriteLine($"hand-set {gates.HandSet}; marginal {marginal}; parity {parity}; matched {Pooled(Rules.GateRule.Matched)}");
        // Held-out leads the learned (marginal) gates promote convert above the rate of the leads already at the next stage
        // (1.63x measured); the parity rule's only about at it (0.76x), by its design.
        Assert.Equal(marginal, gates.Learned);
        Assert.True(marginal.VersusNextStage >= 1.2, $"marginal gates promote {marginal}");
        Assert.True(parity.VersusNextStage < marginal.VersusNextStage, $"parity {parity}, marginal {marginal}");
        Assert.True(marginal.Converted > gates.HandSet.Converted, $"marginal {marginal}, hand-set {gates.HandSet}");
    }

    [Fact]
    public void Should_Give_Probabilities_That_Rise_With_The_Days_And_End_At_The_Models_Probability_When_Scoring_A_Snapshot()
    {
        var context = crm.Capture.Context!;
        var timing = TimeToConvert.From(crm.Outcome.Report.Extensions)!.Bind(context.Table.ColumnNames, "examples");
        var within = new double[3];
        var record = new string?[context.Table.ColumnNames.Count];
        for (var k = 0; k < context.Split.HoldoutRows.Length; k++)
        {
            var r = context.Split.HoldoutRows[k];
            for (var c = 0; c < record.Length; c++) record[c] = context.Table.Column(c)[r];
            timing.Within(context.HoldoutProbabilities[k], record, within);
            Assert.True(0 <= within[0] && within[0] <= within[1] && within[1] <= within[2], $"snapshot {r}: {string.Join(", ", within)}");
            Assert.Equal(context.HoldoutProbabilities[k], within[2]);
        }
    }
}

public sealed class TypedEngagementTests(CrmTraining crm) : IClassFixture<CrmTraining>
{
    /// <summary>The reference: the engagement columns as the text path made them (round-trip "R" text, missing = null).</summary>
    private static LeadTable AsText(LeadTable typed)
    {
        var columns = new string?[typed.ColumnNames.Count][];
        for (var c = 0; c < columns.Length; c++)
            columns[c] = typed.Numbers(c) is { } numbers
                ? numbers.Select(v => float.IsNaN(v) ? null : v.ToString("R", CultureInfo.InvariantCulture)).ToArray()
                : typed.Column(c);
        return new LeadTable(typed.SourcePath, typed.Separator, typed.ColumnNames, columns, Enumerable.Range(0, typed.RowCount).Select(r => typed.LineOf(r)).ToArray());
    }

    [Fact]
    public void Should_Give_Exactly_The_Features_The_Text_Path_Gave_When_Engagement_Columns_Are_Typed()
    {
        var typed = crm.Prepared.Examples.Table;
        Assert.All(crm.Prepared.Examples.EngagementColumns, c => Assert.NotNull(typed.Numbers(c)));
        var text = AsText(typed);
        var request = crm.Prepared.Request;
        var typedSchema = SchemaResolver.Resolve(request.Config, typed, request.ConfigSource).Schema;
        var textSchema = SchemaResolver.Resolve(request.Config, text, request.ConfigSource).Schema;
        Assert.Equal(textSchema.Features, typedSchema.Features);

        var rows = Enumerable.Range(0, typed.RowCount).ToArray();
        var fromTyped = LeadFeaturizer.Fit(typed, typedSchema, rows);
        var fromText = LeadFeaturizer.Fit(text, textSchema, rows);
        Assert.Equal(fromText.Slots, fromTyped.Slots);
        for (var c = 0; c < fromText.Columns.Count; c++)
        {
            Assert.Equal((float)fromText.Columns[c].Median, (float)fromTyped.Columns[c].Median);
            Assert.Equal(fromText.Columns[c].HasMissing, fromTyped.Columns[c].HasMissing);
        }
        var typedData = SchemaResolver.Resolve(request.Config, typed, request.ConfigSource);
        var textData = SchemaResolver.Resolve(request.Config, text, request.ConfigSource);
        Assert.Equal(LeakGuard.Find(text, textData, 1), LeakGuard.Find(typed, typedData, 1));
        foreach (var column in crm.Prepared.Examples.EngagementColumns)
            Assert.Equal(LeakGuard.SingleColumnAuc(text.Column(column), ColumnKind.Numeric, textData.Labels, textData.LabelledRows, 1),
                LeakGuard.SingleColumnAuc(typed.Numbers(column)!, typedData.Labels, typedData.LabelledRows));

        var a = fromText.FeaturizeRows(text, rows);
        var b = fromText.FeaturizeRows(typed, rows);
        for (var i = 0; i < rows.Length; i++)
            Assert.True(a[i].Select(BitConverter.SingleToInt32Bits).SequenceEqual(b[i].Select(BitConverter.SingleToInt32Bits)), $"example {i} differs");
    }

    [Fact]
    public void Should_Make_The_Round_Trip_Text_Of_A_Typed_Column_Once_When_Something_Asks_For_Text()
    {
        var typed = crm.Prepared.Examples.Table;
        var column = typed.IndexOf(crm.Prepared.Examples.EngagementColumns[0]);
        var texts = typed.Column(column);
        var numbers = typed.Numbers(column)!;
        Assert.Equal(numbers.Select(v => float.IsNaN(v) ? null : v.ToString("R", CultureInfo.InvariantCulture)), texts);
        Assert.Same(texts, typed.Column(column));
    }
}
