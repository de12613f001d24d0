using System;
using System.Management.Automation;
using System.Security;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Infrastructure;
using MailOAuth.Output;
using MailOAuth.Validation;

namespace MailOAuth.Commands;

/// <summary>
/// Grants tenant-wide admin consent for Microsoft Graph Mail.Send (application permission) to an app:
/// the appRoleAssignment from its service principal to Microsoft Graph's. A no-op when already granted.
/// </summary>
[Cmdlet(VerbsSecurity.Grant, "MailSendConsent", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MailOAuthConsent), typeof(MailOAuthApp))]
public sealed class GrantMailSendConsentCommand : MailOAuthCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("AppId", "ApplicationId")]
    [NormalizeIdentifier]
    [ValidateClientId]
    public string ClientId { get; set; } = "";

    /// <summary>The app's secret: when given, the grant is proven with fresh app tokens.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SecureString? ClientSecret { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTimeOffset? SecretCreatedOn { get; set; }

    /// <summary>The object piped in (New-MailOAuthApp's output), passed on with -PassThru.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    [Parameter]
    [ValidateRange(5, 3600)]
    public int ReplicationTimeoutSec { get; set; } = 300;

    protected override void BeginProcessing() => RequireConnection();

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"app {ClientId} in tenant {Session.Connection!.TenantId}", "Grant admin consent for Microsoft Graph Mail.Send (application permission)")) return;
        var request = new GrantRequest
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            SecretCreatedOn = SecretCreatedOn,
            ReplicationBudget = TimeSpan.FromSeconds(ReplicationTimeoutSec),
        };
        try
        {
            var outcome = Run(ct => new ConsentService(Session).GrantAsync(request, ct));
            WriteObject(PassThru && InputObject is not null ? InputObject : OutputMap.From(outcome));
        }
        catch (MailOAuthException ex)
        {
            WriteDiagnosis(ex, (object?)InputObject ?? ClientId);
        }
    }
}
