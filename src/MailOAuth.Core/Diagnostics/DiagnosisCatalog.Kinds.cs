using System;

namespace MailOAuth.Core.Diagnostics;

public static partial class DiagnosisCatalog
{
    /// <summary>
    /// The one table from code to kind: a code always has the same kind, so an ErrorId always comes
    /// with the same ErrorCategory. A code missing here fails the catalogue test.
    /// </summary>
    public static DiagnosisKind KindOf(DiagnosisCode code) => code switch
    {
        DiagnosisCode.TenantNotFound => DiagnosisKind.NotFound,
        DiagnosisCode.ApplicationNotFound => DiagnosisKind.NotFound,
        DiagnosisCode.InvalidClientSecret => DiagnosisKind.Authentication,
        DiagnosisCode.ClientSecretExpired => DiagnosisKind.Authentication,
        DiagnosisCode.MailSendPermissionMissing => DiagnosisKind.Permission,
        DiagnosisCode.MailboxAccessDenied => DiagnosisKind.Permission,
        DiagnosisCode.SenderMailboxNotFound => DiagnosisKind.NotFound,
        DiagnosisCode.SenderMailboxNotLicensed => DiagnosisKind.Configuration,
        DiagnosisCode.SendAsDenied => DiagnosisKind.Permission,
        DiagnosisCode.ConditionalAccessBlocked => DiagnosisKind.Permission,
        DiagnosisCode.SecretLifetimeNotAllowed => DiagnosisKind.Configuration,
        DiagnosisCode.InsufficientPrivileges => DiagnosisKind.Permission,
        DiagnosisCode.Throttled => DiagnosisKind.Transient,
        DiagnosisCode.ServiceUnavailable => DiagnosisKind.Transient,
        DiagnosisCode.NetworkFailure => DiagnosisKind.Connection,
        DiagnosisCode.PlatformAuthenticationFailed => DiagnosisKind.Authentication,
        DiagnosisCode.PlatformRejectedSettings => DiagnosisKind.Configuration,
        DiagnosisCode.PlatformTestFailed => DiagnosisKind.Configuration,
        DiagnosisCode.NotConnected => DiagnosisKind.Configuration,
        DiagnosisCode.AppNameConflict => DiagnosisKind.Configuration,
        DiagnosisCode.ReplicationTimeout => DiagnosisKind.Transient,
        DiagnosisCode.UnexpectedResponse => DiagnosisKind.Unexpected,
        DiagnosisCode.InternalError => DiagnosisKind.Defect,
        DiagnosisCode.UnknownEnvironment => DiagnosisKind.InvalidInput,
        DiagnosisCode.AppNotManaged => DiagnosisKind.Configuration,
        DiagnosisCode.InvalidSignInInput => DiagnosisKind.InvalidInput,
        DiagnosisCode.SecretInUse => DiagnosisKind.Configuration,
        DiagnosisCode.SecretNotFound => DiagnosisKind.NotFound,
        DiagnosisCode.PlatformAppMismatch => DiagnosisKind.Configuration,
        DiagnosisCode.AppNotSingleTenant => DiagnosisKind.Configuration,
        DiagnosisCode.PlatformSettingsMismatch => DiagnosisKind.Configuration,
        DiagnosisCode.DnsRecordProblem => DiagnosisKind.Configuration,
        DiagnosisCode.MailboxScopeNotYetApplied => DiagnosisKind.Transient,
        DiagnosisCode.MailboxScopeNotEnforced => DiagnosisKind.Permission,
        DiagnosisCode.KeyVaultUriInvalid => DiagnosisKind.InvalidInput,
        DiagnosisCode.KeyVaultAccessDenied => DiagnosisKind.Permission,
        DiagnosisCode.KeyVaultNotFound => DiagnosisKind.NotFound,
        DiagnosisCode.KeyVaultRejected => DiagnosisKind.Configuration,
        DiagnosisCode.KeyVaultCredentialUnavailable => DiagnosisKind.Configuration,
        DiagnosisCode.MailSendTenantWide => DiagnosisKind.Configuration,
        DiagnosisCode.ExpectDeniedWithoutScope => DiagnosisKind.InvalidInput,
        DiagnosisCode.KeyVaultParameterMissing => DiagnosisKind.InvalidInput,
        DiagnosisCode.SenderAddressRequired => DiagnosisKind.InvalidInput,
        DiagnosisCode.KeepTenantGrantNeedsMailboxScope => DiagnosisKind.InvalidInput,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "A diagnosis code without a kind."),
    };
}
