using System;

namespace MailOAuth.Output;

/// <summary>
/// The TargetObject of an ErrorRecord from a command that handles a secret: identifiers only. Never a
/// SecureString: Export-Clixml serialises one off Windows as plain UTF-16 hex, so an error record that
/// held the secret or the platform's API token would store it recoverably with <c>$Error | Export-Clixml</c>.
/// The secret itself stays where it came from (the object piped in, such as New-MailOAuthApp's output).
/// </summary>
public sealed class MailOAuthTarget
{
    internal MailOAuthTarget(string? tenantId, string? clientId, string? secretKeyId = null, string? secretHint = null,
        string? senderAddress = null, Uri? platformUri = null)
    {
        TenantId = NullIfEmpty(tenantId);
        ClientId = NullIfEmpty(clientId);
        SecretKeyId = NullIfEmpty(secretKeyId);
        SecretHint = NullIfEmpty(secretHint);
        SenderAddress = NullIfEmpty(senderAddress);
        PlatformUri = platformUri;
    }

    public string? TenantId { get; }
    public string? ClientId { get; }
    /// <summary>The ID (keyId) of the client secret the command was given, when known — not the secret.</summary>
    public string? SecretKeyId { get; }
    /// <summary>The first characters of that secret, as Entra shows them.</summary>
    public string? SecretHint { get; }
    public string? SenderAddress { get; }
    public Uri? PlatformUri { get; }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public override string ToString()
    {
        var parts = new System.Collections.Generic.List<string>();
        if (ClientId is not null) parts.Add($"client {ClientId}");
        if (TenantId is not null) parts.Add($"tenant {TenantId}");
        if (SecretKeyId is not null) parts.Add($"secret {SecretKeyId}" + (SecretHint is null ? "" : $" ({SecretHint}…)"));
        if (SenderAddress is not null) parts.Add($"sender {SenderAddress}");
        if (PlatformUri is not null) parts.Add($"platform {PlatformUri}");
        return string.Join(", ", parts);
    }
}
