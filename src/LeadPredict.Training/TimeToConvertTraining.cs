using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Training;
using LeadPredict.ML.Timing;
using LeadPredict.Timeline;

namespace LeadPredict.Training;

/// <summary>
/// Fits the time-to-convert model (<see cref="TimeToConvert"/>) on the snapshots that converted within the horizon, the
/// way the main model is: once on the training side of the time-based holdout, to measure P(within d days) on the holdout
/// (AUC against "converted within d days", calibration, and the alternative of one share for every lead), then again on all
/// of them for the saved model. Its inputs (the stage at the time, days in it and the lead's age; every engagement column
/// without a stage history) are read from the same example table the main model reads.
/// </summary>
internal sealed class TimeToConvertTraining(TimelineTraining.Prepared prepared) : ITrainingExtension
{
    public (string Name, string Json)? AfterEvaluation(TrainingContext context)
    {
        var timeline = prepared.Model.Config;
        var examples = prepared.Examples;
        var delays = prepared.DaysToConversion;
        var empty = new TimeToConvert
        {
            HorizonDays = timeline.HorizonDays,
            Days = timeline.WithinDaysOrDefault,
            // With a stage history, when a lead converts is a matter of where it is in the funnel and for how long: the stage,
            // days in it and the lead's age. Without one, the activity log's recency is what there is.
            NumericColumns = examples.StageColumn is null
                ? examples.EngagementColumns
                : examples.EngagementColumns.Where((_, i) => prepared.Model.Schema.Features[i].Kind is EngagementKind.DaysInStage or EngagementKind.LeadAge).ToArray(),
            C = examples.StageColumn is null ? TimeToConvert.CWithEngagement : TimeToConvert.CWithStages,
            StageOnlyUpToDays = examples.StageColumn is null ? 0 : TimeToConvert.StageOnlyDays,
            CategoryColumn = examples.StageColumn,
            Categories = examples.StageColumn is { } stage
                ? examples.Table.Column(stage).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray()
                : [],
            Hazards = [],
        };
        var table = context.Table;
        var inputs = empty.BindInputs(table.ColumnNames, "examples");
        var record = new string?[table.ColumnNames.Count];
        var columns = Enumerable.Range(0, table.ColumnNames.Count).Select(table.Column).ToArray();
        float[] Vector(int row)
        {
            for (var c = 0; c < columns.Length; c++) record[c] = columns[c][row];
            var x = new float[empty.Width];
            inputs.Vector(record, x);
            return x;
        }
        TimeToConvert FitOn(IEnumerable<int> rows)
        {
            var converted = rows.Where(r => delays[r] > 0).ToArray();
            return empty.Fit(converted.Select(Vector).ToArray(), converted.Select(r => delays[r]).ToArray());
        }

        var split = context.Split;
        var measured = FitOn(split.TrainRows);
        var figures = Evaluate(measured, split, context.HoldoutProbabilities, delays, Vector);
        var saved = (context.Report.Card.RefitOnAllRows ? FitOn(context.Data.LabelledRows) : measured) with { Holdout = figures };
        return (TimeToConvert.ExtraName, saved.ToJson());
    }

    /// <summary>P(within d days) on the holdout against what happened, and the alternative of the training side's share for every lead.</summary>
    private static WithinFigures[] Evaluate(TimeToConvert model, HoldoutSplit split, double[] probabilities, float[] delays, Func<int, float[]> vector)
    {
        var days = model.Days;
        var bound = model.Bind([.. model.NumericColumns, .. model.CategoryColumn is { } c ? [c] : Array.Empty<string>()], "examples");
        var n = split.HoldoutRows.Length;
        var within = new double[n, days.Count];
        var curve = new double[days.Count];
        for (var k = 0; k < n; k++)
        {
            bound.Within(probabilities[k], vector(split.HoldoutRows[k]), curve);
            for (var j = 0; j < days.Count; j++) within[k, j] = curve[j];
        }
        var trainConverted = split.TrainRows.Where(r => delays[r] > 0).Select(r => delays[r]).ToArray();
        var figures = new WithinFigures[days.Count];
        for (var j = 0; j < days.Count; j++)
        {
            var d = days[j];
            var labels = split.HoldoutRows.Select(r => delays[r] <= d).ToArray();
            var ours = Enumerable.Range(0, n).Select(k => within[k, j]).ToArray();
            var share = trainConverted.Length == 0 ? 1 : trainConverted.Count(t => t <= d) / (double)trainConverted.Length;
            var constant = probabilities.Take(n).Select(p => p * share).ToArray();
            var converted = labels.Count(y => y);
            figures[j] = new WithinFigures(d, n, converted, RankMetrics.Auc(ours, labels), RankMetrics.Auc(constant, labels),
                ours.Average(), converted / (double)n, Brier(ours, labels), Brier(constant, labels));
        }
        return figures;
    }

    private static double Brier(double[] p, bool[] y) => p.Zip(y, (q, happened) => (q - (happened ? 1 : 0)) * (q - (happened ? 1 : 0))).Average();

    public void AfterSave(TrainingContext context, TrainingOutcome outcome) { }
}
