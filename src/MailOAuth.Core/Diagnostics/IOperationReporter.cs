namespace MailOAuth.Core.Diagnostics;

/// <summary>
/// How Core tells its caller what it is doing. Implementations must be thread-safe: Core calls them
/// from worker threads; the cmdlet base class queues the messages and writes them on the pipeline thread.
/// </summary>
public interface IOperationReporter
{
    void Verbose(string message);
    void Debug(string message);
    void Warning(string message);
    void Progress(ProgressUpdate update);
}

/// <summary>A progress bar update for something that waits.</summary>
public sealed class ProgressUpdate
{
    public ProgressUpdate(string activity, string status, int percentComplete = -1, bool completed = false, int secondsRemaining = -1)
    {
        Activity = activity;
        Status = status;
        PercentComplete = percentComplete;
        Completed = completed;
        SecondsRemaining = secondsRemaining;
    }

    public string Activity { get; }
    public string Status { get; }
    public int PercentComplete { get; }
    public bool Completed { get; }
    public int SecondsRemaining { get; }
}

/// <summary>A reporter that drops everything.</summary>
public sealed class NullReporter : IOperationReporter
{
    public static readonly NullReporter Instance = new();
    public void Verbose(string message) { }
    public void Debug(string message) { }
    public void Warning(string message) { }
    public void Progress(ProgressUpdate update) { }
}
