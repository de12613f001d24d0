using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// <c>/v1.0/applications</c> (docs/service-behaviour.md#create-application, #filter-applications, #add-password, #remove-password): create, list with <c>$filter</c>, get / update /
/// delete by id, <c>(appId='…')</c> or <c>(uniqueName='…')</c>, upsert by uniqueName, addPassword
/// and removePassword, federatedIdentityCredentials.
/// </summary>
public static class ApplicationsEndpoints
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

        // The object: by key in the first segment, or by object id in the second.
        var (keyName, keyValue, navigation) = head.HasKey
            ? (head.KeyName ?? "id", head.KeyValue!, segments.Skip(1).ToList())
            : ("id", segments[1].Name, segments.Skip(2).ToList());
        if (!head.HasKey && segments[1].HasKey)
        {
            return request.ErrorAsync(GraphError.UnknownSegment(segments[1].Name));
        }

        if (keyName is not ("id" or "appId" or "uniqueName"))
        {
            return request.ErrorAsync(GraphError.BadRequest($"The key property '{keyName}' is not an alternate key of 'application'.")); // INFERRED
        }

        var application = Find(request.Directory, keyName, keyValue);
        if (navigation.Count == 0)
        {
            return request.Method switch
            {
                "GET" => GetAsync(request, application, keyValue),
                "PATCH" => UpdateAsync(request, application, keyName, keyValue),
                "DELETE" => DeleteAsync(request, application, keyValue),
                _ => request.MethodNotAllowedAsync(),
            };
        }

        if (navigation.Count == 1 && navigation[0].Is("addPassword"))
        {
            return HttpMethods.IsPost(request.Method) ? ApplicationPasswordsEndpoints.AddPasswordAsync(request, application, keyValue) : request.MethodNotAllowedAsync();
        }

        if (navigation.Count == 1 && navigation[0].Is("removePassword"))
        {
            return HttpMethods.IsPost(request.Method) ? ApplicationPasswordsEndpoints.RemovePasswordAsync(request, application, keyValue) : request.MethodNotAllowedAsync();
        }

        if (navigation.Count == 1 && navigation[0].Is(FederatedCredentialsEndpoints.Segment))
        {
            return FederatedCredentialsEndpoints.RouteAsync(request, application, keyValue);
        }

        if (navigation.Count == 1 && navigation[0].Is("appManagementPolicies"))
        {
            return PolicyEndpoints.ListForApplicationAsync(request, application, keyValue);
        }

        return request.ErrorAsync(GraphError.UnknownSegment(navigation[0].Name));
    }

    private static DirectoryApplication? Find(DirectoryStore directory, string keyName, string keyValue) => keyName switch
    {
        "appId" => Guid.TryParse(keyValue, out var appId) ? directory.FindApplicationByAppId(appId) : null,
        "uniqueName" => directory.FindApplicationByUniqueName(keyValue),
        _ => Guid.TryParse(keyValue, out var id) ? directory.GetApplication(id) : null,
    };

    /// <summary>GET /applications: an eventually consistent list (see <see cref="DirectoryRequest.ListAsync{T}"/>).</summary>
    private static Task ListAsync(DirectoryRequest request) =>
        request.ListAsync(ApplicationJson.Schema, "applications", request.Directory.ListApplications(), a => a.CreatedDateTime,
            a => a.Owners, a => ApplicationJson.ToJson(a, request.Runtime));

    /// <summary>GET by id or alternate key (see <see cref="DirectoryRequest.GetEntityAsync{T}"/>).</summary>
    private static Task GetAsync(DirectoryRequest request, DirectoryApplication? application, string keyValue) =>
        request.GetEntityAsync(ApplicationJson.Schema, "applications", application, keyValue,
            a => DirectoryPermissions.CanReadApplication(request.Caller, a), a => ApplicationJson.ToJson(a, request.Runtime));

    /// <summary>POST /applications → 201 (docs/service-behaviour.md#create-application). displayName is required.</summary>
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

        await CreateFromBodyAsync(request, body, uniqueName: null);
    }

    private static async Task CreateFromBodyAsync(DirectoryRequest request, JsonElement body, string? uniqueName)
    {
        var fresh = new DirectoryApplication(Guid.NewGuid(), Guid.NewGuid(), "", request.Now, [])
        {
            UniqueName = uniqueName,
            Owners = [request.Caller.PrincipalId],
        };
        var (application, error) = ApplicationJson.Apply(fresh, body, creating: true);
        if (error is null && application!.DisplayName.Length == 0)
        {
            error = GraphError.InvalidPropertyValue("displayName", "Application");
        }

        if (error is not null)
        {
            await request.ErrorAsync(error);
            return;
        }

        var (_, outcome) = request.Directory.AddApplicationIfUniqueNameFree(application!);
        switch (outcome)
        {
            case ApplicationAddOutcome.UniqueNameTaken:
                // INFERRED: uniqueName is an alternate key, so a second one with the same value conflicts.
                await request.ErrorAsync(new GraphError(409, "Request_MultipleObjectsWithSameKeyValue",
                    "Another object with the same value for property uniqueName already exists."));
                return;
            case ApplicationAddOutcome.UniqueNameHeldByDeletedApplication:
                // A soft-deleted application (deleted items, 30 days) keeps its uniqueName reserved:
                // the upsert is refused rather than creating a second object (status and code as
                // observed for this case, message INFERRED).
                await request.ErrorAsync(GraphError.UniqueNameHeldByDeletedApplication());
                return;
        }

        await request.JsonAsync(Entity(request, application!), 201);
    }

    /// <summary>
    /// PATCH → 204. On <c>applications(uniqueName='…')</c> with <c>Prefer: create-if-missing</c>
    /// this is the upsert ("Upsert application" doc): 201 with the new object when none has that
    /// uniqueName; without the header, 404.
    /// </summary>
    private static async Task UpdateAsync(DirectoryRequest request, DirectoryApplication? application, string keyName, string keyValue)
    {
        var caller = request.Caller;
        if (!await request.PermitAsync(DirectoryPermissions.CanCreateApplications(caller)))
        {
            return;
        }

        if (await request.BodyAsync() is not { } body)
        {
            return;
        }

        if (application is null)
        {
            if (keyName == "uniqueName" && request.PrefersCreateIfMissing)
            {
                await CreateFromBodyAsync(request, body, keyValue);
                return;
            }

            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue));
            return;
        }

        if (!await request.PermitAsync(DirectoryPermissions.CanWrite(caller, application.Owners)))
        {
            return;
        }

        GraphError? error = null;
        var updated = request.Directory.UpdateApplication(application.ObjectId, current =>
        {
            var (changed, applyError) = ApplicationJson.Apply(current, body, creating: false);
            error = applyError;
            return changed ?? current;
        });
        if (updated is null)
        {
            error = GraphError.DirectoryObjectNotFound(keyValue);
        }

        await (error is null ? request.NoContentAsync() : request.ErrorAsync(error));
    }

    /// <summary>
    /// DELETE → 204: a soft delete into deleted items (see <see cref="DeletedItemsEndpoints"/>); its
    /// service principal and that one's role assignments are removed for good.
    /// </summary>
    private static async Task DeleteAsync(DirectoryRequest request, DirectoryApplication? application, string keyValue)
    {
        if (!await request.PermitAsync(DirectoryPermissions.CanCreateApplications(request.Caller)))
        {
            return;
        }

        if (application is null)
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue));
            return;
        }

        if (!await request.PermitAsync(DirectoryPermissions.CanWrite(request.Caller, application.Owners)))
        {
            return;
        }

        await (request.Directory.DeleteApplication(application.ObjectId, request.Now)
            ? request.NoContentAsync()
            : request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue)));
    }

    private static JsonObject Entity(DirectoryRequest request, DirectoryApplication application)
    {
        var json = new JsonObject { ["@odata.context"] = request.Metadata + "applications/$entity" };
        foreach (var (name, value) in ApplicationJson.ToJson(application, request.Runtime))
        {
            json[name] = value?.DeepClone();
        }

        return json;
    }
}
