namespace LeadPredict.ML.Scoring;

/// <summary>A scored chunk of the input: each lead's probability and finished ranked line (everything after the rank), in file order.</summary>
internal sealed class ScoredChunk(int index, int bytes)
{
    public readonly int Index = index;
    public readonly List<double> Probabilities = new(bytes / 100 + 1);
    public readonly List<int> LineEnds = new(bytes / 100 + 1);
    /// <summary>The lines, one after the other (see <see cref="LineEnds"/>).</summary>
    public byte[] Lines = [];
    /// <summary>How many leads got each grade, A to D.</summary>
    public readonly int[] Grades = new int[4];
    /// <summary>Leads scored without a line (only a sink took them): counted, not kept.</summary>
    public int Unkept;
    public int Count => Probabilities.Count + Unkept;

    public ReadOnlyMemory<byte> Line(int row) => Lines.AsMemory((row == 0 ? 0 : LineEnds[row - 1])..LineEnds[row]);
}

/// <summary>Every scored lead of a file in file order: its probability and where its line is, across the chunks.</summary>
internal sealed class ScoredLeads
{
    private readonly ScoredChunk[] _chunks;
    private readonly int[] _chunkOf;
    private readonly int[] _rowOf;

    /// <param name="chunks">The chunks in file order.</param>
    public ScoredLeads(ScoredChunk[] chunks)
    {
        _chunks = chunks;
        var n = chunks.Sum(c => c.Count);
        Probabilities = new double[n];
        _chunkOf = new int[n];
        _rowOf = new int[n];
        Lengths = new int[n];
        var g = 0;
        for (var c = 0; c < chunks.Length; c++)
        {
            var chunk = chunks[c];
            for (var i = 0; i < chunk.Count; i++, g++)
            {
                Probabilities[g] = chunk.Probabilities[i];
                _chunkOf[g] = c;
                _rowOf[g] = i;
                Lengths[g] = chunk.LineEnds[i] - (i == 0 ? 0 : chunk.LineEnds[i - 1]);
            }
        }
    }

    public int Count => Probabilities.Length;
    public double[] Probabilities { get; }
    /// <summary>Each lead's line length in bytes.</summary>
    public int[] Lengths { get; }
    /// <summary>The ranked line of lead <paramref name="lead"/> (its index in the file), without its rank.</summary>
    public ReadOnlySpan<byte> Line(int lead) => _chunks[_chunkOf[lead]].Line(_rowOf[lead]).Span;
}
