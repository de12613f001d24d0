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
/// It owns the catch: a cmdlet hands <see cref="Invoke{T}"/> its target and the Core call, and every
/// failure becomes an ErrorRecord whose ErrorId is a diagnosis code — an exception Core did not explain
/// becomes InternalError, never a raw .NET error record.
/// </summary>
public abstract class MailOAuthCmdlet : PSCmdlet, IDisposable
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
    protected T Run<T>(Func<CancellationToken, Task<T>> operation) => Run((_, ct) => operation(ct));

    private T Run<T>(Func<PipelineReporter, CancellationToken, Task<T>> operation)
    {
        using var reporter = new PipelineReporter();
        _ = Session; // resolve on the pipeline thread before work moves to a worker
        Task<T> task;
        using (OperationContext.Begin(reporter))
        {
            // Task.Run captures the operation context (AsyncLocal) so Core's handlers report to us.
            task = Task.Run(() => operation(reporter, _cancellation.Token));
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

    /// <summary>
    /// Runs a Core operation for <paramref name="target"/> and hands its result to
    /// <paramref name="onSuccess"/>; a failure is written as an error for the target (terminating when
    /// <paramref name="terminating"/>). Stopping the pipeline (Ctrl+C, -ErrorAction Stop on a stream)
    /// passes through as PowerShell's own flow control.
    /// </summary>
    protected void Invoke<T>(object? target, Func<CancellationToken, Task<T>> operation, Action<T> onSuccess, bool terminating = false)
    {
        T result;
        try
        {
            result = Run(operation);
        }
        catch (MailOAuthException ex)
        {
            Fail(ex.Diagnosis, target, terminating);
            return;
        }
        catch (Exception ex) when (ex is not RuntimeException and not OperationCanceledException)
        {
            // Core explains everything it throws; anything else is a defect, and says so.
            Fail(DiagnosisCatalog.InternalError(ex, "run " + MyInvocation.MyCommand.Name), target, terminating);
            return;
        }
        onSuccess(result);
    }

    private Action<object>? _onItem;

    /// <summary>
    /// <see cref="Invoke{T}"/> for a Core operation that reports items as it goes (a callback on a worker
    /// thread): each item is handed to <paramref name="onItem"/> on the pipeline thread as soon as it
    /// arrives, so the objects stream while the operation still runs.
    /// </summary>
    protected void InvokeStreaming<TItem, T>(object? target, Func<Action<TItem>, CancellationToken, Task<T>> operation, Action<TItem> onItem, Action<T> onSuccess)
        where TItem : class
    {
        _onItem = item => onItem((TItem)item);
        try
        {
            T result;
            try
            {
                result = Run((reporter, ct) => operation(item => reporter.Output(item), ct));
            }
            catch (MailOAuthException ex)
            {
                Fail(ex.Diagnosis, target, terminating: false);
                return;
            }
            catch (Exception ex) when (ex is not RuntimeException and not OperationCanceledException)
            {
                Fail(DiagnosisCatalog.InternalError(ex, "run " + MyInvocation.MyCommand.Name), target, terminating: false);
                return;
            }
            onSuccess(result);
        }
        finally
        {
            _onItem = null;
        }
    }

    /// <summary><see cref="Invoke{T}"/> for a Core operation without a result.</summary>
    protected void Invoke(object? target, Func<CancellationToken, Task> operation, Action? onSuccess = null, bool terminating = false) =>
        Invoke(target, async ct => { await operation(ct).ConfigureAwait(false); return true; }, _ => onSuccess?.Invoke(), terminating);

    private void Fail(Diagnosis diagnosis, object? target, bool terminating)
    {
        var record = ToErrorRecord(diagnosis, target);
        if (terminating) ThrowTerminatingError(record);
        WriteError(record);
    }

    /// <summary>Stops the command when -Environment names no known cloud (a failed precondition).</summary>
    protected void RequireEnvironment(string? name)
    {
        if (string.IsNullOrEmpty(name) || Session.Environments.Contains(name!)) return;
        ThrowTerminatingError(ToErrorRecord(DiagnosisCatalog.UnknownEnvironment(name!, Session.Environments.KnownNames), name));
    }

    /// <summary>Stops the command with NotConnected when there is no Connect-MailOAuth session (a failed precondition).</summary>
    protected void RequireConnection()
    {
        if (Session.Connection is null)
            ThrowTerminatingError(ToErrorRecord(DiagnosisCatalog.NotConnected(), null));
    }

    /// <summary>Writes a diagnosis as a non-terminating error for <paramref name="target"/>.</summary>
    protected void WriteDiagnosis(Diagnosis diagnosis, object? target) => WriteError(ToErrorRecord(diagnosis, target));

    /// <summary>The one mapping from a diagnosis to an ErrorRecord.</summary>
    internal static ErrorRecord ToErrorRecord(Diagnosis diagnosis, object? target)
    {
        var error = new MailOAuthErrorException(diagnosis.Message)
        {
            Code = diagnosis.Code.ToString(),
            ServiceCode = diagnosis.ServiceCode,
            HttpStatus = diagnosis.HttpStatus,
            RequestId = diagnosis.RequestId,
            Remediation = diagnosis.Remediation,
        };
        var record = new ErrorRecord(error, diagnosis.Code.ToString(), CategoryOf(diagnosis.Code), target)
        {
            ErrorDetails = new ErrorDetails(diagnosis.Message) { RecommendedAction = diagnosis.Remediation },
        };
        return record;
    }

    /// <summary>
    /// The one table from kind to ErrorCategory; with Core's one kind per code, each ErrorId has one
    /// category. Exhaustive: a kind without a category fails the catalogue test (Module.Tests.ps1).
    /// </summary>
    internal static ErrorCategory CategoryOf(DiagnosisCode code) => DiagnosisCatalog.KindOf(code) switch
    {
        DiagnosisKind.Authentication => ErrorCategory.AuthenticationError,
        DiagnosisKind.Permission => ErrorCategory.PermissionDenied,
        DiagnosisKind.NotFound => ErrorCategory.ObjectNotFound,
        DiagnosisKind.Configuration => ErrorCategory.InvalidOperation,
        DiagnosisKind.Transient => ErrorCategory.LimitsExceeded,
        DiagnosisKind.Connection => ErrorCategory.ConnectionError,
        DiagnosisKind.Unexpected => ErrorCategory.InvalidResult,
        DiagnosisKind.InvalidInput => ErrorCategory.InvalidArgument,
        DiagnosisKind.Defect => ErrorCategory.NotSpecified,
        var kind => throw new ArgumentOutOfRangeException(nameof(code), kind, "A diagnosis kind without an ErrorCategory."),
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
                case PipelineReporter.MessageKind.Output: if (message.Item is { } item) _onItem?.Invoke(item); break;
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

    protected override void StopProcessing()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Stopped after the command ended: nothing left to cancel.
        }
    }

    /// <summary>Releases the command's cancellation source (PowerShell disposes a cmdlet after its pipeline ends).</summary>
    public void Dispose()
    {
        _cancellation.Dispose();
        GC.SuppressFinalize(this);
    }
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
