using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Graph;
using Microsoft.Graph;
using Microsoft.Graph.Applications.Item.AddPassword;
using Microsoft.Graph.Models;

namespace MailOAuth.Core.Entra;

/// <summary>
/// The directory calls provisioning needs, each with the permission it requires, so that a 403 names
/// it (InsufficientPrivileges) and every failure leaves here explained.
/// </summary>
internal sealed class DirectoryClient
{
    private static readonly string[] s_appFields = { "id", "appId", "displayName", "tags", "uniqueName", "requiredResourceAccess", "createdDateTime", "passwordCredentials", "keyCredentials" };
    private readonly AdminConnection _connection;
    private readonly GraphServiceClient _graph;

    public DirectoryClient(AdminConnection connection)
    {
        _connection = connection;
        _graph = connection.Graph;
    }

    public string TenantId => _connection.TenantId;

    public Task<List<Application>> FindAppsByNameAsync(string displayName, CancellationToken ct) =>
        FindAppsAsync("look up applications", $"displayName eq '{Escape(displayName)}'", ct);

    public Task<List<Application>> FindManagedAppsAsync(CancellationToken ct) =>
        FindAppsAsync("list applications", $"tags/any(t:t eq '{EntraIds.ManagedTag}')", ct);

    /// <summary>Every application matching <paramref name="filter"/>, following @odata.nextLink past the first page.</summary>
    private Task<List<Application>> FindAppsAsync(string operation, string filter, CancellationToken ct) =>
        Call(operation, "Application.Read.All (or Application.ReadWrite.All)", null, async () =>
        {
            var all = new List<Application>();
            var page = await _graph.Applications.GetAsync(c =>
            {
                c.QueryParameters.Filter = filter;
                c.QueryParameters.Select = s_appFields;
            }, ct).ConfigureAwait(false);
            while (page is not null)
            {
                all.AddRange(page.Value ?? new List<Application>());
                if (string.IsNullOrEmpty(page.OdataNextLink)) break;
                page = await _graph.Applications.WithUrl(page.OdataNextLink!).GetAsync(cancellationToken: ct).ConfigureAwait(false);
            }
            return all;
        });

    /// <summary>The app by client ID, or null when there is none.</summary>
    public Task<Application?> GetAppByClientIdAsync(string clientId, CancellationToken ct) =>
        Call("read the application", "Application.Read.All (or Application.ReadWrite.All)", clientId, () =>
            OrNull(() => _graph.ApplicationsWithAppId(clientId).GetAsync(c => c.QueryParameters.Select = s_appFields, ct)));

    /// <summary>The app by client ID with its sign-in audience (Test-MailOAuthConfiguration), or null when there is none.</summary>
    public Task<Application?> GetAppForCheckAsync(string clientId, CancellationToken ct) =>
        Call("read the application", "Application.Read.All (or Application.ReadWrite.All)", clientId, () =>
            OrNull(() => _graph.ApplicationsWithAppId(clientId).GetAsync(c => c.QueryParameters.Select = s_appFields.Concat(new[] { "signInAudience" }).ToArray(), ct)));

    public Task<Application?> GetAppByUniqueNameAsync(string uniqueName, CancellationToken ct) =>
        Call("read the application", "Application.Read.All (or Application.ReadWrite.All)", null, () =>
            OrNull(() => _graph.ApplicationsWithUniqueName(uniqueName).GetAsync(c => c.QueryParameters.Select = s_appFields, ct)));

    /// <summary>Creates the app if no app has this uniqueName (201), else updates it (204 → null).</summary>
    public Task<Application?> UpsertAppAsync(string uniqueName, Application body, CancellationToken ct) =>
        Call("create the application", "Application.ReadWrite.All (or Application.ReadWrite.OwnedBy)", null, () =>
            _graph.ApplicationsWithUniqueName(uniqueName).PatchAsync(body, c => c.Headers.Add("Prefer", "create-if-missing"), ct));

    public Task UpdateAppAsync(string objectId, Application body, CancellationToken ct) =>
        Call("update the application", "Application.ReadWrite.All (or Application.ReadWrite.OwnedBy)", null, async () =>
        {
            await _graph.Applications[objectId].PatchAsync(body, cancellationToken: ct).ConfigureAwait(false);
            return true;
        });

    /// <summary>Raw addPassword: the caller rides out replication, so failures are not explained here.</summary>
    public Task<PasswordCredential?> AddPasswordRawAsync(string objectId, string description, DateTimeOffset end, CancellationToken ct) =>
        // Not repeated after an ambiguous failure: a second secret would be created and its value lost.
        _graph.Applications[objectId].AddPassword.PostAsync(new AddPasswordPostRequestBody
        {
            PasswordCredential = new PasswordCredential { DisplayName = description, EndDateTime = end },
        }, c => c.Options.Add(new Resilience.NoAmbiguousRetryOption()), ct);

    /// <summary>Removes one client secret of the application by its key id.</summary>
    public Task RemovePasswordAsync(string objectId, Guid keyId, CancellationToken ct) =>
        Call("remove a client secret of the application", "Application.ReadWrite.All (or Application.ReadWrite.OwnedBy)", null, async () =>
        {
            await _graph.Applications[objectId].RemovePassword.PostAsync(
                new Microsoft.Graph.Applications.Item.RemovePassword.RemovePasswordPostRequestBody { KeyId = keyId }, cancellationToken: ct).ConfigureAwait(false);
            return true;
        });

    /// <summary>Permanently deletes a soft-deleted application (frees its uniqueName at once).</summary>
    public Task PurgeDeletedAppAsync(string objectId, CancellationToken ct) =>
        Call("permanently delete the application", "Application.ReadWrite.All", null, async () =>
        {
            await _graph.Directory.DeletedItems[objectId].DeleteAsync(cancellationToken: ct).ConfigureAwait(false);
            return true;
        });

    public Task DeleteAppAsync(string objectId, CancellationToken ct) =>
        Call("delete the application", "Application.ReadWrite.All (or Application.ReadWrite.OwnedBy)", null, async () =>
        {
            await _graph.Applications[objectId].DeleteAsync(cancellationToken: ct).ConfigureAwait(false);
            return true;
        });

    public Task<ServicePrincipal?> GetServicePrincipalAsync(string appId, CancellationToken ct) =>
        Call("read the service principal", "Application.Read.All (or Application.ReadWrite.All)", null, () =>
            OrNull(() => _graph.ServicePrincipalsWithAppId(appId).GetAsync(c => c.QueryParameters.Select = new[] { "id", "appId", "displayName", "appRoles" }, ct)));

    /// <summary>Raw upsert of an app's service principal (201 → the SP, 204 → null); the caller rides out replication.</summary>
    public Task<ServicePrincipal?> UpsertServicePrincipalRawAsync(string appId, CancellationToken ct) =>
        _graph.ServicePrincipalsWithAppId(appId).PatchAsync(new ServicePrincipal(), c => c.Headers.Add("Prefer", "create-if-missing"), ct);

    public Task<List<AppRoleAssignment>> GetAppRoleAssignmentsAsync(string servicePrincipalId, CancellationToken ct) =>
        Call("read the app's role assignments", "Application.Read.All (or Directory.Read.All)", null, async () =>
            (await _graph.ServicePrincipals[servicePrincipalId].AppRoleAssignments.GetAsync(cancellationToken: ct).ConfigureAwait(false))?.Value
            ?? new List<AppRoleAssignment>());

    /// <summary>Every assignment of one of <paramref name="resourceSpId"/>'s app roles (who holds which permission on that API), all pages.</summary>
    public Task<List<AppRoleAssignment>> GetAppRoleAssignedToAsync(string resourceSpId, CancellationToken ct) =>
        Call("read who holds Microsoft Graph's application permissions", "Application.Read.All (or Directory.Read.All)", null, async () =>
        {
            var all = new List<AppRoleAssignment>();
            var page = await _graph.ServicePrincipals[resourceSpId].AppRoleAssignedTo.GetAsync(cancellationToken: ct).ConfigureAwait(false);
            while (page is not null)
            {
                all.AddRange(page.Value ?? new List<AppRoleAssignment>());
                if (string.IsNullOrEmpty(page.OdataNextLink)) break;
                page = await _graph.ServicePrincipals[resourceSpId].AppRoleAssignedTo.WithUrl(page.OdataNextLink!).GetAsync(cancellationToken: ct).ConfigureAwait(false);
            }
            return all;
        });

    /// <summary>A service principal by its object id, or null when there is none.</summary>
    public Task<ServicePrincipal?> GetServicePrincipalByIdAsync(string id, CancellationToken ct) =>
        Call("read the service principal", "Application.Read.All (or Application.ReadWrite.All)", null, () =>
            OrNull(() => _graph.ServicePrincipals[id].GetAsync(c => c.QueryParameters.Select = new[] { "id", "appId", "displayName", "servicePrincipalType" }, ct)));

    /// <summary>The app's federated identity credentials (workload identity federation); they have no expiry.</summary>
    public Task<List<FederatedIdentityCredential>> GetFederatedCredentialsAsync(string objectId, CancellationToken ct) =>
        Call("read the app's federated credentials", "Application.Read.All (or Application.ReadWrite.All)", null, async () =>
            (await _graph.Applications[objectId].FederatedIdentityCredentials.GetAsync(cancellationToken: ct).ConfigureAwait(false))?.Value
            ?? new List<FederatedIdentityCredential>());

    /// <summary>Raw appRoleAssignedTo (the recommended form, docs/service-behaviour.md#app-role-assignment); the caller handles duplicates and replication.</summary>
    public Task<AppRoleAssignment?> AssignAppRoleRawAsync(string resourceSpId, string principalId, Guid appRoleId, CancellationToken ct) =>
        _graph.ServicePrincipals[resourceSpId].AppRoleAssignedTo.PostAsync(new AppRoleAssignment
        {
            PrincipalId = Guid.Parse(principalId),
            ResourceId = Guid.Parse(resourceSpId),
            AppRoleId = appRoleId,
        }, cancellationToken: ct);

    /// <summary>Deletes one app role assignment of a service principal (tenant-wide admin consent); one already gone counts as deleted.</summary>
    public Task DeleteAppRoleAssignmentAsync(string servicePrincipalId, string assignmentId, CancellationToken ct) =>
        Call("remove the tenant-wide Mail.Send grant (app role assignment)", "AppRoleAssignment.ReadWrite.All", null, async () =>
        {
            try
            {
                await _graph.ServicePrincipals[servicePrincipalId].AppRoleAssignments[assignmentId].DeleteAsync(cancellationToken: ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (GraphErrors.Is(ex, 404))
            {
                // Removed meanwhile: the state asked for is reached.
            }
            return true;
        });

    /// <summary>A user by object id (its UPN for messages), or null when there is none.</summary>
    public Task<User?> GetUserByIdAsync(string id, CancellationToken ct) =>
        Call("read a user", "User.Read.All", null, () =>
            OrNull(() => _graph.Users[id].GetAsync(c => c.QueryParameters.Select = new[] { "id", "userPrincipalName", "mail" }, ct)));

    public Task<User?> GetUserAsync(string userPrincipalName, CancellationToken ct) =>
        Call("read the sender's user", "User.Read.All", null, () =>
            OrNull(() => _graph.Users[userPrincipalName].GetAsync(c => c.QueryParameters.Select =
                new[] { "id", "userPrincipalName", "mail", "accountEnabled", "userType", "onPremisesSyncEnabled", "assignedPlans" }, ct)));

    /// <summary>Users whose primary SMTP address is <paramref name="address"/> (for an address that is not a UPN).</summary>
    public Task<List<User>> FindUsersByMailAsync(string address, CancellationToken ct) =>
        Call("look up the sender by e-mail address", "User.Read.All", null, async () =>
            (await _graph.Users.GetAsync(c =>
            {
                c.QueryParameters.Filter = $"mail eq '{Escape(address)}'";
                c.QueryParameters.Select = new[] { "id", "userPrincipalName", "mail" };
            }, ct).ConfigureAwait(false))?.Value ?? new List<User>());

    /// <summary>
    /// Users with <paramref name="address"/> among their proxyAddresses (an alias, not the primary address). The
    /// directory compares case-insensitively, so "smtp:" also matches the primary "SMTP:" entry (docs/service-behaviour.md#users).
    /// </summary>
    public Task<List<User>> FindUsersByProxyAddressAsync(string address, CancellationToken ct) =>
        Call("look up the sender by proxy address", "User.Read.All", null, async () =>
            (await _graph.Users.GetAsync(c =>
            {
                c.QueryParameters.Filter = $"proxyAddresses/any(p:p eq 'smtp:{Escape(address)}')";
                c.QueryParameters.Select = new[] { "id", "userPrincipalName", "mail" };
            }, ct).ConfigureAwait(false))?.Value ?? new List<User>());

    public Task<List<Domain>> GetDomainsAsync(CancellationToken ct) =>
        Call("read the tenant's domains", "Domain.Read.All", null, async () =>
            (await _graph.Domains.GetAsync(cancellationToken: ct).ConfigureAwait(false))?.Value ?? new List<Domain>());

    /// <summary>
    /// The SPF text of the Email TXT record in the domain's serviceConfigurationRecords (what Microsoft 365 expects in the
    /// domain's zone: docs/service-behaviour.md#service-configuration-records), or null when Graph lists none.
    /// </summary>
    public Task<string?> GetExpectedSpfAsync(string domain, CancellationToken ct) =>
        Call($"read the DNS records Microsoft 365 expects for {domain}", "Domain.Read.All", null, async () =>
        {
            var records = await _graph.Domains[domain].ServiceConfigurationRecords.GetAsync(cancellationToken: ct).ConfigureAwait(false);
            return records?.Value?.OfType<DomainDnsTxtRecord>()
                .Where(r => string.Equals(r.SupportedService, "Email", StringComparison.OrdinalIgnoreCase))
                .Select(r => r.Text?.Trim())
                .FirstOrDefault(t => t is not null && t.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase));
        });

    /// <summary>Explains a failure of a raw call made on behalf of <paramref name="operation"/>.</summary>
    public MailOAuthException Explain(Exception ex, string operation, string permission, string? clientId = null) =>
        GraphErrors.Explain(ex, Context(operation, permission, clientId), _connection.Environment.GraphEndpoint);

    private DiagnosisContext Context(string operation, string permission, string? clientId) => new()
    {
        TenantId = _connection.TenantId,
        ClientId = clientId,
        EnvironmentName = _connection.Environment.Name,
        Operation = operation,
        RequiredPermission = permission,
        NotFoundCode = DiagnosisCode.ApplicationNotFound,
    };

    private async Task<T> Call<T>(string operation, string permission, string? clientId, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not MailOAuthException)
        {
            throw Explain(ex, operation, permission, clientId);
        }
    }

    private static async Task<T?> OrNull<T>(Func<Task<T?>> get) where T : class
    {
        try
        {
            return await get().ConfigureAwait(false);
        }
        catch (Exception ex) when (GraphErrors.Is(ex, 404))
        {
            return null;
        }
    }

    /// <summary>OData string literal escaping: a quote is doubled.</summary>
    internal static string Escape(string value) => value.Replace("'", "''");
}
