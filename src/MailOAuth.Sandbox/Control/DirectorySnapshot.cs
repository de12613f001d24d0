using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Control;

/// <summary>
/// <c>GET /_sandbox/directory</c>: the whole directory as the primary sees it (no replication lag),
/// for tests to count objects. Credential metadata only: never a secret text or a key.
/// <c>replicated</c> says whether the eventually consistent readers see the object yet;
/// <c>deletedApplications</c> lists the applications in deleted items.
/// </summary>
public static class DirectorySnapshot
{
    public static JsonObject Create(SandboxRuntime runtime)
    {
        var directory = runtime.Directory;
        var roles = directory.ListServicePrincipals().SelectMany(s => s.AppRoles).GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.First().Value);
        return new JsonObject
        {
            ["replicationLagSeconds"] = runtime.ReplicationLag.TotalSeconds,
            ["secretLifetimeMaxDays"] = directory.SecretLifetimeMaxDays,
            ["applications"] = new JsonArray([.. directory.ListApplications().OrderBy(a => a.CreatedDateTime).Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.ObjectId.ToString(),
                ["appId"] = a.AppId.ToString(),
                ["displayName"] = a.DisplayName,
                ["uniqueName"] = a.UniqueName,
                ["tags"] = new JsonArray([.. a.Tags.Select(t => JsonValue.Create(t))]),
                ["createdDateTime"] = Time(a.CreatedDateTime),
                ["replicated"] = runtime.IsReplicated(a.CreatedDateTime),
                ["isFallbackPublicClient"] = a.IsFallbackPublicClient,
                ["owners"] = new JsonArray([.. a.Owners.Select(o => JsonValue.Create(o.ToString()))]),
                ["passwordCredentials"] = new JsonArray([.. a.PasswordCredentials.Select(p => (JsonNode)new JsonObject
                {
                    ["keyId"] = p.KeyId.ToString(),
                    ["displayName"] = p.DisplayName,
                    ["hint"] = p.Hint,
                    ["startDateTime"] = Time(p.StartDateTime),
                    ["endDateTime"] = Time(p.EndDateTime),
                    ["createdDateTime"] = Time(p.CreatedDateTime),
                    ["replicated"] = runtime.IsReplicated(p.CreatedDateTime),
                })]),
                // Gone from Graph; still accepted by the token endpoint until removalReplicated (docs/sandbox.md "Replication lag").
                ["removedPasswordCredentials"] = new JsonArray([.. a.RemovedPasswordCredentials.Select(p => (JsonNode)new JsonObject
                {
                    ["keyId"] = p.KeyId.ToString(),
                    ["displayName"] = p.DisplayName,
                    ["hint"] = p.Hint,
                    ["removedDateTime"] = Time(p.RemovedDateTime!.Value),
                    ["removalReplicated"] = runtime.IsRemovalReplicated(p.RemovedDateTime!.Value),
                })]),
                ["keyCredentials"] = new JsonArray([.. a.KeyCredentials.Select(k => (JsonNode)new JsonObject
                {
                    ["keyId"] = k.KeyId.ToString(),
                    ["displayName"] = k.DisplayName,
                    ["type"] = k.Type,
                    ["usage"] = k.Usage,
                    ["thumbprint"] = Convert.ToHexString(k.Sha1Thumbprint.AsSpan()),
                    ["startDateTime"] = Time(k.StartDateTime),
                    ["endDateTime"] = Time(k.EndDateTime),
                })]),
                ["federatedIdentityCredentials"] = new JsonArray([.. a.FederatedIdentityCredentials.Select(f => (JsonNode)new JsonObject
                {
                    ["id"] = f.Id.ToString(),
                    ["name"] = f.Name,
                    ["issuer"] = f.Issuer,
                    ["subject"] = f.Subject,
                    ["audiences"] = new JsonArray([.. f.Audiences.Select(x => JsonValue.Create(x))]),
                })]),
            })]),
            // Soft-deleted applications (deleted items): they keep their uniqueName reserved.
            ["deletedApplications"] = new JsonArray([.. directory.ListDeletedApplications(runtime.Now).Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.ObjectId.ToString(),
                ["appId"] = a.AppId.ToString(),
                ["displayName"] = a.DisplayName,
                ["uniqueName"] = a.UniqueName,
                ["deletedDateTime"] = a.DeletedDateTime is { } deleted ? Time(deleted) : null,
            })]),
            ["servicePrincipals"] = new JsonArray([.. directory.ListServicePrincipals().OrderBy(s => s.CreatedDateTime).Select(s => (JsonNode)new JsonObject
            {
                ["id"] = s.Id.ToString(),
                ["appId"] = s.AppId.ToString(),
                ["displayName"] = s.DisplayName,
                ["servicePrincipalType"] = s.ServicePrincipalType,
                ["appOwnerOrganizationId"] = s.AppOwnerOrganizationId.ToString(),
                ["createdDateTime"] = Time(s.CreatedDateTime),
                ["replicated"] = runtime.IsReplicated(s.CreatedDateTime),
            })]),
            ["appRoleAssignments"] = new JsonArray([.. directory.ListAllAppRoleAssignments().OrderBy(a => a.CreatedDateTime).Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.Id,
                ["principalId"] = a.PrincipalId.ToString(),
                ["principalDisplayName"] = a.PrincipalDisplayName,
                ["resourceId"] = a.ResourceId.ToString(),
                ["resourceDisplayName"] = a.ResourceDisplayName,
                ["appRoleId"] = a.AppRoleId.ToString(),
                ["appRoleValue"] = roles.GetValueOrDefault(a.AppRoleId),
                ["createdDateTime"] = Time(a.CreatedDateTime),
                ["replicated"] = runtime.IsReplicated(a.CreatedDateTime),
            })]),
            ["users"] = new JsonArray([.. directory.ListUsers().Select(u => (JsonNode)new JsonObject
            {
                ["id"] = u.Id.ToString(),
                ["userPrincipalName"] = u.UserPrincipalName,
                ["userType"] = u.UserType,
                ["hasMailbox"] = u.HasExchangeLicense,
            })]),
        };
    }

    private static string Time(DateTimeOffset time) => time.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
