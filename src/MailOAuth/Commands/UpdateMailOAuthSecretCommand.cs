using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using MailOAuth.Core.Entra;
using MailOAuth.Infrastructure;
using MailOAuth.Output;
using MailOAuth.Validation;

namespace MailOAuth.Commands;

/// <summary>
/// Rotates an app's client secret without an outage: a new secret, proven by fresh tokens (and a send), stored
/// on the platform and proven by its test, and only then the superseded secrets removed.
/// </summary>
[Cmdlet(VerbsData.Update, "MailOAuthSecret", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MailOAuthRotatedSecret))]
public sealed class UpdateMailOAuthSecretCommand : OptionalPlatformCmdlet
{
    private readonly HashSet<string> _rotated = new(StringComparer.OrdinalIgnoreCase);

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("AppId", "ApplicationId")]
    [NormalizeIdentifier]
    [ValidateClientId]
    public string ClientId { get; set; } = "";

    [Parameter]
    [ValidateRange(1, 24)]
    public int SecretLifetimeMonths { get; set; } = 12;

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 100)]
    public string SecretDescription { get; set; } = "SMTP OAuth Secret";


    /// <summary>The mailbox to send as (with -To: a real send proves the new secret; with a platform: stored there).</summary>
    [Parameter]
    [Alias("Sender", "Mailbox")]
    [NormalizeIdentifier]
    [ValidateEmailAddress]
    public string? SenderAddress { get; set; }

    /// <summary>Recipients of the proof e-mail (and of the platform's test).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [NormalizeIdentifier]
    [ValidateEmailAddress]
    public string[]? To { get; set; }

    /// <summary>Remove no old secret.</summary>
    [Parameter]
    public SwitchParameter KeepPrevious { get; set; }

    [Parameter]
    [ValidateRange(5, 3600)]
    public int ReplicationTimeoutSec { get; set; } = 300;

    /// <summary>Also store the new secret in this Azure Key Vault (https://NAME.vault.azure.net), as a new version of its secret.</summary>
    [Parameter]
    [ValidateKeyVaultUri]
    public Uri? KeyVaultUri { get; set; }

    /// <summary>The Key Vault secret's name; default: from the app's display name, as New-MailOAuthApp.</summary>
    [Parameter]
    [ValidateKeyVaultSecretName]
    public string? KeyVaultSecretName { get; set; }

    protected override void BeginProcessing() => RequireConnection();

    protected override void ProcessRecord()
    {
        // Get-MailOAuthSecret writes one row per credential: an app is rotated once per pipeline.
        if (!_rotated.Add(ClientId))
        {
            WriteVerbose($"App {ClientId} was already rotated in this pipeline: skipped.");
            return;
        }
        var platform = OptionalTarget();
        var errorTarget = new MailOAuthTarget(Session.Connection!.TenantId, ClientId, platformUri: PlatformUri);
        var service = new SecretService(Session);
        var vault = KeyVaultParameters.Resolve(this, KeyVaultUri, KeyVaultSecretName);
        var request = Request(platform, approved: null, vault);
        RotationPlan? plan = null;
        Invoke(errorTarget, ct => service.PlanAsync(request, ct), p => plan = p);
        if (plan is null) return;
        foreach (var note in plan.Notes) WriteVerbose(note);

        // Every write is named before any is made; -WhatIf lists them all and writes nothing.
        var proof = To is { Length: > 0 } && SenderAddress is not null ? "fresh tokens and a test e-mail" : "fresh tokens";
        var add = ShouldProcess($"app '{plan.AppDisplayName}' ({ClientId})", $"Add a new client secret ({SecretLifetimeMonths} months) and prove it with {proof}");
        var store = platform is null || ShouldProcess($"SMTP Email Settings of {PlatformUri}",
            $"Store the new client secret (replacing {plan.PlatformHolds}) and run the platform's test");
        if (vault is not null && !ShouldProcess($"Key Vault {vault.VaultUri}", KeyVaultParameters.Action(plan.AppDisplayName, vault, ClientId)))
        {
            if (add && store) WriteVerbose("The Key Vault write was not confirmed: the new secret is only in the output (and on the platform, if any).");
            vault = null;
        }
        var approved = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var old in plan.Removals)
        {
            if (ShouldProcess($"secret {old.KeyId} ({old.Hint}…) of app {ClientId}", "Remove the superseded client secret once the new one is proven"))
                approved.Add(old.KeyId);
        }
        if (!add || !store) return;

        var rotation = Request(platform, approved, vault);
        Invoke(errorTarget, ct => service.RotateAsync(rotation, ct), outcome => WriteObject(OutputMap.From(outcome)));
    }

    private RotateRequest Request(Core.Platform.PlatformTarget? platform, ISet<string>? approved, Core.KeyVault.KeyVaultRequest? vault) => new()
    {
        ClientId = ClientId,
        SecretDescription = SecretDescription,
        SecretLifetimeMonths = SecretLifetimeMonths,
        Platform = platform,
        SenderAddress = SenderAddress,
        To = To?.ToList() ?? new List<string>(),
        KeepPrevious = KeepPrevious,
        ApprovedRemovals = approved,
        ReplicationBudget = TimeSpan.FromSeconds(ReplicationTimeoutSec),
        KeyVault = vault,
    };
}
