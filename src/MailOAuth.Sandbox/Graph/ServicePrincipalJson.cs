using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>The service principal as Graph v1.0 writes it and the rules for POST/PATCH bodies.</summary>
public static class ServicePrincipalJson
{
    private static readonly Dictionary<string, string> Defaults = new(StringComparer.Ordinal)
    {
        ["appDescription"] = "null",
        ["homepage"] = "null",
        ["loginUrl"] = "null",
        ["logoutUrl"] = "null",
        ["notificationEmailAddresses"] = "[]",
        ["preferredSingleSignOnMode"] = "null",
        ["preferredTokenSigningKeyThumbprint"] = "null",
        ["replyUrls"] = "[]",
        ["tokenEncryptionKeyId"] = "null",
        ["samlSingleSignOnSettings"] = "null",
        ["addIns"] = "[]",
        ["info"] = """{"logoUrl":null,"marketingUrl":null,"privacyStatementUrl":null,"supportUrl":null,"termsOfServiceUrl":null}""",
    };

    private static readonly HashSet<string> ReadOnly = new(StringComparer.Ordinal)
    {
        "id", "deletedDateTime", "appDisplayName", "applicationTemplateId", "appOwnerOrganizationId", "disabledByMicrosoftStatus",
        "servicePrincipalType", "signInAudience", "appRoles", "oauth2PermissionScopes", "keyCredentials", "passwordCredentials",
        "resourceSpecificApplicationPermissions", "verifiedPublisher", "servicePrincipalNames", "alternativeNames",
    };

    public static readonly EntitySchema Schema = new(
        "servicePrincipals",
        "microsoft.graph.servicePrincipal",
        [
            "id", "deletedDateTime", "accountEnabled", "alternativeNames", "appDisplayName", "appDescription", "appId", "applicationTemplateId",
            "appOwnerOrganizationId", "appRoleAssignmentRequired", "description", "disabledByMicrosoftStatus", "displayName", "homepage",
            "loginUrl", "logoutUrl", "notes", "notificationEmailAddresses", "preferredSingleSignOnMode", "preferredTokenSigningKeyThumbprint",
            "replyUrls", "servicePrincipalNames", "servicePrincipalType", "signInAudience", "tags", "tokenEncryptionKeyId",
            "samlSingleSignOnSettings", "addIns", "appRoles", "info", "keyCredentials", "oauth2PermissionScopes", "passwordCredentials",
            "resourceSpecificApplicationPermissions", "verifiedPublisher",
        ],
        DefaultProperties: null,
        Filterable: new HashSet<string>(["id", "appId", "displayName", "servicePrincipalType", "tags", "servicePrincipalNames", "appOwnerOrganizationId"]));

    public static JsonObject ToJson(ServicePrincipal sp, SandboxRuntime runtime)
    {
        var app = runtime.Directory.FindApplicationByAppId(sp.AppId);
        string[] names = sp.IsManagedIdentity
            ? [sp.AppId.ToString(), sp.AlternativeNames.LastOrDefault() ?? ""]
            : sp.AppId == WellKnownIds.MicrosoftGraphAppId ? [sp.AppId.ToString(), runtime.GraphEndpoint] : [sp.AppId.ToString()];
        var json = new JsonObject();
        foreach (var name in Schema.Properties)
        {
            json[name] = name switch
            {
                "id" => sp.Id.ToString(),
                "deletedDateTime" or "applicationTemplateId" or "disabledByMicrosoftStatus" => null,
                "accountEnabled" => sp.AccountEnabled,
                "alternativeNames" => GraphJson.Strings(sp.AlternativeNames),
                "appDisplayName" => app?.DisplayName ?? sp.DisplayName,
                "appId" => sp.AppId.ToString(),
                "appOwnerOrganizationId" => sp.AppOwnerOrganizationId.ToString(),
                "appRoleAssignmentRequired" => sp.AppRoleAssignmentRequired,
                "description" => sp.Description,
                "displayName" => sp.DisplayName,
                "notes" => sp.Notes,
                "servicePrincipalNames" => GraphJson.Strings(names),
                "servicePrincipalType" => sp.ServicePrincipalType,
                "signInAudience" => sp.IsManagedIdentity ? null : sp.SignInAudience,
                "tags" => GraphJson.Strings(sp.Tags),
                "appRoles" => new JsonArray([.. sp.AppRoles.Select(r => (JsonNode)new JsonObject
                {
                    ["allowedMemberTypes"] = GraphJson.Strings(r.AllowedMemberTypes),
                    ["description"] = r.Description,
                    ["displayName"] = r.DisplayName,
                    ["id"] = r.Id.ToString(),
                    ["isEnabled"] = r.IsEnabled,
                    ["origin"] = r.Origin,
                    ["value"] = r.Value,
                })]),
                "oauth2PermissionScopes" => new JsonArray([.. sp.PermissionScopes.Select(s => (JsonNode)new JsonObject
                {
                    ["adminConsentDescription"] = s.AdminConsentDescription,
                    ["adminConsentDisplayName"] = s.AdminConsentDisplayName,
                    ["id"] = s.Id.ToString(),
                    ["isEnabled"] = true,
                    ["type"] = s.Type,
                    ["userConsentDescription"] = s.AdminConsentDescription,
                    ["userConsentDisplayName"] = s.AdminConsentDisplayName,
                    ["value"] = s.Value,
                })]),
                "keyCredentials" or "passwordCredentials" or "resourceSpecificApplicationPermissions" => new JsonArray(),
                "verifiedPublisher" => new JsonObject { ["displayName"] = null, ["verifiedPublisherId"] = null, ["addedDateTime"] = null },
                _ => JsonNode.Parse(sp.Properties.GetValueOrDefault(name) ?? Defaults[name]),
            };
        }

        return json;
    }

    /// <summary>Applies a POST/PATCH body to a service principal (appId only at creation, and only the same one).</summary>
    public static (ServicePrincipal? ServicePrincipal, GraphError? Error) Apply(ServicePrincipal sp, JsonElement body)
    {
        const string Resource = "ServicePrincipal";
        foreach (var property in body.EnumerateObject())
        {
            if (property.Name.Contains("@odata.", StringComparison.Ordinal))
            {
                continue;
            }

            var name = Schema.Properties.FirstOrDefault(p => string.Equals(p, property.Name, StringComparison.OrdinalIgnoreCase));
            var value = property.Value;
            if (name is null)
            {
                return (null, GraphError.UnknownProperty(property.Name, Schema.TypeName));
            }

            switch (name)
            {
                case "appId":
                    if (!string.Equals(value.ValueKind == JsonValueKind.String ? value.GetString() : null, sp.AppId.ToString(), StringComparison.OrdinalIgnoreCase))
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    break;
                case "accountEnabled" or "appRoleAssignmentRequired":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    sp = name == "accountEnabled" ? sp with { AccountEnabled = value.GetBoolean() } : sp with { AppRoleAssignmentRequired = value.GetBoolean() };
                    break;
                case "displayName":
                    if (value.ValueKind != JsonValueKind.String || value.GetString()!.Trim().Length == 0)
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    sp = sp with { DisplayName = value.GetString()! };
                    break;
                case "description" or "notes":
                    if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    sp = name == "notes" ? sp with { Notes = value.GetString() } : sp with { Description = value.GetString() };
                    break;
                case "tags":
                    if (GraphJson.StringArray(value) is not { } tags)
                    {
                        return (null, GraphError.InvalidPropertyValue(name, Resource));
                    }

                    sp = sp with { Tags = tags };
                    break;
                default:
                    if (ReadOnly.Contains(name))
                    {
                        return (null, GraphError.ReadOnlyProperty(name));
                    }

                    sp = sp with { Properties = sp.Properties.SetItem(name, value.GetRawText()) };
                    break;
            }
        }

        return (sp, null);
    }
}
