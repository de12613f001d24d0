using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using MailOAuth.Core;

namespace MailOAuth.Infrastructure;

/// <summary>
/// One <see cref="MailOAuthSession"/> per runspace. Keyed weakly on the runspace, so two runspaces side
/// by side never share clouds, connections or tokens. A session is released (its connection, cached
/// credentials and HTTP pools disposed) as soon as its runspace closes or breaks — not only when the
/// runspace object is collected, which a host holding on to it may delay indefinitely.
/// </summary>
internal static class SessionRegistry
{
    private static readonly ConditionalWeakTable<Runspace, MailOAuthSession> s_sessions = new();

    public static MailOAuthSession For(Runspace runspace) => s_sessions.GetValue(runspace, Create);

    private static MailOAuthSession Create(Runspace runspace)
    {
        runspace.StateChanged += OnStateChanged;
        return new MailOAuthSession();
    }

    private static void OnStateChanged(object? sender, RunspaceStateEventArgs e)
    {
        if (sender is not Runspace runspace || e.RunspaceStateInfo.State is not (RunspaceState.Closed or RunspaceState.Broken)) return;
        runspace.StateChanged -= OnStateChanged;
        Release(runspace);
    }

    /// <summary>Forgets and disposes the session of <paramref name="runspace"/>, if it has one.</summary>
    internal static void Release(Runspace runspace)
    {
        if (!s_sessions.TryGetValue(runspace, out var session)) return;
        s_sessions.Remove(runspace);
        session.Connection = null;
        session.Dispose();
    }

    /// <summary>
    /// Forgets (and disposes) a runspace's session: its connection, cached app credentials and clouds.
    /// Called when the module is removed, so Remove-Module / Import-Module -Force starts clean.
    /// </summary>
    public static void Forget(Runspace? runspace)
    {
        if (runspace is not null) Release(runspace);
    }
}
