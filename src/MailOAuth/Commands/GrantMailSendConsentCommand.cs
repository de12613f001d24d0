using System;
using System.Collections.Generic;
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
/// Only for apps MailOAuth manages, unless -Force; for an app it does not manage the change is confirmed
/// as High impact (Mail.Send lets the app send as any mailbox of the tenant).
/// </summary>
[Cmdlet(VerbsSecurity.Grant, "MailSendConsent", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ConsentSet)]
[OutputType(typeof(MailOAuthConsent), ParameterSetName = new[] { ConsentSet })]
[OutputType(typeof(MailOAuthConsentedApp), ParameterSetName = new[] { PassThruSet })]
public sealed class GrantMailSendConsentCommand : MailOAuthCmdlet
{
    private const string ConsentSet = "Consent";
    private const string PassThruSet = "PassThru";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("AppId", "ApplicationId")]
    [NormalizeIdentifier]
    [ValidateClientId]
    [ArgumentCompleter(typeof(AppCompleter))]
    public string ClientId { get; set; } = "";

    /// <summary>The app's secret: when given, the grant is proven with fresh app tokens.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSecretText]
    public SecureString? ClientSecret { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTimeOffset? SecretCreatedOn { get; set; }

    /// <summary>
    /// Tenant (default): tenant-wide admin consent. Mailbox: Exchange RBAC for Applications scoped to -SenderAddress,
    /// with the tenant-wide grant removed (docs/service-behaviour.md#exchange-rbac).
    /// </summary>
    [Parameter]
    [ValidateSet("Tenant", "Mailbox")]
    public string Scope { get; set; } = "Tenant";

    /// <summary>The mailbox -Scope Mailbox scopes to; otherwise carried onto the -PassThru object (and the error target).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Sender", "Mailbox")]
    [AllowNull]
    public string? SenderAddress { get; set; }

    /// <summary>The ID of the secret given with -ClientSecret, carried onto the -PassThru object and error targets.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public string? SecretKeyId { get; set; }

    /// <summary>The first characters of that secret, carried like SecretKeyId.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public string? SecretHint { get; set; }

    /// <summary>
    /// -Scope Mailbox: stage the scope on a live app. The Exchange assignment is made and tagged, the tenant-wide grant and the declared
    /// Mail.Send stay, so sending goes on while Exchange applies the assignment (docs/design.md#staged-scoping).
    /// </summary>
    [Parameter]
    public SwitchParameter KeepTenantGrant { get; set; }

    /// <summary>
    /// Grant also to an app MailOAuth did not create; with -Scope Mailbox, also remove a tenant-wide grant while the Exchange
    /// assignment is younger than 2 hours. Either is confirmed as a High-impact change.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = PassThruSet)]
    public SwitchParameter PassThru { get; set; }

    [Parameter]
    [ValidateRange(5, 3600)]
    public int ReplicationTimeoutSec { get; set; } = 300;

    protected override void BeginProcessing() => RequireConnection();

    protected override void ProcessRecord()
    {
        var connection = Session.Connection!;
        // Identifiers only: the secret stays in the object it came from (see MailOAuthTarget).
        var target = new MailOAuthTarget(connection.TenantId, ClientId, SecretKeyId, SecretHint, SenderAddress);
        var request = new GrantRequest
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            SecretCreatedOn = SecretCreatedOn,
            ReplicationBudget = TimeSpan.FromSeconds(ReplicationTimeoutSec),
            Force = Force,
        };
        var mailbox = string.Equals(Scope, "Mailbox", StringComparison.OrdinalIgnoreCase);
        if (mailbox && string.IsNullOrWhiteSpace(SenderAddress))
        {
            WriteError(ToErrorRecord(DiagnosisCatalog.SenderAddressRequired(), target));
            return;
        }
        if (KeepTenantGrant && !mailbox)
        {
            WriteError(ToErrorRecord(DiagnosisCatalog.KeepTenantGrantNeedsMailboxScope(), target));
            return;
        }
        if (mailbox)
        {
            Scoped(target, connection.Environment.Name, new ScopeRequest { ClientId = ClientId, Scope = SendScopeKind.Mailbox, SenderAddress = SenderAddress, Force = Force,
                KeepTenantGrant = KeepTenantGrant, ReplicationBudget = request.ReplicationBudget }, null);
            return;
        }
        // Read first: whether MailOAuth manages the app decides whether to refuse and how to confirm.
        Invoke(target, ct => new ConsentService(Session).ReadSubjectAsync(ClientId, Force, ct), subject =>
        {
            if (subject.IsMailboxScoped && !MyInvocation.BoundParameters.ContainsKey(nameof(Scope)))
            {
                // No -Scope on a scoped app (an onboarding script written before scoping, run again): never widen it silently.
                WriteWarning(DiagnosisCatalog.ScopeKeptWithoutScopeParameter(ClientId));
                return;
            }
            if (subject.IsMailboxScoped)
            {
                // -Scope Tenant on an app MailOAuth scoped to a mailbox: undo the scope (docs/service-behaviour.md#exchange-rbac).
                Scoped(target, connection.Environment.Name, new ScopeRequest { ClientId = ClientId, Scope = SendScopeKind.Tenant, Force = Force, ClientSecret = ClientSecret,
                    SecretCreatedOn = SecretCreatedOn, ReplicationBudget = request.ReplicationBudget }, subject);
                return;
            }
            if (!Confirm(subject, connection.TenantId)) return;
            Invoke(target, ct => new ConsentService(Session).GrantAsync(request, ct), outcome => Write(outcome, connection.Environment.Name));
        });
    }

    /// <summary>A scope change: planned (reads only), each write confirmed on its own, then the confirmed ones made.</summary>
    private void Scoped(MailOAuthTarget target, string environment, ScopeRequest request, GrantSubject? subject)
    {
        var service = new MailboxScopeService(Session);
        Invoke(target, ct => service.PlanAsync(request, ct), plan =>
        {
            var approved = new HashSet<ScopeStepKind>();
            foreach (var step in plan.Steps)
            {
                var ok = step.Kind == ScopeStepKind.RestoreTenantGrant && subject is not null
                    ? Confirm(subject, plan.TenantId)
                    : step.HighImpact
                        ? ConfirmHighImpact($"{step.Action}: {step.Target}.", step.Question!, "Remove the tenant-wide Mail.Send grant of an app in use")
                        : ShouldProcess(step.Target, step.Action);
                if (ok) approved.Add(step.Kind);
            }
            if (plan.Steps.Count > 0 && approved.Count == 0) return; // -WhatIf, or every step declined: nothing written
            Invoke(target, ct => service.ExecuteAsync(plan, approved, ct), outcome =>
            {
                if (outcome.SendScope != "None") Write(outcome, environment); // the assignment was declined: nothing was granted, nothing to pass on
            });
        });
    }

    private void Write(GrantOutcome outcome, string environment)
    {
        var consent = OutputMap.From(outcome);
        WriteObject(PassThru
            ? new MailOAuthConsentedApp(outcome.TenantId, ClientId, ClientSecret, SecretKeyId, SecretHint, SecretCreatedOn, SenderAddress, environment, consent)
            : consent);
    }

    /// <summary>
    /// ShouldProcess at the cmdlet's Medium impact for an app MailOAuth manages. For one it does not
    /// (only reached with -Force) the change is confirmed as High impact: PowerShell has no per-call
    /// impact, so when $ConfirmPreference is High (the default, which a Medium ShouldProcess does not
    /// prompt for) ShouldContinue asks; -Confirm:$false or $ConfirmPreference = 'None' skip it, as for
    /// any High-impact command.
    /// </summary>
    private bool Confirm(GrantSubject subject, string tenantId)
    {
        const string action = "Grant admin consent for Microsoft Graph Mail.Send (application permission)";
        if (subject.IsManaged) return ShouldProcess($"app {ClientId} in tenant {tenantId}", action);

        var what = $"app '{subject.DisplayName}' ({ClientId}) in tenant {tenantId}";

        var warning = $"'{subject.DisplayName}' ({ClientId}) was not created by MailOAuth. Tenant-wide Mail.Send lets it send as any mailbox in tenant {tenantId}.";
        return ConfirmHighImpact($"{action} to {what}, an app MailOAuth does not manage.", $"{warning} Grant it?", "Grant Mail.Send to an app MailOAuth does not manage");
    }

    /// <summary>A High-impact change in a Medium-impact cmdlet: ShouldProcess, then ShouldContinue when $ConfirmPreference is High (see <see cref="Confirm"/>).</summary>
    private bool ConfirmHighImpact(string description, string question, string caption)
    {
        if (!ShouldProcess(description, question, caption)) return false;
        if (MyInvocation.BoundParameters.ContainsKey("Confirm")) return true; // -Confirm prompted above; -Confirm:$false declines prompts
        var preference = LanguagePrimitives.TryConvertTo(GetVariableValue("ConfirmPreference"), out ConfirmImpact p) ? p : ConfirmImpact.High;
        if (preference != ConfirmImpact.High) return true; // None: never ask; Low/Medium: ShouldProcess already asked
        return ShouldContinue(question, caption);
    }
}
