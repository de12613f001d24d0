using System;
using System.Linq;
using System.Management.Automation;
using System.Security;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Mail;
using MailOAuth.Infrastructure;
using MailOAuth.Output;
using MailOAuth.Validation;

namespace MailOAuth.Commands;

/// <summary>
/// Sends a test message through Microsoft Graph with an app's client credentials, proving that
/// tenant, client ID, secret and sender mailbox work together; explains exactly why when they do not.
/// </summary>
[Cmdlet(VerbsCommunications.Send, "MailOAuthTest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(MailOAuthTestResult))]
public sealed class SendMailOAuthTestCommand : MailOAuthCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [NormalizeIdentifier]
    [ValidateTenantId]
    public string TenantId { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("AppId", "ApplicationId")]
    [NormalizeIdentifier]
    [ValidateClientId]
    public string ClientId { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [ValidateSecretText]
    public SecureString ClientSecret { get; set; } = null!;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Sender", "Mailbox")]
    [NormalizeIdentifier]
    [ValidateEmailAddress]
    public string SenderAddress { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [NormalizeIdentifier]
    [ValidateEmailAddress]
    public string[] To { get; set; } = null!;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Subject { get; set; } = "MailOAuth test message";

    [Parameter]
    public string? Body { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [NormalizeIdentifier]
    [ValidateEmailAddress]
    public string? From { get; set; }

    /// <summary>When the secret was created (New-MailOAuthApp output): a new grant may reach Exchange late.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTimeOffset? SecretCreatedOn { get; set; }

    [Parameter]
    [ValidateRange(5, 3600)]
    public int ReplicationTimeoutSec { get; set; } = 300;

    /// <summary>Send even when the token carries no Mail.Send role (Exchange RBAC for Applications).</summary>
    [Parameter]
    public SwitchParameter SkipRoleCheck { get; set; }

    /// <summary>
    /// How the app's Mail.Send is scoped (Get-MailOAuthApp's SendScope): with "Mailbox: x@y" (or "Mailbox") the token's missing
    /// Mail.Send role is expected, and a denial is told apart by <see cref="ScopeAssignedOn"/> (docs/service-behaviour.md#exchange-rbac).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSendScope]
    public string? SendScope { get; set; }

    /// <summary>When the Exchange assignment was made (Get-MailOAuthApp's ScopeAssignedOn): within 2 hours a denial means "not applied yet".</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTimeOffset? ScopeAssignedOn { get; set; }

    /// <summary>Prove the negative: the sender is outside the scope, so 403 ErrorAccessDenied is success and an accepted send is an error.</summary>
    [Parameter]
    public SwitchParameter ExpectDenied { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Environment { get; set; } = "Global";

    protected override void ProcessRecord()
    {
        RequireEnvironment(Environment);
        var action = ExpectDenied
            ? $"Send a test message to {string.Join(", ", To)} (expected to be denied: the mailbox should be outside the app's scope)"
            : $"Send a test message to {string.Join(", ", To)}";
        if (!ShouldProcess($"mailbox {SenderAddress} in tenant {TenantId}", action)) return;
        MailSendScope.TryParse(SendScope, out var scope);

        var request = new MailTestRequest
        {
            TenantId = TenantId,
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            SenderAddress = SenderAddress,
            To = To,
            Subject = Subject,
            Body = Body,
            From = string.IsNullOrEmpty(From) ? null : From,
            EnvironmentName = Environment,
            ProvisionedAt = SecretCreatedOn,
            PropagationBudget = TimeSpan.FromSeconds(ReplicationTimeoutSec),
            SkipRoleCheck = SkipRoleCheck,
            SendScope = scope,
            ScopeAssignedOn = ScopeAssignedOn,
            ExpectDenied = ExpectDenied,
        };
        Invoke(SenderAddress, ct => new MailTestService(Session).SendAsync(request, ct), outcome => WriteObject(OutputMap.From(outcome)));
    }
}
