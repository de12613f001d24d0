namespace MailOAuth.Sandbox.Control;

/// <summary>
/// One served request. Never a body, never a secret: token requests log the form's
/// <c>client_id</c> only, Graph requests the token's <c>appid</c>. Status 0 = connection aborted.
/// <see cref="KeyId"/>: the password credential an addPassword made or a removePassword named (an identifier,
/// not a secret), so a test can tell from the log which secret was removed when.
/// </summary>
public sealed record RequestLogEntry(
    DateTimeOffset Time,
    string Method,
    string Path,
    string Query,
    int Status,
    string? ClientId,
    string Kind,
    string RequestId,
    string? KeyId = null,
    string? Vault = null);

/// <summary>The request log behind <c>GET /_sandbox/requests</c>. Thread-safe.</summary>
public sealed class RequestLog
{
    private readonly Lock _gate = new();
    private readonly List<RequestLogEntry> _entries = [];

    public void Add(RequestLogEntry entry)
    {
        lock (_gate)
        {
            _entries.Add(entry);
        }
    }

    public IReadOnlyList<RequestLogEntry> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }
}
