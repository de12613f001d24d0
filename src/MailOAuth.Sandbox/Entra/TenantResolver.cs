using System.Text.RegularExpressions;
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

/// <summary>Resolves the authority's tenant segment (wire §1.1, §1.7, §1.8).</summary>
public static partial class TenantResolver
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

        if (!DnsName().IsMatch(segment))
        {
            // e.g. a 35-digit GUID, "authorize", "undefined", "{{tenantid}}" (wire §1.8).
            return TenantMatch.Malformed;
        }

        // An unverified domain does not identify the tenant.
        return directory.IsVerifiedDomain(segment) ? TenantMatch.Found : TenantMatch.NotFound;
    }

    // At least two labels; the last one alphabetic (so neither IP addresses nor bare words pass).
    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DnsName();
}
