using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Graph;
using Microsoft.Graph;
using Microsoft.Graph.Models;

namespace MailOAuth.Core.Entra;

/// <summary>
/// What the tenant's app management policies allow for one app's client secrets: the longest lifetime
/// (<c>passwordLifetime</c>) and whether new secrets are blocked (<c>passwordAddition</c>).
/// </summary>
public sealed class SecretPolicy
{
    /// <summary>False when the policies could not be read (no Policy.Read.All): then nothing is known.</summary>
    public bool Readable { get; init; }

    /// <summary>The longest lifetime a new secret may have; null when no policy limits it.</summary>
    public TimeSpan? MaxLifetime { get; init; }

    /// <summary>Which policy sets <see cref="MaxLifetime"/> ("tenant default app management policy", or the app's policy by name).</summary>
    public string? MaxLifetimeSource { get; init; }

    /// <summary>True when a policy forbids adding client secrets to the app.</summary>
    public bool PasswordAdditionBlocked { get; init; }

    public string? AdditionBlockedSource { get; init; }

    /// <summary>Why the policies could not be read (the permission named), when <see cref="Readable"/> is false.</summary>
    public string? UnreadableReason { get; init; }
}

/// <summary>
/// Reads <c>GET /policies/defaultAppManagementPolicy</c> and the app's <c>GET /applications/{id}/appManagementPolicies</c>
/// (docs/service-behaviour.md#secret-policy) and works out what applies to one app: an enabled policy
/// assigned to the app replaces the tenant default (which applies only when enabled); a restriction
/// that is disabled, or only for apps created after a date the app predates, does not apply.
/// </summary>
public sealed class SecretPolicyReader
{
    internal const string TenantDefaultSource = "tenant default app management policy";
    private const string Permission = "Policy.Read.All";
    private readonly AdminConnection _connection;

    public SecretPolicyReader(AdminConnection connection) => _connection = connection;

    /// <summary>
    /// The policy for an existing app (<paramref name="appObjectId"/>, created <paramref name="appCreatedOn"/>),
    /// or for an app about to be created (null object ID, created now). A 403 (no Policy.Read.All) is an
    /// unreadable policy, not a failure; any other failure leaves explained.
    /// </summary>
    public async Task<SecretPolicy> ReadAsync(string? appObjectId, DateTimeOffset appCreatedOn, CancellationToken ct)
    {
        TenantAppManagementPolicy? tenant;
        List<AppManagementPolicy> assigned = new();
        try
        {
            tenant = await _connection.Graph.Policies.DefaultAppManagementPolicy.GetAsync(cancellationToken: ct).ConfigureAwait(false);
            if (appObjectId is not null)
                assigned = (await _connection.Graph.Applications[appObjectId].AppManagementPolicies.GetAsync(cancellationToken: ct).ConfigureAwait(false))?.Value
                    ?? new List<AppManagementPolicy>();
        }
        catch (Exception ex) when (GraphErrors.Is(ex, 403))
        {
            return new SecretPolicy { Readable = false, UnreadableReason = $"the connection may not read app management policies (it needs {Permission})" };
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not MailOAuthException)
        {
            throw GraphErrors.Explain(ex, new DiagnosisContext
            {
                TenantId = _connection.TenantId, EnvironmentName = _connection.Environment.Name,
                Operation = "read the tenant's app management policies", RequiredPermission = Permission,
            }, _connection.Environment.GraphEndpoint);
        }

        // An enabled policy assigned to the app replaces the tenant default for it; else the default, when enabled.
        var own = assigned.FirstOrDefault(p => p.IsEnabled != false);
        var candidates = own is not null
            ? new[] { (Name: $"app management policy '{own.DisplayName}' assigned to the app", Rules: own.Restrictions?.PasswordCredentials) }
            : tenant?.IsEnabled == true
                ? new[] { (Name: TenantDefaultSource, Rules: tenant.ApplicationRestrictions?.PasswordCredentials) }
                : Array.Empty<(string Name, List<PasswordCredentialConfiguration>? Rules)>();

        (TimeSpan? Value, string? Source) lifetime = (null, null);
        (bool Value, string? Source) blocked = (false, null);
        var lifetimeSet = false;
        var additionSet = false;
        foreach (var (name, rules) in candidates)
        {
            foreach (var rule in rules ?? new List<PasswordCredentialConfiguration>())
            {
                if (!Applies(rule, appCreatedOn)) continue;
                var type = rule.RestrictionType?.ToString();
                if (!lifetimeSet && string.Equals(type, "PasswordLifetime", StringComparison.OrdinalIgnoreCase) && rule.MaxLifetime is { } max)
                {
                    lifetime = (max, name);
                    lifetimeSet = true;
                }
                else if (!additionSet && string.Equals(type, "PasswordAddition", StringComparison.OrdinalIgnoreCase))
                {
                    blocked = (true, name);
                    additionSet = true;
                }
            }
        }
        return new SecretPolicy
        {
            Readable = true,
            MaxLifetime = lifetime.Value,
            MaxLifetimeSource = lifetime.Source,
            PasswordAdditionBlocked = blocked.Value,
            AdditionBlockedSource = blocked.Source,
        };
    }

    /// <summary>A restriction applies when enabled and the app was created after its cut-off date (if any).</summary>
    private static bool Applies(PasswordCredentialConfiguration rule, DateTimeOffset appCreatedOn)
    {
        if (string.Equals(rule.State?.ToString(), "Disabled", StringComparison.OrdinalIgnoreCase)) return false;
        return rule.RestrictForAppsCreatedAfterDateTime is not { } after || appCreatedOn >= after;
    }
}
