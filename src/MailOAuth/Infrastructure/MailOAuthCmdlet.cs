using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Infrastructure;

/// <summary>
/// Base of every MailOAuth cmdlet: the one async bridge (Ctrl+C cancels through StopProcessing),
/// Core's messages written on the pipeline thread, and the one map from diagnoses to ErrorRecords.
/// </summary>
public abstract class MailOAuthCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _cancellation = new();

    private MailOAuthSession? _session;

    /// <summary>
    /// This runspace's MailOAuth session. Resolved on the pipeline thread (the only one that knows the
    /// runspace) and kept for the command's worker threads.
    /// </summary>
    internal MailOAuthSession Session => _session ??= SessionRegistry.For(Runspace.DefaultRunspace);

    /// <summary>
    /// Runs a Core operation on a worker thread and blocks the pipeline thread until it ends, writing
    /// Core's verbose/debug/warning/progress messages as they arrive.
    /// </summary>
    protected T Run<T>(Func<CancellationToken, Task<T>> operation)
    {
        using var reporter = new PipelineReporter();
        _ = Session; // resolve on the pipeline thread before work moves to a worker
        Task<T> task;
        using (OperationContext.Begin(reporter))
        {
            // Task.Run captures the operation context (AsyncLocal) so Core's handlers report to us.
            task = Task.Run(() => operation(_cancellation.Token));
        }

        var handles = new WaitHandle[] { ((IAsyncResult)task).AsyncWaitHandle, reporter.Arrived };
        while (!task.IsCompleted)
        {
            WaitHandle.WaitAny(handles);
            Drain(reporter);
        }
        Drain(reporter);
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Stops the command when -Environment names no known cloud (a failed precondition).</summary>
    protected void RequireEnvironment(string? name)
    {
        if (string.IsNullOrEmpty(name) || Session.Environments.Contains(name!)) return;
        var known = string.Join(", ", System.Linq.Enumerable.Select(Session.Environments.All, e => e.Name));
        ThrowTerminatingError(new ErrorRecord(
            new ArgumentException($"There is no environment named '{name}'. Known: {known}."),
            "UnknownEnvironment", ErrorCategory.InvalidArgument, name)
        {
            ErrorDetails = new ErrorDetails($"There is no environment named '{name}'. Known: {known}.")
            {
                RecommendedAction = "Use one of the known names (Get-MailOAuthEnvironment) or add it with Add-MailOAuthEnvironment.",
            },
        });
    }

    /// <summary>Stops the command with NotConnected when there is no Connect-MailOAuth session (a failed precondition).</summary>
    protected void RequireConnection()
    {
        if (Session.Connection is null)
            ThrowTerminatingError(ToErrorRecord(new MailOAuthException(DiagnosisCatalog.NotConnected()), null));
    }

    /// <summary>Writes a Core diagnosis as a non-terminating error for <paramref name="target"/>.</summary>
    protected void WriteDiagnosis(MailOAuthException exception, object? target) => WriteError(ToErrorRecord(exception, target));

    /// <summary>The one mapping from a diagnosis to an ErrorRecord.</summary>
    internal static ErrorRecord ToErrorRecord(MailOAuthException exception, object? target)
    {
        var diagnosis = exception.Diagnosis;
        var error = new MailOAuthErrorException(diagnosis.Message)
        {
            Code = diagnosis.Code.ToString(),
            ServiceCode = diagnosis.ServiceCode,
            HttpStatus = diagnosis.HttpStatus,
            RequestId = diagnosis.RequestId,
            Remediation = diagnosis.Remediation,
        };
        var record = new ErrorRecord(error, diagnosis.Code.ToString(), CategoryOf(diagnosis.Kind), target)
        {
            ErrorDetails = new ErrorDetails(diagnosis.Message) { RecommendedAction = diagnosis.Remediation },
        };
        return record;
    }

    private static ErrorCategory CategoryOf(DiagnosisKind kind) => kind switch
    {
        DiagnosisKind.Authentication => ErrorCategory.AuthenticationError,
        DiagnosisKind.Permission => ErrorCategory.PermissionDenied,
        DiagnosisKind.NotFound => ErrorCategory.ObjectNotFound,
        DiagnosisKind.Configuration => ErrorCategory.InvalidOperation,
        DiagnosisKind.Transient => ErrorCategory.LimitsExceeded,
        DiagnosisKind.Connection => ErrorCategory.ConnectionError,
        _ => ErrorCategory.InvalidResult,
    };

    private void Drain(PipelineReporter reporter)
    {
        while (reporter.TryTake(out var message))
        {
            switch (message.Kind)
            {
                case PipelineReporter.MessageKind.Verbose: WriteVerbose(message.Text); break;
                case PipelineReporter.MessageKind.Debug: WriteDebug(message.Text); break;
                case PipelineReporter.MessageKind.Warning: WriteWarning(message.Text); break;
                case PipelineReporter.MessageKind.Progress:
                    var p = message.Progress!;
                    WriteProgress(new ProgressRecord(Math.Abs(p.Activity.GetHashCode() % 10000), p.Activity, p.Status)
                    {
                        PercentComplete = p.PercentComplete,
                        SecondsRemaining = p.SecondsRemaining,
                        RecordType = p.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                    });
                    break;
            }
        }
    }

    protected override void StopProcessing() => _cancellation.Cancel();
}

/// <summary>
/// The exception inside a MailOAuth ErrorRecord. Carries the diagnosis as plain values (Core's own
/// exception types never cross into PowerShell) and never a secret or token.
/// </summary>
public sealed class MailOAuthErrorException : Exception
{
    public MailOAuthErrorException(string message) : base(message) { }

    /// <summary>The diagnosis code (also the ErrorId).</summary>
    public string Code { get; internal set; } = "";
    /// <summary>The service's code, e.g. AADSTS7000215 or ErrorAccessDenied.</summary>
    public string? ServiceCode { get; internal set; }
    public int HttpStatus { get; internal set; }
    public string? RequestId { get; internal set; }
    public string Remediation { get; internal set; } = "";
}
