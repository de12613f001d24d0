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
    [ValidateClientId]
    public string ClientId { get; set; } = "";

    /// <summary>Also delete an app MailOAuth did not create.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing() => RequireConnection();

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"app {ClientId} in tenant {Session.Connection!.TenantId}", "Delete the application, its service principal and its Mail.Send grant")) return;
        try
        {
            Run(async ct => { await new AppProvisioner(Session).RemoveAsync(ClientId, Force, ct).ConfigureAwait(false); return true; });
        }
        catch (MailOAuthException ex)
        {
            WriteDiagnosis(ex, ClientId);
        }
    }
}
