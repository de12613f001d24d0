using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;

namespace MailOAuth.Core.Cloud;

/// <summary>
/// The clouds known to one session: the four built-in ones plus any added by the user.
/// One instance per session (never static), so two runspaces side by side do not see each other's.
/// </summary>
public sealed class EnvironmentRegistry
{
    /// <summary>The default environment name.</summary>
    public const string DefaultName = "Global";

    private readonly object _gate = new();
    private readonly Dictionary<string, CloudEnvironment> _environments = new(StringComparer.OrdinalIgnoreCase);

    public EnvironmentRegistry()
    {
        // docs/service-behaviour.md#national-clouds: authority hosts and Graph roots per national cloud.
        foreach (var env in new[]
        {
            // docs/service-behaviour.md#key-vault-challenge: each cloud's vault DNS suffix (the resource is https:// + it).
            new CloudEnvironment("Global", new Uri("https://login.microsoftonline.com"), new Uri("https://graph.microsoft.com"), true, keyVaultSuffix: "vault.azure.net"),
            new CloudEnvironment("USGov", new Uri("https://login.microsoftonline.us"), new Uri("https://graph.microsoft.us"), true, keyVaultSuffix: "vault.usgovcloudapi.net"),
            new CloudEnvironment("USGovDoD", new Uri("https://login.microsoftonline.us"), new Uri("https://dod-graph.microsoft.us"), true, keyVaultSuffix: "vault.usgovcloudapi.net"),
            new CloudEnvironment("China", new Uri("https://login.chinacloudapi.cn"), new Uri("https://microsoftgraph.chinacloudapi.cn"), true, keyVaultSuffix: "vault.azure.cn"),
        })
        {
            _environments[env.Name] = env;
        }
    }

    /// <summary>All environments, built-in first.</summary>
    public IReadOnlyList<CloudEnvironment> All
    {
        get { lock (_gate) return _environments.Values.OrderByDescending(e => e.IsBuiltIn).ThenBy(e => e.Name, StringComparer.OrdinalIgnoreCase).ToList(); }
    }

    /// <summary>Looks an environment up by name; null (or empty) means <see cref="DefaultName"/>.</summary>
    public CloudEnvironment Get(string? name)
    {
        var key = string.IsNullOrWhiteSpace(name) ? DefaultName : name!;
        lock (_gate)
        {
            if (_environments.TryGetValue(key, out var env)) return env;
        }
        throw new Diagnostics.MailOAuthException(Diagnostics.DiagnosisCatalog.UnknownEnvironment(key, KnownNames));
    }

    /// <summary>The known names, comma-separated, built-in ones first.</summary>
    public string KnownNames => string.Join(", ", All.Select(e => e.Name));

    /// <summary>True when an environment of that name exists.</summary>
    public bool Contains(string name)
    {
        lock (_gate) return _environments.ContainsKey(name);
    }

    /// <summary>Adds or replaces a custom environment. Built-in ones cannot be replaced.</summary>
    public CloudEnvironment Add(string name, Uri authorityHost, Uri graphEndpoint, X509Certificate2? trustedCertificate,
        string? keyVaultSuffix = null, Uri? keyVaultAudience = null)
    {
        var env = new CloudEnvironment(name, authorityHost, graphEndpoint, isBuiltIn: false, trustedCertificate, keyVaultSuffix, keyVaultAudience);
        lock (_gate)
        {
            if (_environments.TryGetValue(name, out var existing) && existing.IsBuiltIn)
                throw new ArgumentException($"'{name}' is a built-in environment and cannot be replaced.");
            _environments[name] = env;
        }
        return env;
    }
}
