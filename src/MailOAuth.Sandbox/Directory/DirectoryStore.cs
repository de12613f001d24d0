using System.Collections.Immutable;

namespace MailOAuth.Sandbox.Directory;

/// <summary>
/// The in-memory directory: one tenant, its users and mailboxes, applications with password
/// credentials, service principals, app role assignments and the policies that affect token
/// issuance and mailbox access. Every read and write takes one lock; records are immutable and
/// replaced on write, so what a reader gets back is a consistent snapshot.
/// </summary>
public sealed class DirectoryStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, DirectoryUser> _users = [];
    private readonly Dictionary<Guid, DirectoryApplication> _applications = []; // by object id
    private readonly Dictionary<Guid, ServicePrincipal> _servicePrincipals = []; // by id
    private readonly List<AppRoleAssignment> _appRoleAssignments = [];
    private readonly List<ConditionalAccessPolicy> _conditionalAccessPolicies = [];
    private readonly List<ApplicationAccessPolicy> _accessPolicies = [];

    public DirectoryStore(Tenant tenant) => Tenant = tenant;

    public Tenant Tenant { get; }

    // ---- tenant ----

    /// <summary>The tenant if <paramref name="domain"/> is one of its verified domains.</summary>
    public bool IsVerifiedDomain(string domain) =>
        Tenant.Domains.Any(d => d.IsVerified && string.Equals(d.Name, domain, StringComparison.OrdinalIgnoreCase));

    // ---- users ----

    public void AddUser(DirectoryUser user)
    {
        lock (_gate)
        {
            _users.Add(user.Id, user);
        }
    }

    /// <summary>Finds a user by object id or by userPrincipalName (case-insensitive).</summary>
    public DirectoryUser? FindUser(string idOrUserPrincipalName)
    {
        lock (_gate)
        {
            if (Guid.TryParse(idOrUserPrincipalName, out var id))
            {
                return _users.GetValueOrDefault(id);
            }

            return _users.Values.FirstOrDefault(u =>
                string.Equals(u.UserPrincipalName, idOrUserPrincipalName, StringComparison.OrdinalIgnoreCase));
        }
    }

    public IReadOnlyList<DirectoryUser> ListUsers()
    {
        lock (_gate)
        {
            return [.. _users.Values];
        }
    }

    // ---- applications and password credentials ----

    public void AddApplication(DirectoryApplication application)
    {
        lock (_gate)
        {
            if (_applications.Values.Any(a => a.AppId == application.AppId))
            {
                throw new InvalidOperationException($"An application with appId {application.AppId} already exists.");
            }

            _applications.Add(application.ObjectId, application);
        }
    }

    public DirectoryApplication? FindApplicationByAppId(Guid appId)
    {
        lock (_gate)
        {
            return _applications.Values.FirstOrDefault(a => a.AppId == appId);
        }
    }

    public DirectoryApplication? GetApplication(Guid objectId)
    {
        lock (_gate)
        {
            return _applications.GetValueOrDefault(objectId);
        }
    }

    public IReadOnlyList<DirectoryApplication> ListApplications()
    {
        lock (_gate)
        {
            return [.. _applications.Values];
        }
    }

    public bool RemoveApplication(Guid objectId)
    {
        lock (_gate)
        {
            return _applications.Remove(objectId);
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
        Guid? keyId = null)
    {
        secretText ??= SecretGenerator.NewSecretText();
        var credential = PasswordCredential.Create(
            keyId ?? Guid.NewGuid(), displayName, secretText, startDateTime, endDateTime ?? startDateTime.AddYears(2));
        lock (_gate)
        {
            if (!_applications.TryGetValue(applicationObjectId, out var app))
            {
                return null;
            }

            _applications[applicationObjectId] = app with { PasswordCredentials = app.PasswordCredentials.Add(credential) };
        }

        return (credential, secretText);
    }

    public bool RemovePassword(Guid applicationObjectId, Guid keyId)
    {
        lock (_gate)
        {
            if (!_applications.TryGetValue(applicationObjectId, out var app))
            {
                return false;
            }

            var remaining = app.PasswordCredentials.RemoveAll(c => c.KeyId == keyId);
            if (remaining.Count == app.PasswordCredentials.Count)
            {
                return false;
            }

            _applications[applicationObjectId] = app with { PasswordCredentials = remaining };
            return true;
        }
    }

    // ---- service principals and app role assignments ----

    public void AddServicePrincipal(ServicePrincipal servicePrincipal)
    {
        lock (_gate)
        {
            if (_servicePrincipals.Values.Any(s => s.AppId == servicePrincipal.AppId))
            {
                throw new InvalidOperationException($"A service principal for appId {servicePrincipal.AppId} already exists.");
            }

            _servicePrincipals.Add(servicePrincipal.Id, servicePrincipal);
        }
    }

    public ServicePrincipal? GetServicePrincipal(Guid id)
    {
        lock (_gate)
        {
            return _servicePrincipals.GetValueOrDefault(id);
        }
    }

    public ServicePrincipal? FindServicePrincipalByAppId(Guid appId)
    {
        lock (_gate)
        {
            return _servicePrincipals.Values.FirstOrDefault(s => s.AppId == appId);
        }
    }

    public IReadOnlyList<ServicePrincipal> ListServicePrincipals()
    {
        lock (_gate)
        {
            return [.. _servicePrincipals.Values];
        }
    }

    /// <summary>
    /// Grants <paramref name="appRoleId"/> of <paramref name="resourceId"/> to
    /// <paramref name="principalId"/>. Fails (null) for an unknown principal, resource or role,
    /// or a duplicate (wire §4.6).
    /// </summary>
    public AppRoleAssignment? AddAppRoleAssignment(Guid principalId, Guid resourceId, Guid appRoleId, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_servicePrincipals.TryGetValue(principalId, out var principal)
                || !_servicePrincipals.TryGetValue(resourceId, out var resource)
                || !resource.AppRoles.Any(r => r.Id == appRoleId)
                || _appRoleAssignments.Any(a => a.PrincipalId == principalId && a.ResourceId == resourceId && a.AppRoleId == appRoleId))
            {
                return null;
            }

            // The real id is an opaque base64url-like string, not a GUID (wire §4.6).
            var id = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray())
                .TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var assignment = new AppRoleAssignment(id, principalId, resourceId, appRoleId, now, principal.DisplayName, resource.DisplayName);
            _appRoleAssignments.Add(assignment);
            return assignment;
        }
    }

    public bool RemoveAppRoleAssignment(string assignmentId)
    {
        lock (_gate)
        {
            return _appRoleAssignments.RemoveAll(a => a.Id == assignmentId) > 0;
        }
    }

    public IReadOnlyList<AppRoleAssignment> ListAppRoleAssignments(Guid principalId)
    {
        lock (_gate)
        {
            return [.. _appRoleAssignments.Where(a => a.PrincipalId == principalId)];
        }
    }

    /// <summary>
    /// The app role values granted to <paramref name="principalId"/> for the resource
    /// <paramref name="resourceAppId"/>: what goes into a token's <c>roles</c> claim (wire §3).
    /// </summary>
    public IReadOnlyList<string> GetGrantedRoleValues(Guid principalId, Guid resourceAppId)
    {
        lock (_gate)
        {
            var resource = _servicePrincipals.Values.FirstOrDefault(s => s.AppId == resourceAppId);
            if (resource is null)
            {
                return [];
            }

            return [.. _appRoleAssignments
                .Where(a => a.PrincipalId == principalId && a.ResourceId == resource.Id)
                .Select(a => resource.AppRoles.FirstOrDefault(r => r.Id == a.AppRoleId && r.IsEnabled)?.Value)
                .OfType<string>()
                .Where(v => v.Length > 0)
                .Distinct(StringComparer.Ordinal)];
        }
    }

    // ---- policies ----

    public void AddConditionalAccessPolicy(ConditionalAccessPolicy policy)
    {
        lock (_gate)
        {
            _conditionalAccessPolicies.Add(policy);
        }
    }

    /// <summary>The first Conditional Access policy that blocks <paramref name="servicePrincipalId"/>.</summary>
    public ConditionalAccessPolicy? FindBlockingPolicy(Guid servicePrincipalId)
    {
        lock (_gate)
        {
            return _conditionalAccessPolicies.FirstOrDefault(p => p.BlockedServicePrincipalIds.Contains(servicePrincipalId));
        }
    }

    public void AddApplicationAccessPolicy(ApplicationAccessPolicy policy)
    {
        lock (_gate)
        {
            _accessPolicies.Add(policy);
        }
    }

    /// <summary>True when an Exchange application access policy denies <paramref name="appId"/> this mailbox (wire §5.2).</summary>
    public bool IsMailboxAccessDenied(Guid mailboxUserId, Guid appId)
    {
        lock (_gate)
        {
            return _accessPolicies.Any(p => p.MailboxUserId == mailboxUserId && (p.AppId is null || p.AppId == appId));
        }
    }
}
