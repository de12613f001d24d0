using System;
using System.Linq;
using System.Management.Automation;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Platform;
using MailOAuth.Infrastructure;
using MailOAuth.Output;
using MailOAuth.Validation;

namespace MailOAuth.Commands;

/// <summary>
/// Triggers the platform's own test e-mail (step 5 of the manual procedure) and reports it delivered,
/// or the error the platform's page would show at its top, explained.
/// </summary>
[Cmdlet(VerbsCommunications.Send, "ResellerTestEmail", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ResellerTestResult))]
public sealed class SendResellerTestEmailCommand : PlatformCmdlet
{
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [NormalizeIdentifier]
    [ValidateEmailAddress]
    public string[] To { get; set; } = null!;

    /// <summary>When the app's secret was created (piped from New-MailOAuthApp): a new grant may reach Exchange late.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTimeOffset? SecretCreatedOn { get; set; }

    [Parameter]
    [ValidateRange(5, 3600)]
    public int ReplicationTimeoutSec { get; set; } = 300;

    protected override void ProcessRecord()
    {
        var target = Target();
        if (!ShouldProcess($"platform {PlatformUri}", $"Send the platform's test e-mail to {string.Join(", ", To)}")) return;
        Invoke(PlatformUri, ct => new PlatformClient(Session).TestAsync(target, To, SecretCreatedOn, TimeSpan.FromSeconds(ReplicationTimeoutSec), ct),
            outcome => WriteObject(OutputMap.From(PlatformUri, outcome)));
    }
}
