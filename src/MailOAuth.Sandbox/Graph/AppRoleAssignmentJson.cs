using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>The app role assignment as Graph v1.0 writes it.</summary>
public static class AppRoleAssignmentJson
{
    public static readonly EntitySchema Schema = new(
        "appRoleAssignments",
        "microsoft.graph.appRoleAssignment",
        ["id", "deletedDateTime", "appRoleId", "createdDateTime", "principalDisplayName", "principalId", "principalType", "resourceDisplayName", "resourceId"],
        DefaultProperties: null,
        Filterable: new HashSet<string>(["resourceId", "principalId", "appRoleId"]));

    /// <summary>docs/service-behaviour.md#app-role-assignment body.</summary>
    public static JsonObject ToJson(AppRoleAssignment assignment) => new()
    {
        ["id"] = assignment.Id,
        ["deletedDateTime"] = null,
        ["appRoleId"] = assignment.AppRoleId.ToString(),
        ["createdDateTime"] = GraphJson.Iso7(assignment.CreatedDateTime),
        ["principalDisplayName"] = assignment.PrincipalDisplayName,
        ["principalId"] = assignment.PrincipalId.ToString(),
        ["principalType"] = assignment.PrincipalType,
        ["resourceDisplayName"] = assignment.ResourceDisplayName,
        ["resourceId"] = assignment.ResourceId.ToString(),
    };
}
