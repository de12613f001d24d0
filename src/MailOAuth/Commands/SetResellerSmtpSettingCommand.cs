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
[Cmdlet(VerbsCommon.Set, "ResellerSmtpSetting", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ResellerSmtpSetting), typeof(PSObject))]
public sealed class SetResellerSmtpSettingCommand : PlatformCmdlet
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
    public SecureString ClientSecret { get; set; } = null!;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Sender", "Mailbox")]
    [NormalizeIdentifier]
    [ValidateEmailAddress]
    public string SenderAddress { get; set; } = "";

    /// <summary>The object piped in (New-MailOAuthApp's output), passed on with -PassThru.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var target = Target();
        if (!ShouldProcess($"SMTP Email Settings of {PlatformUri}", $"Store tenant {TenantId}, client {ClientId}, sender {SenderAddress} and the client secret")) return;
        var input = new SmtpSettingsInput { TenantId = TenantId, ClientId = ClientId, ClientSecret = ClientSecret, SenderAddress = SenderAddress };
        try
        {
            var stored = Run(ct => new PlatformClient(Session).SetAsync(target, input, ct));
            WriteObject(PassThru ? PassOn() : OutputMap.From(PlatformUri, stored));
        }
        catch (MailOAuthException ex)
        {
            // The target keeps the new secret reachable for the caller ("Nothing lost").
            WriteDiagnosis(ex, PassOn());
        }
    }

    /// <summary>
    /// The input, plus where the platform is, so that Send-ResellerTestEmail (or Send-MailOAuthTest)
    /// can follow in the same pipeline.
    /// </summary>
    private PSObject PassOn()
    {
        var output = InputObject is not null ? InputObject.Copy() : new PSObject();
        void Set(string name, object? value)
        {
            if (output.Properties[name] is null) output.Properties.Add(new PSNoteProperty(name, value));
        }
        Set("TenantId", TenantId);
        Set("ClientId", ClientId);
        Set("ClientSecret", ClientSecret);
        Set("SenderAddress", SenderAddress);
        Set("PlatformUri", PlatformUri);
        Set("ApiToken", ApiToken);
        if (PlatformProfile is not null) Set("PlatformProfile", PlatformProfile);
        return output;
    }
}
