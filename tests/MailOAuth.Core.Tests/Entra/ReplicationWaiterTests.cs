using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using Xunit;

namespace MailOAuth.Core.Tests.Entra;

/// <summary>
/// <see cref="ReplicationWaiter"/> alone, with fake attempts, on a fake clock and with the jitter fixed
/// at its middle (a factor of 1): what is retried (only a symptom, only for a new object), exactly how
/// long it waits, what it reports, and how it stops (budget, cancellation). No wall time passes, so
/// these run in parallel with everything else.
/// </summary>
public sealed class ReplicationWaiterTests
{
    private static readonly TimeSpan Ms500 = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Ms800 = TimeSpan.FromMilliseconds(800);

    private sealed class NotReplicatedYet : Exception
    {
        public NotReplicatedYet() : base("not yet") { }
    }

    private static bool IsSymptom(Exception ex) => ex is NotReplicatedYet;

    private static ReplicationWaiter WaiterOn(TestClock clock, TimeSpan? budget = null) => new(budget, clock, FixedRandom.Middle);

    /// <summary>Fails with the symptom <paramref name="failures"/> times, then returns "done"; records when each call came.</summary>
    private sealed class FlakyAttempt(TestClock clock, int failures)
    {
        private readonly List<TimeSpan> _at = new();

        public int Calls { get { lock (_at) return _at.Count; } }

        /// <summary>When each call came, as time since the clock's epoch.</summary>
        public IReadOnlyList<TimeSpan> CalledAt { get { lock (_at) return _at.ToList(); } }

        public Task<string> RunAsync(CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            int calls;
            lock (_at)
            {
                _at.Add(clock.Elapsed);
                calls = _at.Count;
            }
            return calls <= failures ? Task.FromException<string>(new NotReplicatedYet()) : Task.FromResult("done");
        }
    }

    [Fact]
    public async Task A_symptom_is_retried_until_the_object_appears_with_progress_reported()
    {
        var clock = new TestClock();
        var waiter = WaiterOn(clock, TimeSpan.FromSeconds(30));
        var attempt = new FlakyAttempt(clock, failures: 2);
        var reporter = new RecordingReporter();

        string result;
        using (OperationContext.Begin(reporter))
        {
            result = await clock.RunAsync(waiter.UntilAsync("application X (to add its secret)", objectIsNew: true, attempt.RunAsync, IsSymptom, CancellationToken.None));
        }

        Assert.Equal("done", result);
        // Backoff 0.5 s, then 0.5 × 1.6 = 0.8 s: the attempts come exactly then, and that is what it reports as waited.
        Assert.Equal(new[] { Ms500, Ms800 }, clock.Waits);
        Assert.Equal(new[] { TimeSpan.Zero, Ms500, Ms500 + Ms800 }, attempt.CalledAt);
        Assert.Equal(Ms500 + Ms800, waiter.Waited);
        var progress = reporter.ProgressUpdates;
        Assert.Equal(3, progress.Count);
        Assert.All(progress.Take(2), p =>
        {
            Assert.False(p.Completed);
            Assert.Equal("Waiting for Entra ID replication", p.Activity);
            Assert.Contains("application X (to add its secret)", p.Status);
        });
        // Percent and seconds left are of the 30 s budget, read at 0 s and at 0.5 s.
        Assert.Equal((0, 30), (progress[0].PercentComplete, progress[0].SecondsRemaining));
        Assert.Equal((1, 29), (progress[1].PercentComplete, progress[1].SecondsRemaining));
        // The status names the step and labels the time left (the bar's own estimate is unlabelled).
        Assert.Equal("application X (to add its secret) — 0 s so far, up to 30 s left", progress[0].Status);
        Assert.Equal("application X (to add its secret) — 0 s so far, up to 29 s left", progress[1].Status);
        Assert.True(progress[^1].Completed);
        Assert.Contains(reporter.VerboseMessages, m => m.Contains("application X (to add its secret)") && m.Contains("after 1.3 s (2 retries)"));
        Assert.Equal(new[] { "next check in 0.5 s", "next check in 0.8 s" },
            reporter.DebugMessages.Where(m => m.Contains("Not replicated yet")).Select(m => m[m.IndexOf("next check", StringComparison.Ordinal)..].TrimEnd('.')));
    }

    [Fact]
    public async Task The_backoff_grows_by_1_6_up_to_2_seconds()
    {
        var clock = new TestClock();
        var waiter = WaiterOn(clock, TimeSpan.FromSeconds(30));

        await clock.RunAsync(waiter.UntilAsync("x", true, new FlakyAttempt(clock, failures: 5).RunAsync, IsSymptom, CancellationToken.None));

        var expected = new[] { 500, 800, 1280, 2000, 2000 }.Select(ms => TimeSpan.FromMilliseconds(ms));
        Assert.Equal(expected, clock.Waits);
        Assert.Equal(TimeSpan.FromMilliseconds(6580), waiter.Waited);
    }

    [Theory]
    [InlineData(0.0, 425, 425)]   // the jitter band is ±15 % of the backoff: the lowest draw is exactly 0.85 × 0.5 s
    [InlineData(0.999999, 574, 575)] // the highest draw is just under 1.15 × 0.5 s
    public async Task Jitter_stays_within_15_percent(double draw, int minMs, int maxMs)
    {
        var clock = new TestClock();
        var waiter = new ReplicationWaiter(TimeSpan.FromSeconds(30), clock, new FixedRandom(draw));

        await clock.RunAsync(waiter.UntilAsync("x", true, new FlakyAttempt(clock, failures: 1).RunAsync, IsSymptom, CancellationToken.None));

        var wait = Assert.Single(clock.Waits);
        Assert.InRange(wait, TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(maxMs));
        Assert.Equal(wait, waiter.Waited);
    }

    [Fact]
    public async Task Success_at_the_first_attempt_waits_nothing_and_reports_nothing()
    {
        var clock = new TestClock();
        var waiter = WaiterOn(clock);
        var attempt = new FlakyAttempt(clock, failures: 0);
        var reporter = new RecordingReporter();

        using (OperationContext.Begin(reporter))
        {
            Assert.Equal("done", await clock.RunAsync(waiter.UntilAsync("x", true, attempt.RunAsync, IsSymptom, CancellationToken.None)));
        }

        Assert.Equal(TimeSpan.Zero, waiter.Waited);
        Assert.Empty(clock.Waits);
        Assert.Empty(reporter.ProgressUpdates);
        Assert.Equal(ReplicationWaiter.DefaultBudget, waiter.Budget);
    }

    [Fact]
    public async Task Waited_accumulates_over_several_waits_of_one_command()
    {
        var clock = new TestClock();
        var waiter = WaiterOn(clock, TimeSpan.FromSeconds(30));

        await clock.RunAsync(waiter.UntilAsync("first", true, new FlakyAttempt(clock, 1).RunAsync, IsSymptom, CancellationToken.None));
        var afterFirst = waiter.Waited;
        await clock.RunAsync(waiter.UntilAsync("second", true, new FlakyAttempt(clock, 1).RunAsync, IsSymptom, CancellationToken.None));

        Assert.Equal(Ms500, afterFirst);
        Assert.Equal(Ms500 + Ms500, waiter.Waited); // each wait starts again at the first backoff
    }

    [Fact]
    public async Task Another_exception_propagates_at_once()
    {
        var clock = new TestClock();
        var waiter = WaiterOn(clock, TimeSpan.FromSeconds(30));
        var calls = 0;

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => clock.RunAsync(waiter.UntilAsync<string>("x", objectIsNew: true, _ =>
        {
            calls++;
            throw new InvalidOperationException("403 Authorization_RequestDenied");
        }, IsSymptom, CancellationToken.None)));

        Assert.Equal("403 Authorization_RequestDenied", ex.Message);
        Assert.Equal(1, calls);
        Assert.Equal(TimeSpan.Zero, waiter.Waited); // no backoff at all
        Assert.Equal(TimeSpan.Zero, clock.Elapsed);
    }

    [Fact]
    public async Task For_an_object_that_is_not_new_the_symptom_is_not_retried()
    {
        var clock = new TestClock();
        var waiter = WaiterOn(clock, TimeSpan.FromSeconds(30));
        var attempt = new FlakyAttempt(clock, failures: 1);
        var reporter = new RecordingReporter();

        using (OperationContext.Begin(reporter))
        {
            await Assert.ThrowsAsync<NotReplicatedYet>(() => clock.RunAsync(waiter.UntilAsync("x", objectIsNew: false, attempt.RunAsync, IsSymptom, CancellationToken.None)));
        }

        Assert.Equal(1, attempt.Calls);
        Assert.Equal(TimeSpan.Zero, waiter.Waited);
        Assert.Empty(clock.Waits);
        Assert.Empty(reporter.ProgressUpdates);
    }

    [Theory]
    // Backoff 0.5 s then 0.8 s. A budget of exactly 1.3 s fits both waits: it gives up at 1.3 s, the budget.
    [InlineData(1300, 2, 1300, 3)]
    // One tick less and the second wait would cross it: it gives up at 0.5 s instead of sleeping past the budget.
    [InlineData(1299.9999, 1, 500, 2)]
    // Less than the first wait: not one wait, it gives up at once.
    [InlineData(400, 0, 0, 1)]
    public async Task Past_the_budget_it_is_ReplicationTimeout_naming_what_is_pending(double budgetMs, int waits, int gaveUpAtMs, int calls)
    {
        var clock = new TestClock();
        var waiter = WaiterOn(clock, TimeSpan.FromMilliseconds(budgetMs));
        var attempt = new FlakyAttempt(clock, failures: int.MaxValue);
        var reporter = new RecordingReporter();

        MailOAuthException ex;
        using (OperationContext.Begin(reporter))
        {
            ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
                clock.RunAsync(waiter.UntilAsync("service principal 42 (to grant Mail.Send)", true, attempt.RunAsync, IsSymptom, CancellationToken.None)));
        }

        Assert.Equal(DiagnosisCode.ReplicationTimeout, ex.Code);
        Assert.Equal(DiagnosisKind.Transient, ex.Diagnosis.Kind);
        Assert.Contains("service principal 42 (to grant Mail.Send)", ex.Message);
        Assert.Contains("-ReplicationTimeoutSec", ex.Diagnosis.Remediation);
        Assert.IsType<NotReplicatedYet>(ex.InnerException);
        Assert.Equal(waits, clock.Waits.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(gaveUpAtMs), clock.Elapsed);
        Assert.Equal(TimeSpan.FromMilliseconds(gaveUpAtMs), waiter.Waited);
        Assert.True(waiter.Waited <= waiter.Budget);
        Assert.Equal(calls, attempt.Calls);
        Assert.True(reporter.ProgressUpdates[^1].Completed, "the progress bar is closed");
    }

    [Fact]
    public async Task The_budget_counts_from_the_start_of_the_command_not_of_each_wait()
    {
        var clock = new TestClock();
        var waiter = WaiterOn(clock, TimeSpan.FromSeconds(1));
        clock.Advance(Ms800); // the command did other work first

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            clock.RunAsync(waiter.UntilAsync("x", true, new FlakyAttempt(clock, failures: 1).RunAsync, IsSymptom, CancellationToken.None)));

        Assert.Equal(DiagnosisCode.ReplicationTimeout, ex.Code); // 0.8 s + 0.5 s would cross the 1 s budget
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task Cancellation_stops_the_wait_without_another_attempt()
    {
        var clock = new TestClock();
        var waiter = WaiterOn(clock, TimeSpan.FromMinutes(5));
        using var cts = new CancellationTokenSource();
        var calls = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => clock.RunAsync(waiter.UntilAsync<string>("x", true, _ =>
        {
            calls++;
            cts.Cancel(); // Ctrl+C while the object is still pending
            throw new NotReplicatedYet();
        }, IsSymptom, cts.Token)));

        Assert.Equal(1, calls);
        Assert.Equal(TimeSpan.Zero, clock.Elapsed);
    }

    [Fact]
    public async Task Cancellation_during_a_wait_ends_it_at_once()
    {
        var clock = new TestClock();
        var waiter = WaiterOn(clock, TimeSpan.FromMinutes(5));
        var attempt = new FlakyAttempt(clock, failures: int.MaxValue);
        using var cts = new CancellationTokenSource();

        var running = waiter.UntilAsync("x", true, attempt.RunAsync, IsSymptom, cts.Token);
        Assert.Equal(Ms500, await clock.NextTimerAsync()); // it is waiting before its second attempt
        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.False(running.IsCompleted);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(1, attempt.Calls);
        Assert.Equal(TimeSpan.FromMilliseconds(200), clock.Elapsed); // nothing waited for the rest of the backoff
    }
}
