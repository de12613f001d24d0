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

    /// <summary>
    /// The Email records of a verified domain as Graph lists them (domainDnsMxRecord, domainDnsTxtRecord with the SPF
    /// text, domainDnsCnameRecord for autodiscover), ids stable per domain and record type.
    /// </summary>
    public static JsonArray ServiceConfigurationRecords(TenantDomain domain, string spf)
    {
        var label = domain.Name.ToLowerInvariant();
        JsonObject Record(string type, string recordType, string host, JsonObject extra)
        {
            var record = new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph." + type,
                ["id"] = StableId(label, recordType).ToString(),
                ["isOptional"] = false,
                ["label"] = host,
                ["recordType"] = recordType,
                ["supportedService"] = "Email",
                ["ttl"] = 3600,
            };
            foreach (var (key, node) in extra)
            {
                record[key] = node?.DeepClone();
            }

            return record;
        }

        return new JsonArray(
            Record("domainDnsMxRecord", "Mx", label, new JsonObject { ["mailExchange"] = label.Replace('.', '-') + ".mail.protection.outlook.com", ["preference"] = 0 }),
            Record("domainDnsTxtRecord", "Txt", label, new JsonObject { ["text"] = spf }),
            Record("domainDnsCnameRecord", "CName", "autodiscover." + label, new JsonObject { ["canonicalName"] = "autodiscover.outlook.com" }));
    }

    private static Guid StableId(string domain, string recordType)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(domain + "|" + recordType));
        return new Guid(hash.AsSpan(0, 16));
    }
}
