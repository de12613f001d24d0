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

    /// <summary>
    /// Forgets (and disposes) a runspace's session: its connection, cached app credentials and clouds.
    /// Called when the module is removed, so Remove-Module / Import-Module -Force starts clean.
    /// </summary>
    public static void Forget(Runspace? runspace)
    {
        if (runspace is null) return;
        if (s_sessions.TryGetValue(runspace, out var session))
        {
            s_sessions.Remove(runspace);
            session.Dispose();
        }
    }
}
