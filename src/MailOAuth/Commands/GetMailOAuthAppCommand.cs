using System.Management.Automation;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Infrastructure;
using MailOAuth.Output;
using MailOAuth.Validation;

namespace MailOAuth.Commands;

/// <summary>Shows apps with their consent state and secrets (expiry and days left, never values).</summary>
[Cmdlet(VerbsCommon.Get, "MailOAuthApp", DefaultParameterSetName = Managed)]
[OutputType(typeof(MailOAuthAppInfo))]
public sealed class GetMailOAuthAppCommand : MailOAuthCmdlet
{
    private const string Managed = "Managed";
    private const string ById = "ClientId";
    private const string ByName = "DisplayName";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ById)]
    [Alias("AppId", "ApplicationId")]
    [NormalizeIdentifier]
    [ValidateClientId]
    [ArgumentCompleter(typeof(AppCompleter))]
    public string? ClientId { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ByName)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(AppCompleter))]
    public string? DisplayName { get; set; }

    protected override void BeginProcessing() => RequireConnection();

    protected override void ProcessRecord()
    {
        Invoke((object?)ClientId ?? DisplayName, ct => new AppProvisioner(Session).GetAsync(ClientId, DisplayName, ct), apps =>
        {
            foreach (var app in apps) WriteObject(OutputMap.From(app));
        });
    }
}
