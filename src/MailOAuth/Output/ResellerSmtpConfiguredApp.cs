using System;
using System.Security;

namespace MailOAuth.Output;

/// <summary>
/// What Set-ResellerSmtpSetting -PassThru writes: a new object (the piped one is never changed) with the
/// values this save used — the platform (URI, profile, API token), the four stored settings and the
/// secret (SecureString) — so Send-ResellerTestEmail tests exactly the platform just written, and
/// Send-MailOAuthTest the same app.
/// </summary>
public sealed class ResellerSmtpConfiguredApp
{
    internal ResellerSmtpConfiguredApp(Uri platformUri, string? platformProfile, SecureString apiToken, string tenantId, string clientId,
        SecureString clientSecret, string senderAddress, string? secretKeyId, string? secretHint, DateTimeOffset? secretCreatedOn,
        string? environment, ResellerSmtpSetting setting)
    {
        PlatformUri = platformUri;
        PlatformProfile = platformProfile;
        ApiToken = apiToken;
        TenantId = tenantId;
        ClientId = clientId;
        ClientSecret = clientSecret;
        SenderAddress = senderAddress;
        SecretKeyId = secretKeyId;
        SecretHint = secretHint;
        SecretCreatedOn = secretCreatedOn;
        Environment = environment;
        Setting = setting;
    }

    public Uri PlatformUri { get; }
    /// <summary>The full path of the profile file used (null for the default platform API).</summary>
    public string? PlatformProfile { get; }
    /// <summary>The platform API token this save used. Shown nowhere.</summary>
    public SecureString ApiToken { get; }
    public string TenantId { get; }
    public string ClientId { get; }
    /// <summary>The secret stored. Shown nowhere.</summary>
    public SecureString ClientSecret { get; }
    public string SenderAddress { get; }
    public string? SecretKeyId { get; }
    public string? SecretHint { get; }
    public DateTimeOffset? SecretCreatedOn { get; }
    /// <summary>The cloud the app lives in, carried on for Send-MailOAuthTest (null when none was piped in).</summary>
    public string? Environment { get; }
    /// <summary>What the platform answered it now holds, as Set-ResellerSmtpSetting writes it without -PassThru.</summary>
    public ResellerSmtpSetting Setting { get; }

    public override string ToString() => $"{PlatformUri}: {ClientId} / {SenderAddress}";
}
