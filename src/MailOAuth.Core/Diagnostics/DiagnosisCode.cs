namespace MailOAuth.Core.Diagnostics;

/// <summary>
/// Stable diagnosis codes. Public API: each becomes the ErrorId of an ErrorRecord
/// (docs/design.md#diagnosis-codes). Never rename one.
/// </summary>
public enum DiagnosisCode
{
    TenantNotFound,
    ApplicationNotFound,
    InvalidClientSecret,
    ClientSecretExpired,
    MailSendPermissionMissing,
    MailboxAccessDenied,
    SenderMailboxNotFound,
    SenderMailboxNotLicensed,
    SendAsDenied,
    ConditionalAccessBlocked,
    SecretLifetimeNotAllowed,
    InsufficientPrivileges,
    Throttled,
    ServiceUnavailable,
    NetworkFailure,
    PlatformAuthenticationFailed,
    PlatformRejectedSettings,
    PlatformTestFailed,
    NotConnected,
    /// <summary>An app with the requested display name exists and was not created by MailOAuth.</summary>
    AppNameConflict,
    /// <summary>The app named by client ID was not created (or adopted) by MailOAuth, and -Force was not given.</summary>
    AppNotManaged,
    /// <summary>Entra did not finish replicating a new object within the allowed time; re-running resumes.</summary>
    ReplicationTimeout,
    /// <summary>The service answered with something no other code explains (its code is kept).</summary>
    UnexpectedResponse,
    /// <summary>A defect of MailOAuth: an exception no service answer or network failure explains.</summary>
    InternalError,
    /// <summary>An environment (cloud) name that is not known in this session.</summary>
    UnknownEnvironment,
    /// <summary>A sign-in input that cannot be used (certificate file, thumbprint, access token, missing parameter).</summary>
    InvalidSignInInput,
    /// <summary>The secret is the one the given platform uses (or cannot be told apart from it), so it was not removed.</summary>
    SecretInUse,
    /// <summary>The app has no client secret with the key id given.</summary>
    SecretNotFound,
    /// <summary>A rotation's platform holds another app's settings (or none, and no sender was given).</summary>
    PlatformAppMismatch,
    /// <summary>The app may be signed in to from other tenants (Test-MailOAuthConfiguration warns; a mail sender needs one tenant).</summary>
    AppNotSingleTenant,
    /// <summary>The platform holds another tenant, app, sender or secret than the one checked, or a secret that no longer works.</summary>
    PlatformSettingsMismatch,
    /// <summary>A sender domain's SPF, DKIM or DMARC record is missing or wrong (the Spf, Dkim and Dmarc checks).</summary>
    DnsRecordProblem,
    /// <summary>A mailbox-scoped app was denied within 2 hours of its Exchange assignment: Exchange may not apply it yet.</summary>
    MailboxScopeNotYetApplied,
    /// <summary>-ExpectDenied, but the out-of-scope mailbox could send: a tenant-wide grant or a wider scope still applies.</summary>
    MailboxScopeNotEnforced,
    /// <summary>-KeyVaultUri is not a vault of the connection's cloud, or the vault did not answer as one (nothing was stored).</summary>
    KeyVaultUriInvalid,
    /// <summary>The vault refused the connection's identity (RBAC role or access policy missing, or another tenant's vault).</summary>
    KeyVaultAccessDenied,
    /// <summary>The vault does not exist (its name does not resolve, or Key Vault answered 404).</summary>
    KeyVaultNotFound,
    /// <summary>The vault refused the secret itself (a bad name, a value too large, a name held by a deleted secret).</summary>
    KeyVaultRejected,
    /// <summary>The connection has no credential that can get a Key Vault token (-AccessToken holds a Graph token only).</summary>
    KeyVaultCredentialUnavailable,
    /// <summary>Mail.Send is granted tenant-wide (the app can send as any mailbox): the Scope check's Warning.</summary>
    MailSendTenantWide,
    /// <summary>-ExpectDenied without a mailbox scope that leaves the sender out: a denial would prove nothing about a scope.</summary>
    ExpectDeniedWithoutScope,
    /// <summary>-KeyVaultSecretName without -KeyVaultUri: no vault to store the secret in (checked before anything is written).</summary>
    KeyVaultParameterMissing,
    /// <summary>Grant-MailSendConsent -Scope Mailbox without -SenderAddress: no mailbox to scope Mail.Send to (checked before anything is read).</summary>
    SenderAddressRequired,
    /// <summary>Grant-MailSendConsent -KeepTenantGrant without -Scope Mailbox: nothing to stage.</summary>
    KeepTenantGrantNeedsMailboxScope,
}

/// <summary>What kind of failure a diagnosis is (one per code); the cmdlet layer maps it to an ErrorCategory.</summary>
public enum DiagnosisKind
{
    Authentication,
    Permission,
    NotFound,
    Configuration,
    Transient,
    Connection,
    Unexpected,
    /// <summary>An input the caller gave cannot be used; nothing was sent.</summary>
    InvalidInput,
    /// <summary>A defect of MailOAuth itself.</summary>
    Defect,
}
