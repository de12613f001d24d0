using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// The app role assignments of a service principal: <c>appRoleAssignedTo</c> on the
/// resource, <c>appRoleAssignments</c> on the principal. Routed by <see cref="ServicePrincipalsEndpoints"/>.
/// </summary>
internal static class AppRoleAssignmentsEndpoints
{
    internal const string AssignedTo = "appRoleAssignedTo";
    internal const string Assignments = "appRoleAssignments";

    /// <summary>
    /// GET …/appRoleAssignments or …/appRoleAssignedTo: a list, so assignments within the
    /// replication lag are not in it yet (docs/service-behaviour.md#app-role-assignment: "A new entry may lag 30 to 60 s").
    /// </summary>
    internal static async Task ListAsync(DirectoryRequest request, ServicePrincipal? servicePrincipal, string keyValue, string relation)
    {
        if (!DirectoryPermissions.CanReadAllApplications(request.Caller)
            && (servicePrincipal is null || !DirectoryPermissions.CanReadServicePrincipal(request.Caller, servicePrincipal)))
        {
            await request.ErrorAsync(GraphError.InsufficientPrivileges());
            return;
        }

        if (servicePrincipal is null)
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue));
            return;
        }

        var (query, error) = ODataQuery.Parse(request.Http.Request.Query, AppRoleAssignmentJson.Schema, collection: true);
        if (error is not null)
        {
            await request.ErrorAsync(error);
            return;
        }

        var assignments = relation == AssignedTo
            ? request.Directory.ListAppRoleAssignedTo(servicePrincipal.Id)
            : request.Directory.ListAppRoleAssignments(servicePrincipal.Id);
        var visible = assignments.Where(a => request.IsReplicated(a.CreatedDateTime)).Select(AppRoleAssignmentJson.ToJson);
        await request.JsonAsync(query!.Collection(request.Http, request.Metadata, $"servicePrincipals('{servicePrincipal.Id}')/{relation}", visible));
    }

    internal static async Task GetAsync(DirectoryRequest request, ServicePrincipal? servicePrincipal, string keyValue, string relation, string assignmentId)
    {
        if (!await request.PermitAsync(DirectoryPermissions.CanReadAllApplications(request.Caller)))
        {
            return;
        }

        if (FindAssignment(request, servicePrincipal, relation, assignmentId) is not { } assignment)
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(servicePrincipal is null ? keyValue : assignmentId));
            return;
        }

        var json = new JsonObject { ["@odata.context"] = $"{request.Metadata}servicePrincipals('{servicePrincipal!.Id}')/{relation}/$entity" };
        foreach (var (name, value) in AppRoleAssignmentJson.ToJson(assignment))
        {
            json[name] = value?.DeepClone();
        }

        await request.JsonAsync(json);
    }

    internal static async Task DeleteAsync(DirectoryRequest request, ServicePrincipal? servicePrincipal, string keyValue, string relation, string assignmentId)
    {
        if (!await request.PermitAsync(DirectoryPermissions.CanWriteAssignments(request.Caller)))
        {
            return;
        }

        if (FindAssignment(request, servicePrincipal, relation, assignmentId) is not { } assignment
            || !request.Directory.RemoveAppRoleAssignment(assignment.Id))
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(servicePrincipal is null ? keyValue : assignmentId));
            return;
        }

        await request.NoContentAsync();
    }

    /// <summary>
    /// POST …/appRoleAssignedTo (on the resource) or …/appRoleAssignments (on the principal),
    /// body <c>{principalId, resourceId, appRoleId}</c> → 201 (docs/service-behaviour.md#app-role-assignment). A principal that has
    /// not replicated yet is not found (404, docs/service-behaviour.md#app-role-assignment, #replication); a duplicate and an unknown role are 400s.
    /// </summary>
    internal static async Task AssignAsync(DirectoryRequest request, ServicePrincipal? servicePrincipal, string keyValue, string relation)
    {
        if (!await request.PermitAsync(DirectoryPermissions.CanWriteAssignments(request.Caller)))
        {
            return;
        }

        if (servicePrincipal is null || (relation == Assignments && !request.IsReplicatedForWrites(servicePrincipal.CreatedDateTime)))
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue));
            return;
        }

        if (await request.BodyAsync() is not { } body)
        {
            return;
        }

        Guid? Id(string name) => Guid.TryParse(BodyProperties.String(body, name), out var id) ? id : null;

        var principalId = Id("principalId") ?? (relation == Assignments ? servicePrincipal.Id : null);
        var resourceId = Id("resourceId") ?? (relation == AssignedTo ? servicePrincipal.Id : null);
        var appRoleId = Id("appRoleId");
        foreach (var (name, value) in new[] { ("principalId", principalId), ("resourceId", resourceId), ("appRoleId", appRoleId) })
        {
            if (value is null)
            {
                await request.ErrorAsync(GraphError.InvalidPropertyValue(name, "AppRoleAssignment"));
                return;
            }
        }

        // The path names one side; the body must agree with it (INFERRED text).
        if ((relation == AssignedTo && resourceId != servicePrincipal.Id) || (relation == Assignments && principalId != servicePrincipal.Id))
        {
            await request.ErrorAsync(GraphError.BadRequest(
                $"The {(relation == AssignedTo ? "resourceId" : "principalId")} in the request body does not match the service principal in the request URI."));
            return;
        }

        var principal = request.Directory.GetServicePrincipal(principalId!.Value);
        if (principal is null || !request.IsReplicatedForWrites(principal.CreatedDateTime))
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(principalId.Value.ToString()));
            return;
        }

        var (outcome, assignment) = request.Directory.AddAppRoleAssignment(principalId.Value, resourceId!.Value, appRoleId!.Value, request.Now);
        switch (outcome)
        {
            case AssignmentOutcome.Created:
                var json = new JsonObject { ["@odata.context"] = $"{request.Metadata}servicePrincipals('{servicePrincipal.Id}')/{relation}/$entity" };
                foreach (var (name, value) in AppRoleAssignmentJson.ToJson(assignment!))
                {
                    json[name] = value?.DeepClone();
                }

                await request.JsonAsync(json, 201);
                return;
            case AssignmentOutcome.PrincipalNotFound:
                await request.ErrorAsync(GraphError.DirectoryObjectNotFound(principalId.Value.ToString()));
                return;
            case AssignmentOutcome.ResourceNotFound:
                await request.ErrorAsync(GraphError.DirectoryObjectNotFound(resourceId.Value.ToString()));
                return;
            case AssignmentOutcome.RoleNotFound:
                await request.ErrorAsync(GraphError.PermissionNotFound());
                return;
            default:
                await request.ErrorAsync(GraphError.PermissionAlreadyExists());
                return;
        }
    }

    private static AppRoleAssignment? FindAssignment(DirectoryRequest request, ServicePrincipal? servicePrincipal, string relation, string assignmentId)
    {
        if (servicePrincipal is null || request.Directory.GetAppRoleAssignment(assignmentId) is not { } assignment)
        {
            return null;
        }

        return (relation == AssignedTo ? assignment.ResourceId : assignment.PrincipalId) == servicePrincipal.Id ? assignment : null;
    }
}
