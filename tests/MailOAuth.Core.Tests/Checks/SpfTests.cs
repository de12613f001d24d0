using MailOAuth.Core.Checks;
using Xunit;

namespace MailOAuth.Core.Tests.Checks;

/// <summary>The SPF parser and lookup counter (RFC 7208 §4.6), against an in-memory zone that counts its questions.</summary>
public sealed class SpfTests
{
    /// <summary>TXT answers from a dictionary; a name not in it is NXDOMAIN; every question is counted.</summary>
    private sealed class Zone : IDnsLookup
    {
        private readonly Dictionary<string, string[]> _txt = new(StringComparer.OrdinalIgnoreCase);

        public int Questions { get; private set; }

        public Zone Add(string name, params string[] txt)
        {
            _txt[name] = txt;
            return this;
        }

        public Task<DnsAnswer> TxtAsync(string name, CancellationToken ct)
        {
            Questions++;
            return Task.FromResult(_txt.TryGetValue(name, out var txt) ? DnsAnswer.OfTxt(txt) : DnsAnswer.NotFound);
        }

        public Task<DnsAnswer> CnameAsync(string name, CancellationToken ct) => throw new NotSupportedException("SPF never asks for a CNAME");
    }

    private static Task<SpfLookupCount> CountAsync(string record, Zone zone) => SpfLookupCounter.CountAsync(SpfRecord.Parse(record)!, zone, CancellationToken.None);

    [Theory]
    [InlineData("v=spf1 -all", true)]
    [InlineData("v=spf1", true)]
    [InlineData("V=SPF1 include:x.example ~all", true)]
    [InlineData("v=spf10 -all", false)]
    [InlineData("v=DMARC1; p=none", false)]
    [InlineData(" v=spf1 -all", false)]
    public void Only_v_spf1_alone_or_followed_by_a_space_is_an_SPF_record(string text, bool isSpf)
    {
        Assert.Equal(isSpf, SpfRecord.IsSpf(text));
        Assert.Equal(isSpf, SpfRecord.Parse(text) is not null);
    }

    [Fact]
    public void Terms_are_split_into_qualifier_name_and_value_and_modifiers_are_told_apart()
    {
        var record = SpfRecord.Parse("v=spf1 ip4:192.0.2.0/24 a/24 -mx:mail.example ~include:x.example ?exists:%{i}.e.example redirect=r.example exp=e.example +all")!;

        Assert.Equal(
            new[] { ('+', "ip4", "192.0.2.0/24"), ('+', "a", "/24"), ('-', "mx", "mail.example"), ('~', "include", "x.example"), ('?', "exists", "%{i}.e.example"), ('\0', "redirect", "r.example"), ('\0', "exp", "e.example"), ('+', "all", null) },
            record.Terms.Select(t => (t.Qualifier, t.Name, t.Value)));
        Assert.Equal("+all", record.All!.Text);
        Assert.Null(record.Redirect); // ignored beside "all" (RFC 7208 §6.1)
        Assert.Equal(new[] { "x.example" }, record.Includes);
    }

    [Fact]
    public async Task Include_a_mx_ptr_exists_and_redirect_cost_one_lookup_each_and_ip_terms_none()
    {
        var zone = new Zone().Add("r.example", "v=spf1 ip4:192.0.2.1 -all").Add("x.example", "v=spf1 ip6:2001:db8::/32 -all");

        var count = await CountAsync("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::1 a mx ptr exists:e.example include:x.example redirect=r.example", zone);

        Assert.Equal(6, count.Lookups);
        Assert.False(count.Capped);
        Assert.Equal(new[] { "x.example", "r.example" }.OrderBy(d => d), count.IncludedDomains.OrderBy(d => d));
        Assert.Empty(count.Broken);
    }

    [Fact]
    public async Task Included_records_are_counted_recursively_and_their_includes_are_seen()
    {
        var zone = new Zone()
            .Add("_spf.contoso.example", "v=spf1 include:spf.protection.outlook.com mx -all")
            .Add("spf.protection.outlook.com", "v=spf1 ip4:40.92.0.0/15 include:spfd.protection.outlook.com -all")
            .Add("spfd.protection.outlook.com", "v=spf1 ip4:51.4.72.0/24 -all");

        var count = await CountAsync("v=spf1 include:_spf.contoso.example -all", zone);

        Assert.Equal(4, count.Lookups);
        Assert.Contains("spf.protection.outlook.com", count.IncludedDomains);
        Assert.Equal(3, zone.Questions);
    }

    [Fact]
    public async Task A_redirect_beside_all_is_not_evaluated()
    {
        var zone = new Zone().Add("r.example", "v=spf1 a mx -all");

        var count = await CountAsync("v=spf1 mx redirect=r.example -all", zone);

        Assert.Equal(1, count.Lookups);
        Assert.Equal(0, zone.Questions);
    }

    [Fact]
    public async Task An_include_loop_ends_and_each_domain_is_asked_once()
    {
        var zone = new Zone().Add("a.example", "v=spf1 include:b.example -all").Add("b.example", "v=spf1 include:a.example -all");

        var count = await CountAsync("v=spf1 include:a.example -all", zone);

        Assert.Equal(2, zone.Questions);
        Assert.Equal(3, count.Lookups);
    }

    [Fact]
    public async Task A_long_chain_is_counted_only_up_to_the_bound_and_says_the_count_is_a_lower_bound()
    {
        var zone = new Zone();
        for (var i = 0; i < 100; i++) zone.Add($"l{i}.example", $"v=spf1 include:l{i + 1}.example -all");

        var count = await CountAsync("v=spf1 include:l0.example -all", zone);

        Assert.True(count.Capped);
        Assert.True(zone.Questions <= SpfLookupCounter.MaxQueries, $"{zone.Questions} questions");
        Assert.True(count.Lookups > SpfLookupCounter.Limit);
    }

    [Fact]
    public async Task Many_includes_at_one_level_stop_at_the_query_bound()
    {
        var zone = new Zone();
        var includes = string.Join(" ", Enumerable.Range(0, 50).Select(i => $"include:w{i}.example"));
        for (var i = 0; i < 50; i++) zone.Add($"w{i}.example", "v=spf1 ip4:192.0.2.1 -all");

        var count = await CountAsync($"v=spf1 {includes} -all", zone);

        Assert.Equal(50, count.Lookups);
        Assert.True(count.Capped);
        Assert.Equal(SpfLookupCounter.MaxQueries, zone.Questions);
    }

    [Fact]
    public async Task An_include_without_one_SPF_record_is_broken_and_a_macro_target_is_not_asked()
    {
        var zone = new Zone().Add("two.example", "v=spf1 -all", "v=spf1 ~all").Add("txt.example", "hello");

        var count = await CountAsync("v=spf1 include:gone.example include:two.example include:txt.example include:%{d}.m.example -all", zone);

        Assert.Equal(new[] { "gone.example", "two.example", "txt.example" }, count.Broken);
        Assert.Equal(4, count.Lookups);
        Assert.Equal(3, zone.Questions);
    }

    [Fact]
    public async Task An_unanswered_include_is_reported_not_counted_as_broken()
    {
        var count = await SpfLookupCounter.CountAsync(SpfRecord.Parse("v=spf1 include:slow.example -all")!, new Unanswering(), CancellationToken.None);

        Assert.Empty(count.Broken);
        Assert.Equal(new[] { "timed out" }, count.Unanswered);
    }

    private sealed class Unanswering : IDnsLookup
    {
        public Task<DnsAnswer> TxtAsync(string name, CancellationToken ct) => Task.FromResult(DnsAnswer.Unanswered("timed out"));

        public Task<DnsAnswer> CnameAsync(string name, CancellationToken ct) => Task.FromResult(DnsAnswer.Unanswered("timed out"));
    }

    [Theory]
    [InlineData("Global", "spf.protection.outlook.com", false)]
    [InlineData(null, "spf.protection.outlook.com", false)]
    [InlineData("usgov", "spf.protection.office365.us", false)]
    [InlineData("USGovDoD", "spf.protection.office365.us", false)]
    [InlineData("China", "spf.protection.partner.outlook.cn", false)]
    [InlineData("Sandbox", "spf.protection.outlook.com", true)]
    public void Each_cloud_has_its_Exchange_Online_include_and_a_custom_one_gets_a_note(string? environment, string include, bool note)
    {
        var (expected, remark) = DnsCheck.SpfIncludeFor(environment);

        Assert.Equal(include, expected);
        Assert.Equal(note, remark is not null);
    }

    [Theory]
    [InlineData("selector1-contoso-com._domainkey.contoso.onmicrosoft.com", true)]
    [InlineData("selector1-contoso-com._domainkey.contoso.n-v1.dkim.mail.microsoft.", true)]
    [InlineData("s1.dkim.mailhost.example", false)]
    [InlineData("onmicrosoft.com.evil.example", false)]
    public void A_DKIM_target_is_matched_loosely_by_Microsofts_domains(string target, bool isMicrosoft) =>
        Assert.Equal(isMicrosoft, DnsCheck.IsMicrosoftDkimTarget(target));

    [Theory]
    [InlineData("192.0.2.53", "192.0.2.53", 53)]
    [InlineData("127.0.0.1:5353", "127.0.0.1", 5353)]
    [InlineData("::1", "::1", 53)]
    [InlineData("[::1]:5353", "::1", 5353)]
    [InlineData("dns.example:54", "dns.example", 54)]
    [InlineData("dns.example", "dns.example", 53)]
    public void DnsServer_values_are_address_or_host_with_an_optional_port(string value, string host, int port)
    {
        Assert.True(DnsResolver.TryParseServer(value, out var name, out var parsedPort, out var address, out var problem), problem);
        Assert.Equal(host, address?.ToString() ?? name);
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:0")]
    [InlineData("[::1")]
    [InlineData("a b")]
    public void Unusable_DnsServer_values_are_refused_with_a_reason(string value)
    {
        Assert.False(DnsResolver.TryParseServer(value, out _, out _, out _, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void A_long_TXT_zone_line_is_split_into_strings_of_255_and_quotes_are_escaped()
    {
        var text = "v=spf1 " + string.Join(" ", Enumerable.Range(0, 40).Select(i => $"ip4:192.0.2.{i}")) + " \"q\" -all";

        var line = DnsCheck.ZoneTxt("contoso.com", text);

        Assert.StartsWith("contoso.com. 3600 IN TXT \"v=spf1 ", line);
        var strings = System.Text.RegularExpressions.Regex.Matches(line.Substring(line.IndexOf('"')), "\"((?:[^\"\\\\]|\\\\.)*)\"").Select(m => m.Groups[1].Value.Replace("\\\"", "\"")).ToList();
        Assert.True(strings.Count >= 2);
        Assert.All(strings, s => Assert.True(s.Length <= 256));
        Assert.Equal(text, string.Concat(strings));
    }
}
