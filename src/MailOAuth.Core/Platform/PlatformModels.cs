using System;
using System.Collections.Generic;
using System.Security;

namespace MailOAuth.Core.Platform;

/// <summary>Where the platform is and how to reach it.</summary>
public sealed class PlatformTarget
{
    public PlatformTarget(Uri platformUri, SecureString apiToken, PlatformProfile? profile = null)
    {
        PlatformUri = platformUri;
        ApiToken = apiToken;
        Profile = profile ?? PlatformProfile.Default;
    }

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
