using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LeadPredict.CommandLine;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.ML.Scoring;
using Spectre.Console;

namespace LeadPredict.Scoring;

/// <summary>`score`: rank a file of new leads and write the ranked CSV.</summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "The trained model.", DefaultValueFactory = _ => new FileInfo("models/lead-model.zip") };
        var input = new Option<FileInfo>("--input", "-i") { Description = "New leads (CSV in the same export format as the history; the outcome column may be absent).", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the ranked CSV.", Required = true };
        var top = new Option<int>("--top") { Description = "How many of the best leads to print.", DefaultValueFactory = _ => 10 };
        var noReasons = new Option<bool>("--no-reasons") { Description = "Skip the per-lead reasons (faster)." };
        var icp = new Option<FileInfo?>("--icp") { Description = "Rules file (ICP and funnel gates, see docs/rules.md); without it the default ladder applies and ICP gates are skipped." };
        var command = new Command("score", "Rank new leads: probability, score 0-100, grade A-D and the reasons, best first, written to a CSV.")
        {
            model, input, output, top, noReasons, icp,
        };
        command.SetAction(CommandRunner.Action((parse, ct) =>
        {
            var request = new ScoreRequest(parse.GetValue(model)!.FullName, parse.GetValue(input)!.FullName, parse.GetValue(output)!.FullName,
                parse.GetValue(top), !parse.GetValue(noReasons), parse.GetValue(icp)?.FullName);
            return Run(request, ct);
        }));
        return command;
    }

    internal sealed record ScoreRequest(string ModelPath, string InputPath, string OutputPath, int Top, bool Reasons, string? RulesPath = null);

    internal static int Run(ScoreRequest request, CancellationToken ct)
    {
        BatchSummary summary;
        string? priorWarning;
        var sw = Stopwatch.StartNew();
        ModelBundle bundle;
        using (var steps = new StepPrinter())
        {
            steps.Step("Loading model");
            bundle = ModelBundle.Load(request.ModelPath);
            var scorer = ScoringExtensions.Scorer(bundle, request.RulesPath);
            priorWarning = ScoringExtensions.PriorWarning(scorer);
            steps.Step("Scoring leads", $"model {bundle.Card.Version}");
            summary = new BatchScorer(scorer, ScoringExtensions.Annotators(bundle, request.RulesPath)).ScoreFile(request.InputPath, request.OutputPath,
                new BatchScoringOptions { Reasons = request.Reasons, TopRows = Math.Max(request.Top, ShortlistPool) },
                new Progress<long>(n => steps.Step("Scoring leads", $"{n:N0} leads")), ct);
            steps.Step("Scoring leads", $"{summary.Leads:N0} leads");
            steps.Complete();
        }
        if (priorWarning is not null) CommandRunner.Warning(priorWarning);
        foreach (var w in summary.Warnings) CommandRunner.Warning(w);
        Print(summary, bundle, request.Top);
        AnsiConsole.MarkupLine($"[green]Ranked {summary.Leads:N0} leads into {Markup.Escape(request.OutputPath)}[/] [grey]({sw.Elapsed.TotalSeconds:F1} s)[/]");
        return ExitCodes.Ok;
    }

    // The best-ranked leads searched for the "promote next" and "hidden gems" shortlists.
    private const int ShortlistPool = 200;

    private static void Print(BatchSummary summary, ModelBundle bundle, int top)
    {
        var shown = summary.Top.Take(top).ToArray();
        if (shown.Length > 0)
        {
            var t = new Table().Border(TableBorder.Rounded).Title($"Top {shown.Length} of {summary.Leads:N0} leads");
            t.AddColumn(new TableColumn("#").RightAligned()).AddColumn(Markup.Escape(summary.IdHeader))
                .AddColumn(new TableColumn("probability").RightAligned()).AddColumn("grade");
            var icpAt = IndexOf(summary.ExtraHeaders, "icp_fit");
            var stageAt = IndexOf(summary.ExtraHeaders, "stage");
            var suggestedAt = IndexOf(summary.ExtraHeaders, "suggested_stage");
            var actionAt = IndexOf(summary.ExtraHeaders, "action");
            if (icpAt >= 0) t.AddColumn("ICP");
            if (suggestedAt >= 0) t.AddColumn("stage → suggested");
            if (actionAt >= 0) t.AddColumn("action");
            t.AddColumn("why (top factors)");
            foreach (var r in shown)
            {
                var cells = new List<string>
                {
                    r.Rank.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.Id), Percent(r.Probability, 1), GradeMarkup(r.Grade),
                };
                if (icpAt >= 0) cells.Add(Markup.Escape(r.Extra[icpAt] ?? ""));
                if (suggestedAt >= 0)
                {
                    var from = stageAt >= 0 ? r.Extra[stageAt] : "";
                    var to = r.Extra[suggestedAt];
                    cells.Add(Markup.Escape(string.IsNullOrEmpty(to) || to.Equals(from, StringComparison.OrdinalIgnoreCase) ? from : $"{from} → {to}"));
                }
                if (actionAt >= 0) cells.Add(Markup.Escape(r.Extra[actionAt] ?? ""));
                cells.Add(Markup.Escape(string.Join(", ", r.Reasons.Split(" | ").Where(x => x.StartsWith('▲')).Take(2).Select(x => x[2..]))));
                t.AddRow(cells.ToArray());
            }
            AnsiConsole.Write(t);
        }
        AnsiConsole.MarkupLine("Grades: " + string.Join("  ", summary.Grades.Select(g => $"{GradeMarkup(g.Key)} {g.Value:N0}")) +
                               $"  [grey](A ≥ {Percent(bundle.Card.Grades.A, 0)}, B ≥ {Percent(bundle.Card.Grades.B, 0)}, C ≥ {Percent(bundle.Card.Grades.C, 0)})[/]");
        Shortlist(summary, "Promote next", "promote", r => true);
        Shortlist(summary, "Hidden gems to review (fail the ICP, top decile)", "review", r => r.StartsWith("Hidden gem", StringComparison.Ordinal));
        foreach (var (title, counts) in summary.Sections)
            AnsiConsole.MarkupLine($"{Markup.Escape(title)}: " + string.Join("  ", counts.Select(c => $"{Markup.Escape(c.Key)} {c.Count:N0}")));
    }

    private static void Shortlist(BatchSummary summary, string title, string action, Func<string, bool> reasonFilter, int max = 5)
    {
        var actionAt = IndexOf(summary.ExtraHeaders, "action");
        var reasonAt = IndexOf(summary.ExtraHeaders, "reason");
        var stageAt = IndexOf(summary.ExtraHeaders, "stage");
        var suggestedAt = IndexOf(summary.ExtraHeaders, "suggested_stage");
        if (actionAt < 0 || reasonAt < 0) return;
        var rows = summary.Top.Where(r => r.Extra[actionAt] == action && reasonFilter(r.Extra[reasonAt] ?? "")).Take(max).ToArray();
        if (rows.Length == 0) return;
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(title)}[/] [grey](best first; all of them in the ranked CSV)[/]");
        foreach (var r in rows)
        {
            var move = stageAt >= 0 && suggestedAt >= 0 && r.Extra[stageAt] != r.Extra[suggestedAt] ? $"{r.Extra[stageAt]} → {r.Extra[suggestedAt]}: " : "";
            AnsiConsole.MarkupLine($"  #{r.Rank} {Markup.Escape(r.Id)} {Percent(r.Probability, 0)} {GradeMarkup(r.Grade)}  {Markup.Escape(move + r.Extra[reasonAt])}");
        }
    }

    private static string Percent(double p, int decimals) => (p * 100).ToString("F" + decimals, CultureInfo.InvariantCulture) + "%";

    private static int IndexOf(IReadOnlyList<string> headers, string name)
    {
        for (var i = 0; i < headers.Count; i++) if (headers[i] == name) return i;
        return -1;
    }

    private static string GradeMarkup(string grade) => grade switch
    {
        "A" => "[bold green]A[/]",
        "B" => "[green]B[/]",
        "C" => "[yellow]C[/]",
        _ => "[grey]D[/]",
    };
}
