using System;
using System.Collections.Generic;
using System.Security;

namespace MailOAuth.Core.Platform;

/// <summary>Where the platform is and how to reach it.</summary>
public sealed class PlatformTarget
{
    public PlatformTarget(Uri platformUri, SecureString apiToken, PlatformProfile? profile = null)
        : this(platformUri, apiToken, profile, null)
    {
    }

    /// <param name="platformUri">The platform's base address.</param>
    /// <param name="apiToken">The platform API token.</param>
    /// <param name="profile">The platform's dialect; null: the default contract.</param>
    /// <param name="trustedCertificate">A CA (or the server's own certificate) trusted for <paramref name="platformUri"/>'s host
    /// only, for this call: a platform behind a private CA. Null: the machine's trust store.</param>
    public PlatformTarget(Uri platformUri, SecureString apiToken, PlatformProfile? profile, System.Security.Cryptography.X509Certificates.X509Certificate2? trustedCertificate)
    {
        PlatformUri = platformUri;
        ApiToken = apiToken;
        Profile = profile ?? PlatformProfile.Default;
        TrustedCertificate = trustedCertificate;
    }

    /// <summary>The certificate (CA or server) trusted for this platform's host only; null: the machine's trust store.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TrustedCertificate { get; }

    public Uri PlatformUri { get; }
    public SecureString ApiToken { get; }
    public PlatformProfile Profile { get; }
}

/// <summary>What to store in the platform's SMTP Email Settings.</summary>
public sealed class SmtpSettingsInput
{
    public string TenantId { get; init; } = "";
    public string ClientId { get; init; } = "";
    public SecureString ClientSecret { get; init; } = new();
    public string SenderAddress { get; init; } = "";
}

/// <summary>What the platform holds (never the secret).</summary>
public sealed class SmtpSettingsView
{
    public string? Provider { get; init; }
    public string? TenantId { get; init; }
    public string? ClientId { get; init; }
    public string? SenderAddress { get; init; }
    public string? ClientSecretHint { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>A delivered platform test e-mail.</summary>
public sealed class PlatformTestOutcome
{
    public bool Delivered { get; init; }
    public string? MessageId { get; init; }
    public IReadOnlyList<string> To { get; init; } = Array.Empty<string>();
}
