using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailOAuth.Core.Platform;
using MailOAuth.Validation;

namespace MailOAuth.Infrastructure;

/// <summary>The parameters every platform cmdlet shares: where the platform is, its API token, its profile.</summary>
public abstract class PlatformCmdlet : MailOAuthCmdlet
{
    /// <summary>The platform's base address, e.g. https://portal.example.com.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidatePlatformUri]
    public Uri PlatformUri { get; set; } = null!;

    /// <summary>The platform API token (sent as a bearer token, or in the profile's header).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [ValidateSecretText]
    public SecureString ApiToken { get; set; } = null!;

    /// <summary>A profile file (.json or .psd1) for a platform whose API names paths and fields differently.</summary>
    /// <remarks>
    /// Null is allowed (and means the default API) so that a typed pipeline object whose PlatformProfile
    /// is null, such as Set-ResellerSmtpSetting -PassThru's without a profile, still binds.
    /// </remarks>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [ValidateOptionalPath]
    public string? PlatformProfile { get; set; }

    /// <summary>
    /// A certificate file (.cer/.crt, DER or PEM) of the CA that issued the platform's TLS certificate, or of that
    /// certificate itself: trusted for -PlatformUri's host and port only, for this call (a platform behind a private CA).
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PlatformCertificatePath { get; set; }

    /// <summary>The full path of -PlatformProfile (null without one): what a -PassThru object carries on.</summary>
    internal string? PlatformProfilePath =>
        PlatformProfile is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PlatformProfile);

    /// <summary>The platform target; a bad profile file stops the command (a failed precondition).</summary>
    internal PlatformTarget Target() => LoadTarget(this, PlatformUri, ApiToken, PlatformProfile, PlatformCertificatePath);

    /// <summary>
    /// A platform target for any cmdlet (also those where the platform is optional); a bad profile file
    /// stops <paramref name="cmdlet"/> (a failed precondition).
    /// </summary>
    internal static PlatformTarget LoadTarget(PSCmdlet cmdlet, Uri platformUri, SecureString apiToken, string? platformProfile, string? certificatePath = null)
    {
        PlatformProfile? profile = null;
        if (platformProfile is not null)
        {
            var path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(platformProfile);
            try
            {
                profile = path.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase)
                    ? Core.Platform.PlatformProfile.FromJson(PowerShellDataFileAsJson(cmdlet, path))
                    : Core.Platform.PlatformProfile.FromFile(path);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or RuntimeException)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "InvalidPlatformProfile", ErrorCategory.InvalidData, platformProfile)
                {
                    ErrorDetails = new ErrorDetails($"The platform profile '{platformProfile}' cannot be used: {ex.Message}")
                    {
                        RecommendedAction = "Fix the profile file (see docs/platform-profiles.md) or leave -PlatformProfile out for the default platform API.",
                    },
                });
            }
        }
        var profilePath = platformProfile is null ? null : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(platformProfile);
        return new PlatformTarget(platformUri, apiToken, profile, TrustedCertificate(cmdlet, certificatePath, profile, profilePath));
    }

    /// <summary>-PlatformCertificatePath, else the profile's certificatePath (relative to the profile file); an unreadable file stops the command.</summary>
    private static X509Certificate2? TrustedCertificate(PSCmdlet cmdlet, string? certificatePath, PlatformProfile? profile, string? profilePath)
    {
        string? path = null;
        if (certificatePath is not null) path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(certificatePath);
        else if (profile?.CertificatePath is { Length: > 0 } fromProfile && profilePath is not null)
            path = Path.Combine(Path.GetDirectoryName(profilePath) ?? "", fromProfile);
        if (path is null) return null;
        try
        {
            return new X509Certificate2(path);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "InvalidPlatformCertificate", ErrorCategory.InvalidData, path)
            {
                ErrorDetails = new ErrorDetails($"The platform certificate '{path}' cannot be read: {ex.Message}")
                {
                    RecommendedAction = "Give -PlatformCertificatePath (or the profile's certificatePath) a certificate file (.cer or .crt, DER or PEM) of the platform's CA or server; see docs/platform-profiles.md.",
                },
            });
            return null;
        }
    }

    private static string PowerShellDataFileAsJson(PSCmdlet cmdlet, string path)
    {
        var result = cmdlet.InvokeCommand.InvokeScript(
            "param($p) Import-PowerShellDataFile -LiteralPath $p | ConvertTo-Json -Depth 6 -Compress", true, PipelineResultTypes.None, null, path);
        return result.Count > 0 ? result[0].ToString() : throw new ArgumentException("The profile file is empty.");
    }
}
