using System.Linq;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Entra;
using MailOAuth.Core.Mail;
using MailOAuth.Core.Platform;
using MailOAuth.Output;

namespace MailOAuth.Infrastructure;

/// <summary>Maps Core results into the types PowerShell sees (the type boundary).</summary>
internal static class OutputMap
{
    public static MailOAuthConnection From(AdminConnection c) =>
        new(c.TenantId, c.Environment.Name, c.Method.ToString(), c.Account, c.ClientId, c.Roles.ToArray(), c.Scopes.ToArray(), c.ConnectedAt);

    public static MailOAuthApp From(NewAppOutcome o) =>
        new(o.TenantId, o.ClientId, o.ObjectId, o.ServicePrincipalId, o.DisplayName, o.SenderAddress, o.ClientSecret, o.SecretKeyId, o.SecretHint,
            o.SecretCreatedOn, o.SecretExpiresOn, o.Provisioning, o.Environment, o.ReplicationWait,
            o.KeyVault.Status, o.KeyVault.SecretId, o.KeyVault.ErrorCode);

    public static MailOAuthConsent From(GrantOutcome o) =>
        new(o.TenantId, o.ClientId, o.ServicePrincipalId, o.ResourceId, o.AppRoleId, o.AssignmentId, o.AlreadyGranted, o.Verified, o.ReplicationWait, o.SendScope, o.ScopeAssignedOn, o.ScopeStage);

    public static ResellerSmtpSetting From(System.Uri platformUri, SmtpSettingsView v) =>
        new(platformUri, v.Provider, v.TenantId, v.ClientId, v.SenderAddress, v.ClientSecretHint, v.UpdatedAt);

    public static MailOAuthTestResult From(MailTestOutcome o) =>
        new(o.TenantId, o.ClientId, o.SenderAddress, o.From, o.To.ToArray(), o.Subject, o.SentAt, o.RequestId, o.ClientRequestId, o.TokenRoles.ToArray(), o.Environment,
            o.Outcome.ToString());

    public static ResellerTestResult From(System.Uri platformUri, PlatformTestOutcome o) =>
        new(platformUri, o.To.ToArray(), o.MessageId, System.DateTimeOffset.UtcNow);

    public static MailOAuthCheck From(Core.Checks.CheckResult r, string tenantId, string clientId, string senderAddress) =>
        new(r.Check, r.Status.ToString(), r.Message, r.Remediation, r.DiagnosisCode?.ToString() ?? "", r.Evidence, tenantId, clientId, senderAddress);

    public static MailOAuthAppInfo From(AppInfo a) =>
        new(a.TenantId, a.DisplayName, a.ClientId, a.ObjectId, a.ServicePrincipalId, a.IsManaged, a.MailSendDeclared, a.Consent, a.CreatedOn,
            new MailOAuthSecretList(a.Secrets.Select(s => new MailOAuthSecretInfo(s.KeyId, s.Hint, s.Description, s.StartsOn, s.ExpiresOn, a.AsOf))), a.AsOf,
            a.SendScope, a.ScopeAssignedOn, a.ScopeStage);

    public static MailOAuthSecret From(CredentialInfo c) =>
        new(c.TenantId, c.ClientId, c.AppDisplayName, c.CredentialType, c.KeyId, c.Hint, c.Description, c.CreatedOn, c.ExpiresOn, c.DaysLeft, c.Status,
            c.ManagedByMailOAuth, c.AppManagedByMailOAuth, c.InUseByPlatform);

    public static MailOAuthRotatedSecret From(RotateOutcome o) =>
        new(o.TenantId, o.ClientId, o.ObjectId, o.DisplayName, o.SenderAddress, o.ClientSecret, o.SecretKeyId, o.SecretHint, o.SecretCreatedOn,
            o.SecretExpiresOn, o.RemovedKeyIds.ToArray(), o.KeptKeyIds.ToArray(), o.PlatformUpdated, o.ProvenBy.ToArray(), o.PlatformUri, o.Environment,
            o.ReplicationWait, o.KeyVault.Status, o.KeyVault.SecretId, o.KeyVault.ErrorCode);
}
