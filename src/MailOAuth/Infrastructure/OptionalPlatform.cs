using System;
using System.Management.Automation;
using System.Security;
using MailOAuth.Core.Platform;
using MailOAuth.Validation;

namespace MailOAuth.Infrastructure;

/// <summary>-PlatformUri with -ApiToken where the platform is optional (the secret cmdlets): both or neither.</summary>
internal static class OptionalPlatform
{
    /// <summary>The platform target, or null without -PlatformUri; one of the pair without the other stops the command.</summary>
    public static PlatformTarget? Resolve(PSCmdlet cmdlet, Uri? platformUri, SecureString? apiToken, string? platformProfile)
    {
        if (platformUri is null && apiToken is null) return null;
        if (platformUri is null || apiToken is null)
        {
            var missing = platformUri is null ? "-PlatformUri" : "-ApiToken";
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException($"{missing} is missing: the platform needs both -PlatformUri and -ApiToken."),
                "PlatformParameterMissing", ErrorCategory.InvalidArgument, null)
            {
                ErrorDetails = new ErrorDetails($"{missing} is missing: the platform needs both -PlatformUri and -ApiToken (or leave both out).")
                {
                    RecommendedAction = "Give both, or pipe Set-ResellerSmtpSetting -PassThru's object, which carries them.",
                },
            });
        }
        return PlatformCmdlet.LoadTarget(cmdlet, platformUri!, apiToken!, platformProfile);
    }
}

/// <summary>
/// The base of cmdlets where the platform is optional (the secret cmdlets): -PlatformUri, -ApiToken and
/// -PlatformProfile declared once, both-or-neither resolved by <see cref="OptionalPlatform"/>.
/// </summary>
public abstract class OptionalPlatformCmdlet : MailOAuthCmdlet
{
    /// <summary>The platform's base address; with -ApiToken, the platform's stored secret is taken into account.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidatePlatformUri]
    public Uri? PlatformUri { get; set; }

    /// <summary>The platform API token (with -PlatformUri).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSecretText]
    public SecureString? ApiToken { get; set; }

    /// <summary>A profile file for a platform whose API names paths and fields differently.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [ValidateOptionalPath]
    public string? PlatformProfile { get; set; }

    /// <summary>The platform target, or null without a platform; one of -PlatformUri/-ApiToken alone stops the command.</summary>
    internal PlatformTarget? OptionalTarget() => OptionalPlatform.Resolve(this, PlatformUri, ApiToken, PlatformProfile);
}
