using System;

namespace MailOAuth.Output;

/// <summary>
/// One credential of an app, as Get-MailOAuthSecret reports it: a client secret (metadata only, never its
/// value), a certificate or a federated credential. Flat (strings, dates, numbers, booleans), so it exports
/// to CSV as it is; pipes into Update-MailOAuthSecret and Remove-MailOAuthSecret by ClientId and KeyId.
/// </summary>
public sealed class MailOAuthSecret
{
    internal MailOAuthSecret(string tenantId, string clientId, string appDisplayName, string credentialType, string keyId, string? hint,
        string? description, DateTimeOffset? createdOn, DateTimeOffset? expiresOn, int? daysLeft, string status, bool managedByMailOAuth,
        bool appManagedByMailOAuth, bool? inUseByPlatform)
    {
        TenantId = tenantId;
        ClientId = clientId;
        AppDisplayName = appDisplayName;
        CredentialType = credentialType;
        KeyId = keyId;
        Hint = hint;
        Description = description;
        CreatedOn = createdOn;
        ExpiresOn = expiresOn;
        DaysLeft = daysLeft;
        Status = status;
        ManagedByMailOAuth = managedByMailOAuth;
        AppManagedByMailOAuth = appManagedByMailOAuth;
        InUseByPlatform = inUseByPlatform;
    }

    public string TenantId { get; }
    /// <summary>The app's Application (client) ID.</summary>
    public string ClientId { get; }
    public string AppDisplayName { get; }
    /// <summary>ClientSecret, Certificate or FederatedCredential.</summary>
    public string CredentialType { get; }
    /// <summary>The credential's ID (keyId; a federated credential's id) — never the secret.</summary>
    public string KeyId { get; }
    /// <summary>A secret's first three characters as Entra shows them; a certificate's thumbprint; a federated credential's subject.</summary>
    public string? Hint { get; }
    /// <summary>The credential's description (displayName); a federated credential's name.</summary>
    public string? Description { get; }
    public DateTimeOffset? CreatedOn { get; }
    /// <summary>When it expires (a federated credential does not).</summary>
    public DateTimeOffset? ExpiresOn { get; }
    /// <summary>Whole days left when it was read (negative once expired).</summary>
    public int? DaysLeft { get; }
    /// <summary>Valid, ExpiringSoon (under 30 days) or Expired.</summary>
    public string Status { get; }
    /// <summary>MailOAuth created this credential, so a rotation may remove it.</summary>
    public bool ManagedByMailOAuth { get; }
    /// <summary>The app is managed by MailOAuth.</summary>
    public bool AppManagedByMailOAuth { get; }
    /// <summary>With a platform: whether it uses this secret (its client ID and stored hint match); empty when unknown.</summary>
    public bool? InUseByPlatform { get; }

    public override string ToString() => $"{AppDisplayName} {CredentialType} {KeyId} ({Status})";
}
