using System;
using System.Security;

namespace MailOAuth.Output;

/// <summary>
/// The new client secret Update-MailOAuthSecret made and proved (SecureString; shown nowhere), with what it
/// removed and what proved it. Pipes into Set-ResellerSmtpSetting and Send-MailOAuthTest like New-MailOAuthApp's output.
/// </summary>
public sealed class MailOAuthRotatedSecret
{
    internal MailOAuthRotatedSecret(string tenantId, string clientId, string objectId, string displayName, string? senderAddress, SecureString clientSecret,
        string secretKeyId, string? secretHint, DateTimeOffset secretCreatedOn, DateTimeOffset secretExpiresOn, string[] removedKeyIds, string[] keptKeyIds,
        bool platformUpdated, string[] provenBy, Uri? platformUri, string environment, TimeSpan replicationWait,
        string keyVaultStatus, Uri? keyVaultSecretId, string? keyVaultError)
    {
        TenantId = tenantId;
        ClientId = clientId;
        ObjectId = objectId;
        DisplayName = displayName;
        SenderAddress = senderAddress;
        ClientSecret = clientSecret;
        SecretKeyId = secretKeyId;
        SecretHint = secretHint;
        SecretCreatedOn = secretCreatedOn;
        SecretExpiresOn = secretExpiresOn;
        RemovedKeyIds = removedKeyIds;
        KeptKeyIds = keptKeyIds;
        PlatformUpdated = platformUpdated;
        ProvenBy = provenBy;
        PlatformUri = platformUri;
        Environment = environment;
        ReplicationWait = replicationWait;
        KeyVaultStatus = keyVaultStatus;
        KeyVaultSecretId = keyVaultSecretId;
        KeyVaultError = keyVaultError;
    }

    public string TenantId { get; }
    public string ClientId { get; }
    public string ObjectId { get; }
    public string DisplayName { get; }
    /// <summary>The sender the platform sends as (given, or read from the platform).</summary>
    public string? SenderAddress { get; }
    /// <summary>The new secret's value, kept as a SecureString (Entra shows it once).</summary>
    public SecureString ClientSecret { get; }
    /// <summary>The new secret's ID (keyId) — not the secret.</summary>
    public string SecretKeyId { get; }
    public string? SecretHint { get; }
    public DateTimeOffset SecretCreatedOn { get; }
    public DateTimeOffset SecretExpiresOn { get; }
    /// <summary>The key ids of the superseded secrets this rotation removed.</summary>
    public string[] RemovedKeyIds { get; }
    /// <summary>The key ids of the app's other secrets, still in place.</summary>
    public string[] KeptKeyIds { get; }
    /// <summary>The platform now holds the new secret.</summary>
    public bool PlatformUpdated { get; }
    /// <summary>What proved the new secret: Token, Send, PlatformTest.</summary>
    public string[] ProvenBy { get; }
    public Uri? PlatformUri { get; }
    public string Environment { get; }
    public TimeSpan ReplicationWait { get; }

    /// <summary>The Key Vault copy of the new secret (-KeyVaultUri): Stored, Failed or NotRequested.</summary>
    public string KeyVaultStatus { get; }
    /// <summary>The stored Key Vault secret's versioned id (https://NAME.vault.azure.net/secrets/NAME/VERSION) — never the value.</summary>
    public Uri? KeyVaultSecretId { get; }
    /// <summary>When KeyVaultStatus is Failed, the diagnosis code (KeyVaultAccessDenied, …); the Warning says why and what to do.</summary>
    public string? KeyVaultError { get; }

    public override string ToString() => $"{DisplayName} ({ClientId}) secret {SecretKeyId}";
}
