using System.Management.Automation;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Platform;
using MailOAuth.Infrastructure;
using MailOAuth.Output;

namespace MailOAuth.Commands;

/// <summary>Shows what the platform's SMTP Email Settings hold (the secret's hint only).</summary>
[Cmdlet(VerbsCommon.Get, "ResellerSmtpSetting")]
[OutputType(typeof(ResellerSmtpSetting))]
public sealed class GetResellerSmtpSettingCommand : PlatformCmdlet
{
    protected override void ProcessRecord()
    {
        var target = Target();
        Invoke(PlatformUri, ct => new PlatformClient(Session).GetAsync(target, ct), view => WriteObject(OutputMap.From(PlatformUri, view)));
    }
}
