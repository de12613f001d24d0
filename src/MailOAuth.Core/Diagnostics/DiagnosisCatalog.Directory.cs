using System;

namespace MailOAuth.Core.Diagnostics;

/// <summary>What the caller wanted with an application looked up by client ID (the remediation differs).</summary>
public enum AppLookup { Read, Remove, Grant }

public static partial class DiagnosisCatalog
{
    /// <summary>No application with this client ID in the connected tenant (read before any write).</summary>
    public static Diagnosis AppNotFoundByClientId(string clientId, string tenantId, AppLookup purpose) => new(
        DiagnosisCode.ApplicationNotFound,
        $"No application with client ID '{clientId}' exists in tenant {tenantId}.",
        purpose switch
        {
            AppLookup.Remove => "Nothing to remove: check the client ID.",
            AppLookup.Grant => "Use the Application (client) ID of an app in this tenant (New-MailOAuthApp creates one).",
            _ => "Check the Application (client) ID; Get-MailOAuthApp without parameters lists the apps MailOAuth manages.",
        });

    /// <summary>The tenant has no service principal of Microsoft Graph (every tenant of a cloud has one).</summary>
    public static Diagnosis GraphServicePrincipalMissing() => new(
        DiagnosisCode.UnexpectedResponse,
        "Microsoft Graph's service principal was not found in this tenant.",
        "Check -Environment: every tenant of a cloud has it.");

    /// <summary>The sender's domain is not a domain of the tenant, or not verified there.</summary>
    public static Diagnosis SenderDomainUnusable(string senderAddress, string domain, string tenantId, bool addedButUnverified, string verifiedDomains) => new(
        DiagnosisCode.SenderMailboxNotFound,
        addedButUnverified
            ? $"'{domain}' is added to tenant {tenantId} but not verified, so no mailbox can use it."
            : $"'{domain}' is not a domain of tenant {tenantId}, so '{senderAddress}' cannot be a mailbox there.",
        $"Use a sender on a verified domain of the tenant ({verifiedDomains}), or verify '{domain}' in Microsoft 365 admin → Settings → Domains first.");

    /// <summary>
    /// The address given is a user's SMTP address, not its UPN: Graph sends through /users/{id | UPN}
    /// only (docs/service-behaviour.md#users), so the address would not be found there.
    /// </summary>
    public static Diagnosis SenderIsMailNotUpn(string senderAddress, string userPrincipalName) => new(
        DiagnosisCode.SenderMailboxNotFound,
        $"'{senderAddress}' is the e-mail address of user '{userPrincipalName}', not a user principal name; Graph sends through /users/{{id | userPrincipalName}}, so '{senderAddress}' would not be found there.",
        $"Use -SenderAddress {userPrincipalName} (the platform's sender mailbox setting must hold the UPN too).");

    /// <summary>
    /// The address that failed is an SMTP address (mail or a proxy address) of another user principal name; keeps
    /// the evidence (Graph's code, request-id) of the call that failed.
    /// </summary>
    public static Diagnosis SenderIsMailNotUpn(string senderAddress, string userPrincipalName, Diagnosis observed) =>
        observed.With(SenderIsMailNotUpn(senderAddress, userPrincipalName).Cause, SenderIsMailNotUpn(senderAddress, userPrincipalName).Remediation);

    /// <summary>What an admin connection's lookup of a not-found sender found: no user has it as an e-mail address either.</summary>
    public static string SenderLookedUpNotFoundNote(string senderAddress, string tenantId) =>
        $"MailOAuth's admin connection looked '{senderAddress}' up in tenant {tenantId}: no user has it as UPN, mail or proxy address, so the mailbox does not exist there (or the connection sees another tenant).";

    /// <summary>How to name a sender Graph can find (for a "no user" answer to sending).</summary>
    internal const string SenderUpnRemediation =
        "Use the sender's user principal name (Microsoft 365 admin → Users → Username), not another e-mail address of the mailbox; for a platform, store it with Set-ResellerSmtpSetting -SenderAddress. Connected to the tenant with Connect-MailOAuth (User.Read.All), MailOAuth looks the address up (mail, then proxyAddresses) and names the UPN to use.";

    /// <summary>No user with this address in the tenant.</summary>
    public static Diagnosis SenderUserNotFound(string senderAddress, string tenantId) => new(
        DiagnosisCode.SenderMailboxNotFound,
        $"There is no user '{senderAddress}' in tenant {tenantId}.",
        "Use the user principal name of an existing mailbox (Microsoft 365 admin → Users), or create the mailbox first.");

    /// <summary>The sender is a guest: guests have no mailbox in the tenant.</summary>
    public static Diagnosis SenderIsGuest(string senderAddress) => new(
        DiagnosisCode.SenderMailboxNotLicensed,
        $"'{senderAddress}' is a guest user: guests have no mailbox in this tenant, so Graph cannot send as them (MailboxNotEnabledForRESTAPI).",
        "Use a member user's or a shared mailbox's address in this tenant as the sender.");

    /// <summary>An environment name that is not known in this session.</summary>
    public static Diagnosis UnknownEnvironment(string name, string knownNames) => new(
        DiagnosisCode.UnknownEnvironment,
        $"There is no environment named '{name}'. Known: {knownNames}.",
        "Use one of the known names (Get-MailOAuthEnvironment) or add it with Add-MailOAuthEnvironment.");

    /// <summary>Graph (or a proxy in front of it) redirected a request to an address that is not https.</summary>
    public static Diagnosis InsecureRedirect(Uri from, Uri? to, int status) => new(
        DiagnosisCode.UnexpectedResponse,
        $"The service at {from.GetLeftPart(UriPartial.Authority)} redirected the request (HTTP {status}) to {(to is null ? "an unreadable address" : to.GetLeftPart(UriPartial.Authority))}, which is not https: MailOAuth does not follow it, so no token or secret travels in clear text.",
        "Check -Environment (or the environment's endpoints, Get-MailOAuthEnvironment) and any proxy or TLS inspection between this machine and the service.")
    { HttpStatus = status };
}
