using System;

namespace MailOAuth.Output;

/// <summary>What a platform's SMTP Email Settings hold. Never the secret: only its hint.</summary>
public sealed class ResellerSmtpSetting
{
    internal ResellerSmtpSetting(Uri platformUri, string? provider, string? tenantId, string? clientId, string? senderAddress, string? clientSecretHint, DateTimeOffset? updatedAt)
    {
        PlatformUri = platformUri;
        Provider = provider;
        TenantId = tenantId;
        ClientId = clientId;
        SenderAddress = senderAddress;
        ClientSecretHint = clientSecretHint;
        UpdatedAt = updatedAt;
    }

    public Uri PlatformUri { get; }
    public string? Provider { get; }
    public string? TenantId { get; }
    public string? ClientId { get; }
    public string? SenderAddress { get; }
    /// <summary>The first characters of the stored secret, as the platform shows them.</summary>
    public string? ClientSecretHint { get; }
    public DateTimeOffset? UpdatedAt { get; }
    public bool IsConfigured => ClientId is not null;

    public override string ToString() => $"{PlatformUri}: {ClientId} / {SenderAddress}";
}

/// <summary>The platform's own test e-mail: delivered (a failure is an error).</summary>
public sealed class ResellerTestResult
{
    internal ResellerTestResult(Uri platformUri, string[] to, string? messageId, DateTimeOffset sentAt)
    {
        PlatformUri = platformUri;
        To = to;
        MessageId = messageId;
        SentAt = sentAt;
    }

    public bool Delivered => true;
    public Uri PlatformUri { get; }
    public string[] To { get; }
    public string? MessageId { get; }
    public DateTimeOffset SentAt { get; }

    public override string ToString() => $"Delivered to {string.Join(", ", To)} ({MessageId})";
}
