using System;
using System.Management.Automation;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Infrastructure;
using MailOAuth.Output;
using MailOAuth.Validation;

namespace MailOAuth.Commands;

/// <summary>
/// Registers the "Email OAuth" app (single tenant, no redirect URI, Mail.Send declared), its service
/// principal and a new client secret — or completes and reuses the one MailOAuth made before.
/// </summary>
[Cmdlet(VerbsCommon.New, "MailOAuthApp", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MailOAuthApp))]
public sealed class NewMailOAuthAppCommand : MailOAuthCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 120)]
    [ValidateDisplayName]
    public string DisplayName { get; set; } = "Email OAuth";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 100)]
    public string SecretDescription { get; set; } = "SMTP OAuth Secret";

    [Parameter]
    [ValidateRange(1, 24)]
    public int SecretLifetimeMonths { get; set; } = 12;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Sender", "Mailbox")]
    [NormalizeIdentifier]
    [ValidateEmailAddress]
    public string? SenderAddress { get; set; }

    /// <summary>Adopt an app of the same name that MailOAuth did not create.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateRange(5, 3600)]
    public int ReplicationTimeoutSec { get; set; } = 300;

    /// <summary>Also store the new secret in this Azure Key Vault (https://NAME.vault.azure.net), for runbooks to read.</summary>
    [Parameter]
    [ValidateKeyVaultUri]
    public Uri? KeyVaultUri { get; set; }

    /// <summary>The Key Vault secret's name; default: the display name with other characters than letters and digits made hyphens.</summary>
    [Parameter]
    [ValidateKeyVaultSecretName]
    public string? KeyVaultSecretName { get; set; }

    protected override void BeginProcessing() => RequireConnection();

    protected override void ProcessRecord()
    {
        var tenant = Session.Connection!.TenantId;
        var vault = KeyVaultParameters.Resolve(this, KeyVaultUri, KeyVaultSecretName);
        var create = ShouldProcess($"application '{DisplayName}' in tenant {tenant}", "Create or complete the app, its service principal and a new client secret");
        // Named before anything is written; -WhatIf lists it too. Declined: the app is made without the vault copy.
        if (vault is not null && !ShouldProcess($"Key Vault {vault.VaultUri}", KeyVaultParameters.Action(DisplayName, vault, null)))
        {
            if (create) WriteVerbose("The Key Vault write was not confirmed: the new secret is only in the output.");
            vault = null;
        }
        if (!create) return;
        var request = new NewAppRequest
        {
            DisplayName = DisplayName,
            SecretDescription = SecretDescription,
            SecretLifetimeMonths = SecretLifetimeMonths,
            SenderAddress = SenderAddress,
            Force = Force,
            ReplicationBudget = TimeSpan.FromSeconds(ReplicationTimeoutSec),
            KeyVault = vault,
        };
        Invoke(DisplayName, ct => new AppProvisioner(Session).NewAsync(request, ct), outcome => WriteObject(OutputMap.From(outcome)));
    }
}
