using System;
using System.Collections.Concurrent;
using System.Threading;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Infrastructure;

/// <summary>
/// Collects what Core reports from worker threads; the cmdlet drains it on the pipeline thread,
/// the only thread allowed to call Write* (docs/design.md#async-in-one-place).
/// </summary>
internal sealed class PipelineReporter : IOperationReporter, IDisposable
{
    private readonly ConcurrentQueue<Message> _queue = new();

    /// <summary>Signalled whenever a message arrives.</summary>
    public AutoResetEvent Arrived { get; } = new(false);

    public void Verbose(string message) => Enqueue(new Message(MessageKind.Verbose, message, null));
    public void Debug(string message) => Enqueue(new Message(MessageKind.Debug, message, null));
    public void Warning(string message) => Enqueue(new Message(MessageKind.Warning, message, null));
    public void Progress(ProgressUpdate update) => Enqueue(new Message(MessageKind.Progress, update.Status, update));

    /// <summary>A result of a streaming operation, written to the pipeline as soon as it is drained.</summary>
    public void Output(object item) => Enqueue(new Message(MessageKind.Output, "", null, item));

    public bool TryTake(out Message message) => _queue.TryDequeue(out message!);

    private volatile bool _disposed;

    private void Enqueue(Message message)
    {
        // A late report (a background token refresh after the command ended) is dropped, not written.
        if (_disposed) return;
        _queue.Enqueue(message);
        try
        {
            Arrived.Set();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _disposed = true;
        Arrived.Dispose();
    }

    internal enum MessageKind { Verbose, Debug, Warning, Progress, Output }

    internal sealed class Message
    {
        public Message(MessageKind kind, string text, ProgressUpdate? progress, object? item = null)
        {
            Item = item;
            Kind = kind;
            Text = text;
            Progress = progress;
        }

        public MessageKind Kind { get; }
        public string Text { get; }
        public ProgressUpdate? Progress { get; }
        public object? Item { get; }
    }
}
