using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace MailOAuth.Core.Tests;

/// <summary>
/// A fake clock that also tells the test each timer the code under test starts (a wait, a timeout), in
/// the order they start, so a test moves time exactly to the end of each one: waits take no wall time
/// and can be asserted to the tick. Time moves only when the test says so.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    /// <summary>Where every test clock starts: a whole second, so HTTP dates (1 s resolution) are exact.</summary>
    public static readonly DateTimeOffset Epoch = new(2025, 3, 7, 21, 25, 44, TimeSpan.Zero);

    /// <summary>A bound in real time on waiting for the code under test: a hang fails the test instead of blocking it.</summary>
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(30);

    private readonly Channel<TimeSpan> _started = Channel.CreateUnbounded<TimeSpan>();
    private readonly List<TimeSpan> _advanced = new();

    public TestClock() : base(Epoch) { }

    /// <summary>Time since <see cref="Epoch"/>.</summary>
    public TimeSpan Elapsed => GetUtcNow() - Epoch;

    /// <summary>The waits <see cref="RunAsync{T}"/> moved time through, in order.</summary>
    public IReadOnlyList<TimeSpan> Waits
    {
        get { lock (_advanced) return _advanced.ToList(); }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new AnnouncingTimer(this, base.CreateTimer(callback, state, dueTime, period));
        // Announced only once registered, so that moving time to its end fires it.
        Announce(dueTime);
        return timer;
    }

    private void Announce(TimeSpan dueTime)
    {
        if (dueTime != Timeout.InfiniteTimeSpan) _started.Writer.TryWrite(dueTime);
    }

    /// <summary>A timer started later (created idle, then changed) is announced when it is started.</summary>
    private sealed class AnnouncingTimer(TestClock clock, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            if (changed) clock.Announce(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>The due time of the next timer the code under test starts (already started ones first).</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        using var hang = new CancellationTokenSource(s_hang);
        return await _started.Reader.ReadAsync(hang.Token);
    }

    /// <summary>
    /// Awaits <paramref name="operation"/>, moving time exactly to the end of each timer it starts, one
    /// at a time. Only for code that waits on every timer it starts (a delay, not a timeout that an
    /// answer may beat): a timeout would be moved through even though nothing waited for it.
    /// </summary>
    public async Task<T> RunAsync<T>(Task<T> operation)
    {
        await RunAsync((Task)operation);
        return await operation;
    }

    /// <inheritdoc cref="RunAsync{T}(Task{T})"/>
    public async Task RunAsync(Task operation)
    {
        using var hang = new CancellationTokenSource(s_hang);
        while (true)
        {
            if (_started.Reader.TryRead(out var due))
            {
                lock (_advanced) _advanced.Add(due);
                Advance(due);
                continue;
            }
            if (operation.IsCompleted) break;
            var next = _started.Reader.WaitToReadAsync(hang.Token).AsTask();
            await Task.WhenAny(operation, next);
            hang.Token.ThrowIfCancellationRequested();
        }
        await operation;
    }
}

/// <summary>A <see cref="Random"/> that always draws the same number: jitter becomes a known factor.</summary>
public sealed class FixedRandom(double value) : Random
{
    /// <summary>0.5: the middle of every jitter band, that is a factor of exactly 1.</summary>
    public static FixedRandom Middle => new(0.5);

    public override double NextDouble() => value;
}
