using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Dns;

/// <summary>
/// The seeded DNS records (docs/sandbox.md "DNS"): contoso.com set up as Microsoft recommends, and a
/// few domains each with one classic mistake, so a check can be tested without changing anything.
/// </summary>
public static class DnsSeed
{
    /// <summary>Exchange Online's SPF include in the global cloud.</summary>
    public const string ExchangeOnlineInclude = "spf.protection.outlook.com";

    /// <summary>A domain with no SPF, DKIM or DMARC record at all (only a verification TXT).</summary>
    public const string NoRecordsDomain = "norecords.example";

    /// <summary>Two SPF records at the apex (a permerror).</summary>
    public const string TwoSpfDomain = "twospf.example";

    /// <summary>SPF ending in <c>+all</c>: anyone may send as the domain.</summary>
    public const string PlusAllDomain = "plusall.example";

    /// <summary>SPF whose includes need more than 10 DNS lookups (a permerror).</summary>
    public const string TooManyLookupsDomain = "toomanylookups.example";

    /// <summary>SPF without Exchange Online's include; DKIM CNAMEs pointing elsewhere; DMARC p=none.</summary>
    public const string OtherProviderDomain = "otherprovider.example";

    public static IEnumerable<(string Name, DnsNameRecords Records)> Records()
    {
        // The sandbox tenant's verified domain: correct SPF, both DKIM selectors, DMARC quarantine
        // (the records Microsoft's email authentication guidance asks for).
        var contoso = SeedData.VerifiedDomain;
        yield return (contoso, Txt("v=spf1 include:" + ExchangeOnlineInclude + " -all", "MS=ms12345678"));
        yield return ("selector1._domainkey." + contoso, Cname("selector1-contoso-com._domainkey.contoso.onmicrosoft.com"));
        yield return ("selector2._domainkey." + contoso, Cname("selector2-contoso-com._domainkey.contoso.onmicrosoft.com"));
        yield return ("_dmarc." + contoso, Txt("v=DMARC1; p=quarantine; pct=100; rua=mailto:dmarc@contoso.com"));

        // Stand-ins for Exchange Online's own SPF records (address ranges shortened), so that an SPF
        // evaluation against this server follows the include like it would on the Internet: 2 lookups.
        yield return (ExchangeOnlineInclude, Txt("v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 include:spfd.protection.outlook.com -all"));
        yield return ("spfd.protection.outlook.com", Txt("v=spf1 ip4:51.4.72.0/24 ip4:51.5.72.0/24 -all"));

        // The national clouds' includes (GCC High and DoD; 21Vianet), stand-ins with documentation ranges.
        yield return ("spf.protection.office365.us", Txt("v=spf1 ip4:192.0.2.0/25 -all"));
        yield return ("spf.protection.partner.outlook.cn", Txt("v=spf1 ip4:192.0.2.128/25 -all"));

        yield return (NoRecordsDomain, Txt("google-site-verification=sandbox"));

        yield return (TwoSpfDomain, Txt("v=spf1 include:" + ExchangeOnlineInclude + " -all", "v=spf1 include:_spf.mailhost.example ~all"));

        yield return (PlusAllDomain, Txt("v=spf1 include:" + ExchangeOnlineInclude + " +all"));

        // 2 (Exchange Online's include and its own) + 4 includes in the chain + 3 (a, mx, exists) per link = 18 lookups.
        yield return (TooManyLookupsDomain, Txt("v=spf1 include:" + ExchangeOnlineInclude + " include:chain1.toomanylookups.example -all"));
        for (var i = 1; i <= 4; i++)
        {
            var next = i < 4 ? $" include:chain{i + 1}.toomanylookups.example" : "";
            yield return ($"chain{i}.toomanylookups.example", Txt($"v=spf1 a mx exists:%{{i}}.chain{i}.toomanylookups.example{next} -all"));
        }

        yield return (OtherProviderDomain, Txt("v=spf1 include:_spf.mailhost.example ~all"));
        yield return ("_spf.mailhost.example", Txt("v=spf1 ip4:192.0.2.0/24 -all"));
        yield return ("selector1._domainkey." + OtherProviderDomain, Cname("s1.dkim.mailhost.example"));
        yield return ("_dmarc." + OtherProviderDomain, Txt("v=DMARC1; p=none; rua=mailto:dmarc@otherprovider.example"));
    }

    private static DnsNameRecords Txt(params string[] texts) => new(texts, null);

    private static DnsNameRecords Cname(string target) => new([], target);
}
