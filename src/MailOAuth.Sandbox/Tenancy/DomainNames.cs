using System.Text.RegularExpressions;

namespace MailOAuth.Sandbox.Tenancy;

/// <summary>
/// What the sandbox accepts as a tenant name, a domain and a mail address: one definition for
/// the authority's <c>{tenant}</c> segment (Entra) and the reseller platform's form fields, so the
/// two services never disagree on whether <c>contoso.onmicrosoft.com</c> is a domain.
/// </summary>
public static partial class DomainNames
{
    /// <summary>A GUID in its usual 8-4-4-4-12 form (a tenant id, a client id).</summary>
    public static bool IsGuid(string? value) => value is not null && Guid.TryParseExact(value, "D", out _);

    /// <summary>
    /// A DNS name: two or more labels of letters, digits and inner hyphens (63 at most each, 253
    /// in all), the last one starting with a letter, so neither IP addresses nor bare words pass
    /// (e.g. contoso.onmicrosoft.com).
    /// </summary>
    public static bool IsDnsName(string? value) => value is { Length: > 0 and <= 253 } && DnsName().IsMatch(value);

    /// <summary><c>local@domain</c>: no spaces or display name, a DNS domain.</summary>
    public static bool IsEmailAddress(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var at = value.LastIndexOf('@');
        return at > 0 && at <= 64 && LocalPart().IsMatch(value[..at]) && IsDnsName(value[(at + 1)..]);
    }

    [GeneratedRegex(@"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?\z", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DnsName();

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex LocalPart();
}
