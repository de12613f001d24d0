using System;
using System.Threading;

namespace MailOAuth.Core.Diagnostics;

/// <summary>
/// The operation in flight on this async flow: where HTTP handlers (shared by all operations of a
/// session) report retries and request lines. Flows with async calls (AsyncLocal), so two runspaces or
/// two concurrent operations each see their own; it is not process-wide state.
/// </summary>
public sealed class OperationContext
{
    private static readonly AsyncLocal<OperationContext?> s_current = new();
    private readonly object _gate = new();
    private int _retries;
    private TimeSpan _retryWait;

    private OperationContext(IOperationReporter reporter) => Reporter = reporter;

    /// <summary>The operation on this flow, or null outside one.</summary>
    public static OperationContext? Current => s_current.Value;

    /// <summary>The reporter of the current operation (a null reporter outside one).</summary>
    public static IOperationReporter CurrentReporter => s_current.Value?.Reporter ?? NullReporter.Instance;

    public IOperationReporter Reporter { get; }

    /// <summary>Starts an operation on the current flow; dispose to end it.</summary>
    public static IDisposable Begin(IOperationReporter reporter)
    {
        var previous = s_current.Value;
        s_current.Value = new OperationContext(reporter);
        return new Scope(previous);
    }

    /// <summary>Records one retry and the time waited before it.</summary>
    public void RecordRetry(TimeSpan wait)
    {
        lock (_gate)
        {
            _retries++;
            _retryWait += wait;
        }
    }

    /// <summary>Retries so far in this operation.</summary>
    public RetrySummary Retries
    {
        get { lock (_gate) return new RetrySummary(_retries, _retryWait); }
    }

    private sealed class Scope : IDisposable
    {
        private readonly OperationContext? _previous;
        public Scope(OperationContext? previous) => _previous = previous;
        public void Dispose() => s_current.Value = _previous;
    }
}

/// <summary>How many retries an operation made and how long it waited for them.</summary>
public sealed class RetrySummary
{
    public RetrySummary(int count, TimeSpan totalWait)
    {
        Count = count;
        TotalWait = totalWait;
    }

    public int Count { get; }
    public TimeSpan TotalWait { get; }
}
