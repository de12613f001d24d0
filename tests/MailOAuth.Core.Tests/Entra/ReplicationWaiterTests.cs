using System.Diagnostics;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using Xunit;

namespace MailOAuth.Core.Tests.Entra;

/// <summary>
/// <see cref="ReplicationWaiter"/> alone, with fake attempts: what is retried (only a symptom, only for
/// a new object), what it reports, and how it stops (budget, cancellation).
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ReplicationWaiterTests
{
    private sealed class NotReplicatedYet : Exception
    {
        public NotReplicatedYet() : base("not yet") { }
    }

    private static bool IsSymptom(Exception ex) => ex is NotReplicatedYet;

    /// <summary>Fails with the symptom <paramref name="failures"/> times, then returns "done".</summary>
    private sealed class FlakyAttempt(int failures)
    {
        private int _calls;
        public int Calls => Volatile.Read(ref _calls);

        public Task<string> RunAsync(CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            return Interlocked.Increment(ref _calls) <= failures ? Task.FromException<string>(new NotReplicatedYet()) : Task.FromResult("done");
        }
    }

    [Fact]
    public async Task A_symptom_is_retried_until_the_object_appears_with_progress_reported()
    {
        var waiter = new ReplicationWaiter(TimeSpan.FromSeconds(30));
        var attempt = new FlakyAttempt(failures: 2);
        var reporter = new RecordingReporter();

        string result;
        using (OperationContext.Begin(reporter))
        {
            result = await waiter.UntilAsync("application X (to add its secret)", objectIsNew: true, attempt.RunAsync, IsSymptom, CancellationToken.None);
        }

        Assert.Equal("done", result);
        Assert.Equal(3, attempt.Calls);
        // Two backoffs: about 0.5 s then 0.8 s (±15 %).
        Assert.InRange(waiter.Waited, TimeSpan.FromMilliseconds(2 * 400), TimeSpan.FromSeconds(10));
        var progress = reporter.ProgressUpdates;
        Assert.Equal(3, progress.Count);
        Assert.All(progress.Take(2), p =>
        {
            Assert.False(p.Completed);
            Assert.Equal("Waiting for Entra ID replication", p.Activity);
            Assert.Contains("application X (to add its secret)", p.Status);
            Assert.InRange(p.PercentComplete, 0, 99);
            Assert.InRange(p.SecondsRemaining, 1, 30);
        });
        Assert.True(progress[^1].Completed);
        Assert.Contains(reporter.VerboseMessages, m => m.Contains("application X (to add its secret)") && m.Contains("2 retries"));
        Assert.Equal(2, reporter.DebugMessages.Count(m => m.Contains("Not replicated yet")));
    }

    [Fact]
    public async Task Success_at_the_first_attempt_waits_nothing_and_reports_nothing()
    {
        var waiter = new ReplicationWaiter();
        var attempt = new FlakyAttempt(failures: 0);
        var reporter = new RecordingReporter();

        using (OperationContext.Begin(reporter))
        {
            Assert.Equal("done", await waiter.UntilAsync("x", true, attempt.RunAsync, IsSymptom, CancellationToken.None));
        }

        Assert.Equal(TimeSpan.Zero, waiter.Waited);
        Assert.Empty(reporter.ProgressUpdates);
        Assert.Equal(ReplicationWaiter.DefaultBudget, waiter.Budget);
    }

    [Fact]
    public async Task Waited_accumulates_over_several_waits_of_one_command()
    {
        var waiter = new ReplicationWaiter(TimeSpan.FromSeconds(30));

        await waiter.UntilAsync("first", true, new FlakyAttempt(1).RunAsync, IsSymptom, CancellationToken.None);
        var afterFirst = waiter.Waited;
        await waiter.UntilAsync("second", true, new FlakyAttempt(1).RunAsync, IsSymptom, CancellationToken.None);

        Assert.True(afterFirst > TimeSpan.Zero);
        Assert.True(waiter.Waited > afterFirst);
    }

    [Fact]
    public async Task Another_exception_propagates_at_once()
    {
        var waiter = new ReplicationWaiter(TimeSpan.FromSeconds(30));
        var calls = 0;

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => waiter.UntilAsync<string>("x", objectIsNew: true, _ =>
        {
            calls++;
            throw new InvalidOperationException("403 Authorization_RequestDenied");
        }, IsSymptom, CancellationToken.None));

        Assert.Equal("403 Authorization_RequestDenied", ex.Message);
        Assert.Equal(1, calls);
        Assert.Equal(TimeSpan.Zero, waiter.Waited); // no backoff at all
    }

    [Fact]
    public async Task For_an_object_that_is_not_new_the_symptom_is_not_retried()
    {
        var waiter = new ReplicationWaiter(TimeSpan.FromSeconds(30));
        var attempt = new FlakyAttempt(failures: 1);
        var reporter = new RecordingReporter();

        using (OperationContext.Begin(reporter))
        {
            await Assert.ThrowsAsync<NotReplicatedYet>(() => waiter.UntilAsync("x", objectIsNew: false, attempt.RunAsync, IsSymptom, CancellationToken.None));
        }

        Assert.Equal(1, attempt.Calls);
        Assert.Equal(TimeSpan.Zero, waiter.Waited);
        Assert.Empty(reporter.ProgressUpdates);
    }

    [Fact]
    public async Task Past_the_budget_it_is_ReplicationTimeout_naming_what_is_pending()
    {
        var waiter = new ReplicationWaiter(TimeSpan.FromSeconds(1));
        var attempt = new FlakyAttempt(failures: int.MaxValue);
        var reporter = new RecordingReporter();
        var clock = Stopwatch.StartNew();

        MailOAuthException ex;
        using (OperationContext.Begin(reporter))
        {
            ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
                waiter.UntilAsync("service principal 42 (to grant Mail.Send)", true, attempt.RunAsync, IsSymptom, CancellationToken.None));
        }

        Assert.Equal(DiagnosisCode.ReplicationTimeout, ex.Code);
        Assert.Equal(DiagnosisKind.Transient, ex.Diagnosis.Kind);
        Assert.Contains("service principal 42 (to grant Mail.Send)", ex.Message);
        Assert.Contains("-ReplicationTimeoutSec", ex.Diagnosis.Remediation);
        Assert.IsType<NotReplicatedYet>(ex.InnerException);
        // It gives up when the next wait would cross the budget instead of sleeping past it:
        // about 0.5 s then 0.8 s of backoff means the second failure (at ~0.5 s) is the last.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.InRange(attempt.Calls, 1, 2);
        Assert.True(waiter.Waited < waiter.Budget);
        Assert.True(reporter.ProgressUpdates[^1].Completed, "the progress bar is closed");
    }

    [Fact]
    public async Task Cancellation_stops_the_wait_without_another_attempt()
    {
        var waiter = new ReplicationWaiter(TimeSpan.FromMinutes(5));
        using var cts = new CancellationTokenSource();
        var calls = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.UntilAsync<string>("x", true, _ =>
        {
            calls++;
            cts.Cancel(); // Ctrl+C while the object is still pending
            throw new NotReplicatedYet();
        }, IsSymptom, cts.Token));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Cancellation_during_a_long_wait_ends_it_promptly()
    {
        var waiter = new ReplicationWaiter(TimeSpan.FromMinutes(5));
        var attempt = new FlakyAttempt(failures: int.MaxValue);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.UntilAsync("x", true, attempt.RunAsync, IsSymptom, cts.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"stopped soon after cancellation (took {clock.Elapsed})");
        Assert.InRange(attempt.Calls, 1, 4);
    }
}
