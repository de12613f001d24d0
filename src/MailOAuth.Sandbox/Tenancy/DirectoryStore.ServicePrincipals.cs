using System.Collections.Immutable;

namespace MailOAuth.Sandbox.Tenancy;

/// <summary>Why <see cref="DirectoryStore.AddAppRoleAssignment"/> did not create an assignment.</summary>
public enum AssignmentOutcome
{
    Created,
    PrincipalNotFound,
    ResourceNotFound,
    RoleNotFound,
    Duplicate,
}

/// <summary>Service principals, app role assignments and delegated grants.</summary>
public sealed partial class DirectoryStore
{
    // ---- service principals and app role assignments ----

    public void AddServicePrincipal(ServicePrincipal servicePrincipal)
    {
        if (!TryAddServicePrincipal(servicePrincipal))
        {
            throw new InvalidOperationException($"A service principal for appId {servicePrincipal.AppId} already exists.");
        }
    }

    /// <summary>Adds it unless the appId already has a service principal (one per appId, as in Entra).</summary>
    public bool TryAddServicePrincipal(ServicePrincipal servicePrincipal)
    {
        lock (_gate)
        {
            if (_state.ServicePrincipals.Values.Any(s => s.AppId == servicePrincipal.AppId))
            {
                return false;
            }

            _state.ServicePrincipals.Add(servicePrincipal.Id, servicePrincipal);
            return true;
        }
    }

    public ServicePrincipal? GetServicePrincipal(Guid id)
    {
        lock (_gate)
        {
            return _state.ServicePrincipals.GetValueOrDefault(id);
        }
    }

    public ServicePrincipal? FindServicePrincipalByAppId(Guid appId)
    {
        lock (_gate)
        {
            return _state.ServicePrincipals.Values.FirstOrDefault(s => s.AppId == appId);
        }
    }

    public IReadOnlyList<ServicePrincipal> ListServicePrincipals()
    {
        lock (_gate)
        {
            return [.. _state.ServicePrincipals.Values];
        }
    }

    public ServicePrincipal? UpdateServicePrincipal(Guid id, Func<ServicePrincipal, ServicePrincipal> change)
    {
        lock (_gate)
        {
            if (!_state.ServicePrincipals.TryGetValue(id, out var servicePrincipal))
            {
                return null;
            }

            var updated = change(servicePrincipal);
            _state.ServicePrincipals[id] = updated;
            return updated;
        }
    }

    /// <summary>Deletes the service principal and the app role assignments it holds or grants.</summary>
    public bool RemoveServicePrincipal(Guid id)
    {
        lock (_gate)
        {
            return RemoveServicePrincipalLocked(id);
        }
    }

    /// <summary>
    /// Grants <paramref name="appRoleId"/> of <paramref name="resourceId"/> to
    /// <paramref name="principalId"/> (docs/service-behaviour.md#app-role-assignment). The checks run in Graph's order: principal,
    /// resource, role, duplicate.
    /// </summary>
    public (AssignmentOutcome Outcome, AppRoleAssignment? Assignment) AddAppRoleAssignment(Guid principalId, Guid resourceId, Guid appRoleId, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_state.ServicePrincipals.TryGetValue(principalId, out var principal))
            {
                return (AssignmentOutcome.PrincipalNotFound, null);
            }

            if (!_state.ServicePrincipals.TryGetValue(resourceId, out var resource))
            {
                return (AssignmentOutcome.ResourceNotFound, null);
            }

            if (!resource.AppRoles.Any(r => r.Id == appRoleId))
            {
                return (AssignmentOutcome.RoleNotFound, null);
            }

            if (_state.AppRoleAssignments.Any(a => a.PrincipalId == principalId && a.ResourceId == resourceId && a.AppRoleId == appRoleId))
            {
                return (AssignmentOutcome.Duplicate, null);
            }

            // The real id is an opaque base64url string, not a GUID (docs/service-behaviour.md#app-role-assignment).
            var id = Convert.ToBase64String([.. Guid.NewGuid().ToByteArray(), .. Guid.NewGuid().ToByteArray()])
                .TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var assignment = new AppRoleAssignment(id, principalId, resourceId, appRoleId, now, principal.DisplayName, resource.DisplayName);
            _state.AppRoleAssignments.Add(assignment);
            return (AssignmentOutcome.Created, assignment);
        }
    }

    public AppRoleAssignment? GetAppRoleAssignment(string assignmentId)
    {
        lock (_gate)
        {
            return _state.AppRoleAssignments.FirstOrDefault(a => a.Id == assignmentId);
        }
    }

    public bool RemoveAppRoleAssignment(string assignmentId)
    {
        lock (_gate)
        {
            return _state.AppRoleAssignments.RemoveAll(a => a.Id == assignmentId) > 0;
        }
    }

    /// <summary>The assignments <paramref name="principalId"/> holds (<c>…/appRoleAssignments</c>).</summary>
    public IReadOnlyList<AppRoleAssignment> ListAppRoleAssignments(Guid principalId)
    {
        lock (_gate)
        {
            return [.. _state.AppRoleAssignments.Where(a => a.PrincipalId == principalId)];
        }
    }

    /// <summary>The assignments granted on <paramref name="resourceId"/> (<c>…/appRoleAssignedTo</c>).</summary>
    public IReadOnlyList<AppRoleAssignment> ListAppRoleAssignedTo(Guid resourceId)
    {
        lock (_gate)
        {
            return [.. _state.AppRoleAssignments.Where(a => a.ResourceId == resourceId)];
        }
    }

    public IReadOnlyList<AppRoleAssignment> ListAllAppRoleAssignments()
    {
        lock (_gate)
        {
            return [.. _state.AppRoleAssignments];
        }
    }

    /// <summary>
    /// The app role values granted to <paramref name="principalId"/> for the resource
    /// <paramref name="resourceAppId"/>: what goes into a token's <c>roles</c> claim (docs/service-behaviour.md#token-roles).
    /// Only assignments <paramref name="isVisible"/> accepts count (replication, docs/service-behaviour.md#replication).
    /// </summary>
    public IReadOnlyList<string> GetGrantedRoleValues(Guid principalId, Guid resourceAppId, Func<DateTimeOffset, bool>? isVisible = null)
    {
        lock (_gate)
        {
            var resource = _state.ServicePrincipals.Values.FirstOrDefault(s => s.AppId == resourceAppId);
            if (resource is null)
            {
                return [];
            }

            return [.. _state.AppRoleAssignments
                .Where(a => a.PrincipalId == principalId && a.ResourceId == resource.Id)
                .Where(a => isVisible is null || isVisible(a.CreatedDateTime))
                .Select(a => resource.AppRoles.FirstOrDefault(r => r.Id == a.AppRoleId && r.IsEnabled)?.Value)
                .OfType<string>()
                .Where(v => v.Length > 0)
                .Distinct(StringComparer.Ordinal)];
        }
    }

    // ---- delegated grants (oauth2PermissionGrants, tenant-wide admin consent) ----

    /// <summary>Adds <paramref name="scopes"/> to what <paramref name="clientAppId"/> may do for the user.</summary>
    public void GrantDelegated(Guid clientAppId, Guid userId, IEnumerable<string> scopes)
    {
        lock (_gate)
        {
            var index = _state.DelegatedGrants.FindIndex(g => g.ClientAppId == clientAppId && g.UserId == userId);
            var existing = index >= 0 ? _state.DelegatedGrants[index].Scopes : [];
            var merged = existing.Concat(scopes.Where(s => !existing.Contains(s, StringComparer.OrdinalIgnoreCase)))
                .ToImmutableArray();
            var grant = new DelegatedGrant(clientAppId, userId, merged);
            if (index >= 0)
            {
                _state.DelegatedGrants[index] = grant;
            }
            else
            {
                _state.DelegatedGrants.Add(grant);
            }
        }
    }

    public IReadOnlyList<string> GetDelegatedScopes(Guid clientAppId, Guid userId)
    {
        lock (_gate)
        {
            return _state.DelegatedGrants.FirstOrDefault(g => g.ClientAppId == clientAppId && g.UserId == userId)?.Scopes ?? [];
        }
    }

    private bool RemoveServicePrincipalLocked(Guid id)
    {
        if (!_state.ServicePrincipals.Remove(id))
        {
            return false;
        }

        _state.AppRoleAssignments.RemoveAll(a => a.PrincipalId == id || a.ResourceId == id);
        return true;
    }
}
