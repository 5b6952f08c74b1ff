using System.Globalization;
using LeadPredict.ML.Scoring;
using LeadPredict.Rules;

namespace LeadPredict.Advice;

/// <summary>
/// What the funnel annotator says about one lead: the advice (stage, suggested stage, action, why it is up for review, the
/// ICP outcome), its reason and the ICP rules it failed, and the cells the ranked file shows for them.
/// </summary>
/// <param name="ChecksIcp">Whether the ICP columns are shown (a rules file was given).</param>
public sealed record FunnelAnnotation(FunnelAdvice Advice, string Reason, string IcpFailed, bool ChecksIcp) : ILeadAnnotation
{
    private static readonly string[] FitNames = Enum.GetValues<IcpFit>().Select(f => f.ToString().ToLowerInvariant()).ToArray();
    private static readonly string[] ActionNames = Enum.GetValues<LeadAction>().Select(a => a.ToString().ToLowerInvariant()).ToArray();

    /// <summary><c>icp_fit</c>: pass, partial or fail; empty without ICP rules.</summary>
    public string IcpFit => FitText(Advice);
    /// <summary><c>icp_score</c>: the weighted share of ICP rules met, "0.00"; empty without ICP rules.</summary>
    public string IcpScore => Advice.Icp is { } icp ? ScoreText(icp.Score) : "";
    /// <summary><c>stage</c>: the current ladder stage, the stage value as given when it is not on the ladder, or "unknown" without a stage column.</summary>
    public string Stage => StageText(Advice);
    /// <summary><c>suggested_stage</c>: empty when the stage is unknown.</summary>
    public string SuggestedStage => SuggestedStageText(Advice);
    /// <summary><c>action</c>: promote, hold, nurture, disqualify, review or stalled.</summary>
    public string Action => ActionText(Advice);
    /// <summary>
    /// The learned funnel's numbers for the lead, typed (the reason words the same): the odds of reaching the next stage within the
    /// horizon and the stage's average, days in stage and the stage's median, stalled. Null without a stage history that knows the stage.
    /// </summary>
    public StageProgress? Progress => Advice.Progress;

    public IReadOnlyList<string> Cells
    {
        get
        {
            var cells = new CellList(new List<string>(7));
            WriteCells(ref cells, Advice, ChecksIcp, IcpScore, IcpFailed, Reason);
            return cells.List;
        }
    }

    /// <summary>The ranked file's columns for the rules, named in the order <see cref="WriteCells"/> writes them.</summary>
    internal static string[] Headers(bool checksIcp) => checksIcp
        ? ["icp_fit", "icp_score", "icp_failed", "stage", "suggested_stage", "action", "reason"]
        : ["stage", "suggested_stage", "action", "reason"];

    /// <summary>Where <see cref="WriteCells"/> puts a lead's cells: a list of strings, or the ranked line with texts still in builders.</summary>
    internal interface ICellWriter<in TText>
    {
        void Cell(string value);
        void Text(TText text);
    }

    /// <summary>The one cell order of the rules' columns (see <see cref="Headers"/>), for the typed annotation and the ranked file alike.</summary>
    internal static void WriteCells<TWriter, TText>(ref TWriter cells, FunnelAdvice advice, bool checksIcp, string icpScore, TText icpFailed, TText reason)
        where TWriter : struct, ICellWriter<TText>
    {
        if (checksIcp)
        {
            cells.Cell(FitText(advice));
            cells.Cell(icpScore);
            cells.Text(icpFailed);
        }
        cells.Cell(StageText(advice));
        cells.Cell(SuggestedStageText(advice));
        cells.Cell(ActionText(advice));
        cells.Text(reason);
    }

    private readonly record struct CellList(List<string> List) : ICellWriter<string>
    {
        public void Cell(string value) => List.Add(value);
        public void Text(string text) => List.Add(text);
    }

    internal static string FitText(FunnelAdvice advice) => advice.Icp is { } icp ? FitNames[(int)icp.Fit] : "";
    internal static string ScoreText(double score) => score.ToString("0.00", CultureInfo.InvariantCulture);
    /// <summary>The ladder stage, else the value as given (not on the ladder), else "unknown" (the data has no stage column).</summary>
    internal static string StageText(FunnelAdvice advice) => advice.CurrentStage ?? advice.StageValue ?? "unknown";
    internal static string SuggestedStageText(FunnelAdvice advice) => advice.SuggestedStage ?? "";
    internal static string ActionText(FunnelAdvice advice) => ActionNames[(int)advice.Action];
}
