using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Entra;

/// <summary>How the <c>{tenant}</c> path segment resolved.</summary>
public enum TenantMatch
{
    /// <summary>The sandbox tenant, by GUID or verified domain.</summary>
    Found,

    /// <summary><c>common</c>, <c>organizations</c> or <c>consumers</c>: names no tenant.</summary>
    MultiTenant,

    /// <summary>A well-formed GUID or DNS name that is not this tenant (or an unverified domain): AADSTS90002.</summary>
    NotFound,

    /// <summary>Neither a GUID nor a DNS name: AADSTS900023.</summary>
    Malformed,
}

/// <summary>Resolves the authority's tenant segment (docs/service-behaviour.md#token-request, #aadsts-tenant-not-found).</summary>
public static class TenantResolver
{
    public static TenantMatch Resolve(DirectoryStore directory, string segment)
    {
        if (segment is "common" or "organizations" or "consumers")
        {
            return TenantMatch.MultiTenant;
        }

        if (Guid.TryParseExact(segment, "D", out var id))
        {
            return id == directory.Tenant.Id ? TenantMatch.Found : TenantMatch.NotFound;
        }

        if (!DomainNames.IsDnsName(segment))
        {
            // e.g. a 35-digit GUID, "authorize", "undefined", "{{tenantid}}" (docs/service-behaviour.md#aadsts-tenant-not-found).
            return TenantMatch.Malformed;
        }

        // An unverified domain does not identify the tenant.
        return directory.IsVerifiedDomain(segment) ? TenantMatch.Found : TenantMatch.NotFound;
    }

    /// <summary>
    /// The route's <c>{tenant}</c> segment resolved, with the error Entra answers for a malformed
    /// or unknown one (null when it names this tenant, <c>common</c> or <c>organizations</c>): the
    /// preamble of the token, device code and discovery endpoints.
    /// </summary>
    public static (TenantMatch Match, string Segment, EntraError? Error) ResolveRoute(HttpContext context, DirectoryStore directory, bool forDiscovery = false)
    {
        var segment = context.GetRouteValue("tenant") as string ?? "";
        var match = Resolve(directory, segment);
        return (match, segment, match switch
        {
            TenantMatch.Malformed => EntraErrors.MalformedTenant(segment),
            // docs/service-behaviour.md#discovery: invalid_tenant on discovery, invalid_request on the token endpoint.
            TenantMatch.NotFound => EntraErrors.TenantNotFound(segment, forDiscovery),
            _ => null,
        });
    }
}
