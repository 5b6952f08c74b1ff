namespace LeadPredict.SampleData;

/// <summary>What to generate. The same options always give the same leads, byte for byte.</summary>
public sealed record GeneratorOptions
{
    public int Rows { get; init; } = 1000;
    public ulong Seed { get; init; } = 7;

    /// <summary>The first creation date; leads are spread evenly over <see cref="Days"/> days from here, in time order.</summary>
    public DateOnly Start { get; init; } = new(2025, 1, 1);
    public int Days { get; init; } = 540;

    /// <summary>The number in the first lead id (L-000001); set it past the history's ids for a file of new leads.</summary>
    public int FirstId { get; init; } = 1;

    /// <summary>Write the <c>converted</c> column; off for a file of new leads to be scored.</summary>
    public bool IncludeOutcome { get; init; } = true;

    /// <summary>Write the hidden <c>true_probability</c> as the last column (for measuring the best possible AUC).</summary>
    public bool IncludeTrueProbability { get; init; }

    public void Validate()
    {
        if (Rows < 1) throw new ArgumentException($"Rows must be at least 1 (was {Rows}).", nameof(Rows));
        if (Days < 1) throw new ArgumentException($"Days must be at least 1 (was {Days}).", nameof(Days));
        if (FirstId < 0) throw new ArgumentException($"FirstId must be 0 or more (was {FirstId}).", nameof(FirstId));
        if ((long)FirstId + Rows - 1 > int.MaxValue)
            throw new ArgumentException($"FirstId + Rows - 1 must not exceed {int.MaxValue} (was {(long)FirstId + Rows - 1}).", nameof(FirstId));
        if (Start.DayNumber + (long)Days - 1 > DateOnly.MaxValue.DayNumber)
            throw new ArgumentException($"Start + Days runs past {DateOnly.MaxValue:yyyy-MM-dd}.", nameof(Days));
    }
}
