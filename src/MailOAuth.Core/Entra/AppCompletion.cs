using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;

namespace MailOAuth.Core.Entra;

/// <summary>An app offered by tab completion: its name and client ID.</summary>
public sealed class AppCompletionItem
{
    public string DisplayName { get; init; } = "";
    public string ClientId { get; init; } = "";
}

/// <summary>
/// The apps MailOAuth manages in the connected tenant, for tab completion of -DisplayName and -ClientId.
/// A prompt must never hang on the network: a lookup waits at most <see cref="Budget"/> (on the session's
/// clock), and what it finds is kept per connection for <see cref="CacheLifetime"/>, so the next Tab answers at
/// once. A lookup still running when the budget ends goes on and fills the cache for the next Tab. A failed
/// lookup (no permission, no answer) offers nothing and is kept too, so each Tab does not try again. Without
/// a connection nothing is offered and nothing is sent.
/// </summary>
public sealed class AppCompletion
{
    /// <summary>How long one Tab waits for the directory at most.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    /// <summary>How long a lookup's answer is reused for the same connection.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(60);

    /// <summary>The longest a lookup runs in the background after the Tab that started it has given up.</summary>
    private static readonly TimeSpan s_lookupLimit = TimeSpan.FromSeconds(30);

    /// <summary>One lookup per connection; the entry goes with the connection (a new connection starts empty).</summary>
    private static readonly ConditionalWeakTable<AdminConnection, Entry> s_cache = new();

    private readonly MailOAuthSession _session;

    public AppCompletion(MailOAuthSession session) => _session = session;

    /// <summary>
    /// The managed apps of the session's connection, waiting at most <see cref="Budget"/>; empty when not
    /// connected, when the lookup failed, or when it has not answered within the budget.
    /// </summary>
    public IReadOnlyList<AppCompletionItem> GetApps()
    {
        var connection = _session.Connection;
        if (connection is null) return Array.Empty<AppCompletionItem>();
        var time = _session.TimeProvider;
        var now = time.GetUtcNow();
        Entry entry;
        lock (s_cache)
        {
            if (!s_cache.TryGetValue(connection, out entry!) || now - entry.StartedAt >= CacheLifetime)
            {
                if (entry is not null) s_cache.Remove(connection);
                // Off the prompt's thread: even the part of the lookup before its first await (token) must not block it.
                entry = new Entry(now, Task.Run(() => LookupAsync(connection)));
                s_cache.Add(connection, entry);
            }
        }
        if (!entry.Lookup.IsCompleted)
        {
            using var budget = new CancellationTokenSource();
            var timeout = time.Delay(Budget, budget.Token);
            Task.WhenAny(entry.Lookup, timeout).GetAwaiter().GetResult();
            budget.Cancel();
        }
        return entry.Lookup.Status == TaskStatus.RanToCompletion ? entry.Lookup.Result : Array.Empty<AppCompletionItem>();
    }

    private async Task<IReadOnlyList<AppCompletionItem>> LookupAsync(AdminConnection connection)
    {
        using var limit = new CancellationTokenSource();
        using var timer = _session.TimeProvider.CreateTimer(_ => limit.Cancel(), null, s_lookupLimit, Timeout.InfiniteTimeSpan);
        try
        {
            var apps = await new DirectoryClient(connection).FindManagedAppsAsync(limit.Token).ConfigureAwait(false);
            return apps
                .Where(a => !string.IsNullOrEmpty(a.AppId))
                .Select(a => new AppCompletionItem { DisplayName = a.DisplayName ?? "", ClientId = a.AppId! })
                .OrderBy(a => a.DisplayName, StringComparer.OrdinalIgnoreCase)
                .ToList();
        }
        catch (Exception)
        {
            // Completion is a convenience: any failure (permission, network, a cancelled lookup) offers nothing.
            return Array.Empty<AppCompletionItem>();
        }
    }

    private sealed class Entry
    {
        public Entry(DateTimeOffset startedAt, Task<IReadOnlyList<AppCompletionItem>> lookup)
        {
            StartedAt = startedAt;
            Lookup = lookup;
        }

        public DateTimeOffset StartedAt { get; }
        public Task<IReadOnlyList<AppCompletionItem>> Lookup { get; }
    }
}
