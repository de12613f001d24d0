using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using MailOAuth.Core;

namespace MailOAuth.Infrastructure;

/// <summary>
/// One <see cref="MailOAuthSession"/> per runspace. Keyed weakly on the runspace, so two runspaces side
/// by side never share clouds, connections or tokens, and a closed runspace's session goes with it.
/// </summary>
internal static class SessionRegistry
{
    private static readonly ConditionalWeakTable<Runspace, MailOAuthSession> s_sessions = new();

    public static MailOAuthSession For(Runspace runspace) => s_sessions.GetValue(runspace, _ => new MailOAuthSession());
}
