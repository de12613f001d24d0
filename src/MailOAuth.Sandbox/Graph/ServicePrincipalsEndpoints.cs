using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// <c>/v1.0/servicePrincipals</c> (docs/service-behaviour.md#service-principal, #app-role-assignment): create, upsert by appId, list with
/// <c>$filter</c>, get / update / delete by id or <c>(appId='…')</c>, and the app role
/// assignments (<c>appRoleAssignedTo</c> on the resource, <c>appRoleAssignments</c> on the principal).
/// </summary>
public static class ServicePrincipalsEndpoints
{
    public static Task RouteAsync(DirectoryRequest request)
    {
        var segments = request.Segments;
        var head = segments[0];
        if (!head.HasKey && segments.Count == 1)
        {
            return request.Method switch
            {
                "GET" => ListAsync(request),
                "POST" => CreateAsync(request),
                _ => request.MethodNotAllowedAsync(),
            };
        }

        var (keyName, keyValue, navigation) = head.HasKey
            ? (head.KeyName ?? "id", head.KeyValue!, segments.Skip(1).ToList())
            : ("id", segments[1].Name, segments.Skip(2).ToList());
        if ((!head.HasKey && segments[1].HasKey) || keyName is not ("id" or "appId"))
        {
            return request.ErrorAsync(GraphError.UnknownSegment(head.HasKey ? head.KeyName ?? "" : segments[1].Name));
        }

        var servicePrincipal = keyName == "appId"
            ? Guid.TryParse(keyValue, out var appId) ? request.Directory.FindServicePrincipalByAppId(appId) : null
            : Guid.TryParse(keyValue, out var id) ? request.Directory.GetServicePrincipal(id) : null;

        if (navigation.Count == 0)
        {
            return request.Method switch
            {
                "GET" => GetAsync(request, servicePrincipal, keyValue),
                "PATCH" => UpdateAsync(request, servicePrincipal, keyName, keyValue),
                "DELETE" => DeleteAsync(request, servicePrincipal, keyValue),
                _ => request.MethodNotAllowedAsync(),
            };
        }

        var relation = navigation[0].Is(AppRoleAssignmentsEndpoints.AssignedTo) ? AppRoleAssignmentsEndpoints.AssignedTo : navigation[0].Is(AppRoleAssignmentsEndpoints.Assignments) ? AppRoleAssignmentsEndpoints.Assignments : null;
        if (relation is null || navigation.Count > 2 || (navigation.Count == 2 && navigation[1].HasKey))
        {
            return request.ErrorAsync(GraphError.UnknownSegment(navigation[0].Name));
        }

        if (navigation.Count == 2)
        {
            return request.Method switch
            {
                "GET" => AppRoleAssignmentsEndpoints.GetAsync(request, servicePrincipal, keyValue, relation, navigation[1].Name),
                "DELETE" => AppRoleAssignmentsEndpoints.DeleteAsync(request, servicePrincipal, keyValue, relation, navigation[1].Name),
                _ => request.MethodNotAllowedAsync(),
            };
        }

        return request.Method switch
        {
            "GET" => AppRoleAssignmentsEndpoints.ListAsync(request, servicePrincipal, keyValue, relation),
            "POST" => AppRoleAssignmentsEndpoints.AssignAsync(request, servicePrincipal, keyValue, relation),
            _ => request.MethodNotAllowedAsync(),
        };
    }

    /// <summary>GET /servicePrincipals: eventually consistent, like every list (docs/service-behaviour.md#replication).</summary>
    private static Task ListAsync(DirectoryRequest request) =>
        request.ListAsync(ServicePrincipalJson.Schema, "servicePrincipals", request.Directory.ListServicePrincipals(), s => s.CreatedDateTime,
            s => s.Owners, s => ServicePrincipalJson.ToJson(s, request.Runtime));

    private static Task GetAsync(DirectoryRequest request, ServicePrincipal? servicePrincipal, string keyValue) =>
        request.GetEntityAsync(ServicePrincipalJson.Schema, "servicePrincipals", servicePrincipal, keyValue,
            s => DirectoryPermissions.CanReadServicePrincipal(request.Caller, s), s => ServicePrincipalJson.ToJson(s, request.Runtime));

    /// <summary>POST /servicePrincipals <c>{"appId"}</c> → 201 (docs/service-behaviour.md#service-principal).</summary>
    private static async Task CreateAsync(DirectoryRequest request)
    {
        if (!await request.PermitAsync(DirectoryPermissions.CanCreateApplications(request.Caller)))
        {
            return;
        }

        if (await request.BodyAsync() is not { } body)
        {
            return;
        }

        var appIdText = BodyProperties.String(body, "appId");
        if (!Guid.TryParse(appIdText, out var appId))
        {
            await request.ErrorAsync(GraphError.InvalidPropertyValue("appId", "ServicePrincipal"));
            return;
        }

        await CreateForAppAsync(request, appId, appIdText!, body);
    }

    /// <summary>
    /// The create half of POST and of the upsert. One service principal per appId (409); an
    /// application that does not exist, or has not replicated yet, has no "backing application
    /// object" (docs/service-behaviour.md#service-principal exact 400).
    /// </summary>
    private static async Task CreateForAppAsync(DirectoryRequest request, Guid appId, string appIdAsGiven, JsonElement body)
    {
        var directory = request.Directory;
        if (directory.FindServicePrincipalByAppId(appId) is not null)
        {
            await request.ErrorAsync(GraphError.ServicePrincipalExists());
            return;
        }

        var application = directory.FindApplicationByAppId(appId);
        if (application is null || !request.IsReplicatedForWrites(application.CreatedDateTime))
        {
            await request.ErrorAsync(GraphError.NoBackingApplicationObject(appIdAsGiven));
            return;
        }

        if (!await request.PermitAsync(DirectoryPermissions.CanWrite(request.Caller, application.Owners)))
        {
            return;
        }

        var fresh = new ServicePrincipal(Guid.NewGuid(), appId, application.DisplayName, directory.Tenant.Id, [])
        {
            CreatedDateTime = request.Now,
            SignInAudience = application.SignInAudience,
            Owners = [request.Caller.PrincipalId],
        };
        var (servicePrincipal, error) = ServicePrincipalJson.Apply(fresh, body);
        if (error is not null)
        {
            await request.ErrorAsync(error);
            return;
        }

        if (!directory.TryAddServicePrincipal(servicePrincipal!))
        {
            await request.ErrorAsync(GraphError.ServicePrincipalExists());
            return;
        }

        var json = new JsonObject { ["@odata.context"] = request.Metadata + "servicePrincipals/$entity" };
        foreach (var (name, value) in ServicePrincipalJson.ToJson(servicePrincipal!, request.Runtime))
        {
            json[name] = value?.DeepClone();
        }

        await request.JsonAsync(json, 201);
    }

    /// <summary>
    /// PATCH → 204; on <c>servicePrincipals(appId='…')</c> with <c>Prefer: create-if-missing</c>
    /// it is the upsert (201 when created); without the header, not found is 404.
    /// </summary>
    private static async Task UpdateAsync(DirectoryRequest request, ServicePrincipal? servicePrincipal, string keyName, string keyValue)
    {
        if (!await request.PermitAsync(DirectoryPermissions.CanCreateApplications(request.Caller)))
        {
            return;
        }

        if (await request.BodyAsync(allowEmpty: true) is not { } body)
        {
            return;
        }

        if (servicePrincipal is null)
        {
            if (keyName == "appId" && request.PrefersCreateIfMissing && Guid.TryParse(keyValue, out var appId))
            {
                await CreateForAppAsync(request, appId, keyValue, body);
                return;
            }

            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue));
            return;
        }

        if (!await request.PermitAsync(DirectoryPermissions.CanWrite(request.Caller, OwnersOf(request, servicePrincipal))))
        {
            return;
        }

        GraphError? error = null;
        request.Directory.UpdateServicePrincipal(servicePrincipal.Id, current =>
        {
            var (changed, applyError) = ServicePrincipalJson.Apply(current, body);
            error = applyError;
            return changed ?? current;
        });
        await (error is null ? request.NoContentAsync() : request.ErrorAsync(error));
    }

    /// <summary>DELETE → 204 with the assignments it holds or grants. Microsoft's and managed identities' are not deletable here.</summary>
    private static async Task DeleteAsync(DirectoryRequest request, ServicePrincipal? servicePrincipal, string keyValue)
    {
        if (!await request.PermitAsync(DirectoryPermissions.CanCreateApplications(request.Caller)))
        {
            return;
        }

        if (servicePrincipal is null)
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue));
            return;
        }

        if (servicePrincipal.IsManagedIdentity
            || servicePrincipal.AppOwnerOrganizationId != request.Directory.Tenant.Id
            || !DirectoryPermissions.CanWrite(request.Caller, OwnersOf(request, servicePrincipal)))
        {
            await request.ErrorAsync(GraphError.InsufficientPrivileges());
            return;
        }

        await (request.Directory.RemoveServicePrincipal(servicePrincipal.Id)
            ? request.NoContentAsync()
            : request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue)));
    }

    /// <summary>A service principal's owners, and its application's (OwnedBy may manage both).</summary>
    internal static IReadOnlySet<Guid> OwnersOf(DirectoryRequest request, ServicePrincipal servicePrincipal) =>
        request.Directory.FindApplicationByAppId(servicePrincipal.AppId) is { } application
            ? servicePrincipal.Owners.Union(application.Owners)
            : servicePrincipal.Owners;
}
