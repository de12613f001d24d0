using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary><c>/v1.0/users</c>, <c>/v1.0/me</c>, <c>/v1.0/domains</c>, <c>/v1.0/organization</c> (docs/service-behaviour.md#users, #domains, #organization). Read only.</summary>
public static class TenantEndpoints
{
    /// <summary>GET /users, GET /users/{id | userPrincipalName}: User.Read.All or Directory.Read.All.</summary>
    public static async Task UsersAsync(DirectoryRequest request)
    {
        var segments = request.Segments;
        if (!HttpMethods.IsGet(request.Method))
        {
            await request.MethodNotAllowedAsync();
            return;
        }

        if (segments.Count > 2 || segments.Skip(1).Any(s => s.HasKey) || segments[0].HasKey)
        {
            await request.ErrorAsync(GraphError.UnknownSegment(segments[^1].Name));
            return;
        }

        if (!await request.PermitAsync(DirectoryPermissions.CanReadUsers(request.Caller)))
        {
            return;
        }

        var (query, error) = ODataQuery.Parse(request.Http.Request.Query, UserJson.Schema, collection: segments.Count == 1);
        if (error is not null)
        {
            await request.ErrorAsync(error);
            return;
        }

        if (segments.Count == 1)
        {
            await request.JsonAsync(query!.Collection(request.Http, request.Metadata, "users",
                request.Directory.ListUsers().OrderBy(u => u.UserPrincipalName, StringComparer.OrdinalIgnoreCase).Select(UserJson.ToJson)));
            return;
        }

        // docs/service-behaviour.md#users: not found names the value as the client gave it.
        var value = segments[1].Name;
        if (request.Directory.FindUser(value) is not { } user)
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(value));
            return;
        }

        await request.JsonAsync(query!.Entity(request.Metadata, "users", UserJson.ToJson(user)));
    }

    /// <summary>GET /me: the signed-in user of a delegated token; an app token has no "me" (docs/service-behaviour.md#send-mail).</summary>
    public static async Task MeAsync(DirectoryRequest request)
    {
        if (request.Segments.Count > 1 || request.Segments[0].HasKey)
        {
            await request.ErrorAsync(GraphError.UnknownSegment(request.Segments[^1].Name));
            return;
        }

        if (!HttpMethods.IsGet(request.Method))
        {
            await request.MethodNotAllowedAsync();
            return;
        }

        if (request.Caller.IsAppOnly)
        {
            await request.ErrorAsync(GraphError.MeWithAppToken());
            return;
        }

        if (request.Directory.FindUser(request.Caller.ObjectId) is not { } user)
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(request.Caller.ObjectId));
            return;
        }

        var (query, error) = ODataQuery.Parse(request.Http.Request.Query, UserJson.Schema, collection: false);
        await (error is not null
            ? request.ErrorAsync(error)
            : request.JsonAsync(query!.Entity(request.Metadata, "users", UserJson.ToJson(user))));
    }

    /// <summary>GET /domains and /domains/{name}: Domain.Read.All or Directory.Read.All.</summary>
    public static async Task DomainsAsync(DirectoryRequest request)
    {
        var segments = request.Segments;
        if (!HttpMethods.IsGet(request.Method))
        {
            await request.MethodNotAllowedAsync();
            return;
        }

        var records = segments.Count == 3 && string.Equals(segments[2].Name, "serviceConfigurationRecords", StringComparison.Ordinal);
        if (segments.Count > (records ? 3 : 2) || segments[0].HasKey || segments.Skip(1).Any(s => s.HasKey))
        {
            await request.ErrorAsync(GraphError.UnknownSegment(segments[^1].Name));
            return;
        }

        if (!await request.PermitAsync(DirectoryPermissions.CanReadDomains(request.Caller)))
        {
            return;
        }

        if (records)
        {
            await ServiceConfigurationRecordsAsync(request, segments[1].Name);
            return;
        }

        var (query, error) = ODataQuery.Parse(request.Http.Request.Query, DomainJson.Schema, collection: segments.Count == 1);
        if (error is not null)
        {
            await request.ErrorAsync(error);
            return;
        }

        var domains = request.Directory.Tenant.Domains;
        if (segments.Count == 1)
        {
            await request.JsonAsync(query!.Collection(request.Http, request.Metadata, "domains", domains.Select(DomainJson.ToJson)));
            return;
        }

        var name = segments[1].Name;
        var domain = domains.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
        await (domain is null
            ? request.ErrorAsync(GraphError.DirectoryObjectNotFound(name))
            : request.JsonAsync(query!.Entity(request.Metadata, "domains", DomainJson.ToJson(domain))));
    }

    /// <summary>
    /// GET /domains/{name}/serviceConfigurationRecords (docs/service-behaviour.md#service-configuration-records): the
    /// records Microsoft 365 needs in the domain's zone for Email (MX, the SPF TXT, autodiscover); none for an unverified domain.
    /// </summary>
    private static Task ServiceConfigurationRecordsAsync(DirectoryRequest request, string name)
    {
        var domain = request.Directory.Tenant.Domains.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
        if (domain is null)
        {
            return request.ErrorAsync(GraphError.DirectoryObjectNotFound(name));
        }

        var value = domain.IsVerified ? DomainJson.ServiceConfigurationRecords(domain, request.Directory.ExpectedSpf) : new JsonArray();
        return request.JsonAsync(new JsonObject
        {
            ["@odata.context"] = $"{request.Metadata}domains('{domain.Name}')/serviceConfigurationRecords",
            ["value"] = value,
        });
    }

    /// <summary>GET /organization (and /organization/{id}): any valid token; the detail depends on the permission (docs/service-behaviour.md#organization).</summary>
    public static async Task OrganizationAsync(DirectoryRequest request)
    {
        var segments = request.Segments;
        if (!HttpMethods.IsGet(request.Method))
        {
            await request.MethodNotAllowedAsync();
            return;
        }

        if (segments.Count > 2 || segments[0].HasKey || segments.Skip(1).Any(s => s.HasKey))
        {
            await request.ErrorAsync(GraphError.UnknownSegment(segments[^1].Name));
            return;
        }

        var (query, error) = ODataQuery.Parse(request.Http.Request.Query, OrganizationJson.Schema, collection: segments.Count == 1);
        if (error is not null)
        {
            await request.ErrorAsync(error);
            return;
        }

        var organization = OrganizationJson.ToJson(request.Runtime, DirectoryPermissions.CanReadOrganization(request.Caller));
        if (segments.Count == 1)
        {
            await request.JsonAsync(query!.Collection(request.Http, request.Metadata, "organization", [organization]));
            return;
        }

        await (string.Equals(segments[1].Name, request.Directory.Tenant.Id.ToString(), StringComparison.OrdinalIgnoreCase)
            ? request.JsonAsync(query!.Entity(request.Metadata, "organization", organization))
            : request.ErrorAsync(GraphError.DirectoryObjectNotFound(segments[1].Name)));
    }
}
