using System;

namespace MailOAuth.Core.Diagnostics;

/// <summary>
/// The explanations of scoping Mail.Send to one mailbox with Exchange RBAC for Applications
/// (Grant-MailSendConsent -Scope Mailbox, the Scope check): docs/service-behaviour.md#exchange-rbac.
/// </summary>
public static partial class DiagnosisCatalog
{
    private const string ExchangeAdminRoles = "the signed-in admin must hold the Exchange Administrator role in Entra ID (or be in Exchange's Organization Management role group)";

    /// <summary>-Scope Mailbox without -SenderAddress: refused before anything is read.</summary>
    public static Diagnosis SenderAddressRequired() => new(
        DiagnosisCode.SenderAddressRequired,
        "-Scope Mailbox needs -SenderAddress: the mailbox the app may send as. Nothing was read or changed.",
        "Give -SenderAddress, or pipe New-MailOAuthApp -SenderAddress …'s output, which carries it.");

    /// <summary>-KeepTenantGrant without -Scope Mailbox: refused before anything is read.</summary>
    public static Diagnosis KeepTenantGrantNeedsMailboxScope() => new(
        DiagnosisCode.KeepTenantGrantNeedsMailboxScope,
        "-KeepTenantGrant stages a mailbox scope: use it with -Scope Mailbox. Nothing was read or changed.",
        "Add -Scope Mailbox -SenderAddress <sender>, or leave out -KeepTenantGrant.");

    /// <summary>
    /// Grant-MailSendConsent without -Scope on an app MailOAuth scoped to a mailbox: the scope is kept (only an explicit
    /// -Scope Tenant widens it), so re-running an onboarding script written without -Scope never widens an app silently.
    /// </summary>
    public static string ScopeKeptWithoutScopeParameter(string clientId) =>
        $"App {clientId} carries MailOAuth's mailbox scope (Get-MailOAuthApp shows its SendScope and ScopeStage): left as it is, nothing was changed. Only an explicit -Scope Tenant widens it to every mailbox; -Scope Mailbox -SenderAddress <sender> re-checks the scope.";

    /// <summary>The admin connection's token lacks RoleManagement.ReadWrite.Exchange: refused before anything is read or changed.</summary>
    public static Diagnosis ExchangeRbacPermissionMissing(string tenantId, bool signedInAsUser, string action) => new(
        DiagnosisCode.InsufficientPrivileges,
        $"The admin connection to tenant {tenantId} does not hold RoleManagement.ReadWrite.Exchange, which {action} needs (Exchange role assignments are created and deleted with it); {ExchangeAdminRoles}. Nothing was changed.",
        signedInAsUser
            ? "Connect again with Connect-MailOAuth -ExchangeRbac (it asks for the delegated permission RoleManagement.ReadWrite.Exchange), signed in as an Exchange Administrator (or a member of Organization Management), then run the command again."
            : "Grant the automation identity the Microsoft Graph application permission RoleManagement.ReadWrite.Exchange (with admin consent), connect again so its token carries it, then run the command again.");

    /// <summary>An Exchange role-management answer, made specific: a refusal names the permission and the admin roles.</summary>
    internal static Diagnosis ExchangeRbacFailure(Diagnosis observed, string operation, string permission)
    {
        switch (observed.Code)
        {
            case DiagnosisCode.InsufficientPrivileges:
                return observed.With(
                    $"Exchange refused to {operation}: the connection needs {permission}, and {ExchangeAdminRoles}.",
                    "Connect with RoleManagement.ReadWrite.Exchange (Connect-MailOAuth -ExchangeRbac for a signed-in admin; the application permission for an automation identity), as an identity that holds Exchange Administrator, then run the command again.");
            case DiagnosisCode.SenderMailboxNotFound:
                // A 404 here is about an Exchange object, never the sender mailbox.
                return new Diagnosis(DiagnosisCode.UnexpectedResponse,
                    $"Graph answered 'not found' when trying to {operation}.",
                    "Run the command again: it reads the Exchange role assignments afresh. If it persists, check that the tenant has Exchange Online.")
                {
                    ServiceCode = observed.ServiceCode, ServiceMessage = observed.ServiceMessage, HttpStatus = observed.HttpStatus, RequestId = observed.RequestId,
                    CorrelationId = observed.CorrelationId, Retries = observed.Retries, RetryWait = observed.RetryWait,
                };
            case DiagnosisCode.UnexpectedResponse when observed.HttpStatus == 400:
                // docs/service-behaviour.md#exchange-rbac: the codes of a refused assignment are unverified on a live tenant.
                return observed.With(
                    $"Exchange refused to {operation} (HTTP 400).",
                    "Check that the app's service principal exists (Get-MailOAuthApp shows its ServicePrincipalId) and that the tenant has Exchange Online. If Exchange does not know the service principal, create its Exchange pointer once in Exchange Online PowerShell (New-ServicePrincipal -AppId <client ID> -ObjectId <service principal ID>), then run the command again.");
            default:
                return observed;
        }
    }

    /// <summary>A success answer of the Exchange role-management API that is not JSON.</summary>
    internal static Diagnosis ExchangeRbacUnreadable(string operation, int status) => new(
        DiagnosisCode.UnexpectedResponse,
        $"Graph answered HTTP {status} when trying to {operation}, with a body that is not JSON.",
        "Check -Environment (the connection's Graph endpoint) and any proxy between this machine and Graph.")
    { HttpStatus = status };

    /// <summary>
    /// A success answer to creating an Exchange role assignment without the created assignment (no body, or none with an id):
    /// a service answer MailOAuth cannot use, not a MailOAuth defect. The assignment may exist; a re-run finds it first.
    /// </summary>
    internal static Diagnosis ExchangeRbacAssignmentNotReturned(string operation, int status, bool emptyBody) => new(
        DiagnosisCode.UnexpectedResponse,
        $"Graph answered HTTP {status} when trying to {operation}, {(emptyBody ? "with no body" : "with a body that names no assignment id")}: the documented answer is the created assignment. The assignment may have been made.",
        "Run the command again: it looks for an existing assignment before it creates one (so none is made twice). If it recurs, check -Environment (the connection's Graph endpoint) and any proxy between this machine and Graph.")
    { HttpStatus = status };

    /// <summary>Exchange lists no role of that name: no Exchange Online, or RBAC for Applications not offered in this cloud.</summary>
    public static Diagnosis ExchangeRoleNotFound(string roleName, string tenantId) => new(
        DiagnosisCode.UnexpectedResponse,
        $"Exchange Online in tenant {tenantId} lists no role '{roleName}' (Graph beta roleManagement/exchange/roleDefinitions), so Mail.Send cannot be scoped to a mailbox there. Nothing was changed.",
        "Check that the tenant has Exchange Online and that the connection's cloud offers RBAC for Applications; until then keep the tenant-wide grant (Grant-MailSendConsent -Scope Tenant).");

    /// <summary>The app holds tenant-wide Mail.Send: it can send as any mailbox (the Scope check's Warning).</summary>
    public static Diagnosis MailSendTenantWide(string clientId, string senderAddress, bool throughExchange) => new(
        DiagnosisCode.MailSendTenantWide,
        throughExchange
            ? $"App '{clientId}' holds the Exchange role 'Application Mail.Send' for the whole organisation (scope '/'): this app can send as any mailbox, not only '{senderAddress}'."
            : $"App '{clientId}' holds Microsoft Graph Mail.Send tenant-wide (admin consent): this app can send as any mailbox, not only '{senderAddress}'. A leaked secret lets its holder send as anyone, the CEO included.",
        $"Scope it to the sender: Grant-MailSendConsent -ClientId {clientId} -Scope Mailbox -SenderAddress {senderAddress} (it assigns the Exchange role to that mailbox only and removes the tenant-wide grant; Exchange applies it within 30 minutes to 2 hours). " +
        $"If a platform sends with this app now, stage it without a gap: add -KeepTenantGrant first, and run it again without -KeepTenantGrant 2 hours later.");

    /// <summary>
    /// A staged mailbox scope (docs/design.md#staged-scoping): the Exchange assignment exists, the tenant-wide grant was kept,
    /// so the app can still send as any mailbox. Says since when, and from when the grant can go without a gap in sending.
    /// </summary>
    public static Diagnosis MailSendTenantWideStaged(string clientId, string senderAddress, string? stagedMailbox, DateTimeOffset assignedOn, DateTimeOffset now)
    {
        var removableOn = assignedOn + ExchangeScopeCacheMax;
        var other = stagedMailbox is not null && !string.Equals(stagedMailbox, senderAddress, StringComparison.OrdinalIgnoreCase);
        var scoped = stagedMailbox is null ? "a mailbox (which one is not known without reading Exchange)" : "mailbox " + stagedMailbox;
        return new Diagnosis(
            DiagnosisCode.MailSendTenantWide,
            $"App '{clientId}' still holds Microsoft Graph Mail.Send tenant-wide, so it can send as any mailbox, not only '{senderAddress}': the mailbox scope is staged. " +
            $"Its Exchange 'Application Mail.Send' assignment for {scoped} exists since {Utc(assignedOn)}, and the tenant-wide grant was kept (-KeepTenantGrant) while Exchange applies it (30 minutes to 2 hours)." +
            (other ? $" That mailbox is not the sender '{senderAddress}': removing the grant would stop the app sending as the sender." : ""),
            other
                ? $"Scope it to the sender instead: Grant-MailSendConsent -ClientId {clientId} -Scope Mailbox -SenderAddress {senderAddress} -KeepTenantGrant (it replaces the assignment), then run it again without -KeepTenantGrant 2 hours later."
                : removableOn > now
                    ? $"After {Utc(removableOn)}, when Exchange has applied the assignment, remove the tenant-wide grant: Grant-MailSendConsent -ClientId {clientId} -Scope Mailbox -SenderAddress {senderAddress} (without -KeepTenantGrant). Removing it earlier may deny the platform's sends until then."
                    : $"Exchange has had the 2 hours it documents: remove the tenant-wide grant now with Grant-MailSendConsent -ClientId {clientId} -Scope Mailbox -SenderAddress {senderAddress} (without -KeepTenantGrant).");
    }

    /// <summary>
    /// -Scope Mailbox without -KeepTenantGrant on an app that holds the tenant-wide grant while its Exchange assignment is (or would be)
    /// younger than <see cref="ExchangeScopeCacheMax"/>: removing the grant now would deny the sends it carries until Exchange applies the
    /// scope (docs/design.md#staged-scoping). Refused before anything is written.
    /// </summary>
    public static Diagnosis TenantGrantStillNeeded(string clientId, string senderAddress, DateTimeOffset? assignedOn, DateTimeOffset now)
    {
        var removableOn = (assignedOn ?? now) + ExchangeScopeCacheMax;
        return new Diagnosis(
            DiagnosisCode.MailboxScopeNotYetApplied,
            (assignedOn is { } at
                ? $"App '{clientId}' holds the tenant-wide Microsoft Graph Mail.Send grant, and its Exchange assignment for mailbox {senderAddress} was made only {Math.Max(0, (int)Math.Floor((now - at).TotalMinutes))} minutes ago ({Utc(at)}). "
                : $"App '{clientId}' holds the tenant-wide Microsoft Graph Mail.Send grant and has no Exchange assignment for mailbox {senderAddress} yet. ") +
            $"Exchange applies an assignment only 30 minutes to 2 hours after it is made, while the removed grant is gone from the app's next token: removing the grant now would deny every send (as {senderAddress} too) until about {Utc(removableOn)}. Nothing was changed.",
            assignedOn is null
                ? $"If a platform sends with this app, stage the scope: Grant-MailSendConsent -ClientId {clientId} -Scope Mailbox -SenderAddress {senderAddress} -KeepTenantGrant now, and the same command without -KeepTenantGrant after {Utc(removableOn)}. If nothing sends with it yet, add -Force to scope it in one step (confirmed as a High-impact change)."
                : $"Run the same command again after {Utc(removableOn)}, when Exchange has applied the assignment. If nothing sends with this app, add -Force to remove the grant now (confirmed as a High-impact change).");
    }

    /// <summary>The app's Mail.Send is scoped to other mailboxes than the sender: sending as the sender is denied.</summary>
    public static Diagnosis MailboxScopeExcludesSender(string clientId, string senderAddress, string scopedTo) => new(
        DiagnosisCode.MailboxAccessDenied,
        $"App '{clientId}' may send only as {scopedTo} (Exchange RBAC for Applications), not as '{senderAddress}': Exchange denies sending as the sender.",
        $"Scope it to the sender: Grant-MailSendConsent -ClientId {clientId} -Scope Mailbox -SenderAddress {senderAddress} (it replaces the assignment, after confirmation), or use a sender the app is scoped to.");

    /// <summary>The app's Mail.Send is scoped to a group or administrative unit: whether the sender is in it is not checked.</summary>
    public static Diagnosis MailboxScopeUnchecked(string clientId, string senderAddress, string scopedTo) => new(
        DiagnosisCode.MailboxAccessDenied,
        $"App '{clientId}' may send as the members of {scopedTo} (Exchange RBAC for Applications); MailOAuth does not check whether '{senderAddress}' is a direct member.",
        $"Make sure '{senderAddress}' is a direct member, or scope the app to the sender alone: Grant-MailSendConsent -ClientId {clientId} -Scope Mailbox -SenderAddress {senderAddress}.");
}
