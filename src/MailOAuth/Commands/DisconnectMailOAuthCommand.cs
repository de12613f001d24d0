using System.Management.Automation;
using MailOAuth.Infrastructure;

namespace MailOAuth.Commands;

/// <summary>Forgets the admin connection (and its cached tokens) of this session.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "MailOAuth")]
[OutputType(typeof(void))]
public sealed class DisconnectMailOAuthCommand : MailOAuthCmdlet
{
    protected override void ProcessRecord()
    {
        if (Session.Connection is { } c) WriteVerbose($"Disconnecting from tenant {c.TenantId} ({c.Environment.Name}).");
        // Also drops the cached app credentials of Send-MailOAuthTest and friends (their secrets).
        Session.ForgetCredentials();
    }
}
