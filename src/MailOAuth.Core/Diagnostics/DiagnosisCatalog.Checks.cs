using System;

namespace MailOAuth.Core.Diagnostics;

/// <summary>The explanations of Test-MailOAuthConfiguration's findings and of the secret-policy pre-flight.</summary>
public static partial class DiagnosisCatalog
{
    /// <summary>The Mail.Send *delegated* permission (a scope) is declared instead of the application one.</summary>
    public static Diagnosis DelegatedMailSendOnly(string clientId) => new(
        DiagnosisCode.MailSendPermissionMissing,
        $"App '{clientId}' declares Microsoft Graph Mail.Send as a *delegated* permission (Scope), not as an application permission (Role): a delegated permission never reaches an app-only token, so the app cannot send as a mailbox.",
        MailSendRemediation);

    /// <summary>The app declares no Mail.Send application permission (consent may still exist).</summary>
    public static Diagnosis MailSendNotDeclared(string clientId) => new(
        DiagnosisCode.MailSendPermissionMissing,
        $"App '{clientId}' does not declare Microsoft Graph Mail.Send (application) in its required permissions, so the portal's 'Grant admin consent' would not grant it.",
        MailSendRemediation);

    /// <summary>The app is multi-tenant: a sender app needs its own tenant only.</summary>
    public static Diagnosis AppNotSingleTenant(string clientId, string audience) => new(
        DiagnosisCode.AppNotSingleTenant,
        $"App '{clientId}' accepts sign-ins from other tenants (signInAudience {audience}); an app that sends this tenant's mail needs only its own tenant.",
        "In Entra ID → App registrations → the app → Authentication, set Supported account types to 'Accounts in this organizational directory only' (signInAudience AzureADMyOrg).");

    /// <summary>The app's service principal has no Mail.Send app role assignment to Microsoft Graph.</summary>
    public static Diagnosis ConsentMissing(string clientId, bool noServicePrincipal) => new(
        DiagnosisCode.MailSendPermissionMissing,
        noServicePrincipal
            ? $"App '{clientId}' has no service principal (enterprise application) in this tenant, so nothing can be granted to it."
            : $"App '{clientId}' has no admin consent for Microsoft Graph Mail.Send (no app role assignment), so its tokens carry no Mail.Send role.",
        "Run Grant-MailSendConsent -ClientId " + clientId + " (or Entra ID → App registrations → the app → API permissions → 'Grant admin consent').");

    /// <summary>None of the app's secrets has the hint of the secret given.</summary>
    public static Diagnosis SecretNotOfApp(string clientId, string? hint, string known) => new(
        DiagnosisCode.InvalidClientSecret,
        $"None of the client secrets of app '{clientId}' starts with the characters of the secret given ({(string.IsNullOrEmpty(hint) ? "no hint" : hint + "…")}); the app's secrets: {known}.",
        "Use the Value of one of the app's current secrets (not its Secret ID), or create a new one (New-MailOAuthApp reuses the app and adds one).");

    /// <summary>The secret given has expired (by its end date in the directory).</summary>
    public static Diagnosis SecretExpiredOn(string clientId, string keyId, DateTimeOffset expiredOn) => new(
        DiagnosisCode.ClientSecretExpired,
        $"The client secret given (key ID {keyId}) of app '{clientId}' expired on {expiredOn:u}.",
        "Create a new client secret, store its value where the old one was used (Set-ResellerSmtpSetting for the platform), then delete the expired one.");

    /// <summary>The secret given expires within the warning window.</summary>
    public static Diagnosis SecretExpiresSoon(string clientId, string keyId, DateTimeOffset expiresOn, int daysLeft) => new(
        DiagnosisCode.ClientSecretExpired,
        $"The client secret given (key ID {keyId}) of app '{clientId}' expires on {expiresOn:u}: {daysLeft} day{(daysLeft == 1 ? "" : "s")} left.",
        "Rotate it before then: create a new secret, store its value where this one is used (Set-ResellerSmtpSetting for the platform), then delete the old one.");

    /// <summary>An app management policy blocks adding client secrets to the app.</summary>
    public static Diagnosis SecretAdditionBlocked(string clientId, string source) => new(
        DiagnosisCode.SecretLifetimeNotAllowed,
        $"The {source} blocks new client secrets (passwordAddition) for app '{clientId}': a new secret cannot be added, so the secret cannot be rotated.",
        "Ask the tenant admin to exempt this app from the policy (Entra ID → app management policies), or sign the app in with a certificate instead of a secret.");

    /// <summary>The lifetime asked for is longer than the policy's maximum (pre-flight, before anything is written).</summary>
    public static Diagnosis SecretLifetimeOverPolicy(int requestedMonths, TimeSpan maxLifetime, string source) => new(
        DiagnosisCode.SecretLifetimeNotAllowed,
        $"A client secret of {requestedMonths} month{(requestedMonths == 1 ? "" : "s")} is longer than the {source} allows: at most {DescribeLifetime(maxLifetime)}. Nothing was created or changed.",
        $"Run again with -SecretLifetimeMonths {Math.Max(1, (int)Math.Floor(maxLifetime.TotalDays / 31))} or less (the maximum is {DescribeLifetime(maxLifetime)}).");

    /// <summary>New secrets are blocked (pre-flight, before anything is written).</summary>
    public static Diagnosis SecretAdditionBlockedBeforeCreate(string source) => new(
        DiagnosisCode.SecretLifetimeNotAllowed,
        $"The {source} blocks new client secrets (passwordAddition), so the app could not get one. Nothing was created or changed.",
        "Ask the tenant admin to exempt MailOAuth's app from the policy (Entra ID → app management policies), or use an app with a certificate.");

    /// <summary>The sender has no Exchange Online plan (a warning: a shared mailbox needs no licence).</summary>
    public static Diagnosis SenderWithoutExchangePlan(string senderAddress, bool onPremises) => new(
        DiagnosisCode.SenderMailboxNotLicensed,
        onPremises
            ? $"'{senderAddress}' is synchronised from on-premises and has no Exchange Online plan: if its mailbox is hosted on-premises, Graph cannot send as it."
            : $"'{senderAddress}' has no Exchange Online plan: unless it is a shared mailbox, sending fails with MailboxNotEnabledForRESTAPI.",
        "Assign the user a licence that includes Exchange Online (Microsoft 365 admin → Users → Licenses), or use a cloud or shared mailbox as the sender.");

    /// <summary>The platform holds other values than the ones checked, or a secret that no longer works.</summary>
    public static Diagnosis PlatformSettingsMismatch(string what) => new(
        DiagnosisCode.PlatformSettingsMismatch,
        "The platform's SMTP Email Settings do not match: " + what.TrimEnd('.') + ".",
        "Store the right tenant, client ID, secret and sender with Set-ResellerSmtpSetting (New-MailOAuthApp | Grant-MailSendConsent -PassThru | Set-ResellerSmtpSetting …).");

    /// <summary>"180 days": a policy's maximum as the portal states it (policies are set in days).</summary>
    public static string DescribeLifetime(TimeSpan lifetime)
    {
        var days = (int)Math.Round(lifetime.TotalDays);
        return $"{days} day{(days == 1 ? "" : "s")}";
    }
}
