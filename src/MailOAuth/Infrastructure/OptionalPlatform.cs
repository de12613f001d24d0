using System;
using System.Management.Automation;
using System.Security;
using MailOAuth.Core.Platform;

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
