namespace MailOAuth.Sandbox.KeyVault;

/// <summary>One version of a Key Vault secret as the sandbox keeps it (the value in memory only, never logged).</summary>
public sealed record VaultSecretVersion(
    string Version,
    string Value,
    string? ContentType,
    bool Enabled,
    DateTimeOffset? NotBefore,
    DateTimeOffset? Expires,
    DateTimeOffset Created,
    IReadOnlyDictionary<string, string> Tags);

/// <summary>A vault: its name, who holds "Key Vault Secrets Officer" on it (Azure RBAC), and its secrets by name.</summary>
public sealed class Vault(string name, IReadOnlySet<Guid> secretsOfficers)
{
    public string Name { get; } = name;

    /// <summary>Object ids (service principals) with the Key Vault Secrets Officer role on this vault.</summary>
    public IReadOnlySet<Guid> SecretsOfficers { get; } = secretsOfficers;

    /// <summary>Versions per secret name (case-insensitive, as Key Vault's names are), oldest first.</summary>
    internal Dictionary<string, List<VaultSecretVersion>> Secrets { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The sandbox's vaults (docs/sandbox.md "Key Vault"): <c>mailoauth</c>, where the admin identities hold Key Vault
/// Secrets Officer, and <c>denied</c>, where nobody does. One lock; a switch denies every write (403 ForbiddenByRbac).
/// </summary>
public sealed class KeyVaultStore(IReadOnlySet<Guid> adminPrincipals)
{
    public const string OpenVault = "mailoauth";
    public const string DeniedVault = "denied";

    private readonly object _gate = new();
    private Dictionary<string, Vault> _vaults = Seed(adminPrincipals);
    private bool _denyWrites;

    private static Dictionary<string, Vault> Seed(IReadOnlySet<Guid> admins) => new(StringComparer.OrdinalIgnoreCase)
    {
        [OpenVault] = new Vault(OpenVault, admins),
        [DeniedVault] = new Vault(DeniedVault, new HashSet<Guid>()),
    };

    /// <summary>When true, every secret write is answered 403 ForbiddenByRbac (POST /_sandbox/keyvault).</summary>
    public bool DenyWrites
    {
        get { lock (_gate) return _denyWrites; }
        set { lock (_gate) _denyWrites = value; }
    }

    public Vault? Find(string name)
    {
        lock (_gate) return _vaults.GetValueOrDefault(name);
    }

    /// <summary>Adds a version; the new version is the current one.</summary>
    public VaultSecretVersion Set(Vault vault, string name, VaultSecretVersion version)
    {
        lock (_gate)
        {
            if (!vault.Secrets.TryGetValue(name, out var versions)) vault.Secrets[name] = versions = [];
            versions.Add(version);
            return version;
        }
    }

    /// <summary>The current version, or the named one; null when there is none.</summary>
    public (string Name, VaultSecretVersion Version)? Get(Vault vault, string name, string? version)
    {
        lock (_gate)
        {
            if (!vault.Secrets.TryGetValue(name, out var versions) || versions.Count == 0) return null;
            var found = version is null ? versions[^1] : versions.FirstOrDefault(v => string.Equals(v.Version, version, StringComparison.OrdinalIgnoreCase));
            return found is null ? null : (vault.Secrets.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)), found);
        }
    }

    /// <summary>Every version of a secret, oldest first; null for an unknown name.</summary>
    public IReadOnlyList<VaultSecretVersion>? Versions(Vault vault, string name)
    {
        lock (_gate) return vault.Secrets.TryGetValue(name, out var versions) ? versions.ToList() : null;
    }

    /// <summary>A copy of every vault's secrets (for the control endpoint).</summary>
    public IReadOnlyList<(string Vault, string Name, IReadOnlyList<VaultSecretVersion> Versions)> Snapshot()
    {
        lock (_gate)
        {
            return _vaults.Values.SelectMany(v => v.Secrets.Select(s => (v.Name, s.Key, (IReadOnlyList<VaultSecretVersion>)s.Value.ToList()))).ToList();
        }
    }

    /// <summary>Empty vaults again, writes allowed.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _vaults = Seed(adminPrincipals);
            _denyWrites = false;
        }
    }
}
