using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>The user as Graph v1.0 writes it.</summary>
public static class UserJson
{
    /// <summary>
    /// Users: the first eleven properties are what Graph v1.0 returns without <c>$select</c>; the
    /// others (accountEnabled, userType, onPremisesSyncEnabled, licences, plans) only when selected.
    /// </summary>
    public static readonly EntitySchema Schema = new(
        "users",
        "microsoft.graph.user",
        [
            "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage",
            "surname", "userPrincipalName", "id", "accountEnabled", "userType", "onPremisesSyncEnabled", "assignedLicenses", "assignedPlans",
            "proxyAddresses",
        ],
        DefaultProperties:
        [
            "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage",
            "surname", "userPrincipalName", "id",
        ],
        Filterable: new HashSet<string>(["id", "userPrincipalName", "mail", "displayName", "userType", "proxyAddresses"]));

    public static JsonObject ToJson(DirectoryUser user) => new()
    {
        ["businessPhones"] = new JsonArray(),
        ["displayName"] = user.DisplayName,
        ["givenName"] = user.GivenName,
        ["jobTitle"] = null,
        ["mail"] = user.Mail,
        ["mobilePhone"] = null,
        ["officeLocation"] = null,
        ["preferredLanguage"] = null,
        ["surname"] = user.Surname,
        ["userPrincipalName"] = user.UserPrincipalName,
        ["id"] = user.Id.ToString(),
        ["accountEnabled"] = user.AccountEnabled,
        ["userType"] = user.UserType,
        ["onPremisesSyncEnabled"] = user.OnPremisesSyncEnabled,
        // The primary address upper-case "SMTP:", aliases lower-case "smtp:" (docs/service-behaviour.md#users).
        ["proxyAddresses"] = new JsonArray([.. new[] { "SMTP:" + user.Mail }.Concat(user.Aliases.Select(a => "smtp:" + a)).Select(a => (JsonNode)JsonValue.Create(a)!)]),
        // docs/service-behaviour.md#users (INFERRED shape): {"disabledPlans":[],"skuId":…}
        ["assignedLicenses"] = new JsonArray([.. user.AssignedLicenses.Select(l => (JsonNode)new JsonObject
        {
            ["disabledPlans"] = new JsonArray(),
            ["skuId"] = l.SkuId.ToString(),
        })]),
        ["assignedPlans"] = new JsonArray([.. user.AssignedPlans.Select(p => (JsonNode)new JsonObject
        {
            ["assignedDateTime"] = GraphJson.Iso(p.AssignedDateTime),
            ["capabilityStatus"] = p.CapabilityStatus,
            ["service"] = p.Service,
            ["servicePlanId"] = p.ServicePlanId.ToString(),
        })]),
    };
}
