using System.Text.Json;
using System.Text.Json.Serialization;
using LeadPredict.Core;

namespace LeadPredict.SampleData.Crm;

/// <summary>What was written: rows per table and the state of the leads at the export.</summary>
public sealed record CrmWriteSummary(
    string Directory,
    IReadOnlyList<string> Files,
    long Leads,
    long Activities,
    long Outcomes,
    long StageRows,
    long Won,
    long Lost,
    long Open,
    FunnelTruth Funnel);

/// <summary>
/// Writes the tables of a <see cref="CrmHistory"/>. Leads are generated in batches on every core and written in id order,
/// so memory stays constant whatever the size; every file goes to a temporary file renamed into place only when all of them
/// are complete, and crm.json (the options that regenerate the history) is written last.
/// </summary>
internal static class CrmWriter
{
    private const int BatchSize = 512;

    private sealed class Batch
    {
        public readonly Utf8Buffer Leads = new();
        public readonly Utf8Buffer Activities = new(1 << 20);
        public readonly Utf8Buffer Outcomes = new();
        public readonly Utf8Buffer Stages = new();
        public readonly Utf8Buffer Truth = new();
        public readonly List<CrmLead> Generated = new(BatchSize);
        public long ActivityRows, OutcomeRows, StageRows, Won, Lost, Open;
    }

    public static CrmWriteSummary Write(CrmHistory history, string directory, IProgress<long>? progress, CancellationToken ct)
    {
        var o = history.Options;
        Directory.CreateDirectory(directory);
        var files = new List<string> { CrmSchema.LeadsFile, CrmSchema.ActivitiesFile, CrmSchema.OutcomesFile, CrmSchema.StageHistoryFile };
        if (o.WithTruth) files.AddRange([CrmSchema.TruthFile, CrmSchema.FunnelTruthFile]);
        var paths = files.Select(f => Path.Combine(directory, f)).ToArray();
        var observer = new FunnelObserver(o.StageHorizonDays);
        long activities = 0, outcomes = 0, stageRows = 0, won = 0, lost = 0, open = 0;

        WriteAll(paths, streams =>
        {
            var header = new Utf8Buffer();
            header.Row(CrmSchema.LeadColumns(o.ConvertedAtColumn));
            header.WriteTo(streams[0]);
            Header(streams[1], CrmSchema.ActivityColumns);
            Header(streams[2], CrmSchema.OutcomeColumns);
            Header(streams[3], CrmSchema.StageColumns);
            if (o.WithTruth) Header(streams[4], CrmSchema.TruthColumns(o.TruthHorizons));

            var workers = Math.Max(1, Environment.ProcessorCount);
            var batches = (o.Leads + BatchSize - 1) / BatchSize;
            // Two sets of batch buffers: one wave is written (in id order) while the next is generated.
            var waves = new[] { NewWave(workers), NewWave(workers) };
            Task writing = Task.CompletedTask;
            try
            {
                for (int first = 0, w = 0; first < batches; first += workers, w ^= 1)
                {
                    ct.ThrowIfCancellationRequested();
                    var wave = waves[w];
                    var count = Math.Min(workers, batches - first);
                    var start = first;
                    Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = ct },
                        b => Render(history, start + b, wave[b]));
                    writing.GetAwaiter().GetResult();
                    writing = Task.Run(() =>
                    {
                        for (var b = 0; b < count; b++)
                        {
                            var batch = wave[b];
                            batch.Leads.WriteTo(streams[0]);
                            batch.Activities.WriteTo(streams[1]);
                            batch.Outcomes.WriteTo(streams[2]);
                            batch.Stages.WriteTo(streams[3]);
                            if (o.WithTruth) batch.Truth.WriteTo(streams[4]);
                            foreach (var lead in batch.Generated) observer.Add(lead);
                            activities += batch.ActivityRows;
                            outcomes += batch.OutcomeRows;
                            stageRows += batch.StageRows;
                            won += batch.Won;
                            lost += batch.Lost;
                            open += batch.Open;
                        }
                        progress?.Report(Math.Min(o.Leads, (long)(start + count) * BatchSize));
                    }, ct);
                }
                writing.GetAwaiter().GetResult();
            }
            finally
            {
                // Never leave a write running on a stream that is about to be closed and deleted.
                try { writing.Wait(CancellationToken.None); } catch (AggregateException) { } catch (OperationCanceledException) { }
            }
            if (o.WithTruth) WriteFunnelTruth(streams[5], history, observer.Result());
        });
        var funnel = observer.Result();
        var rows = new Dictionary<string, long>
        {
            [CrmSchema.LeadsFile] = o.Leads,
            [CrmSchema.ActivitiesFile] = activities,
            [CrmSchema.OutcomesFile] = outcomes,
            [CrmSchema.StageHistoryFile] = stageRows,
        };
        if (o.WithTruth)
        {
            rows[CrmSchema.TruthFile] = open;
            rows[CrmSchema.FunnelTruthFile] = CrmProcess.LadderStages;
        }
        CrmManifest.Write(Path.Combine(directory, CrmSchema.ManifestFile), o, rows);
        files.Add(CrmSchema.ManifestFile);
        return new(directory, files, o.Leads, activities, outcomes, stageRows, won, lost, open, funnel);
    }

    private static Batch[] NewWave(int workers) => [.. Enumerable.Range(0, workers).Select(_ => new Batch())];

    private static void Header(Stream stream, IReadOnlyList<string> columns)
    {
        var b = new Utf8Buffer(256);
        b.Row(columns);
        b.WriteTo(stream);
    }

    /// <summary>Each file through <see cref="AtomicFile"/>, nested, so the renames happen only after every file is complete.</summary>
    private static void WriteAll(string[] paths, Action<Stream[]> write)
    {
        var streams = new Stream[paths.Length];
        void Open(int i)
        {
            if (i == paths.Length) { write(streams); return; }
            AtomicFile.Write(paths[i], s =>
            {
                streams[i] = s;
                Open(i + 1);
            });
        }
        Open(0);
    }

    private static void Render(CrmHistory history, int batchIndex, Batch batch)
    {
        var o = history.Options;
        foreach (var buffer in new[] { batch.Leads, batch.Activities, batch.Outcomes, batch.Stages, batch.Truth }) buffer.Clear();
        batch.Generated.Clear();
        batch.ActivityRows = batch.OutcomeRows = batch.StageRows = batch.Won = batch.Lost = batch.Open = 0;
        var exportAt = history.ExportAtSeconds;
        var horizons = o.TruthHorizons.Select(h => (double)h).ToArray();
        var end = Math.Min(o.Leads, (batchIndex + 1) * BatchSize);
        for (var i = batchIndex * BatchSize; i < end; i++)
        {
            var lead = history.Lead(i);
            batch.Generated.Add(lead);
            LeadRow(batch.Leads, lead, o.ConvertedAtColumn, exportAt);
            foreach (var a in lead.Activities)
            {
                var b = batch.Activities;
                b.Plain(lead.LeadId); b.Comma();
                b.Timestamp(a.At); b.Comma();
                b.Plain(a.TypeName); b.Comma();
                if (a.DurationSeconds > 0) b.Number(a.DurationSeconds);
                b.Comma();
                if (a.Page is not null) b.Plain(a.Page);
                b.NewLine();
            }
            batch.ActivityRows += lead.Activities.Count;
            var closed = lead.ClosedAt!.Value;
            if (closed < exportAt)
            {
                var b = batch.Outcomes;
                b.Plain(lead.LeadId); b.Comma();
                b.Timestamp(closed); b.Comma();
                b.Plain(lead.WonAt is null ? CrmSchema.Lost : CrmSchema.Won);
                b.NewLine();
                batch.OutcomeRows++;
                if (lead.WonAt is null) batch.Lost++; else batch.Won++;
            }
            else batch.Open++;
            StageRows(batch, lead, o.StageNames, exportAt);
            if (o.WithTruth && closed >= exportAt) TruthRow(batch.Truth, history, lead, horizons);
        }
    }

    private static void LeadRow(Utf8Buffer b, CrmLead l, bool convertedAt, long exportAt)
    {
        b.Plain(l.LeadId); b.Comma();
        b.Timestamp(l.CreatedAtSeconds); b.Comma();
        b.Field(l.Company); b.Comma();
        b.Field(l.Industry); b.Comma();
        if (l.Employees is { } e) b.Number(e);
        b.Comma();
        if (l.AnnualRevenue is { } r) b.Number(r);
        b.Comma();
        b.Field(l.Country); b.Comma();
        b.Field(l.JobTitle); b.Comma();
        b.Field(l.LeadSource); b.Comma();
        if (l.Budget is { } budget) b.Number(budget);
        if (convertedAt)
        {
            b.Comma();
            if (l.WonAt is { } won && won < exportAt) b.Timestamp(won);
        }
        b.NewLine();
    }

    private static void StageRows(Batch batch, CrmLead lead, StageNaming naming, long exportAt)
    {
        var seen = 0;
        while (seen < lead.Stages.Count && lead.Stages[seen].At < exportAt) seen++;
        for (var n = 0; n < seen; n++)
        {
            // A few leads' rows are listed newest first, as exports sorted by something other than time are.
            var e = lead.Stages[lead.StageRowsOutOfOrder ? seen - 1 - n : n];
            var b = batch.Stages;
            b.Plain(lead.LeadId); b.Comma();
            b.Field(CrmSchema.StageValue(naming, e.Stage)); b.Comma();
            b.Timestamp(e.At);
            b.NewLine();
        }
        batch.StageRows += seen;
    }

    private static void TruthRow(Utf8Buffer b, CrmHistory history, CrmLead lead, double[] horizons)
    {
        var truth = history.TruthModel.Evaluate(lead, history.ExportAtSeconds, horizons);
        var withoutStages = history.TruthModel.Evaluate(lead, history.ExportAtSeconds, horizons, Evidence.WithoutStageHistory);
        b.Plain(lead.LeadId); b.Comma();
        b.Field(CrmSchema.StageValue(history.Options.StageNames, truth.Stage)); b.Comma();
        b.Number(truth.DaysInStage, 'F', 3); b.Comma();
        foreach (var p in truth.Probabilities.Concat(withoutStages.Probabilities))
        {
            b.Number(p);
            b.Comma();
        }
        b.Plain(lead.Level.ToString().ToLowerInvariant()); b.Comma();
        b.Plain(lead.WonAt is null ? CrmSchema.Lost : CrmSchema.Won); b.Comma();
        b.Timestamp(lead.ClosedAt!.Value);
        b.NewLine();
    }

    private static void WriteFunnelTruth(Stream stream, CrmHistory history, FunnelTruth funnel)
    {
        var b = new Utf8Buffer(4096);
        b.Row(CrmSchema.FunnelTruthColumns);
        for (var s = 0; s < funnel.Expected.Count; s++)
        {
            var e = funnel.Expected[s];
            var o = funnel.Observed[s];
            b.Plain(e.Stage.ToString()); b.Comma();
            b.Field(history.StageValue(e.Stage)); b.Comma();
            b.Number(funnel.HorizonDays); b.Comma();
            Pair(b, e.Leads, o.Leads, 1);
            Pair(b, e.PromotedWithinHorizon, o.PromotedWithinHorizon, 6);
            Pair(b, e.EventuallyConverted, o.EventuallyConverted, 6);
            Pair(b, e.Stays, o.Stays, 1);
            Pair(b, e.MedianDays, o.MedianDays, 4);
            Pair(b, e.P25Days, o.P25Days, 4);
            Pair(b, e.P75Days, o.P75Days, 4);
            Pair(b, e.BackwardShare, o.BackwardShare, 6);
            Pair(b, e.LostShare, o.LostShare, 6, last: true);
            b.NewLine();
        }
        b.WriteTo(stream);
    }

    private static void Pair(Utf8Buffer b, double expected, double observed, byte digits, bool last = false)
    {
        b.Number(expected, 'F', digits); b.Comma();
        b.Number(observed, 'F', digits);
        if (!last) b.Comma();
    }
}

/// <summary>crm.json: the options that regenerate a written history (and its truth), with the rows per file.</summary>
public sealed record CrmManifest
{
    public string Generator { get; init; } = "LeadPredict.SampleData CRM history, process version 1";
    public required CrmOptions Options { get; init; }
    public required DateTime ExportAt { get; init; }
    public required IReadOnlyDictionary<string, long> Rows { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    internal static void Write(string path, CrmOptions options, IReadOnlyDictionary<string, long> rows) =>
        AtomicFile.WriteText(path, JsonSerializer.Serialize(new CrmManifest { Options = options, ExportAt = options.ExportAt, Rows = rows }, Json) + "\n");

    /// <summary>Reads a crm.json; the history it describes is <c>new CrmHistory(manifest.Options)</c>.</summary>
    public static CrmManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<CrmManifest>(File.ReadAllText(path), Json)
                   ?? throw new LeadPredictException($"{path} is empty; expected the crm.json a CRM history was generated with.");
        }
        catch (JsonException e)
        {
            throw new InputFileException(path, (e.LineNumber ?? 0) + 1, null, "not the crm.json a CRM history was generated with: " + e.Message, e);
        }
    }
}
