using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace MailOAuth.Infrastructure;

/// <summary>Tab completion for -Environment: the names known to this session.</summary>
public sealed class EnvironmentNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return SessionRegistry.For(Runspace.DefaultRunspace).Environments.All
            .Where(e => e.Name.StartsWith(prefix, System.StringComparison.OrdinalIgnoreCase))
            .Select(e => new CompletionResult(e.Name, e.Name, CompletionResultType.ParameterValue,
                $"{e.Name}: {e.AuthorityHost} / {e.GraphEndpoint}"));
    }
}
