using System;
using System.Linq;
using System.Management.Automation;
using System.Security;
using MailOAuth.Core.Checks;
using MailOAuth.Infrastructure;
using MailOAuth.Output;
using MailOAuth.Validation;

namespace MailOAuth.Commands;

/// <summary>
/// Checks an existing setup end to end — tenant, credential, permission, app registration, consent,
/// secret expiry and policy, sender, and optionally a real send and the platform — and writes one
/// MailOAuthCheck per check as it completes. Never stops at the first problem; sends mail only with -To.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MailOAuthConfiguration", DefaultParameterSetName = CheckSet)]
[OutputType(typeof(MailOAuthCheck), ParameterSetName = new[] { CheckSet })]
[OutputType(typeof(bool), ParameterSetName = new[] { QuietSet })]
public sealed class TestMailOAuthConfigurationCommand : MailOAuthCmdlet
{
    private const string CheckSet = "Check";
    private const string QuietSet = "Quiet";

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

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [NormalizeIdentifier]
    [ValidateEmailAddress]
    public string? From { get; set; }

    /// <summary>Send one real test message (and, with -PlatformUri, the platform's own test) to these recipients.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [NormalizeIdentifier]
    [ValidateEmailAddress]
    public string[]? To { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Environment { get; set; } = "Global";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidatePlatformUri]
    public Uri? PlatformUri { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSecretText]
    public SecureString? ApiToken { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [ValidateOptionalPath]
    public string? PlatformProfile { get; set; }

    /// <summary>DNS servers (host or host:port) for the SPF, DKIM and DMARC lookups; default: the system resolver.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? DnsServer { get; set; }

    /// <summary>Leave out the SPF, DKIM and DMARC checks.</summary>
    [Parameter]
    public SwitchParameter SkipDns { get; set; }

    /// <summary>Write only $true (no check failed) or $false, like Test-Connection -Quiet.</summary>
    [Parameter(Mandatory = true, ParameterSetName = QuietSet)]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        RequireEnvironment(Environment);
        if (PlatformUri is not null && ApiToken is null)
            WriteWarning("-PlatformUri was given without -ApiToken: the Platform and PlatformTest checks are skipped.");
        var request = new ConfigurationCheckRequest
        {
            TenantId = TenantId,
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            SenderAddress = SenderAddress,
            From = string.IsNullOrEmpty(From) ? null : From,
            To = To ?? Array.Empty<string>(),
            EnvironmentName = Environment,
            Platform = PlatformUri is not null && ApiToken is not null ? PlatformCmdlet.LoadTarget(this, PlatformUri, ApiToken, PlatformProfile) : null,
            DnsServers = DnsServer,
            SkipDns = SkipDns,
        };
        var target = new MailOAuthTarget(TenantId, ClientId, senderAddress: SenderAddress, platformUri: PlatformUri);
        IDnsCheck? dns = SkipDns ? null : new DnsCheck(Session);
        InvokeStreaming<CheckResult, System.Collections.Generic.IReadOnlyList<CheckResult>>(target,
            (onResult, ct) => new ConfigurationCheckService(Session).RunAsync(request, dns, onResult, ct),
            result => { if (!Quiet) WriteObject(OutputMap.From(result, TenantId, ClientId, SenderAddress)); },
            all => { if (Quiet) WriteObject(all.All(r => r.Status != CheckStatus.Fail)); });
    }
}
