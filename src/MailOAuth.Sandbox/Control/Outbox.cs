namespace MailOAuth.Sandbox.Control;

/// <summary>A message accepted by sendMail (docs/service-behaviour.md#send-mail), as <c>GET /_sandbox/outbox</c> shows it.</summary>
public sealed record OutboxMessage(
    string Id,
    string From,
    string Sender,
    IReadOnlyList<string> To,
    string? Subject,
    string? Body,
    string ContentType,
    DateTimeOffset ReceivedAt,
    string? ClientId,
    IReadOnlyList<string> Cc,
    IReadOnlyList<string> Bcc,
    bool SaveToSentItems,
    string RequestId);

/// <summary>Messages "sent" through Graph, in arrival order. Thread-safe.</summary>
public sealed class Outbox
{
    private readonly Lock _gate = new();
    private readonly List<OutboxMessage> _messages = [];

    public void Add(OutboxMessage message)
    {
        lock (_gate)
        {
            _messages.Add(message);
        }
    }

    public IReadOnlyList<OutboxMessage> Snapshot()
    {
        lock (_gate)
        {
            return [.. _messages];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _messages.Clear();
        }
    }
}
