using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// Exchange Online RBAC for Applications through Graph beta (docs/service-behaviour.md#exchange-rbac, docs/sandbox.md
/// "Exchange RBAC for Applications"): <c>/beta/roleManagement/exchange/roleDefinitions[/{id}]</c> (read) and
/// <c>/beta/roleManagement/exchange/roleAssignments[/{id}]</c> (list with <c>$filter</c>, get, create, delete), in the
/// documented shapes. Reading needs RoleManagement.Read.Exchange, RoleManagement.Read.All or
/// RoleManagement.ReadWrite.Exchange; writing needs RoleManagement.ReadWrite.Exchange (app role or delegated scope).
/// The error bodies for bad input are Graph's directory shape: the live service's exact codes are unverified.
/// </summary>
public static class ExchangeRbacEndpoints
{
    private static readonly string[] ReadPermissions = ["RoleManagement.Read.Exchange", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Exchange"];
    private static readonly string[] WritePermissions = ["RoleManagement.ReadWrite.Exchange"];

    private const string Definitions = "roleManagement/exchange/roleDefinitions";
    private const string Assignments = "roleManagement/exchange/roleAssignments";

    public static readonly EntitySchema DefinitionSchema = new(
        "roleDefinitions",
        "microsoft.graph.unifiedRoleDefinition",
        ["id", "description", "displayName", "isEnabled", "version", "isBuiltIn", "templateId", "allowedPrincipalTypes", "rolePermissions"],
        DefaultProperties: null,
        Filterable: new HashSet<string>(["displayName", "id", "isBuiltIn"]));

    public static readonly EntitySchema AssignmentSchema = new(
        "roleAssignments",
        "microsoft.graph.unifiedRoleAssignment",
        ["id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId"],
        DefaultProperties: null,
        Filterable: new HashSet<string>(["principalId", "roleDefinitionId", "appScopeId"]));

    /// <summary><c>/beta/roleManagement/…</c>: only the exchange provider is served.</summary>
    public static async Task RouteAsync(DirectoryRequest request)
    {
        var segments = request.Segments;
        if (segments.Count < 3 || !segments[1].Is("exchange"))
        {
            await request.ErrorAsync(GraphError.UnknownSegment(segments.Count > 1 ? segments[1].Name : "roleManagement"));
            return;
        }

        // roleAssignments/{id} or roleAssignments('{id}').
        var collection = segments[2];
        var key = collection.HasKey ? collection.KeyValue : segments.Count == 4 ? segments[3].Name : null;
        if (segments.Count > 4 || (collection.HasKey && segments.Count > 3))
        {
            await request.ErrorAsync(GraphError.UnknownSegment(segments[^1].Name));
            return;
        }

        if (string.Equals(collection.Name, "roleDefinitions", StringComparison.OrdinalIgnoreCase))
        {
            await DefinitionsAsync(request, key);
        }
        else if (string.Equals(collection.Name, "roleAssignments", StringComparison.OrdinalIgnoreCase))
        {
            await AssignmentsAsync(request, key);
        }
        else
        {
            await request.ErrorAsync(GraphError.UnknownSegment(collection.Name));
        }
    }

    private static async Task DefinitionsAsync(DirectoryRequest request, string? key)
    {
        if (!HttpMethods.IsGet(request.Method))
        {
            await request.MethodNotAllowedAsync();
            return;
        }

        if (!await request.PermitAsync(request.Caller.HasAnyPermission(ReadPermissions)))
        {
            return;
        }

        var definitions = request.Directory.ListExchangeRoleDefinitions();
        if (key is not null)
        {
            var one = Guid.TryParse(key, out var id) ? definitions.FirstOrDefault(d => d.Id == id) : null;
            if (one is null)
            {
                await request.ErrorAsync(GraphError.DirectoryObjectNotFound(key));
                return;
            }

            await EntityAsync(request, DefinitionSchema, Definitions, ToJson(one));
            return;
        }

        var (query, error) = ODataQuery.Parse(request.Http.Request.Query, DefinitionSchema, collection: true);
        if (error is not null)
        {
            await request.ErrorAsync(error);
            return;
        }

        await request.JsonAsync(query!.Collection(request.Http, request.Metadata, Definitions, definitions.Select(ToJson)));
    }

    private static async Task AssignmentsAsync(DirectoryRequest request, string? key)
    {
        var write = HttpMethods.IsPost(request.Method) || HttpMethods.IsDelete(request.Method);
        if (!write && !HttpMethods.IsGet(request.Method) || (HttpMethods.IsPost(request.Method) && key is not null)
            || (HttpMethods.IsDelete(request.Method) && key is null))
        {
            await request.MethodNotAllowedAsync();
            return;
        }

        if (!await request.PermitAsync(request.Caller.HasAnyPermission(write ? WritePermissions : ReadPermissions)))
        {
            return;
        }

        if (HttpMethods.IsPost(request.Method))
        {
            await CreateAsync(request);
            return;
        }

        if (key is not null)
        {
            var assignment = Guid.TryParse(key, out var id) ? request.Directory.FindExchangeRoleAssignment(id) : null;
            if (assignment is null)
            {
                await request.ErrorAsync(GraphError.DirectoryObjectNotFound(key));
                return;
            }

            if (HttpMethods.IsDelete(request.Method))
            {
                // docs/service-behaviour.md#exchange-rbac: gone from Graph at once; sendMail honours it until the cache delay passes.
                request.Directory.RemoveExchangeRoleAssignment(assignment.Id, request.Now);
                await request.NoContentAsync();
                return;
            }

            await EntityAsync(request, AssignmentSchema, Assignments, ToJson(assignment));
            return;
        }

        var (query, error) = ODataQuery.Parse(request.Http.Request.Query, AssignmentSchema, collection: true);
        if (error is not null)
        {
            await request.ErrorAsync(error);
            return;
        }

        var all = request.Directory.ListExchangeRoleAssignments().OrderBy(a => a.CreatedDateTime).Select(ToJson);
        await request.JsonAsync(query!.Collection(request.Http, request.Metadata, Assignments, all));
    }

    /// <summary>
    /// POST: <c>{principalId:"/ServicePrincipals/{id}", roleDefinitionId, directoryScopeId, appScopeId:null}</c> → 201
    /// echoing the object. A second identical assignment is accepted (INFERRED: the doc says nothing; clients find first).
    /// </summary>
    private static async Task CreateAsync(DirectoryRequest request)
    {
        if (await request.BodyAsync() is not { } body)
        {
            return;
        }

        var principalId = BodyProperties.String(body, "principalId");
        var roleDefinitionId = BodyProperties.String(body, "roleDefinitionId");
        var directoryScopeId = BodyProperties.String(body, "directoryScopeId");
        var appScopeId = BodyProperties.String(body, "appScopeId");
        var directory = request.Directory;

        GraphError? problem = null;
        var spId = ExchangeRbac.ParseServicePrincipal(principalId);
        var servicePrincipal = spId is { } id ? directory.GetServicePrincipal(id) : null;
        if (spId is null)
        {
            problem = GraphError.BadRequest($"Invalid value specified for property 'principalId' of resource 'UnifiedRoleAssignment': expected '/ServicePrincipals/{{objectId}}'.");
        }
        else if (servicePrincipal is null || !request.IsReplicatedForWrites(servicePrincipal.CreatedDateTime))
        {
            problem = GraphError.BadRequest($"The service principal '{spId}' was not found.");
        }
        else if (!Guid.TryParse(roleDefinitionId, out var roleId) || directory.ListExchangeRoleDefinitions().All(d => d.Id != roleId))
        {
            problem = GraphError.BadRequest($"The role definition '{roleDefinitionId}' was not found.");
        }
        else if (appScopeId is not null)
        {
            problem = GraphError.BadRequest("Custom app scopes are not supported by the sandbox: use directoryScopeId.");
        }
        else if (ExchangeRbac.ParseDirectoryScope(directoryScopeId) is not { } scope)
        {
            problem = GraphError.BadRequest($"Invalid value specified for property 'directoryScopeId' of resource 'UnifiedRoleAssignment': '{directoryScopeId}'.");
        }
        else if (scope.Kind == "Users" && directory.FindUser(scope.Id.ToString()) is null)
        {
            problem = GraphError.BadRequest($"The directory scope '{directoryScopeId}' was not found.");
        }

        if (problem is not null)
        {
            await request.ErrorAsync(problem);
            return;
        }

        var assignment = new ExchangeRoleAssignment(Guid.NewGuid(), principalId!, Guid.Parse(roleDefinitionId!), directoryScopeId, null, request.Now);
        directory.AddExchangeRoleAssignment(assignment);
        var json = new JsonObject { ["@odata.context"] = request.Metadata + Assignments + "/$entity" };
        foreach (var (name, value) in ToJson(assignment))
        {
            json[name] = value?.DeepClone();
        }

        await request.JsonAsync(json, 201);
    }

    private static async Task EntityAsync(DirectoryRequest request, EntitySchema schema, string contextPath, JsonObject entity)
    {
        var (query, error) = ODataQuery.Parse(request.Http.Request.Query, schema, collection: false);
        if (error is not null)
        {
            await request.ErrorAsync(error);
            return;
        }

        await request.JsonAsync(query!.Entity(request.Metadata, contextPath, entity));
    }

    /// <summary>The doc example's shape (exchange provider); templateId is null for Exchange roles.</summary>
    public static JsonObject ToJson(ExchangeRoleDefinition definition) => new()
    {
        ["id"] = definition.Id.ToString(),
        ["description"] = definition.Description,
        ["displayName"] = definition.DisplayName,
        ["isEnabled"] = true,
        ["version"] = definition.Version,
        ["isBuiltIn"] = true,
        ["templateId"] = null,
        ["allowedPrincipalTypes"] = definition.AllowedPrincipalTypes,
        ["rolePermissions"] = new JsonArray(new JsonObject
        {
            ["allowedResourceActions"] = GraphJson.Strings(definition.AllowedResourceActions),
            ["excludedResourceActions"] = new JsonArray(),
            ["condition"] = null,
        }),
    };

    public static JsonObject ToJson(ExchangeRoleAssignment assignment) => new()
    {
        ["id"] = assignment.Id.ToString(),
        ["principalId"] = assignment.PrincipalId,
        ["roleDefinitionId"] = assignment.RoleDefinitionId.ToString(),
        ["directoryScopeId"] = assignment.DirectoryScopeId,
        ["appScopeId"] = assignment.AppScopeId,
    };
}
