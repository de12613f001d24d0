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

/// <summary>What <see cref="DirectoryStore.AddApplicationIfUniqueNameFree"/> did.</summary>
public enum ApplicationAddOutcome
{
    Created,

    /// <summary>A live application has that uniqueName (the upsert then updates it).</summary>
    UniqueNameTaken,

    /// <summary>A soft-deleted application (deleted items) still holds that uniqueName.</summary>
    UniqueNameHeldByDeletedApplication,
}

/// <summary>What <see cref="DirectoryStore.RestoreApplication"/> did.</summary>
public enum RestoreOutcome
{
    Restored,
    NotFound,

    /// <summary>A live object took its appId or uniqueName meanwhile (cannot happen through Graph: both stay reserved).</summary>
    Conflict,
}

/// <summary>
/// The in-memory directory: one tenant, its users and mailboxes, applications with password,
/// certificate and federated credentials, service principals, app role assignments, delegated
/// grants and the policies that affect token issuance and mailbox access. Every read and write
/// takes one lock; records are immutable and replaced on write, so what a reader gets back is a
/// consistent snapshot. The store itself is strongly consistent: replication lag is applied by
/// the readers that model eventually consistent replicas (see SandboxRuntime.IsReplicated).
/// </summary>
public sealed class DirectoryStore
{
    /// <summary>How long a deleted application stays in deleted items before Entra purges it.</summary>
    public static readonly TimeSpan DeletedItemsRetention = TimeSpan.FromDays(30);

    private readonly Lock _gate = new();
    private State _state = new();

    public DirectoryStore(Tenant tenant) => Tenant = tenant;

    public Tenant Tenant { get; }

    /// <summary>Replaces the whole content with <paramref name="other"/>'s (POST /_sandbox/reset-directory).</summary>
    public void ReplaceWith(DirectoryStore other)
    {
        State fresh;
        lock (other._gate)
        {
            fresh = other._state;
        }

        lock (_gate)
        {
            _state = fresh;
        }
    }

    // ---- tenant ----

    /// <summary>True if <paramref name="domain"/> is one of the tenant's verified domains.</summary>
    public bool IsVerifiedDomain(string domain) =>
        Tenant.Domains.Any(d => d.IsVerified && string.Equals(d.Name, domain, StringComparison.OrdinalIgnoreCase));

    // ---- users ----

    public void AddUser(DirectoryUser user)
    {
        lock (_gate)
        {
            _state.Users.Add(user.Id, user);
        }
    }

    /// <summary>Finds a user by object id or by userPrincipalName (case-insensitive).</summary>
    public DirectoryUser? FindUser(string idOrUserPrincipalName)
    {
        lock (_gate)
        {
            if (Guid.TryParse(idOrUserPrincipalName, out var id))
            {
                return _state.Users.GetValueOrDefault(id);
            }

            return _state.Users.Values.FirstOrDefault(u =>
                string.Equals(u.UserPrincipalName, idOrUserPrincipalName, StringComparison.OrdinalIgnoreCase));
        }
    }

    public IReadOnlyList<DirectoryUser> ListUsers()
    {
        lock (_gate)
        {
            return [.. _state.Users.Values];
        }
    }

    // ---- applications and their credentials ----

    public void AddApplication(DirectoryApplication application)
    {
        lock (_gate)
        {
            if (_state.Applications.Values.Any(a => a.AppId == application.AppId))
            {
                throw new InvalidOperationException($"An application with appId {application.AppId} already exists.");
            }

            _state.Applications.Add(application.ObjectId, application);
        }
    }

    /// <summary>
    /// Adds <paramref name="application"/> unless its uniqueName is in use: by a live application
    /// (returned, <see cref="ApplicationAddOutcome.UniqueNameTaken"/>) or by one in deleted items,
    /// which keeps its alternate key reserved until restored, purged or 30 days old. The atomic
    /// half of the upsert (PATCH … Prefer: create-if-missing). The application's createdDateTime
    /// is "now" for the retention check.
    /// </summary>
    public (DirectoryApplication? Existing, ApplicationAddOutcome Outcome) AddApplicationIfUniqueNameFree(DirectoryApplication application)
    {
        lock (_gate)
        {
            PurgeExpiredLocked(application.CreatedDateTime);
            if (application.UniqueName is { } uniqueName)
            {
                if (FindByUniqueName(uniqueName) is { } existing)
                {
                    return (existing, ApplicationAddOutcome.UniqueNameTaken);
                }

                if (_state.DeletedApplications.Values.FirstOrDefault(a => SameUniqueName(a.UniqueName, uniqueName)) is { } deleted)
                {
                    return (deleted, ApplicationAddOutcome.UniqueNameHeldByDeletedApplication);
                }
            }

            _state.Applications.Add(application.ObjectId, application);
            return (application, ApplicationAddOutcome.Created);
        }
    }

    public DirectoryApplication? FindApplicationByAppId(Guid appId)
    {
        lock (_gate)
        {
            return _state.Applications.Values.FirstOrDefault(a => a.AppId == appId);
        }
    }

    /// <summary>uniqueName is an alternate key: unique, compared case-insensitively (INFERRED).</summary>
    public DirectoryApplication? FindApplicationByUniqueName(string uniqueName)
    {
        lock (_gate)
        {
            return FindByUniqueName(uniqueName);
        }
    }

    public DirectoryApplication? GetApplication(Guid objectId)
    {
        lock (_gate)
        {
            return _state.Applications.GetValueOrDefault(objectId);
        }
    }

    public IReadOnlyList<DirectoryApplication> ListApplications()
    {
        lock (_gate)
        {
            return [.. _state.Applications.Values];
        }
    }

    /// <summary>Applies <paramref name="change"/> atomically; null when the application is gone.</summary>
    public DirectoryApplication? UpdateApplication(Guid objectId, Func<DirectoryApplication, DirectoryApplication> change)
    {
        lock (_gate)
        {
            if (!_state.Applications.TryGetValue(objectId, out var application))
            {
                return null;
            }

            var updated = change(application);
            _state.Applications[objectId] = updated;
            return updated;
        }
    }

    /// <summary>
    /// Deletes the application as Entra does: a soft delete into deleted items (deletedDateTime =
    /// <paramref name="now"/>; its appId and uniqueName stay reserved), while its service principal
    /// and every app role assignment that service principal holds or grants are removed for good
    /// (a restore does not bring them back).
    /// </summary>
    public bool DeleteApplication(Guid objectId, DateTimeOffset now)
    {
        lock (_gate)
        {
            PurgeExpiredLocked(now);
            if (!_state.Applications.Remove(objectId, out var application))
            {
                return false;
            }

            _state.DeletedApplications[objectId] = application with { DeletedDateTime = now };
            foreach (var servicePrincipal in _state.ServicePrincipals.Values.Where(s => s.AppId == application.AppId).ToList())
            {
                RemoveServicePrincipalLocked(servicePrincipal.Id);
            }

            return true;
        }
    }

    // ---- deleted items (soft-deleted applications) ----

    /// <summary>The applications in deleted items, oldest deletion first (older than 30 days: purged).</summary>
    public IReadOnlyList<DirectoryApplication> ListDeletedApplications(DateTimeOffset now)
    {
        lock (_gate)
        {
            PurgeExpiredLocked(now);
            return [.. _state.DeletedApplications.Values.OrderBy(a => a.DeletedDateTime).ThenBy(a => a.ObjectId)];
        }
    }

    public DirectoryApplication? GetDeletedApplication(Guid objectId, DateTimeOffset now)
    {
        lock (_gate)
        {
            PurgeExpiredLocked(now);
            return _state.DeletedApplications.GetValueOrDefault(objectId);
        }
    }

    /// <summary>
    /// Brings a deleted application back with everything it had (appId, uniqueName, tags,
    /// credentials, owners), deletedDateTime null. Its service principal stays deleted.
    /// </summary>
    public (DirectoryApplication? Application, RestoreOutcome Outcome) RestoreApplication(Guid objectId, DateTimeOffset now)
    {
        lock (_gate)
        {
            PurgeExpiredLocked(now);
            if (!_state.DeletedApplications.TryGetValue(objectId, out var deleted))
            {
                return (null, RestoreOutcome.NotFound);
            }

            if (_state.Applications.Values.Any(a => a.AppId == deleted.AppId)
                || (deleted.UniqueName is { } uniqueName && FindByUniqueName(uniqueName) is not null))
            {
                return (null, RestoreOutcome.Conflict);
            }

            _state.DeletedApplications.Remove(objectId);
            var restored = deleted with { DeletedDateTime = null };
            _state.Applications.Add(objectId, restored);
            return (restored, RestoreOutcome.Restored);
        }
    }

    /// <summary>Permanently deletes an application from deleted items (frees its uniqueName).</summary>
    public bool PurgeDeletedApplication(Guid objectId, DateTimeOffset now)
    {
        lock (_gate)
        {
            PurgeExpiredLocked(now);
            return _state.DeletedApplications.Remove(objectId);
        }
    }

    /// <summary>
    /// Adds a password credential and returns it with its secret text (shown once, as
    /// addPassword does, wire §4.3). The default lifetime is two years.
    /// </summary>
    public (PasswordCredential Credential, string SecretText)? AddPassword(
        Guid applicationObjectId,
        string? displayName,
        DateTimeOffset startDateTime,
        DateTimeOffset? endDateTime = null,
        string? secretText = null,
        Guid? keyId = null,
        DateTimeOffset? createdDateTime = null)
    {
        secretText ??= SecretGenerator.NewSecretText();
        var credential = PasswordCredential.Create(
            keyId ?? Guid.NewGuid(), displayName, secretText, startDateTime, endDateTime ?? startDateTime.AddYears(2)) with
        {
            CreatedDateTime = createdDateTime ?? startDateTime,
        };
        lock (_gate)
        {
            if (!_state.Applications.TryGetValue(applicationObjectId, out var app))
            {
                return null;
            }

            _state.Applications[applicationObjectId] = app with { PasswordCredentials = app.PasswordCredentials.Add(credential) };
        }

        return (credential, secretText);
    }

    public bool RemovePassword(Guid applicationObjectId, Guid keyId)
    {
        lock (_gate)
        {
            if (!_state.Applications.TryGetValue(applicationObjectId, out var app))
            {
                return false;
            }

            var remaining = app.PasswordCredentials.RemoveAll(c => c.KeyId == keyId);
            if (remaining.Count == app.PasswordCredentials.Count)
            {
                return false;
            }

            _state.Applications[applicationObjectId] = app with { PasswordCredentials = remaining };
            return true;
        }
    }

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
    /// <paramref name="principalId"/> (wire §4.6). The checks run in Graph's order: principal,
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

            // The real id is an opaque base64url string, not a GUID (wire §4.6).
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
    /// <paramref name="resourceAppId"/>: what goes into a token's <c>roles</c> claim (wire §3).
    /// Only assignments <paramref name="isVisible"/> accepts count (replication, wire §6).
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

    // ---- policies ----

    public void AddConditionalAccessPolicy(ConditionalAccessPolicy policy)
    {
        lock (_gate)
        {
            _state.ConditionalAccessPolicies.Add(policy);
        }
    }

    /// <summary>The first Conditional Access policy that blocks <paramref name="servicePrincipalId"/>.</summary>
    public ConditionalAccessPolicy? FindBlockingPolicy(Guid servicePrincipalId)
    {
        lock (_gate)
        {
            return _state.ConditionalAccessPolicies.FirstOrDefault(p => p.BlockedServicePrincipalIds.Contains(servicePrincipalId));
        }
    }

    public void AddApplicationAccessPolicy(ApplicationAccessPolicy policy)
    {
        lock (_gate)
        {
            _state.AccessPolicies.Add(policy);
        }
    }

    /// <summary>True when an Exchange application access policy denies <paramref name="appId"/> this mailbox (wire §5.2).</summary>
    public bool IsMailboxAccessDenied(Guid mailboxUserId, Guid appId)
    {
        lock (_gate)
        {
            return _state.AccessPolicies.Any(p => p.MailboxUserId == mailboxUserId && (p.AppId is null || p.AppId == appId));
        }
    }

    private DirectoryApplication? FindByUniqueName(string uniqueName) =>
        _state.Applications.Values.FirstOrDefault(a => SameUniqueName(a.UniqueName, uniqueName));

    private static bool SameUniqueName(string? a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>Entra purges deleted items after 30 days.</summary>
    private void PurgeExpiredLocked(DateTimeOffset now)
    {
        foreach (var expired in _state.DeletedApplications.Values.Where(a => a.DeletedDateTime + DeletedItemsRetention <= now).ToList())
        {
            _state.DeletedApplications.Remove(expired.ObjectId);
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

    /// <summary>Everything mutable, swapped as a whole on reset.</summary>
    private sealed class State
    {
        public Dictionary<Guid, DirectoryUser> Users { get; } = [];

        public Dictionary<Guid, DirectoryApplication> Applications { get; } = []; // by object id

        public Dictionary<Guid, DirectoryApplication> DeletedApplications { get; } = []; // deleted items, by object id

        public Dictionary<Guid, ServicePrincipal> ServicePrincipals { get; } = []; // by id

        public List<AppRoleAssignment> AppRoleAssignments { get; } = [];

        public List<DelegatedGrant> DelegatedGrants { get; } = [];

        public List<ConditionalAccessPolicy> ConditionalAccessPolicies { get; } = [];

        public List<ApplicationAccessPolicy> AccessPolicies { get; } = [];
    }
}
