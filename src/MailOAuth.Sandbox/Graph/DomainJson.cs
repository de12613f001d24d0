using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>The domain as Graph v1.0 writes it.</summary>
public static class DomainJson
{
    public static readonly EntitySchema Schema = new(
        "domains",
        "microsoft.graph.domain",
        [
            "authenticationType", "availabilityStatus", "id", "isAdminManaged", "isDefault", "isInitial", "isRoot", "isVerified",
            "passwordNotificationWindowInDays", "passwordValidityPeriodInDays", "supportedServices", "state",
        ],
        DefaultProperties: null,
        Filterable: new HashSet<string>(["id"]));

    /// <summary>docs/service-behaviour.md#domains keys (isVerified added; an unverified domain supports no services).</summary>
    public static JsonObject ToJson(TenantDomain domain) => new()
    {
        ["authenticationType"] = "Managed",
        ["availabilityStatus"] = null,
        ["id"] = domain.Name,
        ["isAdminManaged"] = true,
        ["isDefault"] = domain.IsDefault,
        ["isInitial"] = domain.IsInitial,
        ["isRoot"] = true,
        ["isVerified"] = domain.IsVerified,
        ["passwordNotificationWindowInDays"] = null,
        ["passwordValidityPeriodInDays"] = null,
        ["supportedServices"] = domain.IsVerified ? new JsonArray("Email", "OfficeCommunicationsOnline") : new JsonArray(),
        ["state"] = null,
    };
}
