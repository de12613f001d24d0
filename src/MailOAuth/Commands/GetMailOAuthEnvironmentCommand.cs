using System.Linq;
using System.Management.Automation;
using MailOAuth.Infrastructure;
using MailOAuth.Output;

namespace MailOAuth.Commands;

/// <summary>Lists the clouds MailOAuth knows in this session: Global, USGov, USGovDoD, China and custom ones.</summary>
[Cmdlet(VerbsCommon.Get, "MailOAuthEnvironment")]
[OutputType(typeof(MailOAuthEnvironmentInfo))]
public sealed class GetMailOAuthEnvironmentCommand : MailOAuthCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var patterns = (Name is { Length: > 0 } ? Name : new[] { "*" })
            .Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        foreach (var name in Name ?? new string[0])
        {
            if (!WildcardPattern.ContainsWildcardCharacters(name) && !Session.Environments.Contains(name))
                WriteError(new ErrorRecord(new ItemNotFoundException($"There is no environment named '{name}'."),
                    "EnvironmentNotFound", ErrorCategory.ObjectNotFound, name));
        }
        foreach (var env in Session.Environments.All.Where(e => patterns.Any(p => p.IsMatch(e.Name))))
            WriteObject(EnvironmentOutput.From(env));
    }
}
