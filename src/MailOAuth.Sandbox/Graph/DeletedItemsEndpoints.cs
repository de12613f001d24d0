using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// <c>/v1.0/directory/deletedItems</c> ("directory resource type": List, Get, Restore, Permanently
/// delete) for applications, which <c>DELETE /applications/{id}</c> soft-deletes for 30 days:
/// <list type="bullet">
/// <item><c>GET …/deletedItems/microsoft.graph.application</c> (the OData cast is required) with
/// <c>$filter</c>, <c>$select</c>, <c>$top</c>, <c>$count</c>; <c>microsoft.graph.servicePrincipal</c>
/// is always empty (the sandbox removes service principals for good).</item>
/// <item><c>GET …/deletedItems/{id}</c> (also <c>…/{id}/microsoft.graph.application</c>).</item>
/// <item><c>POST …/deletedItems/{id}/restore</c> → 200 with the application.</item>
/// <item><c>DELETE …/deletedItems/{id}</c> → 204, gone for good.</item>
/// </list>
/// Reads need an application read permission (OwnedBy: its own objects), writes
/// Application.ReadWrite.All (OwnedBy: its own objects).
/// </summary>
public static class DeletedItemsEndpoints
{
    private const string ApplicationCast = "microsoft.graph.application";
    private const string ServicePrincipalCast = "microsoft.graph.servicePrincipal";
    private const string ListContext = "directory/deletedItems/" + ApplicationCast;

    public static Task RouteAsync(DirectoryRequest request)
    {
        var segments = request.Segments;

        // /directory itself and anything under it but deletedItems are not modelled.
        if (segments[0].HasKey || segments.Count < 2 || !string.Equals(segments[1].Name, "deletedItems", StringComparison.OrdinalIgnoreCase))
        {
            return request.ErrorAsync(GraphError.ResourceNotFound());
        }

        // deletedItems('id') is the same as deletedItems/id.
        var (id, navigation) = segments[1].HasKey
            ? (segments[1].KeyValue, segments.Skip(2).ToList())
            : (segments.Count > 2 ? segments[2].Name : null, segments.Skip(3).ToList());
        if (segments[1].KeyName is not null || (!segments[1].HasKey && segments.Count > 2 && segments[2].HasKey))
        {
            return request.ErrorAsync(GraphError.BadRequest("The key of a deleted item is its object id.")); // INFERRED
        }

        if (id is null)
        {
            // "The OData cast type is a required part of the URI and calling GET /directory/deleteditems
            // without a type is not supported." (List deletedItems doc; status and text INFERRED)
            return HttpMethods.IsGet(request.Method)
                ? request.ErrorAsync(GraphError.BadRequest("The OData cast type (such as microsoft.graph.application) is required to list deleted items."))
                : request.MethodNotAllowedAsync();
        }

        if (!segments[1].HasKey && id.StartsWith("microsoft.graph.", StringComparison.OrdinalIgnoreCase))
        {
            if (navigation.Count > 0)
            {
                return request.ErrorAsync(GraphError.UnknownSegment(navigation[0].Name));
            }

            if (!HttpMethods.IsGet(request.Method))
            {
                return request.MethodNotAllowedAsync();
            }

            if (string.Equals(id, ApplicationCast, StringComparison.OrdinalIgnoreCase))
            {
                return ListAsync(request);
            }

            if (string.Equals(id, ServicePrincipalCast, StringComparison.OrdinalIgnoreCase))
            {
                return ListServicePrincipalsAsync(request);
            }

            // Deleted users, groups and administrative units are not modelled.
            return request.ErrorAsync(GraphError.UnknownSegment(id));
        }

        var application = Guid.TryParse(id, out var objectId) ? request.Directory.GetDeletedApplication(objectId, request.Now) : null;
        if (navigation.Count == 0)
        {
            return request.Method switch
            {
                "GET" => GetAsync(request, application, id, typed: false),
                "DELETE" => PurgeAsync(request, application, id),
                _ => request.MethodNotAllowedAsync(),
            };
        }

        if (navigation.Count == 1 && navigation[0].Is("restore"))
        {
            return HttpMethods.IsPost(request.Method) ? RestoreAsync(request, application, id) : request.MethodNotAllowedAsync();
        }

        if (navigation.Count == 1 && navigation[0].Is(ApplicationCast))
        {
            return HttpMethods.IsGet(request.Method) ? GetAsync(request, application, id, typed: true) : request.MethodNotAllowedAsync();
        }

        return request.ErrorAsync(GraphError.UnknownSegment(navigation[0].Name));
    }

    /// <summary>
    /// GET …/deletedItems/microsoft.graph.application → <c>{"@odata.context":"…#directory/deletedItems/microsoft.graph.application","value":[…]}</c>,
    /// oldest deletion first; the application shape with deletedDateTime set. Strongly consistent (INFERRED).
    /// </summary>
    private static async Task ListAsync(DirectoryRequest request)
    {
        var caller = request.Caller;
        var all = DirectoryPermissions.CanReadAllApplications(caller);
        if (!all && !caller.HasAnyPermission("Application.ReadWrite.OwnedBy"))
        {
            await request.ErrorAsync(GraphError.InsufficientPrivileges());
            return;
        }

        var (query, error) = ODataQuery.Parse(request.Http.Request.Query, ApplicationJson.Schema, collection: true);
        if (error is not null)
        {
            await request.ErrorAsync(error);
            return;
        }

        var visible = request.Directory.ListDeletedApplications(request.Now)
            .Where(a => all || a.Owners.Contains(caller.PrincipalId))
            .Select(a => ApplicationJson.ToJson(a, request.Runtime));
        await request.JsonAsync(query!.Collection(request.Http, request.Metadata, ListContext, visible));
    }

    /// <summary>Deleted service principals: none are kept (a deleted application's one is removed for good).</summary>
    private static async Task ListServicePrincipalsAsync(DirectoryRequest request)
    {
        if (!await request.PermitAsync(DirectoryPermissions.CanReadAllApplications(request.Caller) && !request.Caller.HasAnyPermission("Application.ReadWrite.OwnedBy")))
        {
            return;
        }

        var (query, error) = ODataQuery.Parse(request.Http.Request.Query, ServicePrincipalJson.Schema, collection: true);
        if (error is not null)
        {
            await request.ErrorAsync(error);
            return;
        }

        await request.JsonAsync(query!.Collection(request.Http, request.Metadata, "directory/deletedItems/" + ServicePrincipalCast, []));
    }

    /// <summary>
    /// GET …/deletedItems/{id} → 200 <c>{"@odata.context":"…#directoryObjects/$entity","@odata.type":"#microsoft.graph.application",…}</c>
    /// (Get deleted item doc); <c>$select</c> supported. Not in deleted items → 404 Request_ResourceNotFound.
    /// </summary>
    private static async Task GetAsync(DirectoryRequest request, DirectoryApplication? application, string idAsGiven, bool typed)
    {
        if (!DirectoryPermissions.CanReadAllApplications(request.Caller)
            && (application is null || !DirectoryPermissions.CanReadApplication(request.Caller, application)))
        {
            await request.ErrorAsync(GraphError.InsufficientPrivileges());
            return;
        }

        if (application is null)
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(idAsGiven));
            return;
        }

        var (query, error) = ODataQuery.Parse(request.Http.Request.Query, ApplicationJson.Schema, collection: false);
        if (error is not null)
        {
            await request.ErrorAsync(error);
            return;
        }

        var select = query!.Select is { } selected ? $"({string.Join(',', selected)})" : "";
        var context = typed ? $"{ListContext}{select}/$entity" : $"directoryObjects{select}/$entity";
        await request.JsonAsync(Typed(request.Metadata + context, query.Project(ApplicationJson.ToJson(application, request.Runtime))));
    }

    /// <summary>
    /// POST …/deletedItems/{id}/restore → 200 with the application (deletedDateTime null) as a
    /// directoryObject (Restore deleted item doc). Its service principal is not restored.
    /// </summary>
    private static async Task RestoreAsync(DirectoryRequest request, DirectoryApplication? application, string idAsGiven)
    {
        if (await CheckWriteAsync(request, application, idAsGiven) is not { } target)
        {
            return;
        }

        var (restored, outcome) = request.Directory.RestoreApplication(target.ObjectId, request.Now);
        switch (outcome)
        {
            case RestoreOutcome.NotFound:
                await request.ErrorAsync(GraphError.DirectoryObjectNotFound(idAsGiven));
                return;
            case RestoreOutcome.Conflict:
                await request.ErrorAsync(GraphError.BadRequest("Another object with the same value for property uniqueName already exists.")); // INFERRED
                return;
        }

        await request.JsonAsync(Typed(request.Metadata + "directoryObjects/$entity", ApplicationJson.ToJson(restored!, request.Runtime)));
    }

    /// <summary>DELETE …/deletedItems/{id} → 204 (Permanently delete item doc): gone, its uniqueName free again.</summary>
    private static async Task PurgeAsync(DirectoryRequest request, DirectoryApplication? application, string idAsGiven)
    {
        if (await CheckWriteAsync(request, application, idAsGiven) is not { } target)
        {
            return;
        }

        await (request.Directory.PurgeDeletedApplication(target.ObjectId, request.Now)
            ? request.NoContentAsync()
            : request.ErrorAsync(GraphError.DirectoryObjectNotFound(idAsGiven)));
    }

    /// <summary>Rights first, then existence (as for application writes).</summary>
    private static async Task<DirectoryApplication?> CheckWriteAsync(DirectoryRequest request, DirectoryApplication? application, string idAsGiven)
    {
        if (!await request.PermitAsync(DirectoryPermissions.CanCreateApplications(request.Caller)))
        {
            return null;
        }

        if (application is null)
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(idAsGiven));
            return null;
        }

        if (!await request.PermitAsync(DirectoryPermissions.CanWrite(request.Caller, application.Owners)))
        {
            return null;
        }

        return application;
    }

    /// <summary><c>@odata.context</c>, <c>@odata.type</c> (a directoryObject's derived type), then the properties.</summary>
    private static JsonObject Typed(string context, JsonObject properties)
    {
        var json = new JsonObject
        {
            ["@odata.context"] = context,
            ["@odata.type"] = "#" + ApplicationCast,
        };
        foreach (var (name, value) in properties)
        {
            json[name] = value?.DeepClone();
        }

        return json;
    }
}
