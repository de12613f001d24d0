using System;
using System.Linq;

namespace MailOAuth.Output;

/// <summary>An app as Get-MailOAuthApp reports it: consent state and secrets (never their values).</summary>
public sealed class MailOAuthAppInfo
{
    internal MailOAuthAppInfo(string tenantId, string displayName, string clientId, string objectId, string? servicePrincipalId, bool isManaged,
        bool mailSendDeclared, string consent, DateTimeOffset? createdOn, MailOAuthSecretInfo[] secrets)
    {
        TenantId = tenantId;
        DisplayName = displayName;
        ClientId = clientId;
        ObjectId = objectId;
        ServicePrincipalId = servicePrincipalId;
        IsManaged = isManaged;
        MailSendDeclared = mailSendDeclared;
        Consent = consent;
        CreatedOn = createdOn;
        Secrets = secrets;
    }

    public string TenantId { get; }
    public string DisplayName { get; }
    public string ClientId { get; }
    public string ObjectId { get; }
    public string? ServicePrincipalId { get; }
    /// <summary>True when MailOAuth created (or adopted) the app.</summary>
    public bool IsManaged { get; }
    /// <summary>Mail.Send (application) is in the app's required permissions.</summary>
    public bool MailSendDeclared { get; }
    /// <summary>Granted, NotGranted or NoServicePrincipal.</summary>
    public string Consent { get; }
    public DateTimeOffset? CreatedOn { get; }
    public MailOAuthSecretInfo[] Secrets { get; }

    /// <summary>The latest expiry among the secrets (null when there are none).</summary>
    public DateTimeOffset? SecretExpiresOn => Secrets.Where(s => s.ExpiresOn.HasValue).Select(s => s.ExpiresOn).DefaultIfEmpty(null).Max();

    /// <summary>Days until the last secret expires (negative when all have expired).</summary>
    public int? DaysLeft => SecretExpiresOn is { } e ? (int)Math.Floor((e - DateTimeOffset.UtcNow).TotalDays) : null;

    public override string ToString() => $"{DisplayName} ({ClientId})";
}

/// <summary>One client secret: metadata only.</summary>
public sealed class MailOAuthSecretInfo
{
    internal MailOAuthSecretInfo(string keyId, string? hint, string? description, DateTimeOffset? startsOn, DateTimeOffset? expiresOn)
    {
        KeyId = keyId;
        Hint = hint;
        Description = description;
        StartsOn = startsOn;
        ExpiresOn = expiresOn;
    }

    public string KeyId { get; }
    public string? Hint { get; }
    public string? Description { get; }
    public DateTimeOffset? StartsOn { get; }
    public DateTimeOffset? ExpiresOn { get; }
    public int? DaysLeft => ExpiresOn is { } e ? (int)Math.Floor((e - DateTimeOffset.UtcNow).TotalDays) : null;
    public bool Expired => ExpiresOn is { } e && e <= DateTimeOffset.UtcNow;

    public override string ToString() => $"{Hint}… ({Description}) expires {ExpiresOn:yyyy-MM-dd}";
}
