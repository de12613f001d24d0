using System;
using System.Globalization;

namespace MailOAuth.Core.Diagnostics;

/// <summary>
/// Proving a mailbox-scoped setup (Exchange RBAC for Applications, docs/service-behaviour.md#exchange-rbac): Exchange answers a
/// not-yet-applied assignment and an out-of-scope mailbox with the same 403 ErrorAccessDenied, so the time since the assignment
/// is the only evidence that tells them apart.
/// </summary>
public static partial class DiagnosisCatalog
{
    /// <summary>Exchange documents 30 minutes to 2 hours for RBAC for Applications changes to apply (docs/service-behaviour.md#exchange-rbac).</summary>
    public static readonly TimeSpan ExchangeScopeCacheMax = TimeSpan.FromHours(2);

    /// <summary>The lower end of the documented window: an idle app's cache resets after 30 minutes.</summary>
    public static readonly TimeSpan ExchangeScopeCacheMin = TimeSpan.FromMinutes(30);

    private const string ScopeRemediationTail =
        "Check that the Exchange assignment \"Application Mail.Send\" of the app covers the sender (Get-MailOAuthApp shows SendScope; Grant-MailSendConsent -Scope Mailbox -SenderAddress <sender> scopes it to that mailbox).";

    /// <summary>
    /// A scoped app was denied less than <see cref="ExchangeScopeCacheMax"/> after its assignment: most likely Exchange has not
    /// applied it yet. Says how long ago, when to try once more, and that probing may keep the deny cached. Keeps the evidence.
    /// </summary>
    public static Diagnosis MailboxScopeNotYetApplied(Diagnosis evidence, DiagnosisContext context, DateTimeOffset assignedOn, DateTimeOffset now)
    {
        var minutes = Math.Max(0, (int)Math.Floor((now - assignedOn).TotalMinutes));
        var tryAfter = assignedOn + ExchangeScopeCacheMax;
        var earliest = assignedOn + ExchangeScopeCacheMin;
        var often = earliest > now ? $" (it often works from {Utc(earliest)})" : "";
        return Evidenced(evidence, DiagnosisCode.MailboxScopeNotYetApplied,
            $"Exchange denied app '{context.ClientId}' sending as '{context.SenderAddress}', but its Mail.Send is scoped to the mailbox with Exchange RBAC for Applications and the assignment was made {minutes} minute{(minutes == 1 ? "" : "s")} ago: Exchange applies scope changes within 30 minutes to 2 hours, and until then answers exactly as for a mailbox outside the scope.",
            $"Leave the app idle and run Send-MailOAuthTest once more after {Utc(tryAfter)}{often}; MailOAuth does not retry by itself. Do not probe repeatedly: repeated calls may keep a stale deny cached (a field report, unverified). If it is still denied then, it is MailboxAccessDenied: {ScopeRemediationTail}");
    }

    /// <summary>A scoped app was denied long after its assignment (or with no assignment time known): the scope does not cover the sender.</summary>
    public static Diagnosis ScopedMailboxAccessDenied(Diagnosis evidence, DiagnosisContext context, string? scopedMailbox, DateTimeOffset? assignedOn, DateTimeOffset now)
    {
        var outside = scopedMailbox is not null && !string.Equals(scopedMailbox, context.SenderAddress, StringComparison.OrdinalIgnoreCase);
        var when = assignedOn is { } t
            ? $" The assignment was made {Math.Max(0, (int)Math.Floor((now - t).TotalHours))} hours ago, past the documented 2 hours Exchange takes to apply it."
            : " When the assignment was made is not known (pass -ScopeAssignedOn, or pipe Get-MailOAuthApp): if it is less than 2 hours old, Exchange may not apply it yet.";
        return Evidenced(evidence, DiagnosisCode.MailboxAccessDenied,
            outside
                ? $"Exchange denies app '{context.ClientId}' sending as '{context.SenderAddress}': its Mail.Send is scoped to '{scopedMailbox}' (Exchange RBAC for Applications), and '{context.SenderAddress}' is outside that scope."
                : $"Exchange denies app '{context.ClientId}' sending as '{context.SenderAddress}': its Mail.Send is scoped with Exchange RBAC for Applications, and the assignment does not cover this mailbox.{when}",
            outside
                ? $"Send as '{scopedMailbox}', or scope the app to this sender. {ScopeRemediationTail}"
                : ScopeRemediationTail + " The assignment is read back with GET /beta/roleManagement/exchange/roleAssignments; its directoryScopeId must be /Users/{the sender's object id}.");
    }

    /// <summary>-ExpectDenied, and Graph accepted the message: the out-of-scope mailbox could send.</summary>
    public static Diagnosis MailboxScopeNotEnforced(DiagnosisContext context, bool tokenHadMailSend, string? requestId) => new(
        DiagnosisCode.MailboxScopeNotEnforced,
        $"Graph accepted a message from '{context.SenderAddress}', a mailbox that should be outside app '{context.ClientId}''s scope (-ExpectDenied): the test message was sent. {(tokenHadMailSend ? "The token carries the tenant-wide Mail.Send role, so the app can send as any mailbox." : "The token carries no Mail.Send role, so an Exchange assignment wider than the sender (the whole organisation, a group or another scope) covers this mailbox.")}",
        "Scope the app to its sender: Grant-MailSendConsent -Scope Mailbox -SenderAddress <sender> removes the tenant-wide Mail.Send grant and assigns \"Application Mail.Send\" to that mailbox only. Get-MailOAuthApp shows SendScope. A removed grant also takes Exchange up to 2 hours to stop honouring.")
    { RequestId = requestId, HttpStatus = 202 };

    /// <summary>
    /// -ExpectDenied without a scope that leaves the sender out (-SendScope missing, Tenant or None, or "Mailbox: x" naming
    /// the sender itself): a 403 would prove nothing about a scope (an app with no grant and no assignment is denied for every
    /// mailbox), so nothing is sent.
    /// </summary>
    public static Diagnosis ExpectDeniedWithoutScope(string clientId, string senderAddress, string? sendScope) => new(
        DiagnosisCode.ExpectDeniedWithoutScope,
        sendScope is not null && sendScope.StartsWith("Mailbox", StringComparison.OrdinalIgnoreCase)
            ? $"-ExpectDenied proves that a mailbox outside app '{clientId}''s scope is refused, but -SendScope '{sendScope}' names the sender '{senderAddress}' itself: that mailbox is inside the scope. Nothing was sent."
            : $"-ExpectDenied proves that a mailbox outside app '{clientId}''s scope is refused, but {(sendScope is null ? "no -SendScope was given" : $"-SendScope is '{sendScope}'")}: without a mailbox scope a denial proves nothing (an app with no grant and no assignment is refused for every mailbox). Nothing was sent.",
        "Give the app's scope and a sender outside it: Get-MailOAuthApp -ClientId <id> | Send-MailOAuthTest -SenderAddress <a mailbox outside the scope> -To <you> -ExpectDenied (SendScope binds from Get-MailOAuthApp, e.g. 'Mailbox: sender@contoso.com'). An app not yet scoped: Grant-MailSendConsent -Scope Mailbox -SenderAddress <sender> first.");

    private static Diagnosis Evidenced(Diagnosis evidence, DiagnosisCode code, string cause, string remediation) => new(code, cause, remediation)
    {
        ServiceCode = evidence.ServiceCode, ServiceMessage = evidence.ServiceMessage, HttpStatus = evidence.HttpStatus,
        RequestId = evidence.RequestId, CorrelationId = evidence.CorrelationId, Retries = evidence.Retries, RetryWait = evidence.RetryWait,
    };

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
