namespace MailOAuth.Sandbox.Tenancy;

/// <summary>
/// The in-memory directory: one tenant, its users and mailboxes, applications with password,
/// certificate and federated credentials, service principals, app role assignments, delegated
/// grants and the policies that affect token issuance and mailbox access. Every read and write
/// takes one lock; records are immutable and replaced on write, so what a reader gets back is a
/// consistent snapshot. The store itself is strongly consistent: replication lag is applied by
/// the readers that model eventually consistent replicas (see SandboxRuntime.IsReplicated). A reset
/// replaces the whole store (SandboxRuntime.ResetDirectory); no two stores share any state.
/// The members are split by entity: this file (tenant, users, policies),
/// <c>DirectoryStore.Applications.cs</c>, <c>DirectoryStore.ServicePrincipals.cs</c> and <c>DirectoryStore.Exchange.cs</c>.
/// </summary>
public sealed partial class DirectoryStore
{
    private readonly Lock _gate = new();
    private readonly State _state = new();

    public DirectoryStore(Tenant tenant) => Tenant = tenant;

    public Tenant Tenant { get; }

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

    /// <summary>
    /// The tenant's app management policy: the longest password credential lifetime allowed, in
    /// days; null = no policy.
    /// </summary>
    public int? SecretLifetimeMaxDays
    {
        get
        {
            lock (_gate)
            {
                return _state.SecretLifetimeMaxDays;
            }
        }

        set
        {
            lock (_gate)
            {
                _state.SecretLifetimeMaxDays = value;
            }
        }
    }

    /// <summary>True when the tenant's app management policy blocks adding password credentials (passwordAddition).</summary>
    public bool SecretAdditionBlocked
    {
        get
        {
            lock (_gate)
            {
                return _state.SecretAdditionBlocked;
            }
        }

        set
        {
            lock (_gate)
            {
                _state.SecretAdditionBlocked = value;
            }
        }
    }

    /// <summary>The tenant default policy is enabled when it restricts anything.</summary>
    public bool TenantAppPolicyEnabled
    {
        get
        {
            lock (_gate)
            {
                return _state.SecretLifetimeMaxDays is not null || _state.SecretAdditionBlocked;
            }
        }
    }

    /// <summary>Assigns an app management policy to one application (replacing any it had); null removes it.</summary>
    public void SetAppManagementPolicy(Guid applicationObjectId, AppManagementPolicy? policy)
    {
        lock (_gate)
        {
            if (policy is null)
            {
                _state.AppPolicies.Remove(applicationObjectId);
            }
            else
            {
                _state.AppPolicies[applicationObjectId] = policy;
            }
        }
    }

    public void ClearAppManagementPolicies()
    {
        lock (_gate)
        {
            _state.AppPolicies.Clear();
            _state.SecretLifetimeMaxDays = null;
            _state.SecretAdditionBlocked = false;
        }
    }

    /// <summary>The policies assigned to an application (at most one in the sandbox).</summary>
    public IReadOnlyList<AppManagementPolicy> AppManagementPoliciesOf(Guid applicationObjectId)
    {
        lock (_gate)
        {
            return _state.AppPolicies.TryGetValue(applicationObjectId, out var p) ? [p] : [];
        }
    }

    public IReadOnlyDictionary<Guid, AppManagementPolicy> AppManagementPolicies()
    {
        lock (_gate)
        {
            return new Dictionary<Guid, AppManagementPolicy>(_state.AppPolicies);
        }
    }

    /// <summary>
    /// What applies to a new password credential of this application: an enabled policy assigned to the
    /// app replaces the tenant default entirely; else the tenant default when enabled (docs/sandbox.md).
    /// </summary>
    public (int? MaxDays, bool AdditionBlocked) EffectiveSecretPolicy(Guid applicationObjectId)
    {
        lock (_gate)
        {
            if (_state.AppPolicies.TryGetValue(applicationObjectId, out var own) && own.IsEnabled)
            {
                return (own.MaxLifetimeDays, own.BlockPasswordAddition);
            }

            return (_state.SecretLifetimeMaxDays, _state.SecretAdditionBlocked);
        }
    }

    public void AddApplicationAccessPolicy(ApplicationAccessPolicy policy)
    {
        lock (_gate)
        {
            _state.AccessPolicies.Add(policy);
        }
    }

    /// <summary>True when an Exchange application access policy denies <paramref name="appId"/> this mailbox (docs/service-behaviour.md#graph-access-denied).</summary>
    public bool IsMailboxAccessDenied(Guid mailboxUserId, Guid appId)
    {
        lock (_gate)
        {
            return _state.AccessPolicies.Any(p => p.MailboxUserId == mailboxUserId && (p.AppId is null || p.AppId == appId));
        }
    }

    /// <summary>Everything mutable, guarded by <see cref="_gate"/>.</summary>
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

        public int? SecretLifetimeMaxDays { get; set; }

        public bool SecretAdditionBlocked { get; set; }

        public Dictionary<Guid, AppManagementPolicy> AppPolicies { get; } = []; // by application object id

        public List<ExchangeRoleDefinition> ExchangeRoleDefinitions { get; } = [];

        public List<ExchangeRoleAssignment> ExchangeRoleAssignments { get; } = [];

        public List<ExchangeRemoval> ExchangeRemovals { get; } = [];

        public TimeSpan ExchangeCacheDelay { get; set; } = ExchangeRbac.DefaultCacheDelay;
    }
}
