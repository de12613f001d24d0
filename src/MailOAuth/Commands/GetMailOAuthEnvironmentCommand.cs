using System.Linq;
using System.Management.Automation;
using MailOAuth.Core.Diagnostics;
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
        var names = Name is { Length: > 0 } ? Name : new[] { "*" };
        var patterns = names.Select(Pattern).ToList();
        foreach (var name in Name ?? new string[0])
        {
            if (!IsWildcard(name) && !Session.Environments.Contains(name))
                WriteDiagnosis(DiagnosisCatalog.UnknownEnvironment(name, Session.Environments.KnownNames), name);
        }
        foreach (var env in Session.Environments.All.Where(e => patterns.Any(p => p.IsMatch(e.Name))))
            WriteObject(EnvironmentOutput.From(env));
    }

    /// <summary>
    /// A name is a wildcard pattern only when it is a valid one: '[' alone (an unclosed bracket) would
    /// make WildcardPattern throw at match time, so it is taken literally.
    /// </summary>
    private static bool IsWildcard(string name)
    {
        if (!WildcardPattern.ContainsWildcardCharacters(name)) return false;
        try
        {
            new WildcardPattern(name, WildcardOptions.IgnoreCase).IsMatch("");
            return true;
        }
        catch (WildcardPatternException)
        {
            return false;
        }
    }

    private static WildcardPattern Pattern(string name) =>
        new(IsWildcard(name) ? name : WildcardPattern.Escape(name), WildcardOptions.IgnoreCase);
}
