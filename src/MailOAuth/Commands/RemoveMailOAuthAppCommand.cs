using System.Management.Automation;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Infrastructure;
using MailOAuth.Validation;

namespace MailOAuth.Commands;

/// <summary>Deletes an app MailOAuth manages (its service principal and Mail.Send grant go with it).</summary>
[Cmdlet(VerbsCommon.Remove, "MailOAuthApp", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveMailOAuthAppCommand : MailOAuthCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("AppId", "ApplicationId")]
    [NormalizeIdentifier]
    [ValidateClientId]
    [ArgumentCompleter(typeof(AppCompleter))]
    public string ClientId { get; set; } = "";

    /// <summary>Also delete an app MailOAuth did not create.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Also remove it from Entra's deleted items (no restore; its name's alternate key is freed).</summary>
    [Parameter]
    public SwitchParameter Permanent { get; set; }

    protected override void BeginProcessing() => RequireConnection();

    protected override void ProcessRecord()
    {
        var action = Permanent
            ? "Delete the application, its service principal and its Mail.Send grant permanently (no restore from deleted items)"
            : "Delete the application, its service principal and its Mail.Send grant (restorable from Entra's deleted items for 30 days)";
        if (!ShouldProcess($"app {ClientId} in tenant {Session.Connection!.TenantId}", action)) return;
        Invoke(ClientId, ct => new AppProvisioner(Session).RemoveAsync(ClientId, Force, Permanent, ct));
    }
}
