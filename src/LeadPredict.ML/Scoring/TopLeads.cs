namespace LeadPredict.ML.Scoring;

/// <summary>
/// The best leads one worker has scored so far, kept typed for the summary's top rows: highest probability first, ties by
/// place in the file, as <see cref="RankOrder"/> ranks them. Each worker keeps its own; <see cref="Merge"/> gives the file's
/// top rows, since each of them is among the best of the worker that scored it.
/// </summary>
internal sealed class TopLeads(int capacity)
{
    /// <summary>The lead's place in the file: its chunk, then its row in the chunk.</summary>
    public static long Position(int chunk, int row) => ((long)chunk << 32) | (uint)row;

    // The worst kept lead comes out first.
    private readonly PriorityQueue<RankedLead, (double Probability, long Position)> _kept = new(WorstFirst.Instance);

    /// <summary>Whether a lead would be kept now; only these are worth annotating typed.</summary>
    public bool Admits(double probability, long position) =>
        capacity > 0 && (_kept.Count < capacity || WorstFirst.Instance.Compare(Worst, (probability, position)) < 0);

    private (double, long) Worst => _kept.TryPeek(out _, out var key) ? key : default;

    public void Add(RankedLead lead, long position)
    {
        if (capacity <= 0) return;
        var key = (lead.Probability, position);
        if (_kept.Count < capacity) _kept.Enqueue(lead, key);
        else if (WorstFirst.Instance.Compare(Worst, key) < 0) _kept.EnqueueDequeue(lead, key);
    }

    /// <summary>The best <paramref name="count"/> leads of all the lists, ranked 1, 2, ...</summary>
    public static RankedLead[] Merge(IEnumerable<TopLeads> lists, int count) => lists
        .SelectMany(l => l._kept.UnorderedItems)
        .OrderBy(x => x.Priority, Comparer<(double, long)>.Create((a, b) => WorstFirst.Instance.Compare(b, a)))
        .Take(count)
        .Select((x, k) => x.Element with { Rank = k + 1 })
        .ToArray();

    /// <summary>Orders leads worst first: lower probability, then later in the file.</summary>
    private sealed class WorstFirst : IComparer<(double Probability, long Position)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((double Probability, long Position) a, (double Probability, long Position) b)
        {
            if (a.Probability != b.Probability) return a.Probability < b.Probability ? -1 : 1;
            return b.Position.CompareTo(a.Position);
        }
    }
}
