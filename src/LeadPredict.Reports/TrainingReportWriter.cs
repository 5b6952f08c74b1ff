using System.Globalization;
using System.Net;
using System.Text;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Evaluation;
using LeadPredict.ML.Scoring;
using LeadPredict.Rules;

namespace LeadPredict.Reports;

/// <summary>
/// Writes the training report: one HTML file, readable offline (plotly.js inlined once), with the model card, holdout
/// metrics, ROC and precision-recall curves, calibration, gains and lift, score distribution, feature importance, data
/// quality, and — when there is one — the ICP backtest and the champion-vs-challenger comparison.
/// </summary>
public static class TrainingReportWriter
{
    private const string Blue = "#1f77b4", Orange = "#ff7f0e", Grey = "#9e9e9e", Green = "#2ca02c", Red = "#d62728";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] Outcomes = ["converted", "did not convert"];

    /// <summary>Where the report of a model goes: <c>models/lead-model.zip</c> → <c>models/lead-model.report.html</c>.</summary>
    public static string PathFor(string modelPath) => Path.ChangeExtension(modelPath, null) + ".report.html";

    /// <summary>Writes the report atomically (readers see the old file or the whole new one).</summary>
    public static void Write(string path, TrainingReport report, IcpBacktestReport? icp = null)
    {
        var html = Render(report, icp);
        AtomicFile.Write(path, s => WriteTo(s, html));
    }

    public static void WriteTo(Stream stream, string html)
    {
        using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        w.Write(html);
    }

    /// <summary>The meta tag near the top of every report naming the model version it describes.</summary>
    public const string VersionMeta = "leadpredict-model-version";

    /// <summary>The model version a report file says it describes (read from its first few kilobytes), or null.</summary>
    public static string? VersionOf(string reportPath)
    {
        try
        {
            using var f = File.OpenRead(reportPath);
            var head = new byte[8192];
            var n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var text = Encoding.UTF8.GetString(head, 0, n);
            var marker = $"<meta name=\"{VersionMeta}\" content=\"";
            var at = text.IndexOf(marker, StringComparison.Ordinal);
            if (at < 0) return null;
            var from = at + marker.Length;
            var end = text.IndexOf('"', from);
            return end < 0 ? null : WebUtility.HtmlDecode(text[from..end]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The report as one HTML document.</summary>
    public static string Render(TrainingReport report, IcpBacktestReport? icp = null)
    {
        var card = report.Card;
        var m = report.HoldoutMetrics;
        var html = new StringBuilder(4 << 20);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"").Append(VersionMeta).Append("\" content=\"").Append(E(card.Version)).Append("\">\n")
            .Append("<title>LeadPredict model ").Append(E(card.Version)).Append("</title>\n<style>").Append(Css).Append(PlotlyFigure.GridCss).Append("</style>\n")
            .Append("<script type=\"text/javascript\">").Append(PlotlyFigure.PlotlyJs).Append("</script>\n</head>\n<body>\n<main>\n");

        Warnings(html, report.Card);
        Header(html, report);
        if (card.Time is { } time) Time(html, time);
        if (report.Candidates.Count > 0) ModelChoice(html, report);

        Section(html, "ranking", "How well it ranks", "Holdout leads the model never saw in training. The curves bow towards the top-left (ROC) and top-right (precision-recall) the better the model separates converters from the rest.",
            Roc(m), PrecisionRecall(m));
        Section(html, "calibration", "Are the probabilities right?", $"Holdout leads in ten equal-size groups by predicted probability: the points lie on the diagonal when a predicted 30% means 30% convert. Expected calibration error {F(m.Ece, 4)}; Brier score {F(m.Brier, 4)}.",
            Calibration(m), ScoreDistribution(report));
        Section(html, "gains", "Gains and lift by decile", "Leads ranked by probability and cut into tenths (decile 1 = the top 10%). Gains: the share of all conversions found by calling the top deciles first. Lift: how many times the base rate each decile converts at.",
            Gains(m), Lift(m));
        html.Append(DecileTable(m));
        if (report.Importance.Count > 0)
            Section(html, "importance", "What drives the score", ImportanceText(report.ImportanceBasis), Importance(report.Importance, report.ImportanceBasis));
        DataQuality(html, report);
        if (icp is not null) Icp(html, icp);
        if (report.Extensions.TryGetValue(LearnedFunnel.Name, out var funnel) && LearnedFunnel.FromJson(funnel) is { } learned)
            Funnel(html, learned, GatesOf(report));
        if (report.Champion is { } champion) Champion(html, champion);

        html.Append("<footer>Generated by LeadPredict ").Append(E(card.Versions.GetValueOrDefault("leadpredict", "?")))
            .Append(" (ML.NET ").Append(E(card.Versions.GetValueOrDefault("ml.net", "?"))).Append(", .NET ").Append(E(card.Versions.GetValueOrDefault("dotnet", "?")))
            .Append("). Charts: Plotly.NET with plotly.js inlined; this page needs no network.</footer>\n</main>\n").Append(PlotlyFigure.ResizeScript)
            .Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Header(StringBuilder html, TrainingReport report)
    {
        var c = report.Card;
        var m = report.HoldoutMetrics;
        html.Append("<header>\n<h1>Lead conversion model <code>").Append(E(c.Version)).Append("</code></h1>\n<dl class=\"card\">\n");
        void Item(string k, string v) => html.Append("<dt>").Append(E(k)).Append("</dt><dd>").Append(E(v)).Append("</dd>\n");
        Item("Trained", c.TrainedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv));
        Item("Data", c.HistoryFiles.Count == 0
            ? $"{c.DataFile} (SHA-256 {c.DataSha256[..Math.Min(12, c.DataSha256.Length)].ToLowerInvariant()}…)"
            : $"{c.DataFile} with {string.Join(", ", c.HistoryFiles)}; all tables together SHA-256 {c.DataSha256[..Math.Min(12, c.DataSha256.Length)].ToLowerInvariant()}…");
        Item("Rows", $"{c.Rows:N0} leads, {c.Positives:N0} converted ({Pct((double)c.Positives / Math.Max(1, c.Rows))}); outcome column '{c.Label}' = '{c.PositiveLabel}'");
        Item("Holdout", $"{c.HoldoutRows:N0} leads ({c.HoldoutMethod}); trained on {c.TrainingRows:N0}");
        Item("Features", $"{c.FeatureColumns} columns → {c.FeatureSlots} features");
        if (c.Model.Length > 0)
        {
            Item("Model", c.Model);
            Item("Chosen by", c.ChosenBy);
            Item("Saved model", c.RefitOnAllRows ? $"refit on all {c.FittedRows:N0} labelled rows" : $"fitted on the {c.FittedRows:N0} training rows");
        }
        if (c.Model.Length == 0 || c.Model.Contains("trees", StringComparison.Ordinal))
            Item("Trees", $"{c.Trainer.Trees} trees, {c.Trainer.Leaves} leaves, learning rate {F(c.Trainer.LearningRate, 3)}, seed {c.Trainer.Seed}");
        Item("Grades", $"A ≥ {F(c.Grades.A, 2)}, B ≥ {F(c.Grades.B, 2)}, C ≥ {F(c.Grades.C, 2)}, else D");
        html.Append("</dl>\n");

        html.Append("<div class=\"tables\">\n<table class=\"metrics\"><caption>Holdout quality (the model fitted without the holdout)</caption>\n<tr><th>metric</th><th>value</th><th>meaning</th></tr>\n");
        void Row(string k, string v, string meaning) => html.Append("<tr><td>").Append(E(k)).Append("</td><td class=\"num\">").Append(E(v))
            .Append("</td><td>").Append(E(meaning)).Append("</td></tr>\n");
        Row("ROC AUC", F(m.Auc, 4), "chance a converter ranks above a non-converter");
        Row("PR AUC", F(m.PrAuc, 4), $"average precision (base rate {Pct(m.BaseRate)})");
        Row("log-loss", F(m.LogLossNats, 4), "nats (natural log); lower is better");
        Row("Brier score", F(m.Brier, 4), "mean squared error of probabilities");
        Row("calibration error", F(m.Ece, 4), "expected calibration error, 10 bins");
        Row($"precision @ {F(m.Threshold, 2)}", F(m.Precision, 4), "share of leads above the threshold that converted");
        Row($"recall @ {F(m.Threshold, 2)}", F(m.Recall, 4), "share of conversions above the threshold");
        html.Append("</table>\n");
        if (c.CrossValidation.Count > 0)
        {
            html.Append("<table class=\"metrics\"><caption>Cross-validation on the training part</caption>\n<tr><th>metric</th><th>mean ± sd</th><th>folds</th></tr>\n");
            foreach (var cv in c.CrossValidation)
                html.Append("<tr><td>").Append(E(cv.Metric)).Append("</td><td class=\"num\">").Append(F(cv.Mean, 4)).Append(" ± ").Append(F(cv.StdDev, 4))
                    .Append("</td><td class=\"num\">").Append(cv.Folds.Count).Append("</td></tr>\n");
            html.Append("</table>\n");
        }
        html.Append("</div>\n</header>\n");
    }

    /// <summary>What a reader must see before any chart: no signal, small history, cold start.</summary>
    private static void Warnings(StringBuilder html, ModelCard card)
    {
        if (card.Signal is { NoSignal: true } none)
            html.Append("<div class=\"alert nosignal\" role=\"alert\"><strong>No signal.</strong> ").Append(E(none.Message))
                .Append(" The rule: ").Append(E(SignalCheck.Rule)).Append(".</div>\n");
        var others = card.Warnings.Where(w => card.Signal is not { NoSignal: true } s || w != s.Message).ToArray();
        if (others.Length == 0) return;
        html.Append("<div class=\"alert\" role=\"note\"><ul>\n");
        foreach (var w in others) html.Append("<li>").Append(E(w)).Append("</li>\n");
        html.Append("</ul></div>\n");
    }

    /// <summary>A model trained on point-in-time snapshots: what its probability means, and how the examples were made and split.</summary>
    private static void Time(StringBuilder html, TimeFacts t)
    {
        html.Append("<section id=\"time\">\n<h2>Point in time: converts within ").Append(t.HorizonDays).Append(" days</h2>\n<p>")
            .Append(E($"The probability is of converting within {t.HorizonDays} days of the date a lead is scored as of. Each example is a lead as of a time t, with only what was logged before t, labelled by whether it converted in the {t.HorizonDays} days after t. History exported {t.ExportDate:yyyy-MM-dd HH:mm} UTC ({t.ExportDateSource})."))
            .Append("</p>\n<ul>\n")
            .Append("<li>").Append(E($"{t.Examples:N0} examples of {t.Leads:N0} leads; {t.Positives:N0} converted within {t.HorizonDays} days.")).Append("</li>\n")
            .Append("<li>").Append(E($"Not examples: {t.Censored:N0} censored (the horizon passes the export date, so the outcome is not known yet), {t.ConvertedBefore:N0} after the lead's conversion, {t.ClosedBefore:N0} after it was closed as lost.")).Append("</li>\n");
        if (t.Cutoff is { } cutoff)
            html.Append("<li>").Append(E($"Time-based holdout: examples from {cutoff:yyyy-MM-dd} on ({t.HoldoutExamples:N0} examples, {t.HoldoutLeads:N0} leads); training on examples up to {cutoff.AddDays(-t.GapDays):yyyy-MM-dd} ({t.TrainingExamples:N0} examples, {t.TrainingLeads:N0} leads): a gap of {t.GapDays:0} days, at least the horizon, so no training label reaches past the cut-off; all of a lead's examples are on one side. {t.LeftOut:N0} left out.")).Append("</li>\n");
        if (t.PostConversionTypes.Count > 0)
            html.Append("<li>").Append(E($"Activity types that happen mostly after conversion (likely leaks; their events after a conversion never enter features): {string.Join("; ", t.PostConversionTypes)}.")).Append("</li>\n");
        html.Append("</ul>\n</section>\n");
    }

    /// <summary>Every model cross-validation compared: a chart of their CV AUCs with spreads, and the table.</summary>
    private static void ModelChoice(StringBuilder html, TrainingReport report)
    {
        var c = report.Card;
        var candidates = report.Candidates;
        var low = candidates.Min(r => r.Auc.Mean - r.Auc.StdDev);
        var chart = new PlotlyFigure("Cross-validated AUC of each candidate", height: 140 + 40 * candidates.Count)
            .Bar("CV AUC", candidates.Reverse().Select(r => r.Chosen ? r.Name + " (chosen)" : r.Name), candidates.Reverse().Select(r => r.Auc.Mean),
                Blue, candidates.Reverse().Select(r => r.Auc.StdDev), horizontal: true, text: candidates.Reverse().Select(r => F(r.Auc.Mean, 4)))
            .XAxis("mean AUC over the folds (± sd)", Math.Max(0, Math.Floor((low - 0.02) * 50) / 50), Math.Min(1, candidates.Max(r => r.Auc.Mean + r.Auc.StdDev) + 0.01))
            .Layout("showlegend", false).ToDiv();
        var intro = $"Chosen by {c.ChosenBy}. {c.Figures}" + (c.Calibration is { } cal ? $" Calibration: {cal}." : "");
        Section(html, "model-choice", "Model choice", intro, chart);
        html.Append("<table class=\"candidates\"><caption>Models compared on the same folds</caption>\n<tr><th>model</th><th>CV AUC</th><th>CV log-loss (nats)</th><th>time</th><th>settings chosen</th></tr>\n");
        foreach (var r in candidates)
            html.Append("<tr class=\"").Append(r.Chosen ? "chosen" : "").Append("\"><td>").Append(E(r.Name)).Append(r.Chosen ? " ✔" : "")
                .Append("</td><td class=\"num\">").Append(F(r.Auc.Mean, 4)).Append(" ± ").Append(F(r.Auc.StdDev, 4))
                .Append("</td><td class=\"num\">").Append(F(r.LogLoss.Mean, 4)).Append("</td><td class=\"num\">").Append(F(r.Seconds, 1)).Append(" s")
                .Append("</td><td>").Append(E(r.Settings)).Append("</td></tr>\n");
        html.Append("</table>\n");
    }

    private static string Roc(BinaryMetrics m) => new PlotlyFigure("ROC curve")
        .Line("model", m.Roc.Select(p => p.X), m.Roc.Select(p => p.Y), color: Blue, hover: m.Roc.Select(p => $"threshold {F(p.Threshold, 3)}"))
        .Line("chance", new[] { 0.0, 1 }, [0.0, 1], color: Grey, dash: "dash")
        .XAxis("false positive rate", 0, 1).YAxis("true positive rate", 0, 1.02)
        .Layout("annotations", new[] { Note($"AUC {F(m.Auc, 3)}", 0.95, 0.05) })
        .ToDiv();

    private static string PrecisionRecall(BinaryMetrics m) => new PlotlyFigure("Precision-recall curve")
        .Line("model", m.PrecisionRecall.Select(p => p.X), m.PrecisionRecall.Select(p => p.Y), color: Blue, hover: m.PrecisionRecall.Select(p => $"threshold {F(p.Threshold, 3)}"))
        .Line("base rate", new[] { 0.0, 1 }, [m.BaseRate, m.BaseRate], color: Grey, dash: "dash")
        .XAxis("recall", 0, 1).YAxis("precision", 0, 1.02)
        .Layout("annotations", new[] { Note($"PR AUC {F(m.PrAuc, 3)}", 0.95, 0.95) })
        .ToDiv();

    private static string Calibration(BinaryMetrics m)
    {
        var max = Math.Min(1, Math.Max(0.05, m.Calibration.Select(b => Math.Max(b.MeanPredicted, b.ObservedRate)).DefaultIfEmpty(1).Max() * 1.05));
        return new PlotlyFigure("Calibration (reliability)")
            .Line("perfectly calibrated", new[] { 0.0, max }, [0.0, max], color: Grey, dash: "dash")
            .Line("model", m.Calibration.Select(b => b.MeanPredicted), m.Calibration.Select(b => b.ObservedRate), mode: "lines+markers", color: Orange,
                hover: m.Calibration.Select(b => $"{b.Leads:N0} leads: predicted {Pct(b.MeanPredicted)}, observed {Pct(b.ObservedRate)}"))
            .XAxis("mean predicted probability", 0, max, ".0%").YAxis("observed conversion rate", 0, max, ".0%")
            .ToDiv();
    }

    private static string ScoreDistribution(TrainingReport report)
    {
        var f = new PlotlyFigure("Score distribution by outcome");
        var p = report.HoldoutProbabilities;
        var y = report.HoldoutLabels;
        if (p.Count == y.Count && p.Count > 0)
        {
            f.Histogram("did not convert", p.Where((_, i) => !y[i]), 0, 1, 0.05, Grey)
             .Histogram("converted", p.Where((_, i) => y[i]), 0, 1, 0.05, Green);
        }
        return f.Layout("barmode", "overlay").XAxis("predicted probability", 0, 1, ".0%").YAxis("% of the group's holdout leads").ToDiv();
    }

    private static string Gains(BinaryMetrics m)
    {
        var x = new List<double> { 0 };
        var y = new List<double> { 0 };
        var leads = 0;
        foreach (var d in m.Deciles)
        {
            leads += d.Leads;
            x.Add((double)leads / Math.Max(1, m.Leads));
            y.Add(d.CumulativeGain);
        }
        return new PlotlyFigure("Cumulative gains")
            .Line("model", x, y, mode: "lines+markers", color: Blue, hover: x.Select((v, i) => $"top {Pct(v)} of leads: {Pct(y[i])} of conversions"))
            .Line("random order", new[] { 0.0, 1 }, [0.0, 1], color: Grey, dash: "dash")
            .XAxis("share of leads contacted (best first)", 0, 1, ".0%").YAxis("share of conversions found", 0, 1.02, ".0%")
            .ToDiv();
    }

    private static string Lift(BinaryMetrics m) => new PlotlyFigure("Lift by decile")
        .Bar("lift", m.Deciles.Select(d => d.Decile.ToString(Inv)), m.Deciles.Select(d => d.Lift), Blue, text: m.Deciles.Select(d => F(d.Lift, 2) + "×"))
        .Line("base rate", m.Deciles.Select(d => d.Decile.ToString(Inv)), m.Deciles.Select(_ => 1.0), color: Grey, dash: "dash")
        .XAxis("decile (1 = top 10% by probability)", type: "category").YAxis("conversion rate ÷ base rate")
        .ToDiv();

    private static string DecileTable(BinaryMetrics m)
    {
        var sb = new StringBuilder("<table class=\"deciles\"><caption>Conversion by score decile</caption>\n<tr><th>decile</th><th>leads</th><th>converted</th><th>rate</th><th>lift</th><th>cum. gain</th><th>probability</th></tr>\n");
        foreach (var d in m.Deciles)
            sb.Append("<tr><td class=\"num\">").Append(d.Decile).Append("</td><td class=\"num\">").Append(d.Leads.ToString("N0", Inv))
              .Append("</td><td class=\"num\">").Append(d.Conversions.ToString("N0", Inv)).Append("</td><td class=\"num\">").Append(Pct(d.ConversionRate))
              .Append("</td><td class=\"num\">").Append(F(d.Lift, 2)).Append("</td><td class=\"num\">").Append(Pct(d.CumulativeGain))
              .Append("</td><td class=\"num\">").Append(F(d.MinProbability, 3)).Append('–').Append(F(d.MaxProbability, 3)).Append("</td></tr>\n");
        return sb.Append("</table>\n").ToString();
    }

    /// <summary>What the importance chart shows, and on which leads (permutation, or exact contributions on wide files).</summary>
    internal static string ImportanceText(ImportanceBasis? basis) => basis is { Method: PermutationImportance.Contributions }
        ? $"Each column's mean absolute contribution to the log-odds (the exact per-column parts of each lead's score, as in the reasons): {basis.Description}. Near zero means the model does not rely on the column."
        : "Permutation importance on the holdout: how much the AUC drops when one column's values are shuffled across leads, mean ± standard deviation over several shuffles. Near zero means the model does not rely on the column."
          + (basis is null ? "" : $" Measured as: {basis.Description}.");

    private static string Importance(IReadOnlyList<ColumnImportance> importance, ImportanceBasis? basis)
    {
        var rows = importance.Take(25).Reverse().ToArray(); // Plotly draws horizontal bars bottom-up: put the most important on top.
        if (basis is { Method: PermutationImportance.Contributions })
            return new PlotlyFigure("Feature importance", height: 120 + 24 * rows.Length)
                .Bar("mean |contribution|", rows.Select(r => ColumnNames.Display(r.Column)), rows.Select(r => r.Contribution), Blue, horizontal: true)
                .XAxis("mean absolute contribution to the log-odds").Layout("showlegend", false)
                .ToDiv();
        return new PlotlyFigure("Feature importance", height: 120 + 24 * rows.Length)
            .Bar("AUC drop", rows.Select(r => ColumnNames.Display(r.Column)), rows.Select(r => r.AucDrop), Blue, rows.Select(r => r.StdDev), horizontal: true)
            .XAxis("holdout AUC drop when the column is shuffled").Layout("showlegend", false)
            .ToDiv();
    }

    private static void DataQuality(StringBuilder html, TrainingReport report)
    {
        var c = report.Card;
        var rows = c.Rows + report.MissingLabels;
        var balance = new PlotlyFigure("Class balance")
            .Bar("leads", Outcomes, [c.Positives, c.Rows - c.Positives], Blue,
                text: [$"{c.Positives:N0} ({Pct((double)c.Positives / Math.Max(1, c.Rows))})", $"{c.Rows - c.Positives:N0}"])
            .YAxis("leads").Layout("showlegend", false).ToDiv();
        var columns = report.Columns.OrderByDescending(p => p.Missing).ThenBy(p => p.Name, StringComparer.Ordinal).ToArray();
        var missing = new PlotlyFigure("Missing values per column", height: 140 + 22 * columns.Length)
            .Bar("missing", columns.Reverse().Select(p => p.Name), columns.Reverse().Select(p => p.MissingShare(rows)), Orange, horizontal: true,
                text: columns.Reverse().Select(p => p.Missing == 0 ? "" : $"{p.Missing:N0}"))
            .XAxis("share of rows missing", 0, Math.Max(0.05, columns.Select(p => p.MissingShare(rows)).DefaultIfEmpty(0).Max() * 1.15), ".0%")
            .Layout("showlegend", false).ToDiv();
        var note = new StringBuilder();
        note.Append(CultureInfo.InvariantCulture, $"{c.Rows:N0} labelled leads, {Pct((double)c.Positives / Math.Max(1, c.Rows))} converted.");
        if (report.MissingLabels > 0) note.Append(CultureInfo.InvariantCulture, $" {report.MissingLabels:N0} row(s) had no outcome and were left out.");
        Section(html, "data", "Data quality", note.ToString(), balance, missing);

        html.Append("<table class=\"leaks\"><caption>Leak suspects</caption>\n");
        if (report.LeakSuspects.Count == 0)
            html.Append("<tr><td>No column predicts the outcome suspiciously well on its own, and no column name suggests it is filled in after contact.</td></tr>\n");
        else
        {
            html.Append("<tr><th>column</th><th>single-column AUC</th><th>why</th><th>used by the model</th></tr>\n");
            foreach (var s in report.LeakSuspects)
                html.Append("<tr class=\"").Append(s.Excluded ? "excluded" : "warn").Append("\"><td>").Append(E(s.Column)).Append("</td><td class=\"num\">")
                    .Append(F(s.SingleColumnAuc, 3)).Append("</td><td>").Append(E(s.Why)).Append("</td><td>").Append(s.Excluded ? "no (excluded)" : "yes — check it").Append("</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static void Icp(StringBuilder html, IcpBacktestReport icp)
    {
        var rules = icp.Rules.Reverse().ToArray();
        var lift = new PlotlyFigure("ICP rule lift", height: 140 + 28 * rules.Length)
            .Bar("lift", rules.Select(r => r.Rule), rules.Select(r => double.IsPositiveInfinity(r.Lift) ? double.NaN : r.Lift), Blue, horizontal: true,
                text: rules.Select(r => double.IsFinite(r.Lift) ? F(r.Lift, 2) + "×" : double.IsPositiveInfinity(r.Lift) ? "∞" : "n/a"))
            .XAxis("conversion when met ÷ conversion when not").Layout("showlegend", false).ToDiv();
        var fits = new[] { ("pass", icp.Pass), ("partial", icp.Partial), ("fail", icp.Fail) };
        var byFit = new PlotlyFigure("Conversion by ICP fit")
            .Bar("conversion rate", fits.Select(f => f.Item1), fits.Select(f => f.Item2.Rate), Green, text: fits.Select(f => f.Item2.ToString()))
            .Line("all leads", fits.Select(f => f.Item1), fits.Select(_ => icp.All.Rate), color: Grey, dash: "dash")
            .YAxis("conversion rate", format: ".0%").ToDiv();
        Section(html, "icp", "ICP backtest", $"The ideal customer profile checked against the same history: {icp.All}. A rule with lift near 1 does not separate converters from the rest.", lift, byFit);
        html.Append("<table class=\"icp\"><caption>ICP rules on history</caption>\n<tr><th>rule</th><th>converted when met</th><th>when not met</th><th>lift</th><th>verdict</th></tr>\n");
        foreach (var r in icp.Rules)
            html.Append("<tr class=\"").Append(r.NoLift ? "warn" : "").Append("\"><td>").Append(E(r.Rule)).Append("</td><td>").Append(E(r.Met.ToString()))
                .Append("</td><td>").Append(E(r.NotMet.ToString())).Append("</td><td class=\"num\">").Append(double.IsPositiveInfinity(r.Lift) ? "∞" : F(r.Lift, 2))
                .Append("</td><td>").Append(E(r.Verdict)).Append("</td></tr>\n");
        html.Append("</table>\n");
    }

    /// <summary>The learned gates stored in the rules' "funnel" document (training with --icp), if any.</summary>
    private static LearnedGates? GatesOf(TrainingReport report) =>
        report.Extensions.TryGetValue("funnel", out var rules) && rules.ValueKind == System.Text.Json.JsonValueKind.Object
            && rules.TryGetProperty("learnedGates", out var gates) && gates.ValueKind == System.Text.Json.JsonValueKind.Object
            ? System.Text.Json.JsonSerializer.Deserialize<LearnedGates>(gates, DatasetConfig.Json) : null;

    /// <summary>The funnel learned from the stage history: movements, conversion between stages, time in stage, gates.</summary>
    private static void Funnel(StringBuilder html, LearnedFunnel f, LearnedGates? gates)
    {
        var stages = f.Stages.Where(s => s.Leads > 0 || s.Stays > 0).ToArray();
        var names = f.Stages.Select(s => s.Stage).Append(f.Moves.Select(m => m.To).LastOrDefault(t => !f.Stages.Any(s => s.Stage == t)) ?? "Customer").Distinct().ToList();
        var lost = names.Count;
        var nodes = names.Append("Lost").ToList();
        // Forward moves and losses: moves back would draw loops (their shares are in the table).
        var links = f.Moves.Select(m => (names.IndexOf(m.From), names.IndexOf(m.To), (double)m.Count)).Where(l => l.Item1 >= 0 && l.Item2 > l.Item1).ToList();
        foreach (var s in stages)
            if (s.LostShare is { } share) links.Add((names.IndexOf(s.Stage), lost, Math.Round(share * (s.Stays - s.OpenStays))));
        var sankey = new PlotlyFigure("Moves up and losses (stays that ended)", height: 420).Sankey(nodes, links).ToDiv();
        var rates = new PlotlyFigure("Conversion between stages")
            .Bar($"reach a later stage within {f.PromotionHorizonDays} days", stages.Select(s => s.Stage), stages.Select(s => s.PromotedWithinHorizon ?? double.NaN), Blue,
                text: stages.Select(s => s.PromotedWithinHorizon is { } p ? Pct(p) : ""))
            .Bar("convert eventually", stages.Select(s => s.Stage), stages.Select(s => s.EventuallyConverted ?? double.NaN), Green,
                text: stages.Select(s => s.EventuallyConverted is { } p ? Pct(p) : ""))
            .YAxis("share of the leads entering the stage", 0, 1, ".0%").ToDiv();
        var time = new PlotlyFigure("Days in stage (stays that ended)");
        foreach (var s in stages) time.Box(s.Stage, s.StaySample, Blue);
        var timeDiv = time.YAxis("days in stage").Layout("showlegend", false).ToDiv();
        var intro = $"Learned from the stage history as of {f.AsOf:yyyy-MM-dd} ({f.LeadsWithHistory:N0} of {f.Leads:N0} leads have stage rows): {f.Method}. " +
                    $"A lead in its stage for {F(f.StalledFactor, 0)}x the median stay is stalled.";
        var charts = new List<string> { sankey, rates, timeDiv };
        if (gates is { Gates.Count: > 0 })
        {
            var g = gates.Gates;
            charts.Add(new PlotlyFigure("Gates: backtested conversion of the leads each promotes")
                .Bar("hand-set gates", g.Select(x => $"{x.From} → {x.Stage}"), g.Select(x => x.HandSet.Rate ?? double.NaN), Grey,
                    text: g.Select(x => x.HandSet.Rate is null ? "none" : $"{x.HandSet.Converted}/{x.HandSet.Promoted}"))
                .Bar("learned gates", g.Select(x => $"{x.From} → {x.Stage}"), g.Select(x => x.Learned.Rate ?? double.NaN), Blue,
                    text: g.Select(x => x.Learned.Rate is null ? "none" : $"{x.Learned.Converted}/{x.Learned.Promoted}"))
                .Line("leads at the next stage", g.Select(x => $"{x.From} → {x.Stage}"), g.Select(x => x.NextStageRate), "markers", Green)
                .YAxis("converted within the horizon", format: ".0%").ToDiv());
        }
        Section(html, "funnel", "The funnel learned from the stage history", intro, [.. charts]);
        html.Append("<div class=\"wide\"><table class=\"funnel\"><caption>Per stage</caption>\n<tr><th>stage</th><th>leads</th><th>next stage within ")
            .Append(f.PromotionHorizonDays).Append(" days</th><th>converts</th><th>median days (p25–p75)</th><th>stays (open)</th><th>back</th><th>lost</th></tr>\n");
        foreach (var s in stages)
            html.Append("<tr><td>").Append(E(s.Stage)).Append("</td><td class=\"num\">").Append(s.Leads.ToString("N0", Inv)).Append("</td><td class=\"num\">")
                .Append(P(s.PromotedWithinHorizon)).Append("</td><td class=\"num\">").Append(P(s.EventuallyConverted)).Append("</td><td class=\"num\">")
                .Append(s.MedianDays is { } m ? $"{F(m, 1)} ({F(s.P25Days ?? double.NaN, 1)}–{F(s.P75Days ?? double.NaN, 1)})" : "n/a").Append("</td><td class=\"num\">")
                .Append(s.Stays.ToString("N0", Inv)).Append(" (").Append(s.OpenStays.ToString("N0", Inv)).Append(")</td><td class=\"num\">")
                .Append(P(s.BackwardShare)).Append("</td><td class=\"num\">").Append(P(s.LostShare)).Append("</td></tr>\n");
        html.Append("</table></div>\n");
        if (f.UnknownStages.Count > 0)
            html.Append("<p>Stage values not on the ladder: ").Append(E(string.Join(", ", f.UnknownStages.Select(u => $"'{u.Value}' ({u.Rows:N0} rows, {u.Leads:N0} leads)")))).Append(".</p>\n");
        if (gates is { Gates.Count: > 0 })
        {
            html.Append("<div class=\"wide\"><table class=\"gates\"><caption>Gates: hand-set (used for suggestions) vs learned (").Append(E(gates.Rule)).Append(")</caption>\n")
                .Append("<tr><th>step</th><th>hand-set</th><th>learned</th><th>next stage converts</th><th>hand-set promotes</th><th>learned promotes</th></tr>\n");
            foreach (var g in gates.Gates)
                html.Append("<tr><td>").Append(E($"{g.From} → {g.Stage}")).Append("</td><td class=\"num\">").Append(g.HandSetMinProbability is { } h ? "≥ " + F(h, 2) : "evidence only")
                    .Append("</td><td class=\"num\">").Append(g.MinProbability is { } m ? "≥ " + F(m, 3) : "never reached").Append("</td><td class=\"num\">").Append(Pct(g.NextStageRate))
                    .Append("</td><td class=\"num\">").Append(Backtest(g.HandSet)).Append("</td><td class=\"num\">").Append(Backtest(g.Learned)).Append("</td></tr>\n");
            html.Append("<tr><td>all steps</td><td></td><td></td><td></td><td class=\"num\">").Append(Backtest(gates.HandSet)).Append("</td><td class=\"num\">").Append(Backtest(gates.Learned)).Append("</td></tr>\n</table></div>\n");
        }
        static string P(double? v) => v is { } x ? Pct(x) : "n/a";
        static string Backtest(GateBacktest b) => b.Rate is { } r ? $"{b.Converted:N0} of {b.Promoted:N0} ({Pct(r)})" : "none";
    }

    private static void Champion(StringBuilder html, ChampionComparison c)
    {
        var chart = new PlotlyFigure("Champion vs challenger")
            .Bar("holdout AUC", new[] { $"current model {c.ChampionVersion}", "new model" }, [c.ChampionAuc, c.CandidateAuc], Blue,
                text: [F(c.ChampionAuc, 4), F(c.CandidateAuc, 4)])
            .YAxis("holdout AUC (same leads)", Math.Max(0, Math.Min(Nz(c.ChampionAuc), Nz(c.CandidateAuc)) - 0.05), 1)
            .Layout("showlegend", false).ToDiv();
        var verdict = $"{(c.Promoted ? "Promoted" : "Not promoted")}: {c.Decision}. The new model must reach the current model's AUC minus {F(c.Tolerance, 3)} on the new holdout.";
        Section(html, "champion", "Champion vs challenger", verdict, chart);
        static double Nz(double v) => double.IsFinite(v) ? v : 0.5;
    }

    private static void Section(StringBuilder html, string id, string title, string intro, params string[] charts)
    {
        html.Append("<section id=\"").Append(id).Append("\">\n<h2>").Append(E(title)).Append("</h2>\n<p>").Append(E(intro)).Append("</p>\n")
            .Append(PlotlyFigure.Grid(charts)).Append("</section>\n");
    }

    private static Dictionary<string, object> Note(string text, double x, double y) => new()
    {
        ["text"] = text, ["x"] = x, ["y"] = y, ["xref"] = "paper", ["yref"] = "paper", ["showarrow"] = false,
        ["xanchor"] = x > 0.5 ? "right" : "left", ["font"] = new Dictionary<string, object> { ["size"] = 14 },
    };

    private static string E(string s) => WebUtility.HtmlEncode(s);
    private static string F(double v, int digits) => double.IsNaN(v) ? "n/a" : v.ToString("F" + digits, Inv);
    private static string Pct(double v) => double.IsNaN(v) ? "n/a" : v.ToString("P1", Inv);

    private const string Css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; background: #fafafa; margin: 0; }
        main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 40px; }
        h1 { font-size: 1.6em; margin: 0.4em 0; } h1 code { font-size: 0.8em; background: #eee; padding: 2px 6px; border-radius: 4px; }
        .wide { overflow-x: auto; }
        h2 { border-bottom: 2px solid #ddd; padding-bottom: 4px; margin-top: 1.6em; }
        dl.card { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 12px; }
        dl.card dt { font-weight: 600; color: #555; } dl.card dd { margin: 0; }
        .tables { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
        table { border-collapse: collapse; margin: 8px 0 16px; background: #fff; font-size: 0.92em; }
        caption { text-align: left; font-weight: 600; padding: 4px 0; }
        th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; } th { background: #f0f0f0; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tr.warn td { background: #fff4e5; } tr.excluded td { color: #888; }
        tr.warn td { background: #fff4e5; } tr.excluded td { color: #888; } tr.chosen td { background: #eaf4ea; font-weight: 600; }
        .alert { border: 1px solid #f0c36d; background: #fff8e5; border-radius: 6px; padding: 8px 14px; margin: 12px 0; }
        .alert ul { margin: 0; padding-left: 18px; } .alert.nosignal { border-color: #d62728; background: #fdecea; font-size: 1.1em; }
        footer { margin-top: 32px; color: #777; font-size: 0.85em; }
        """;
}
