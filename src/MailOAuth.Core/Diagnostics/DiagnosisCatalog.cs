using System;

namespace MailOAuth.Core.Diagnostics;

/// <summary>
/// The one mapping from service evidence to a diagnosis (docs/design.md#diagnosis-codes).
/// Keys on the AADSTS number, Graph's error.code and the HTTP status — never on message text.
/// Everything that explains a failure to an admin goes through here, so the platform client can
/// reuse the same explanations for an error the platform reports.
/// </summary>
public static partial class DiagnosisCatalog
{
    /// <summary>Explains an Entra or Graph error answer.</summary>
    public static Diagnosis Explain(ServiceError error, DiagnosisContext context, RetrySummary? retries = null)
    {
        var d = error.Service == ServiceKind.Entra ? ExplainEntra(error, context, retries) : ExplainGraph(error, context, retries);
        return new Diagnosis(d.Code, d.Cause, d.Remediation)
        {
            ServiceCode = error.DisplayCode,
            ServiceMessage = error.Message,
            HttpStatus = error.Status,
            RequestId = error.RequestId,
            CorrelationId = error.CorrelationId,
            Retries = retries?.Count ?? 0,
            RetryWait = retries?.TotalWait ?? TimeSpan.Zero,
        };
    }

    /// <summary>No answer at all: DNS, TLS, refused or reset connection, after retries.</summary>
    /// <summary>
    /// The platform's TLS certificate is not trusted here (a private CA or self-signed): nothing was sent. Names the
    /// per-call trust option; with one given, says the certificate offered does not chain to it.
    /// </summary>
    public static Diagnosis PlatformCertificateUntrusted(Uri target, string reason, string? trustedThumbprint) => new(
        DiagnosisCode.NetworkFailure,
        trustedThumbprint is null
            ? $"The platform {target.GetLeftPart(UriPartial.Authority)} presented a TLS certificate this machine does not trust ({reason.TrimEnd('.')}); nothing was sent."
            : $"The platform {target.GetLeftPart(UriPartial.Authority)} presented a TLS certificate that is neither the certificate given with -PlatformCertificatePath (thumbprint {trustedThumbprint}) nor issued under it ({reason.TrimEnd('.')}); nothing was sent.",
        "If the platform is behind a private certificate authority (a staging platform), pass its CA certificate (or the server's certificate) with -PlatformCertificatePath (or the profile's certificatePath): it is trusted for this platform's host only, for that call (see docs/platform-profiles.md). Otherwise check for TLS inspection between this machine and the platform.");

    public static Diagnosis NetworkFailure(Uri? target, string reason, RetrySummary? retries = null, bool isPlatform = false) => new(
        DiagnosisCode.NetworkFailure,
        $"Could not reach {(target is null ? "the service" : target.GetLeftPart(UriPartial.Authority))}: {reason.TrimEnd('.')}.",
        isPlatform
            ? "Check -PlatformUri and the network path (DNS, proxy, firewall, TLS inspection) from this machine to the platform; a certificate error means the platform's certificate is not trusted here. The operation is safe to run again."
            : "Check the network path (DNS, proxy, firewall, TLS inspection) from this machine to the service, and that -Environment names the right cloud. The operation is safe to run again.")
    {
        Retries = retries?.Count ?? 0,
        RetryWait = retries?.TotalWait ?? TimeSpan.Zero,
    };

    /// <summary>A token was issued but carries no Mail.Send application role (docs/service-behaviour.md#token-roles: no consent means no roles claim).</summary>
    public static Diagnosis TokenLacksMailSend(DiagnosisContext context, string rolesSeen) => new(
        DiagnosisCode.MailSendPermissionMissing,
        $"The access token issued to app '{context.ClientId}' carries no Mail.Send application role (roles in the token: {rolesSeen}), so Graph would refuse to send.",
        MailSendRemediation);

    /// <summary>The platform refused the API token.</summary>
    public static Diagnosis PlatformAuthenticationFailed(int status, string platformMessage, bool writing) => new(
        DiagnosisCode.PlatformAuthenticationFailed,
        $"The platform refused the API token (HTTP {status}): {platformMessage}",
        status == 403 && writing
            ? "The token is valid but may not change settings or send the test: use an API token with write access to Reseller Settings."
            : "Check -ApiToken: it must be a current API token of this platform (Admin → API tokens), sent to the right -PlatformUri.")
    { HttpStatus = status };

    /// <summary>The platform itself throttled or failed, after the module's retries.</summary>
    public static Diagnosis PlatformUnavailable(int status, string detail, RetrySummary? retries) => new(
        status == 429 ? DiagnosisCode.Throttled : DiagnosisCode.ServiceUnavailable,
        $"The platform {(status == 429 ? "throttled the request" : $"failed (HTTP {status})")}{AfterRetries(retries)}: {detail}",
        "This is transient on the platform's side: run the command again in a few minutes; nothing was half-changed by a failed save.")
    { HttpStatus = status, Retries = retries?.Count ?? 0, RetryWait = retries?.TotalWait ?? TimeSpan.Zero };

    /// <summary>The platform rejected the settings; nothing was changed there.</summary>
    public static Diagnosis PlatformRejectedSettings(int status, string fieldMessages) => new(
        DiagnosisCode.PlatformRejectedSettings,
        $"The platform rejected the SMTP settings (HTTP {status}): {fieldMessages}",
        "Correct the values named and run Set-ResellerSmtpSetting again. The platform keeps its previous settings until a save succeeds.")
    { HttpStatus = status };

    /// <summary>The platform answered in a way its profile does not describe (wrong URI or profile).</summary>
    public static Diagnosis PlatformUnexpected(int status, string path, string detail) => new(
        DiagnosisCode.UnexpectedResponse,
        $"The platform answered HTTP {status} at {path}: {detail}",
        "Check -PlatformUri (the platform's base address) and, for a platform with other paths or field names, -PlatformProfile.")
    { HttpStatus = status };

    /// <summary>
    /// The platform's own test e-mail failed. Its message is kept verbatim; when it carries an AADSTS
    /// number or a Graph error code the matching diagnosis (same catalogue as Send-MailOAuthTest) gives
    /// the code and remediation, else PlatformTestFailed.
    /// </summary>
    public static Diagnosis PlatformTestFailed(string? platformCode, string platformMessage, DiagnosisContext context)
    {
        // The platform relays Entra's or Graph's text; the AADSTS number inside it is the code (docs/service-behaviour.md#entra-error-body).
        var aadsts = System.Text.RegularExpressions.Regex.Match(platformMessage, @"AADSTS(\d+)");
        Diagnosis? matched = null;
        if (aadsts.Success && int.TryParse(aadsts.Groups[1].Value, out var number))
            matched = Explain(ServiceError.FromEntraParts(0, number, platformCode, platformMessage), context);
        // A Graph code as the platform's own code, or as a whole word of its text: a closed list of the
        // codes the catalogue knows, never free-text matching (docs/service-behaviour.md#graph-errors).
        var graphCode = RelayedGraphCode(platformCode) ?? RelayedGraphCode(platformMessage);
        if (matched is null or { Code: DiagnosisCode.UnexpectedResponse } && graphCode is not null)
            matched = Explain(ServiceError.FromGraphParts(0, graphCode, platformMessage, null, null), context);
        var transient = RelayedTransient(platformCode) ?? RelayedTransient(platformMessage);
        if (matched is null or { Code: DiagnosisCode.UnexpectedResponse } && transient is not null)
            return new(transient.Value,
                $"The platform's test e-mail failed for a passing reason on the platform's side ({(transient == DiagnosisCode.Throttled ? "throttled" : "a service it needs was unavailable or unreachable")}). The platform says: {platformMessage}",
                "This is transient: run Send-ResellerTestEmail again in a few minutes (a runbook can retry on this ErrorId). If it persists, check the platform's own connectivity to Microsoft 365.")
            { ServiceCode = platformCode };
        if (matched is null || matched.Code == DiagnosisCode.UnexpectedResponse)
            return new(DiagnosisCode.PlatformTestFailed,
                $"The platform's test e-mail failed. The platform says: {platformMessage}",
                "Run Send-MailOAuthTest with the same tenant, client ID, secret and sender to see the Entra/Graph diagnosis directly.")
            { ServiceCode = platformCode };
        return new(matched.Code, $"The platform's test e-mail failed: {matched.Cause} The platform says: {platformMessage}", matched.Remediation)
        {
            ServiceCode = matched.ServiceCode,
        };
    }

    /// <summary>The Graph error codes the catalogue explains, as they may appear in a platform's relayed text.</summary>
    private static readonly string[] s_relayedGraphCodes =
    {
        "ErrorAccessDenied", "ErrorInvalidUser", "MailboxNotEnabledForRESTAPI", "ErrorSendAsDenied", "Request_ResourceNotFound",
        "ResourceNotFound", "Authorization_RequestDenied", "InvalidAuthenticationToken", "CredentialInvalidLifetimeAsPerAppPolicy",
    };

    /// <summary>Words a platform relays for a passing failure (HTTP reason phrases, Graph and socket error names).</summary>
    private static readonly (string Word, DiagnosisCode Code)[] s_relayedTransient =
    {
        ("TooManyRequests", DiagnosisCode.Throttled), ("ApplicationThrottled", DiagnosisCode.Throttled), ("MailboxConcurrency", DiagnosisCode.Throttled),
        ("activityLimitReached", DiagnosisCode.Throttled), ("serviceNotAvailable", DiagnosisCode.ServiceUnavailable),
        ("NetworkError", DiagnosisCode.ServiceUnavailable), ("Timeout", DiagnosisCode.ServiceUnavailable),
        ("ServiceUnavailable", DiagnosisCode.ServiceUnavailable), ("GatewayTimeout", DiagnosisCode.ServiceUnavailable),
        ("BadGateway", DiagnosisCode.ServiceUnavailable), ("RequestTimeout", DiagnosisCode.ServiceUnavailable), ("ServerBusy", DiagnosisCode.ServiceUnavailable),
        ("temporarily_unavailable", DiagnosisCode.ServiceUnavailable), ("NameResolutionFailure", DiagnosisCode.ServiceUnavailable),
        ("ConnectFailure", DiagnosisCode.ServiceUnavailable), ("ConnectionRefused", DiagnosisCode.ServiceUnavailable),
        ("ConnectionReset", DiagnosisCode.ServiceUnavailable), ("SocketException", DiagnosisCode.ServiceUnavailable),
        ("TimedOut", DiagnosisCode.ServiceUnavailable),
    };

    private static string? RelayedGraphCode(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        foreach (var code in s_relayedGraphCodes)
            if (IsWholeWord(text!, code)) return code;
        return null;
    }

    private static DiagnosisCode? RelayedTransient(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        foreach (var (word, code) in s_relayedTransient)
            if (IsWholeWord(text!, word)) return code;
        return null;
    }

    /// <summary>True when <paramref name="word"/> appears in <paramref name="text"/> bounded by non-word characters.</summary>
    private static bool IsWholeWord(string text, string word) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, @"(?<![A-Za-z0-9_])" + System.Text.RegularExpressions.Regex.Escape(word) + @"(?![A-Za-z0-9_])", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>The platform's test failed because it has no SMTP settings stored.</summary>
    public static Diagnosis PlatformTestWithoutSettings(string platformMessage) => new(
        DiagnosisCode.PlatformTestFailed,
        $"The platform's test e-mail failed: it has no SMTP settings stored. The platform says: {platformMessage}",
        "Store the settings first with Set-ResellerSmtpSetting (New-MailOAuthApp | Grant-MailSendConsent -PassThru | Set-ResellerSmtpSetting …).");

    /// <summary>
    /// What a lost answer to a send that is never repeated (sendMail, the platform's test) means for the
    /// admin: it may have gone out, and it was not sent again so that no duplicate goes out.
    /// </summary>
    public static string NotRepeatedNote(string what) =>
        $"{char.ToUpperInvariant(what[0])}{what.Substring(1)} may have been sent before the answer was lost; MailOAuth did not send it again, so that no duplicate goes out. Check the recipient's mailbox before running the test again.";

    /// <summary>A provisioning command was run without Connect-MailOAuth.</summary>
    public static Diagnosis NotConnected() => new(
        DiagnosisCode.NotConnected,
        "There is no MailOAuth admin connection in this session.",
        "Run Connect-MailOAuth -TenantId <tenant> first (interactive, -UseDeviceCode, -ClientId with -ClientSecret or a certificate, -ManagedIdentity, -AccessToken or -FederatedToken).");

    /// <summary>An app with that name exists and is not MailOAuth's.</summary>
    public static Diagnosis AppNameConflict(string displayName, string existingClientIds, bool forceWouldAdopt) => new(
        DiagnosisCode.AppNameConflict,
        $"An application named '{displayName}' already exists (client ID {existingClientIds}) and was not created by MailOAuth, so it was not touched.",
        forceWouldAdopt
            ? "Use another -DisplayName, or run again with -Force to adopt that app (MailOAuth then marks it as managed, ensures its service principal and Mail.Send, and adds a new secret; existing secrets are kept)."
            : "Several unmanaged apps share that name: use another -DisplayName, or remove the duplicates first.");

    /// <summary>A command that changes an app was pointed at one MailOAuth does not manage, without -Force.</summary>
    public static Diagnosis AppNotManaged(string displayName, string clientId, string tenantId, string refusedAction) => new(
        DiagnosisCode.AppNotManaged,
        $"Application '{displayName}' (client ID {clientId}) in tenant {tenantId} was not created by MailOAuth, so it was not changed: {refusedAction}.",
        "Check that this is the app you mean (Get-MailOAuthApp -ClientId shows it); to act on an app MailOAuth does not manage, add -Force.");

    /// <summary>Replication did not finish within the budget.</summary>
    public static Diagnosis ReplicationTimeout(string pending, TimeSpan waited) => new(
        DiagnosisCode.ReplicationTimeout,
        $"Entra ID had not yet replicated {pending} after {waited.TotalSeconds:0} s.",
        "Nothing was lost: run the same command again (it finds and resumes what was already created), or allow more time with -ReplicationTimeoutSec.");

    private const string MailSendRemediation =
        "In Entra ID → App registrations → the app → API permissions, add Microsoft Graph → *Application* permission Mail.Send (not Delegated) and click 'Grant admin consent' (or run Grant-MailSendConsent). Consent can take a minute to reach new tokens.";

    private static Diagnosis ExplainEntra(ServiceError e, DiagnosisContext c, RetrySummary? r)
    {
        var cloud = c.EnvironmentName ?? "Global";
        switch (e.AadstsCode)
        {
            case 90002: // docs/service-behaviour.md#aadsts-tenant-not-found
            case 900023: // docs/service-behaviour.md#aadsts-tenant-not-found
                return new(DiagnosisCode.TenantNotFound,
                    e.AadstsCode == 900023
                        ? $"'{c.TenantId}' is not a valid tenant identifier (neither a tenant GUID nor a DNS name)."
                        : $"Tenant '{c.TenantId}' was not found in the {cloud} cloud.",
                    $"Use the Directory (tenant) ID from Entra ID → Overview, or a verified domain of the tenant. If the tenant is in a national cloud (GCC High, DoD, China), pass -Environment USGov, USGovDoD or China (current: {cloud}).");
            case 700016: // docs/service-behaviour.md#aadsts-app-not-found
                return new(DiagnosisCode.ApplicationNotFound,
                    $"No application with client ID '{c.ClientId}' exists in tenant '{c.TenantId}'.",
                    "Use the Application (client) ID from Entra ID → App registrations → the app → Overview (not the object ID), and check that the app is registered in this tenant. Right after creating the app this can take a minute to replicate.");
            case 7000218: // docs/service-behaviour.md#aadsts-missing-credential: neither client_secret nor client_assertion arrived
                return new(DiagnosisCode.InvalidClientSecret,
                    $"No client secret reached Entra ID for app '{c.ClientId}' (the secret was empty).",
                    "Pass the secret's Value (as a SecureString) with -ClientSecret.");
            case 7000215: // docs/service-behaviour.md#aadsts-invalid-secret
                return c.SecretLooksLikeSecretId
                    ? new(DiagnosisCode.InvalidClientSecret,
                        $"The client secret for app '{c.ClientId}' was rejected. The value given has the shape of a GUID: it is almost certainly the secret *ID*, not the secret *value*.",
                        "Use the secret's Value (about 40 characters, shown only once when the secret is created), not its Secret ID. If the value is lost, create a new secret (Certificates & secrets → New client secret, or New-MailOAuthApp) and use its value.")
                    : new(DiagnosisCode.InvalidClientSecret,
                        $"The client secret for app '{c.ClientId}' was rejected: it is not a current secret of this app (wrong value, deleted, or the secret ID pasted instead of the value).",
                        "Copy the secret's Value (not its Secret ID) from when it was created, or create a new secret and use its value. A secret created seconds ago can take up to a minute to become usable.");
            case 7000222: // docs/service-behaviour.md#aadsts-expired-secret
                return new(DiagnosisCode.ClientSecretExpired,
                    $"The client secret of app '{c.ClientId}' has expired.",
                    "Create a new client secret (Certificates & secrets → New client secret), store its value where the old one was used, then delete the expired one.");
            case 53003: // docs/service-behaviour.md#aadsts-conditional-access
                return new(DiagnosisCode.ConditionalAccessBlocked,
                    $"A Conditional Access policy for workload identities blocks token issuance to app '{c.ClientId}'.",
                    "In Entra ID → Protection → Conditional Access, find the policy that targets this service principal (sign-in logs → service principal sign-ins show it) and exclude the app or allow its location.");
        }

        if (e.Status == 429 || e.Error == "temporarily_unavailable" && e.Status < 500)
            return Transient(DiagnosisCode.Throttled, "Entra ID throttled the token request", r);
        if (e.Status >= 500 || e.Error == "temporarily_unavailable")
            return Transient(DiagnosisCode.ServiceUnavailable, "Entra ID was unavailable", r);
        if (e.Error == "invalid_scope" || e.Error == "invalid_resource")
            return new(DiagnosisCode.UnexpectedResponse,
                "Entra ID refused the Graph scope requested.",
                $"Check that -Environment ({cloud}) names the cloud the tenant lives in: its Graph endpoint must be the resource the tenant knows.");
        return new(DiagnosisCode.UnexpectedResponse,
            "Entra ID refused the token request for a reason MailOAuth does not recognise.",
            "Look up the AADSTS code at https://login.microsoftonline.com/error and check the app registration.");
    }

    private static Diagnosis ExplainGraph(ServiceError e, DiagnosisContext c, RetrySummary? r)
    {
        switch (e.Error)
        {
            case "ErrorAccessDenied": // docs/service-behaviour.md#graph-access-denied: same code, told apart by the token's roles
                return c.TokenHasMailSend == true
                    ? new(DiagnosisCode.MailboxAccessDenied,
                        $"The app has Mail.Send, but Exchange denies it access to mailbox '{c.SenderAddress}': an application access policy or RBAC management scope excludes this mailbox.",
                        "In Exchange Online, add the mailbox to the scope the app is allowed (Test-ApplicationAccessPolicy / Get-ManagementRoleAssignment show it), or use a sender mailbox inside that scope. Policy changes can take over an hour to apply.")
                    : new(DiagnosisCode.MailSendPermissionMissing,
                        $"Graph denied sending as '{c.SenderAddress}': app '{c.ClientId}' has no Mail.Send application permission with admin consent.",
                        MailSendRemediation);
            case "Request_ResourceNotFound" when c.NotFoundCode == DiagnosisCode.ApplicationNotFound: // docs/service-behaviour.md#replication
                return new(DiagnosisCode.ApplicationNotFound,
                    $"No application with client ID '{c.ClientId}' exists in tenant '{c.TenantId}'.",
                    "Use the Application (client) ID (not the object ID) of an app registered in this tenant; Get-MailOAuthApp lists the apps MailOAuth manages.");
            case "ErrorInvalidUser": // docs/service-behaviour.md#graph-user-not-found
            case "ResourceNotFound": // docs/service-behaviour.md#graph-user-not-found
            case "Request_ResourceNotFound":
                // Graph resolves /users/{id | userPrincipalName} only (docs/service-behaviour.md#users): the address that failed
                // may well be the mailbox's own SMTP address, so "use the primary SMTP address" would be no advice at all.
                return new(DiagnosisCode.SenderMailboxNotFound,
                    $"Graph found no user '{c.SenderAddress}' in tenant '{c.TenantId}'. Graph's /users/{{id | userPrincipalName}} does not resolve an SMTP address: a mailbox whose primary SMTP address or alias differs from its user principal name is not found by that address.",
                    SenderUpnRemediation);
            case "MailboxNotEnabledForRESTAPI": // docs/service-behaviour.md#mailbox-not-enabled
                return new(DiagnosisCode.SenderMailboxNotLicensed,
                    $"User '{c.SenderAddress}' exists but has no Exchange Online mailbox Graph can use: unlicensed, inactive, soft-deleted, a guest, or hosted on-premises.",
                    "Assign the user a licence that includes Exchange Online (and wait for the mailbox to be provisioned), or use a licensed cloud mailbox (a shared mailbox needs no licence) as the sender.");
            case "ErrorSendAsDenied": // docs/service-behaviour.md#send-as-denied
                return new(DiagnosisCode.SendAsDenied,
                    $"The From address{(string.IsNullOrEmpty(c.FromAddress) ? "" : $" '{c.FromAddress}'")} is not mailbox '{c.SenderAddress}', and that mailbox has no right to send as it.",
                    "Make the From address the sender mailbox itself (clear the separate From setting), or grant the mailbox Send As on the From address in Exchange.");
            case "Authorization_RequestDenied": // docs/service-behaviour.md#authorization-denied
                return new(DiagnosisCode.InsufficientPrivileges,
                    $"The signed-in identity may not {c.Operation ?? "do this"}: it needs {c.RequiredPermission ?? "a directory permission it lacks"}.",
                    $"Grant the automation identity the Microsoft Graph application permission {c.RequiredPermission ?? "Application.ReadWrite.All / AppRoleAssignment.ReadWrite.All"} (with admin consent), or sign in interactively as an Application Administrator or Cloud Application Administrator (Privileged Role Administrator to grant Mail.Send).");
            case "CredentialTypeNotAllowedAsPerAppPolicy": // docs/service-behaviour.md#secret-policy: passwordAddition
                return new(DiagnosisCode.SecretLifetimeNotAllowed,
                    "The tenant's app management policy does not allow adding a client secret to this app.",
                    "Ask the tenant admin to exempt the app from the policy (Entra ID → app management policies), or use a certificate credential instead of a secret.");
            case "CredentialInvalidLifetimeAsPerAppPolicy":
                return new(DiagnosisCode.SecretLifetimeNotAllowed,
                    "The tenant's app management policy does not allow a client secret that lives this long.",
                    "Run again with a shorter -SecretLifetimeMonths (the policy's maximum is often 6 months or 90-180 days), or ask the tenant admin for the allowed lifetime (Entra ID → App registrations → app management policies).");
            case "InvalidAuthenticationToken": // docs/service-behaviour.md#invalid-token
                return new(DiagnosisCode.UnexpectedResponse,
                    "Graph rejected the access token.",
                    "Check that -Environment names the tenant's cloud: a token from one cloud is not valid in another. Run the command again to get a fresh token.");
        }

        if (e.Status == 429) return Transient(DiagnosisCode.Throttled, "Microsoft Graph throttled the request", r);
        if (e.Status >= 500) return Transient(DiagnosisCode.ServiceUnavailable, "Microsoft Graph was unavailable", r);
        return new(DiagnosisCode.UnexpectedResponse,
            "Microsoft Graph refused the request for a reason MailOAuth does not recognise.",
            "Look up the Graph error code in the Microsoft Graph error reference; the request-id identifies the call for a support case.");
    }

    /// <summary>What MailOAuth did about a transient answer: say so only when it really retried.</summary>
    private static string AfterRetries(RetrySummary? retries) => retries is { Count: > 0 }
        ? " and still did so after MailOAuth's retries"
        : "; MailOAuth made no retry (the wait the service asked for is longer than MailOAuth's retry budget, or repeating the request was not safe)";

    /// <summary>
    /// MSAL (inside Azure.Identity) keeps a process-wide memory of throttling answers and, until their
    /// Retry-After passes, answers the same token request from it without sending anything — in every
    /// runspace of the process. MailOAuth cannot clear it (docs/service-behaviour.md#throttling).
    /// </summary>
    public static Diagnosis TokenThrottledByLibrary(ServiceError earlier, DiagnosisContext context) => new(
        DiagnosisCode.Throttled,
        $"No request was sent: Entra ID throttled a token request for app '{context.ClientId}' earlier in this PowerShell process, and the token library (MSAL) answers the same request from its memory of that until the wait Entra asked for has passed.",
        "Wait for the time Entra asked for (Retry-After, at most an hour) before running the command again, or run it in a new PowerShell process (a new runspace in the same process shares the library's memory).")
    {
        ServiceCode = earlier.DisplayCode,
        HttpStatus = earlier.Status,
    };

    private static Diagnosis Transient(DiagnosisCode code, string what, RetrySummary? retries) => new(code,
        what + AfterRetries(retries) + ".",
        "This is transient: run the command again in a few minutes. Repeated throttling means another workload is using the same app or tenant heavily.");
}
