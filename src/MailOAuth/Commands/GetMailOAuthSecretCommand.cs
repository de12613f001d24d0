using System;
using System.Management.Automation;
using System.Security;
using MailOAuth.Core.Entra;
using MailOAuth.Infrastructure;
using MailOAuth.Output;
using MailOAuth.Validation;

namespace MailOAuth.Commands;

/// <summary>
/// Lists the client secrets (and certificates and federated credentials) of the apps MailOAuth manages, of
/// one app, or with -All of every app holding Mail.Send: expiry, days left, status, and whether a platform uses it.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MailOAuthSecret", DefaultParameterSetName = Managed)]
[OutputType(typeof(MailOAuthSecret))]
public sealed class GetMailOAuthSecretCommand : OptionalPlatformCmdlet
{
    private const string Managed = "Managed";
    private const string ById = "ClientId";
    private const string ByName = "DisplayName";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ById)]
    [Alias("AppId", "ApplicationId")]
    [NormalizeIdentifier]
    [ValidateClientId]
    public string? ClientId { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ByName)]
    [ValidateNotNullOrEmpty]
    public string? DisplayName { get; set; }

    /// <summary>Also every app of the tenant holding Mail.Send (application), managed by MailOAuth or not.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Only credentials that expire within this many days (expired ones included).</summary>
    [Parameter]
    [ValidateRange(0, 3650)]
    public int? ExpiringWithinDays { get; set; }


    protected override void BeginProcessing() => RequireConnection();

    protected override void ProcessRecord()
    {
        var query = new SecretQuery
        {
            ClientId = ClientId,
            DisplayName = DisplayName,
            All = All,
            ExpiringWithinDays = ExpiringWithinDays,
            Platform = OptionalTarget(),
        };
        Invoke((object?)ClientId ?? DisplayName, ct => new SecretService(Session).ListAsync(query, ct), rows =>
        {
            foreach (var row in rows) WriteObject(OutputMap.From(row));
        });
    }
}
