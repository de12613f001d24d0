using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>The organization as Graph v1.0 writes it.</summary>
public static class OrganizationJson
{
    public static readonly EntitySchema Schema = new(
        "organization",
        "microsoft.graph.organization",
        [
            "id", "deletedDateTime", "businessPhones", "city", "country", "countryLetterCode", "createdDateTime", "defaultUsageLocation",
            "displayName", "marketingNotificationEmails", "onPremisesLastSyncDateTime", "onPremisesSyncEnabled", "postalCode",
            "preferredLanguage", "securityComplianceNotificationMails", "securityComplianceNotificationPhones", "state", "street",
            "technicalNotificationMails", "tenantType", "assignedPlans", "privacyProfile", "provisionedPlans", "verifiedDomains",
        ],
        DefaultProperties: null,
        Filterable: new HashSet<string>(["id"]));

    /// <summary>
    /// docs/service-behaviour.md#organization. With Organization.Read.All or Directory.Read.All every property is filled;
    /// otherwise only id, displayName and verifiedDomains, the rest null.
    /// </summary>
    public static JsonObject ToJson(SandboxRuntime runtime, bool full)
    {
        var tenant = runtime.Directory.Tenant;
        var json = new JsonObject
        {
            ["id"] = tenant.Id.ToString(),
            ["deletedDateTime"] = null,
            ["businessPhones"] = full ? new JsonArray() : null,
            ["city"] = full ? "Redmond" : null,
            ["country"] = null,
            ["countryLetterCode"] = full ? "US" : null,
            ["createdDateTime"] = full ? GraphJson.Iso(runtime.Now.AddDays(-900)) : null,
            ["defaultUsageLocation"] = null,
            ["displayName"] = tenant.DisplayName,
            ["marketingNotificationEmails"] = full ? new JsonArray() : null,
            ["onPremisesLastSyncDateTime"] = null,
            ["onPremisesSyncEnabled"] = null,
            ["postalCode"] = full ? "98052" : null,
            ["preferredLanguage"] = full ? "en" : null,
            ["securityComplianceNotificationMails"] = full ? new JsonArray() : null,
            ["securityComplianceNotificationPhones"] = full ? new JsonArray() : null,
            ["state"] = full ? "WA" : null,
            ["street"] = full ? "1 Microsoft Way" : null,
            ["technicalNotificationMails"] = full ? new JsonArray("admin@" + tenant.DefaultDomain.Name) : null,
            ["tenantType"] = full ? "AAD" : null,
            ["assignedPlans"] = full
                ? new JsonArray(new JsonObject
                {
                    ["assignedDateTime"] = GraphJson.Iso(runtime.Now.AddDays(-600)),
                    ["capabilityStatus"] = "Enabled",
                    ["service"] = "exchange",
                    ["servicePlanId"] = SeedData.ExchangeOnlineServicePlanId.ToString(),
                })
                : null,
            ["privacyProfile"] = null,
            ["provisionedPlans"] = full ? new JsonArray() : null,
            // capabilities is a comma-plus-space string, not an array (docs/service-behaviour.md#organization).
            ["verifiedDomains"] = new JsonArray([.. tenant.Domains.Where(d => d.IsVerified).Select(d => (JsonNode)new JsonObject
            {
                ["capabilities"] = "Email, OfficeCommunicationsOnline",
                ["isDefault"] = d.IsDefault,
                ["isInitial"] = d.IsInitial,
                ["name"] = d.Name,
                ["type"] = "Managed",
            })]),
        };
        return json;
    }
}
