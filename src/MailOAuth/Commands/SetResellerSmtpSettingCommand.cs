using System;
using System.Management.Automation;
using System.Security;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Platform;
using MailOAuth.Infrastructure;
using MailOAuth.Output;
using MailOAuth.Validation;

namespace MailOAuth.Commands;

/// <summary>
/// Stores tenant ID, client ID, client secret and sender mailbox in the platform's Admin → Reseller
/// Settings → SMTP Email Settings (step 4 of the manual procedure).
/// </summary>
[Cmdlet(VerbsCommon.Set, "ResellerSmtpSetting", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = SettingSet)]
[OutputType(typeof(ResellerSmtpSetting), ParameterSetName = new[] { SettingSet })]
[OutputType(typeof(ResellerSmtpConfiguredApp), ParameterSetName = new[] { PassThruSet })]
public sealed class SetResellerSmtpSettingCommand : PlatformCmdlet
{
    private const string SettingSet = "Setting";
    private const string PassThruSet = "PassThru";

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

    /// <summary>The ID of the secret given with -ClientSecret, carried onto the -PassThru object and error targets.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public string? SecretKeyId { get; set; }

    /// <summary>The first characters of that secret, carried like SecretKeyId.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public string? SecretHint { get; set; }

    /// <summary>When the secret was created: carried onto the -PassThru object, so the test that follows waits for a new grant.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTimeOffset? SecretCreatedOn { get; set; }

    /// <summary>The app's cloud: carried onto the -PassThru object for Send-MailOAuthTest.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Environment { get; set; } = "Global";

    [Parameter(Mandatory = true, ParameterSetName = PassThruSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var target = Target();
        if (!ShouldProcess($"SMTP Email Settings of {PlatformUri}", $"Store tenant {TenantId}, client {ClientId}, sender {SenderAddress} and the client secret")) return;
        var input = new SmtpSettingsInput { TenantId = TenantId, ClientId = ClientId, ClientSecret = ClientSecret, SenderAddress = SenderAddress };
        // Identifiers only: on failure the secret stays in the object it came from (see MailOAuthTarget).
        var errorTarget = new MailOAuthTarget(TenantId, ClientId, SecretKeyId, SecretHint, SenderAddress, PlatformUri);
        Invoke(errorTarget, ct => new PlatformClient(Session).SetAsync(target, input, ct), result =>
        {
            var stored = OutputMap.From(PlatformUri, result);
            // A new object with the values this save used; the piped object is never changed.
            WriteObject(PassThru
                ? new ResellerSmtpConfiguredApp(PlatformUri, PlatformProfilePath, ApiToken, TenantId, ClientId, ClientSecret, SenderAddress,
                    SecretKeyId, SecretHint, SecretCreatedOn, Environment, stored)
                : stored);
        });
    }
}
