using System.Collections.Immutable;

namespace MailOAuth.Sandbox.Tenancy;

/// <summary>
/// An Exchange Online RBAC role (Graph beta <c>unifiedRoleDefinition</c>, exchange provider,
/// docs/service-behaviour.md#exchange-rbac). The id is tenant-specific: clients look roles up by display name.
/// </summary>
public sealed record ExchangeRoleDefinition(
    Guid Id,
    string DisplayName,
    string Description,
    string Version,
    string AllowedPrincipalTypes,
    ImmutableArray<string> AllowedResourceActions);

/// <summary>
/// An Exchange RBAC for Applications role assignment (Graph beta <c>unifiedRoleAssignment</c>, exchange provider).
/// <see cref="PrincipalId"/> is the path form <c>/ServicePrincipals/{id}</c> as posted; <see cref="AppliedAt"/> is set
/// when <c>POST /_sandbox/exchange/apply</c> made it effective before the cache delay passed.
/// </summary>
public sealed record ExchangeRoleAssignment(
    Guid Id,
    string PrincipalId,
    Guid RoleDefinitionId,
    string? DirectoryScopeId,
    string? AppScopeId,
    DateTimeOffset CreatedDateTime)
{
    public DateTimeOffset? AppliedAt { get; init; }

    /// <summary>The service principal object id in <see cref="PrincipalId"/>, or null when it is not the path form.</summary>
    public Guid? ServicePrincipalId => ExchangeRbac.ParseServicePrincipal(PrincipalId);
}

/// <summary>A deleted assignment that Exchange still honours until the cache delay passes (or /_sandbox/exchange/apply).</summary>
public sealed record ExchangeRemoval(ExchangeRoleAssignment Assignment, DateTimeOffset RemovedDateTime);

/// <summary>Parsing of the exchange provider's path-form ids.</summary>
public static class ExchangeRbac
{
    public const string ServicePrincipalsPrefix = "/ServicePrincipals/";

    /// <summary>The default cache delay (a few seconds for tests); real Exchange takes 30 minutes to 2 hours (docs/sandbox.md).</summary>
    public static readonly TimeSpan DefaultCacheDelay = TimeSpan.FromSeconds(5);

    public static Guid? ParseServicePrincipal(string? principalId) =>
        principalId is not null && principalId.StartsWith(ServicePrincipalsPrefix, StringComparison.OrdinalIgnoreCase)
        && Guid.TryParse(principalId[ServicePrincipalsPrefix.Length..], out var id) ? id : null;

    /// <summary>
    /// The directoryScopeId forms the exchange provider accepts (case-insensitive): <c>/</c>, <c>/Users/{id}</c>,
    /// <c>/Groups/{id}</c>, <c>/AdministrativeUnits/{id}</c>. Returns the kind (Tenant, Users, Groups,
    /// AdministrativeUnits) and the id, or null for anything else.
    /// </summary>
    public static (string Kind, Guid Id)? ParseDirectoryScope(string? scope)
    {
        if (scope == "/")
        {
            return ("Tenant", Guid.Empty);
        }

        foreach (var kind in new[] { "Users", "Groups", "AdministrativeUnits" })
        {
            var prefix = "/" + kind + "/";
            if (scope is not null && scope.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && Guid.TryParse(scope[prefix.Length..], out var id))
            {
                return (kind, id);
            }
        }

        return null;
    }
}

/// <summary>Exchange Online RBAC for Applications: role definitions, assignments and the cache that delays them.</summary>
public sealed partial class DirectoryStore
{
    // ---- Exchange RBAC for Applications (docs/service-behaviour.md#exchange-rbac) ----

    public void AddExchangeRoleDefinition(ExchangeRoleDefinition definition)
    {
        lock (_gate)
        {
            _state.ExchangeRoleDefinitions.Add(definition);
        }
    }

    public IReadOnlyList<ExchangeRoleDefinition> ListExchangeRoleDefinitions()
    {
        lock (_gate)
        {
            return [.. _state.ExchangeRoleDefinitions];
        }
    }

    /// <summary>How long an assignment (or its removal) takes to reach sendMail (the Exchange permission cache).</summary>
    public TimeSpan ExchangeCacheDelay
    {
        get
        {
            lock (_gate)
            {
                return _state.ExchangeCacheDelay;
            }
        }

        set
        {
            lock (_gate)
            {
                _state.ExchangeCacheDelay = value < TimeSpan.Zero ? TimeSpan.Zero : value;
            }
        }
    }

    public void AddExchangeRoleAssignment(ExchangeRoleAssignment assignment)
    {
        lock (_gate)
        {
            _state.ExchangeRoleAssignments.Add(assignment);
        }
    }

    public ExchangeRoleAssignment? FindExchangeRoleAssignment(Guid id)
    {
        lock (_gate)
        {
            return _state.ExchangeRoleAssignments.FirstOrDefault(a => a.Id == id);
        }
    }

    public IReadOnlyList<ExchangeRoleAssignment> ListExchangeRoleAssignments()
    {
        lock (_gate)
        {
            return [.. _state.ExchangeRoleAssignments];
        }
    }

    /// <summary>Removes the assignment from Graph at once; sendMail keeps honouring it until the cache delay passes.</summary>
    public bool RemoveExchangeRoleAssignment(Guid id, DateTimeOffset now)
    {
        lock (_gate)
        {
            var assignment = _state.ExchangeRoleAssignments.FirstOrDefault(a => a.Id == id);
            if (assignment is null)
            {
                return false;
            }

            _state.ExchangeRoleAssignments.Remove(assignment);
            _state.ExchangeRemovals.Add(new ExchangeRemoval(assignment, now));
            return true;
        }
    }

    /// <summary>Removals sendMail does not see yet (the cache delay has not passed and no /apply).</summary>
    public IReadOnlyList<ExchangeRemoval> PendingExchangeRemovals(DateTimeOffset now)
    {
        lock (_gate)
        {
            return [.. _state.ExchangeRemovals.Where(r => !IsRemovalApplied(r, now))];
        }
    }

    /// <summary>Whether sendMail honours the assignment yet (made at least the cache delay ago, or applied by hand).</summary>
    public bool IsExchangeAssignmentApplied(ExchangeRoleAssignment assignment, DateTimeOffset now)
    {
        lock (_gate)
        {
            return assignment.AppliedAt is not null || now >= assignment.CreatedDateTime + _state.ExchangeCacheDelay;
        }
    }

    /// <summary>When sendMail honours (or honoured) the assignment: the manual apply, or creation + cache delay.</summary>
    public DateTimeOffset ExchangeAssignmentEffectiveAt(ExchangeRoleAssignment assignment)
    {
        lock (_gate)
        {
            return assignment.AppliedAt ?? assignment.CreatedDateTime + _state.ExchangeCacheDelay;
        }
    }

    /// <summary><c>POST /_sandbox/exchange/apply</c>: every pending assignment and removal takes effect now.</summary>
    public void ApplyExchangeChanges(DateTimeOffset now)
    {
        lock (_gate)
        {
            for (var i = 0; i < _state.ExchangeRoleAssignments.Count; i++)
            {
                var a = _state.ExchangeRoleAssignments[i];
                if (a.AppliedAt is null && now < a.CreatedDateTime + _state.ExchangeCacheDelay)
                {
                    _state.ExchangeRoleAssignments[i] = a with { AppliedAt = now };
                }
            }

            _state.ExchangeRemovals.Clear();
        }
    }

    /// <summary>
    /// The Exchange half of the union rule for sendMail (docs/service-behaviour.md#exchange-rbac): true when the
    /// service principal holds an assignment of <paramref name="roleDisplayName"/> that sendMail honours now and
    /// whose directory scope covers the mailbox (<c>/</c> or <c>/Users/{that user}</c>; groups and administrative
    /// units are not modelled, so they cover nobody). An assignment is honoured once applied; a removed one until
    /// its removal is applied.
    /// </summary>
    public bool HasAppliedExchangeRole(Guid servicePrincipalId, Guid mailboxUserId, string roleDisplayName, DateTimeOffset now)
    {
        lock (_gate)
        {
            var roleIds = _state.ExchangeRoleDefinitions
                .Where(d => string.Equals(d.DisplayName, roleDisplayName, StringComparison.OrdinalIgnoreCase))
                .Select(d => d.Id)
                .ToHashSet();
            var honoured = _state.ExchangeRoleAssignments
                .Where(a => a.AppliedAt is not null || now >= a.CreatedDateTime + _state.ExchangeCacheDelay)
                .Concat(_state.ExchangeRemovals
                    // A removed assignment that had not taken effect by its removal grants nothing meanwhile.
                    .Where(r => !IsRemovalApplied(r, now)
                        && (r.Assignment.AppliedAt is not null || r.Assignment.CreatedDateTime + _state.ExchangeCacheDelay <= r.RemovedDateTime))
                    .Select(r => r.Assignment));
            return honoured.Any(a => a.ServicePrincipalId == servicePrincipalId
                && roleIds.Contains(a.RoleDefinitionId)
                && ExchangeRbac.ParseDirectoryScope(a.DirectoryScopeId) is { } scope
                && (scope.Kind == "Tenant" || (scope.Kind == "Users" && scope.Id == mailboxUserId)));
        }
    }

    private bool IsRemovalApplied(ExchangeRemoval removal, DateTimeOffset now) => now >= removal.RemovedDateTime + _state.ExchangeCacheDelay;
}
