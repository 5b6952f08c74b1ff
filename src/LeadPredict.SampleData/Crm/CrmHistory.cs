using System.Globalization;

namespace LeadPredict.SampleData.Crm;

/// <summary>
/// A synthetic multi-table CRM history with known truth: leads, an activity log, outcomes and a stage history, generated
/// lazily and deterministically from <see cref="CrmOptions"/> (any lead can be regenerated alone), with the best possible
/// probability of converting within a horizon for any lead as of any time up to the export (<see cref="TrueProbability"/>)
/// and the funnel's true numbers per stage (<see cref="Funnel"/>). docs/sample-data.md describes the process.
/// </summary>
public sealed class CrmHistory
{
    private readonly CrmSimulator _simulator;
    private readonly TruthModel _truth;

    public CrmHistory(CrmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Calendar = new ActivityCalendar(options.ExportDate.AddDays(-options.Days), options.Days, options.Seed);
        _simulator = new CrmSimulator(options, Calendar);
        _truth = new TruthModel(Calendar, _simulator.ExportAt);
    }

    public CrmOptions Options { get; }

    /// <summary>The moment of the export (00:00 UTC of <see cref="CrmOptions.ExportDate"/>); every row in the tables is dated before it.</summary>
    public DateTime ExportAt => Options.ExportAt;

    internal long ExportAtSeconds => _simulator.ExportAt;

    internal ActivityCalendar Calendar { get; }

    internal TruthModel TruthModel => _truth;

    /// <summary>The dates of the shared campaign bursts (email sends) and webinars.</summary>
    public IReadOnlyList<DateOnly> EmailCampaignDates => [.. Calendar.EmailCampaignDays.Select(d => Calendar.FirstDay.AddDays(d))];
    public IReadOnlyList<DateOnly> WebinarDates => [.. Calendar.WebinarDays.Select(d => Calendar.FirstDay.AddDays(d))];

    /// <summary>Lead number <paramref name="index"/> (0-based; its id is L-{index + 1}).</summary>
    public CrmLead Lead(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Options.Leads);
        return _simulator.Generate(index);
    }

    public CrmLead Lead(string leadId) => Lead(IndexOf(leadId));

    /// <summary>Every lead in id (and creation) order, generated as it is read.</summary>
    public IEnumerable<CrmLead> Leads()
    {
        for (var i = 0; i < Options.Leads; i++) yield return _simulator.Generate(i);
    }

    private int IndexOf(string leadId)
    {
        ArgumentNullException.ThrowIfNull(leadId);
        if (leadId.StartsWith("L-", StringComparison.Ordinal)
            && int.TryParse(leadId.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= Options.Leads
            && CrmSimulator.LeadId(n - 1) == leadId)
            return n - 1;
        throw new ArgumentException($"'{leadId}' is not a lead of this history (L-000001 to {CrmSimulator.LeadId(Options.Leads - 1)}).", nameof(leadId));
    }

    /// <summary>
    /// The best possible probability that the lead converts at or after <paramref name="asOf"/> and before
    /// <paramref name="asOf"/> + <paramref name="horizonDays"/>, given every row dated before <paramref name="asOf"/> in the
    /// tables <paramref name="evidence"/> names; 0 for a lead already converted or lost. <paramref name="asOf"/> must fall after
    /// the lead was created and no later than the export; it is read as UTC and rounded up to a whole second.
    /// </summary>
    public double TrueProbability(string leadId, DateTime asOf, double horizonDays, Evidence evidence = Evidence.AllTables) =>
        Truth(Lead(leadId), asOf, [horizonDays], evidence).Probabilities[0];

    /// <summary>The full answer (state, stage, level posterior, probability per horizon) for one lead as of a time.</summary>
    public LeadTruth Truth(CrmLead lead, DateTime asOf, IReadOnlyList<double> horizonDays, Evidence evidence = Evidence.AllTables)
    {
        ArgumentNullException.ThrowIfNull(lead);
        ArgumentNullException.ThrowIfNull(horizonDays);
        if (horizonDays.Count == 0) throw new ArgumentException("Give at least one horizon.", nameof(horizonDays));
        return _truth.Evaluate(lead, CrmTime.CeilingSeconds(asOf), horizonDays, evidence);
    }

    /// <summary>The funnel's true numbers per ladder stage over all leads' complete stories (reads every lead once).</summary>
    public FunnelTruth Funnel(int? stageHorizonDays = null)
    {
        var observer = new FunnelObserver(stageHorizonDays ?? Options.StageHorizonDays);
        foreach (var lead in Leads()) observer.Add(lead);
        return observer.Result();
    }

    /// <summary>
    /// Writes leads.csv, activities.csv, outcomes.csv and stage-history.csv (with truth.csv and funnel-truth.csv when
    /// <see cref="CrmOptions.WithTruth"/>) and crm.json into <paramref name="directory"/>; each file appears complete or not at all.
    /// </summary>
    public CrmWriteSummary Write(string directory, IProgress<long>? leadsWritten = null, CancellationToken cancellationToken = default) =>
        CrmWriter.Write(this, directory, leadsWritten, cancellationToken);

    /// <summary>The stage value as the stage history writes it under <see cref="CrmOptions.StageNames"/>.</summary>
    public string StageValue(CrmStage stage) => CrmSchema.StageValue(Options.StageNames, stage);
}
