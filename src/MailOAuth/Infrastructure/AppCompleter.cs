using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using MailOAuth.Core.Entra;

namespace MailOAuth.Infrastructure;

/// <summary>
/// Tab completion for -DisplayName and -ClientId: the apps MailOAuth manages in the connected tenant
/// (bounded in time and cached per connection by Core's <see cref="AppCompletion"/>; nothing when not connected).
/// For -ClientId, a typed name also completes to its app's client ID.
/// </summary>
public sealed class AppCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var runspace = Runspace.DefaultRunspace;
        if (runspace is null) return Array.Empty<CompletionResult>();
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        var apps = new AppCompletion(SessionRegistry.For(runspace)).GetApps();
        var byName = string.Equals(parameterName, "DisplayName", StringComparison.OrdinalIgnoreCase);
        return byName
            ? apps.Where(a => a.DisplayName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .GroupBy(a => a.DisplayName, StringComparer.OrdinalIgnoreCase)
                .Select(g => new CompletionResult(Quote(g.Key), g.Key, CompletionResultType.ParameterValue,
                    $"{g.Key} ({string.Join(", ", g.Select(a => a.ClientId))})"))
                .ToList()
            : apps.Where(a => a.ClientId.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                    || a.DisplayName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(a => new CompletionResult(a.ClientId, $"{a.ClientId} {a.DisplayName}", CompletionResultType.ParameterValue,
                    $"{a.DisplayName} ({a.ClientId})"))
                .ToList();
    }

    /// <summary>A name as the prompt needs it: single-quoted (quotes doubled) when it holds anything but letters, digits, '-', '_' or '.'.</summary>
    private static string Quote(string name) =>
        name.Length > 0 && name.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.') ? name : "'" + name.Replace("'", "''") + "'";
}
