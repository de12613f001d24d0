using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace MailOAuth.Core.Tests;

/// <summary>
/// A fake clock that also tells the test each timer the code under test starts (a wait, a timeout), in
/// the order they start, so a test moves time exactly to the end of each one: waits take no wall time
/// and can be asserted to the tick. Time moves only when the test says so (<see cref="RunAsync(Task)"/>
/// moves it for the test).
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    /// <summary>Where a test clock starts by default: a whole second, so HTTP dates (1 s resolution) are exact.</summary>
    public static readonly DateTimeOffset Epoch = new(2025, 3, 7, 21, 25, 44, TimeSpan.Zero);

    /// <summary>A bound in real time on waiting for the code under test: a hang fails the test instead of blocking it.</summary>
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(60);

    private readonly Channel<TimeSpan> _started = Channel.CreateUnbounded<TimeSpan>();
    private readonly object _gate = new();
    private readonly List<TrackedTimer> _armed = new();
    private readonly List<TimeSpan> _advanced = new();
    private TaskCompletionSource _changed = NewSignal();

    /// <param name="start">Where time starts; null: <see cref="Epoch"/>. Tests that share the clock with
    /// code reading the wall clock (MSAL's token cache) start it at the real now.</param>
    public TestClock(DateTimeOffset? start = null) : base(start ?? Epoch) => Start = start ?? Epoch;

    public new DateTimeOffset Start { get; }

    /// <summary>Time since <see cref="Start"/>.</summary>
    public TimeSpan Elapsed => GetUtcNow() - Start;

    /// <summary>How far <see cref="RunAsync(Task)"/> moved time each time, in order.</summary>
    public IReadOnlyList<TimeSpan> Waits
    {
        get { lock (_gate) return _advanced.ToList(); }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this, period);
        tracked.Inner = base.CreateTimer(s => { tracked.Fired(); callback(s); }, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        tracked.Change(dueTime, period);
        return tracked;
    }

    /// <summary>The due time of the next timer the code under test starts (already started ones first).</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        using var hang = new CancellationTokenSource(s_hang);
        return await _started.Reader.ReadAsync(hang.Token);
    }

    /// <summary>
    /// Awaits <paramref name="operation"/>, moving time to the earliest armed timer each time one is
    /// armed: a wait ends exactly when due, and no wall time passes. Only for code whose timers are all
    /// waited for (a delay, not a timeout that an answer may beat, which would be moved through too).
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
        var hung = Task.Delay(Timeout.Infinite, hang.Token);
        while (!operation.IsCompleted)
        {
            Task changed;
            TimeSpan? by = null;
            // The fake clock's own lock is never taken inside ours (its callbacks take ours).
            var now = GetUtcNow();
            lock (_gate)
            {
                changed = _changed.Task; // taken before looking, so an arming in between is not missed
                foreach (var t in _armed)
                    if (t.DueAt is { } at && at > now && (by is null || at - now < by)) by = at - now;
                if (by is { } b) _advanced.Add(b);
            }
            if (by is { } step)
            {
                Advance(step);
                continue;
            }
            await Task.WhenAny(operation, changed, hung);
            if (hung.IsCompleted) throw new TimeoutException($"The operation neither finished nor started a timer within {s_hang.TotalSeconds:0} s.");
        }
        await operation;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Armed(TrackedTimer timer, TimeSpan dueTime)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (!_armed.Contains(timer)) _armed.Add(timer);
            signal = _changed;
            _changed = NewSignal();
        }
        _started.Writer.TryWrite(dueTime);
        signal.TrySetResult();
    }

    private void Disarmed(TrackedTimer timer)
    {
        lock (_gate) _armed.Remove(timer);
    }

    /// <summary>A timer whose due instant the clock knows, so it can move time exactly there.</summary>
    private sealed class TrackedTimer(TestClock clock, TimeSpan period) : ITimer
    {
        private TimeSpan _period = period;

        public ITimer Inner { get; set; } = null!;

        /// <summary>When it fires next; null when it is not armed (not started, fired once, disposed).</summary>
        public DateTimeOffset? DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var now = clock.GetUtcNow();
            lock (clock._gate)
            {
                _period = period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : now + dueTime;
            }
            // Registered before it is announced, so that moving time to its end fires it.
            var changed = Inner.Change(dueTime, period);
            if (dueTime == Timeout.InfiniteTimeSpan) clock.Disarmed(this);
            else clock.Armed(this, dueTime);
            return changed;
        }

        public void Fired()
        {
            var now = clock.GetUtcNow();
            lock (clock._gate) DueAt = _period == Timeout.InfiniteTimeSpan ? null : now + _period;
        }

        public void Dispose()
        {
            lock (clock._gate) DueAt = null;
            clock.Disarmed(this);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>A <see cref="Random"/> that always draws the same number: jitter becomes a known factor.</summary>
public sealed class FixedRandom(double value) : Random
{
    /// <summary>0.5: the middle of every jitter band, that is a factor of exactly 1.</summary>
    public static FixedRandom Middle => new(0.5);

    public override double NextDouble() => value;
}
