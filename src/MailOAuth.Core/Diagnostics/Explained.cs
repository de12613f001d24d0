using System;
using System.Threading;
using System.Threading.Tasks;

namespace MailOAuth.Core.Diagnostics;

/// <summary>
/// The guard around each public Core operation: whatever it throws leaves as a
/// <see cref="MailOAuthException"/> explained by <see cref="DiagnosisCatalog.Explain(Exception, DiagnosisContext, Uri, bool)"/>
/// (a cancellation the caller asked for passes as it is). So no Core operation lets a raw .NET
/// exception reach the cmdlets, and an unforeseen one is InternalError, not a guess.
/// </summary>
internal static class Explained
{
    public static async Task<T> RunAsync<T>(string operation, Uri? endpoint, Func<Task<T>> body, CancellationToken ct, bool isPlatform = false)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not MailOAuthException && !(ex is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw new MailOAuthException(DiagnosisCatalog.Explain(ex, new DiagnosisContext { Operation = operation }, endpoint, isPlatform), ex);
        }
    }

    public static async Task RunAsync(string operation, Uri? endpoint, Func<Task> body, CancellationToken ct, bool isPlatform = false) =>
        await RunAsync(operation, endpoint, async () => { await body().ConfigureAwait(false); return true; }, ct, isPlatform).ConfigureAwait(false);
}
