using System;
using System.Collections.Generic;
using System.Security;
using MailOAuth.Core.Platform;

namespace MailOAuth.Core.Entra;

/// <summary>What Get-MailOAuthSecret asks for.</summary>
public sealed class SecretQuery
{
    public string? ClientId { get; init; }
    public string? DisplayName { get; init; }
    /// <summary>Every app of the tenant holding Mail.Send (application), managed by MailOAuth or not.</summary>
    public bool All { get; init; }
    /// <summary>Only credentials expiring within this many days (expired ones included).</summary>
    public int? ExpiringWithinDays { get; init; }
    /// <summary>The platform whose stored secret decides <see cref="CredentialInfo.InUseByPlatform"/>.</summary>
    public PlatformTarget? Platform { get; init; }
}

/// <summary>One credential of an app that can expire or be used to sign in: metadata only, never a value.</summary>
public sealed class CredentialInfo
{
    public string TenantId { get; init; } = "";
    public string ClientId { get; init; } = "";
    public string AppDisplayName { get; init; } = "";
    /// <summary>ClientSecret, Certificate or FederatedCredential.</summary>
    public string CredentialType { get; init; } = "ClientSecret";
    public string KeyId { get; init; } = "";
    public string? Hint { get; init; }
    public string? Description { get; init; }
    public DateTimeOffset? CreatedOn { get; init; }
    public DateTimeOffset? ExpiresOn { get; init; }
    /// <summary>Whole days until expiry on the session's clock (negative once expired); null without an expiry.</summary>
    public int? DaysLeft { get; init; }
    /// <summary>Valid, ExpiringSoon (under 30 days) or Expired.</summary>
    public string Status { get; init; } = "Valid";
    /// <summary>MailOAuth created this credential (its marker is in the description).</summary>
    public bool ManagedByMailOAuth { get; init; }
    /// <summary>The app is tagged as MailOAuth's.</summary>
    public bool AppManagedByMailOAuth { get; init; }
    /// <summary>True/false when a platform was given and its stored secret could be compared; null when unknown.</summary>
    public bool? InUseByPlatform { get; init; }
}

/// <summary>What Update-MailOAuthSecret asks for.</summary>
public sealed class RotateRequest
{
    public string ClientId { get; init; } = "";
    public string SecretDescription { get; init; } = "SMTP OAuth Secret";
    public int SecretLifetimeMonths { get; init; } = 12;
    public PlatformTarget? Platform { get; init; }
    /// <summary>With <see cref="To"/>: a real send with the new secret proves it too.</summary>
    public string? SenderAddress { get; init; }
    public IReadOnlyList<string> To { get; init; } = Array.Empty<string>();
    /// <summary>Remove no old secret at all.</summary>
    public bool KeepPrevious { get; init; }
    /// <summary>The key ids the caller confirmed for removal (null: every one the plan names).</summary>
    public ISet<string>? ApprovedRemovals { get; init; }
    public TimeSpan? ReplicationBudget { get; init; }
    /// <summary>-KeyVaultUri: also store the new secret in this vault (null: not asked for).</summary>
    public KeyVault.KeyVaultRequest? KeyVault { get; init; }
}

/// <summary>What a rotation would write, read before the cmdlet confirms each write.</summary>
public sealed class RotationPlan
{
    public string ClientId { get; init; } = "";
    public string AppDisplayName { get; init; } = "";
    public bool AppManagedByMailOAuth { get; init; }
    /// <summary>The platform's stored secret before the rotation, as "keyId (hint…)" or a sentence when unknown.</summary>
    public string? PlatformHolds { get; init; }
    /// <summary>The secrets the rotation would remove once the new one is proven (and stored on the platform).</summary>
    public IReadOnlyList<CredentialInfo> Removals { get; init; } = Array.Empty<CredentialInfo>();
    /// <summary>Why some secrets are kept (-KeepPrevious, not MailOAuth's, the platform's cannot be told apart).</summary>
    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();
}

/// <summary>The new credential after a rotation, with what it removed and how it was proven.</summary>
public sealed class RotateOutcome
{
    public string TenantId { get; init; } = "";
    public string ClientId { get; init; } = "";
    public string ObjectId { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public string? SenderAddress { get; init; }
    public SecureString ClientSecret { get; init; } = new();
    public string SecretKeyId { get; init; } = "";
    public string? SecretHint { get; init; }
    public DateTimeOffset SecretCreatedOn { get; init; }
    public DateTimeOffset SecretExpiresOn { get; init; }
    public IReadOnlyList<string> RemovedKeyIds { get; init; } = Array.Empty<string>();
    /// <summary>Old secrets left in place (with -KeepPrevious, not MailOAuth's, or whose removal failed).</summary>
    public IReadOnlyList<string> KeptKeyIds { get; init; } = Array.Empty<string>();
    public bool PlatformUpdated { get; init; }
    /// <summary>Token, Send and/or PlatformTest: what proved the new secret.</summary>
    public IReadOnlyList<string> ProvenBy { get; init; } = Array.Empty<string>();
    public Uri? PlatformUri { get; init; }
    public string Environment { get; init; } = "";
    public TimeSpan ReplicationWait { get; init; }
    /// <summary>What happened to the vault copy (-KeyVaultUri).</summary>
    public KeyVault.KeyVaultOutcome KeyVault { get; init; } = Core.KeyVault.KeyVaultOutcome.NotRequested;
}

/// <summary>What Remove-MailOAuthSecret asks for.</summary>
public sealed class RemoveSecretRequest
{
    public string ClientId { get; init; } = "";
    public string KeyId { get; init; } = "";
    /// <summary>Also on an app MailOAuth does not manage.</summary>
    public bool Force { get; init; }
    /// <summary>The platform whose secret must not be removed.</summary>
    public PlatformTarget? Platform { get; init; }
}
