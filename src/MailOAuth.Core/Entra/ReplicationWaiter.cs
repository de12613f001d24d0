using System;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Core.Entra;

/// <summary>
/// Rides out Entra's eventual consistency for objects this run just created (docs/service-behaviour.md#replication:
/// no replication SLA exists). Polls the specific symptom with a short, growing backoff and a progress
/// bar, bounded by one budget for the whole command; never a fixed sleep. Past the budget it says
/// what is still pending and that re-running resumes. All its time (the budget, the backoff, what it
/// reports as waited) is read from the <see cref="TimeProvider"/> it is given, so a test can drive it
/// on a fake clock and assert exact waits.
/// </summary>
public sealed class ReplicationWaiter
{
    /// <summary>The default budget for one command (about 5 minutes, docs/design.md#reliability).</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan s_firstDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_maxDelay = TimeSpan.FromSeconds(2);
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly Random _random;
    private readonly object _gate = new();
    private TimeSpan _waited;

    /// <param name="budget">The budget for the whole command; null: <see cref="DefaultBudget"/>.</param>
    /// <param name="timeProvider">The clock to wait on; null: <see cref="TimeProvider.System"/>.</param>
    /// <param name="random">The source of backoff jitter; null: a new <see cref="Random"/>.</param>
    public ReplicationWaiter(TimeSpan? budget = null, TimeProvider? timeProvider = null, Random? random = null)
    {
        Budget = budget ?? DefaultBudget;
        _time = timeProvider ?? TimeProvider.System;
        _random = random ?? new Random();
        _startedAt = _time.GetTimestamp();
    }

    public TimeSpan Budget { get; }

    /// <summary>Time since this waiter was made (the command's start): what the budget is measured against.</summary>
    private TimeSpan Elapsed => _time.GetElapsedTime(_startedAt);

    /// <summary>
    /// How old an app or secret may be and still have its replication symptoms ridden out: a grant
    /// reaches Exchange minutes after it is made (docs/service-behaviour.md#replication), so 15 minutes covers an onboarding run.
    /// </summary>
    public static readonly TimeSpan RecentWindow = TimeSpan.FromMinutes(15);

    /// <summary>True when <paramref name="createdOn"/> lies within <see cref="RecentWindow"/> of now on <paramref name="timeProvider"/>.</summary>
    /// <param name="createdOn">When the object was created, if known.</param>
    /// <param name="timeProvider">The clock that says what "now" is (the session's, so a test's fake clock holds here too).</param>
    public static bool IsRecent(DateTimeOffset? createdOn, TimeProvider timeProvider) =>
        createdOn is { } t && timeProvider.GetUtcNow() - t < RecentWindow;

    /// <summary>Time spent waiting for replication so far (for the benchmark and the result).</summary>
    public TimeSpan Waited { get { lock (_gate) return _waited; } }

    /// <summary>
    /// Runs <paramref name="attempt"/> until it succeeds. A failure for which <paramref name="isSymptom"/>
    /// is true is retried while <paramref name="objectIsNew"/> (outside the replication window the same
    /// error fails fast with its own diagnosis).
    /// </summary>
    public async Task<T> UntilAsync<T>(string pending, bool objectIsNew, Func<CancellationToken, Task<T>> attempt,
        Func<Exception, bool> isSymptom, CancellationToken cancellationToken)
    {
        var reporter = OperationContext.CurrentReporter;
        var delay = s_firstDelay;
        var started = Elapsed;
        var polls = 0;
        while (true)
        {
            try
            {
                var result = await attempt(cancellationToken).ConfigureAwait(false);
                if (polls > 0)
                {
                    reporter.Progress(new ProgressUpdate(Activity, pending, completed: true));
                    reporter.Verbose($"Entra ID replicated {pending} after {(Elapsed - started).TotalSeconds:0.0} s ({polls} retries).");
                }
                return result;
            }
            catch (Exception ex) when (objectIsNew && isSymptom(ex))
            {
                var elapsed = Elapsed;
                double jitter;
                lock (_gate) jitter = 0.85 + _random.NextDouble() * 0.3; // Random is not thread-safe
                var jittered = TimeSpan.FromMilliseconds(delay.TotalMilliseconds * jitter);
                if (elapsed + jittered > Budget)
                {
                    reporter.Progress(new ProgressUpdate(Activity, pending, completed: true));
                    throw new MailOAuthException(DiagnosisCatalog.ReplicationTimeout(pending, elapsed), ex);
                }
                polls++;
                // The status names the step and labels the time left, e.g. "… service principal) — 4 s so far, up to 295 s left".
                reporter.Progress(new ProgressUpdate(Activity, $"{pending} — {(int)(elapsed - started).TotalSeconds} s so far, up to {(int)Math.Max(0, (Budget - elapsed).TotalSeconds)} s left",
                    (int)Math.Min(99, elapsed.TotalMilliseconds * 100 / Budget.TotalMilliseconds), secondsRemaining: (int)(Budget - elapsed).TotalSeconds));
                reporter.Debug($"Not replicated yet ({pending}); next check in {jittered.TotalSeconds:0.0} s.");
                var waitStarted = _time.GetTimestamp();
                await _time.Delay(jittered, cancellationToken).ConfigureAwait(false);
                var waited = _time.GetElapsedTime(waitStarted);
                lock (_gate) _waited += waited;
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.6, s_maxDelay.TotalMilliseconds));
            }
        }
    }

    private const string Activity = "Waiting for Entra ID replication";
}

/// <summary>A read that does not yet see an object this run (or an interrupted one) just wrote.</summary>
internal sealed class NotYetVisibleException : Exception
{
    public NotYetVisibleException(string what) : base(what + " is not visible yet.") { }
}
