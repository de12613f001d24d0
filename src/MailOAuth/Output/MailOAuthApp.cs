using System;
using System.Security;

namespace MailOAuth.Output;

/// <summary>
/// The app New-MailOAuthApp created or completed, with its new client secret (SecureString; shown
/// nowhere). Pipes into Grant-MailSendConsent, Set-ResellerSmtpSetting and Send-MailOAuthTest.
/// </summary>
public sealed class MailOAuthApp
{
    internal MailOAuthApp(string tenantId, string clientId, string objectId, string servicePrincipalId, string displayName, string? senderAddress,
        SecureString clientSecret, string secretKeyId, string? secretHint, DateTimeOffset secretCreatedOn, DateTimeOffset secretExpiresOn,
        string provisioning, string environment, TimeSpan replicationWait,
        string keyVaultStatus, Uri? keyVaultSecretId, string? keyVaultError)
    {
        ReplicationWait = replicationWait;
        KeyVaultStatus = keyVaultStatus;
        KeyVaultSecretId = keyVaultSecretId;
        KeyVaultError = keyVaultError;
        TenantId = tenantId;
        ClientId = clientId;
        ObjectId = objectId;
        ServicePrincipalId = servicePrincipalId;
        DisplayName = displayName;
        SenderAddress = senderAddress;
        ClientSecret = clientSecret;
        SecretKeyId = secretKeyId;
        SecretHint = secretHint;
        SecretCreatedOn = secretCreatedOn;
        SecretExpiresOn = secretExpiresOn;
        Provisioning = provisioning;
        Environment = environment;
    }

    public string TenantId { get; }
    /// <summary>Application (client) ID: what platforms and Send-MailOAuthTest need.</summary>
    public string ClientId { get; }
    /// <summary>The application object's ID (not the client ID).</summary>
    public string ObjectId { get; }
    public string ServicePrincipalId { get; }
    public string DisplayName { get; }
    public string? SenderAddress { get; }
    /// <summary>The new secret's value. Shown once by Entra, kept here as a SecureString.</summary>
    public SecureString ClientSecret { get; }
    /// <summary>The secret's ID (keyId) — not the secret.</summary>
    public string SecretKeyId { get; }
    /// <summary>The first characters of the secret, as Entra shows them.</summary>
    public string? SecretHint { get; }
    public DateTimeOffset SecretCreatedOn { get; }
    public DateTimeOffset SecretExpiresOn { get; }
    /// <summary>Created, Reused (already managed by MailOAuth) or Adopted (-Force).</summary>
    public string Provisioning { get; }
    public string Environment { get; }
    /// <summary>Time this command spent waiting for Entra ID replication.</summary>
    public TimeSpan ReplicationWait { get; }

    /// <summary>The Key Vault copy of the new secret (-KeyVaultUri): Stored, Failed or NotRequested.</summary>
    public string KeyVaultStatus { get; }
    /// <summary>The stored Key Vault secret's versioned id (https://NAME.vault.azure.net/secrets/NAME/VERSION) — never the value.</summary>
    public Uri? KeyVaultSecretId { get; }
    /// <summary>When KeyVaultStatus is Failed, the diagnosis code (KeyVaultAccessDenied, …); the Warning says why and what to do.</summary>
    public string? KeyVaultError { get; }

    public override string ToString() => $"{DisplayName} ({ClientId})";
}
