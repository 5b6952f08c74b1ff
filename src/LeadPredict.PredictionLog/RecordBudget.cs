namespace LeadPredict.PredictionLog;

/// <summary>
/// How many records may wait for the database at once. Takers wait in arrival order when there is no room, so a big
/// upload is slowed down to the speed of the database instead of filling memory or being dropped, and cannot starve
/// small requests behind it for long.
/// </summary>
internal sealed class RecordBudget(int capacity)
{
    private readonly object _gate = new();
    private readonly Queue<Waiter> _waiters = new();
    private int _available = capacity;

    public int Capacity { get; } = capacity;

    /// <summary>Takes <paramref name="count"/> (at most <see cref="Capacity"/>) records' room, waiting for it if needed.</summary>
    public ValueTask TakeAsync(int count, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Capacity);
        Waiter waiter;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _available >= count)
            {
                _available -= count;
                return ValueTask.CompletedTask;
            }
            waiter = new Waiter(count);
            _waiters.Enqueue(waiter);
        }
        if (ct.CanBeCanceled)
            waiter.Registration = ct.Register(() =>
            {
                // Room handed over before the cancellation won the race is given back by Release's loop.
                if (waiter.Done.TrySetCanceled(ct)) lock (_gate) Grant();
            });
        return new ValueTask(waiter.Done.Task);
    }

    public void Release(int count)
    {
        lock (_gate)
        {
            _available += count;
            Grant();
        }
    }

    /// <summary>Hands room to waiters in order; called under the lock.</summary>
    private void Grant()
    {
        while (_waiters.TryPeek(out var next))
        {
            if (next.Done.Task.IsCompleted) { _waiters.Dequeue(); continue; }
            if (_available < next.Count) return;
            _waiters.Dequeue();
            _available -= next.Count;
            if (!next.Done.TrySetResult()) _available += next.Count;
            next.Registration.Unregister(); // never Dispose here: it waits for a running callback, which may be waiting for this lock
        }
    }

    private sealed class Waiter(int count)
    {
        public int Count { get; } = count;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationTokenRegistration Registration { get; set; }
    }
}
