using System;
using System.Management.Automation;
using System.Security;
using MailOAuth.Core.Entra;
using MailOAuth.Infrastructure;
using MailOAuth.Output;
using MailOAuth.Validation;

namespace MailOAuth.Commands;

/// <summary>
/// Removes one client secret of an app. Refuses the secret the given platform uses, and (without -Force) a
/// secret of an app MailOAuth does not manage.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "MailOAuthSecret", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveMailOAuthSecretCommand : OptionalPlatformCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("AppId", "ApplicationId")]
    [NormalizeIdentifier]
    [ValidateClientId]
    public string ClientId { get; set; } = "";

    /// <summary>The secret's ID (keyId), as Get-MailOAuthSecret shows it.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("SecretKeyId")]
    [NormalizeIdentifier]
    [ValidateNotNullOrEmpty]
    public string KeyId { get; set; } = "";

    /// <summary>Also on an app MailOAuth does not manage.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }


    protected override void BeginProcessing() => RequireConnection();

    protected override void ProcessRecord()
    {
        var request = new RemoveSecretRequest
        {
            ClientId = ClientId,
            KeyId = KeyId,
            Force = Force,
            Platform = OptionalTarget(),
        };
        var service = new SecretService(Session);
        var errorTarget = new MailOAuthTarget(Session.Connection!.TenantId, ClientId, KeyId, platformUri: PlatformUri);
        // Refusals (the platform's secret, an unmanaged app) come before the confirmation.
        MailOAuthSecret? secret = null;
        Invoke(errorTarget, ct => service.ReadForRemovalAsync(request, ct), s => secret = OutputMap.From(s));
        if (secret is null) return;
        if (!ShouldProcess($"secret {KeyId} ({secret.Hint}…, '{secret.Description}') of app '{secret.AppDisplayName}' ({ClientId})",
            "Remove the client secret (anything that still signs in with it stops working)")) return;
        Invoke(errorTarget, ct => service.RemoveAsync(request, ct));
    }
}
