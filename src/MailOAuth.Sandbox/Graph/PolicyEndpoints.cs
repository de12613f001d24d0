using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// App management policies, read-only (docs/sandbox.md "App management policies"): the tenant default
/// <c>GET /policies/defaultAppManagementPolicy</c> and an application's
/// <c>GET /applications/{id}/appManagementPolicies</c>, in Graph v1.0's shapes. Reading needs
/// Policy.Read.All (403 Authorization_RequestDenied otherwise). They are set through the control
/// endpoint <c>/_sandbox/policies/secret-lifetime</c>.
/// </summary>
public static class PolicyEndpoints
{
    private static readonly string[] ReadPolicies = ["Policy.Read.All", "Policy.ReadWrite.ApplicationConfiguration"];

    public static async Task RouteAsync(DirectoryRequest request)
    {
        var segments = request.Segments;
        if (segments.Count != 2 || !segments[1].Is("defaultAppManagementPolicy"))
        {
            await request.ErrorAsync(GraphError.UnknownSegment(segments.Count > 1 ? segments[1].Name : "policies"));
            return;
        }

        if (!HttpMethods.IsGet(request.Method))
        {
            await request.MethodNotAllowedAsync();
            return;
        }

        if (!await request.PermitAsync(request.Caller.HasAnyPermission(ReadPolicies)))
        {
            return;
        }

        var directory = request.Directory;
        var json = new JsonObject
        {
            ["@odata.context"] = request.Metadata + "policies/defaultAppManagementPolicy/$entity",
            ["id"] = WellKnownIds.DefaultAppManagementPolicyId.ToString(),
            ["displayName"] = "Default app management tenant policy",
            ["description"] = "Default tenant policy that enforces app management restrictions on applications and service principals. To apply policy to targeted resources, create a new policy under appManagementPolicies collection.",
            ["isEnabled"] = directory.TenantAppPolicyEnabled,
            ["applicationRestrictions"] = Restrictions(directory.SecretLifetimeMaxDays, directory.SecretAdditionBlocked),
            ["servicePrincipalRestrictions"] = Restrictions(null, false),
        };
        await request.JsonAsync(json);
    }

    /// <summary><c>GET /applications/{id}/appManagementPolicies</c>: the policies assigned to the app (routed by ApplicationsEndpoints).</summary>
    internal static async Task ListForApplicationAsync(DirectoryRequest request, DirectoryApplication? application, string keyValue)
    {
        if (!HttpMethods.IsGet(request.Method))
        {
            await request.MethodNotAllowedAsync();
            return;
        }

        if (!await request.PermitAsync(request.Caller.HasAnyPermission(ReadPolicies) && DirectoryPermissions.CanReadAllApplications(request.Caller)))
        {
            return;
        }

        if (application is null || !request.IsReplicated(application.CreatedDateTime))
        {
            await request.ErrorAsync(GraphError.DirectoryObjectNotFound(keyValue));
            return;
        }

        var value = new JsonArray();
        foreach (var policy in request.Directory.AppManagementPoliciesOf(application.ObjectId))
        {
            value.Add(new JsonObject
            {
                ["id"] = policy.Id.ToString(),
                ["deletedDateTime"] = null,
                ["displayName"] = policy.DisplayName,
                ["description"] = "Assigned by the sandbox control endpoint.",
                ["isEnabled"] = policy.IsEnabled,
                ["restrictions"] = Restrictions(policy.MaxLifetimeDays, policy.BlockPasswordAddition),
            });
        }

        await request.JsonAsync(new JsonObject { ["@odata.context"] = request.Metadata + "policies/appManagementPolicies", ["value"] = value });
    }

    /// <summary><c>{"passwordCredentials":[…],"keyCredentials":[]}</c> with one entry per restriction set.</summary>
    private static JsonObject Restrictions(int? maxDays, bool blockAddition)
    {
        var passwords = new JsonArray();
        if (blockAddition)
        {
            passwords.Add(Restriction("passwordAddition", null));
        }

        if (maxDays is { } days)
        {
            passwords.Add(Restriction("passwordLifetime", $"P{days}D"));
        }

        return new JsonObject { ["passwordCredentials"] = passwords, ["keyCredentials"] = new JsonArray() };
    }

    private static JsonObject Restriction(string type, string? maxLifetime) => new()
    {
        ["restrictionType"] = type,
        ["state"] = "enabled",
        ["maxLifetime"] = maxLifetime,
        ["restrictForAppsCreatedAfterDateTime"] = WellKnownIds.PolicyCutoff.ToString("yyyy-MM-ddTHH:mm:ssZ"),
    };
}
