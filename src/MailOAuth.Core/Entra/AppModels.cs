using System;
using System.Collections.Generic;
using System.Security;

namespace MailOAuth.Core.Entra;

/// <summary>What New-MailOAuthApp asks for.</summary>
public sealed class NewAppRequest
{
    public string DisplayName { get; init; } = "Email OAuth";
    public string SecretDescription { get; init; } = "SMTP OAuth Secret";
    public int SecretLifetimeMonths { get; init; } = 12;
    public string? SenderAddress { get; init; }
    /// <summary>Adopt an existing app of the same name that MailOAuth did not create.</summary>
    public bool Force { get; init; }
    public TimeSpan? ReplicationBudget { get; init; }
    /// <summary>-KeyVaultUri: also store the new secret in this vault (null: not asked for).</summary>
    public KeyVault.KeyVaultRequest? KeyVault { get; init; }
}

/// <summary>The app New-MailOAuthApp created or completed, with its new secret.</summary>
public sealed class NewAppOutcome
{
    public string TenantId { get; init; } = "";
    public string ClientId { get; init; } = "";
    public string ObjectId { get; init; } = "";
    public string ServicePrincipalId { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public string? SenderAddress { get; init; }
    public SecureString ClientSecret { get; init; } = new();
    public string SecretKeyId { get; init; } = "";
    public string? SecretHint { get; init; }
    public DateTimeOffset SecretCreatedOn { get; init; }
    public DateTimeOffset SecretExpiresOn { get; init; }
    /// <summary>Created (by this or an interrupted earlier run), Reused (already managed) or Adopted (-Force).</summary>
    public string Provisioning { get; init; } = "Created";
    public string Environment { get; init; } = "";
    public TimeSpan ReplicationWait { get; init; }
    /// <summary>What happened to the vault copy (-KeyVaultUri).</summary>
    public KeyVault.KeyVaultOutcome KeyVault { get; init; } = Core.KeyVault.KeyVaultOutcome.NotRequested;
}

/// <summary>What Grant-MailSendConsent asks for.</summary>
public sealed class GrantRequest
{
    public string ClientId { get; init; } = "";
    /// <summary>When given, the grant is proven by fresh tokens until their roles hold Mail.Send.</summary>
    public SecureString? ClientSecret { get; init; }
    public DateTimeOffset? SecretCreatedOn { get; init; }
    public TimeSpan? ReplicationBudget { get; init; }
    /// <summary>Grant also to an app MailOAuth does not manage (else AppNotManaged).</summary>
    public bool Force { get; init; }
}

/// <summary>The app a grant is for, read before the cmdlet confirms (an unmanaged app is a High-impact change).</summary>
public sealed class GrantSubject
{
    public string ClientId { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public bool IsManaged { get; init; }
    /// <summary>The app carries MailOAuth's mailbox-scope tag (<see cref="SendScopeTag"/>): -Scope Tenant must undo the scope.</summary>
    public bool IsMailboxScoped { get; init; }
}

/// <summary>
/// How far a mailbox scope has come (docs/design.md#staged-scoping). Staged: the Exchange assignment exists but the
/// tenant-wide grant was kept, so the app can still send as any mailbox (SendScope stays "Tenant"). Enforced: the
/// assignment is the app's only Mail.Send (SendScope "Mailbox…"). None: no mailbox scope.
/// </summary>
public static class ScopeStage
{
    public const string Staged = "Staged";
    public const string Enforced = "Enforced";
    public const string None = "None";
}

/// <summary>The consent state after Grant-MailSendConsent.</summary>
public sealed class GrantOutcome
{
    public string TenantId { get; init; } = "";
    public string ClientId { get; init; } = "";
    public string ServicePrincipalId { get; init; } = "";
    public string ResourceId { get; init; } = "";
    public string AppRoleId { get; init; } = "";
    public string? AssignmentId { get; init; }
    /// <summary>True when the grant existed before this call (nothing was written).</summary>
    public bool AlreadyGranted { get; init; }
    /// <summary>True when a fresh app token was seen carrying Mail.Send.</summary>
    public bool Verified { get; init; }
    public TimeSpan ReplicationWait { get; init; }
    /// <summary>"Tenant" or "Mailbox: sender@…" (docs/service-behaviour.md#exchange-rbac).</summary>
    public string SendScope { get; init; } = "Tenant";
    /// <summary>When the mailbox scope was first assigned (UTC); null for a tenant-wide grant.</summary>
    public DateTimeOffset? ScopeAssignedOn { get; init; }
    /// <summary><see cref="ScopeStage"/>: Staged (the assignment made, the tenant-wide grant kept), Enforced, or None.</summary>
    public string ScopeStage { get; init; } = Entra.ScopeStage.None;
    /// <summary>What this grant removed to make the scope effective, in words (empty when nothing).</summary>
    public IReadOnlyList<string> Removed { get; init; } = Array.Empty<string>();
}

/// <summary>One of an app's client secrets: metadata only, never the value.</summary>
public sealed class SecretInfo
{
    public string KeyId { get; init; } = "";
    public string? Hint { get; init; }
    public string? Description { get; init; }
    public DateTimeOffset? StartsOn { get; init; }
    public DateTimeOffset? ExpiresOn { get; init; }
}

/// <summary>An app as Get-MailOAuthApp reports it.</summary>
public sealed class AppInfo
{
    public string TenantId { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public string ClientId { get; init; } = "";
    public string ObjectId { get; init; } = "";
    public string? ServicePrincipalId { get; init; }
    public bool IsManaged { get; init; }
    public bool MailSendDeclared { get; init; }
    /// <summary>Granted (tenant-wide), ScopedToMailbox (no tenant-wide grant; Exchange RBAC for Applications grants Mail.Send for the mailbox), NotGranted, or NoServicePrincipal.</summary>
    public string Consent { get; init; } = "NotGranted";
    /// <summary>"Tenant", "Mailbox: sender@…" (or "Mailbox" when only the tag tells), or "None".</summary>
    public string SendScope { get; init; } = "None";
    /// <summary>When Mail.Send was granted (tenant-wide) or first scoped to the mailbox (also when staged); null when not known.</summary>
    public DateTimeOffset? ScopeAssignedOn { get; init; }
    /// <summary><see cref="ScopeStage"/> of the mailbox scope.</summary>
    public string ScopeStage { get; init; } = Entra.ScopeStage.None;
    public DateTimeOffset? CreatedOn { get; init; }
    public IReadOnlyList<SecretInfo> Secrets { get; init; } = Array.Empty<SecretInfo>();
    /// <summary>
    /// When this was read, on the session's clock: days left and "expired" are counted from here, so an
    /// output object says the same thing however late it is rendered or exported (and tests drive the clock).
    /// </summary>
    public DateTimeOffset AsOf { get; init; }
}
