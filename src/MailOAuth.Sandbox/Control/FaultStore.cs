using System.Text.RegularExpressions;

namespace MailOAuth.Sandbox.Control;

/// <summary>
/// An injected fault (docs/sandbox.md, <c>POST /_sandbox/faults</c>). <see cref="Status"/> null
/// means "latency only, then the real answer"; 0 means "abort the connection". With
/// <see cref="AfterProcessing"/> the request is really handled first and only its answer is lost (status 0)
/// or replaced by the fault (another status: a gateway error in front of a write that took effect) — the
/// ambiguous failures a client must neither turn into a duplicate nor take at their word.
/// </summary>
public sealed record Fault(
    string Id,
    Regex PathPattern,
    string? Method,
    int? Status,
    string? RetryAfter,
    int Count,
    int? LatencyMs,
    string? Body,
    bool AfterProcessing = false);

/// <summary>Registered faults; matching and consuming one hit is atomic. Thread-safe.</summary>
public sealed class FaultStore
{
    private readonly Lock _gate = new();
    private readonly List<(Fault Fault, int Remaining)> _faults = [];

    public void Add(Fault fault)
    {
        lock (_gate)
        {
            _faults.Add((fault, fault.Count));
        }
    }

    /// <summary>
    /// The first registered fault matching <paramref name="method"/> and <paramref name="path"/>
    /// with hits left; one hit is used up, and a used-up fault is removed.
    /// </summary>
    public Fault? TryConsume(string method, string path)
    {
        lock (_gate)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var (fault, remaining) = _faults[i];
                if (fault.Method is not null && !string.Equals(fault.Method, method, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                bool matches;
                try
                {
                    matches = fault.PathPattern.IsMatch(path);
                }
                catch (RegexMatchTimeoutException)
                {
                    matches = false;
                }

                if (!matches)
                {
                    continue;
                }

                if (remaining <= 1)
                {
                    _faults.RemoveAt(i);
                }
                else
                {
                    _faults[i] = (fault, remaining - 1);
                }

                return fault;
            }

            return null;
        }
    }

    public IReadOnlyList<(Fault Fault, int Remaining)> Snapshot()
    {
        lock (_gate)
        {
            return [.. _faults];
        }
    }

    public bool Remove(string id)
    {
        lock (_gate)
        {
            return _faults.RemoveAll(f => f.Fault.Id == id) > 0;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }
}
