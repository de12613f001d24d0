using System.Diagnostics;
using System.Net.Http.Json;
using MailOAuth.Core.Checks;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Tests.Entra;
using MailOAuth.Sandbox.Dns;
using Xunit;

namespace MailOAuth.Core.Tests.Checks;

/// <summary>
/// DnsCheck against the sandbox's DNS server (real UDP/TCP on loopback, ARSoft.Tools.Net): every Fail
/// and Warning from a seeded or changed record, all Pass for contoso.com, and a server that stops
/// answering. Records changed here are on names unique to the test, so the order of tests is free.
/// </summary>
public sealed class DnsCheckTests : IClassFixture<CoreSandboxFixture>
{
    private readonly CoreSandboxFixture _sandbox;

    public DnsCheckTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

    private IReadOnlyList<string> Servers => new[] { _sandbox.Info.Dns };

    private static readonly DnsCheckOptions Fast = new() { QueryTimeout = TimeSpan.FromSeconds(1), Retries = 1, Budget = TimeSpan.FromSeconds(20) };

    private async Task<IReadOnlyList<CheckResult>> CheckAsync(string domain, string environment = "Global", IReadOnlyList<string>? servers = null, string? expectedSpf = null)
    {
        using var session = new MailOAuthSession();
        return await new DnsCheck(session, Fast).CheckAsync(domain, environment, servers ?? Servers, expectedSpf, CoreSandboxFixture.Timeout());
    }

    private static CheckResult Get(IReadOnlyList<CheckResult> results, string check) => Assert.Single(results, r => r.Check == check);

    private static string Unique(string label) => $"{label}-{Guid.NewGuid():N}".Substring(0, label.Length + 9) + ".example";

    private async Task SetRecordsAsync(string name, string[]? txt = null, string? cname = null)
    {
        using var response = await _sandbox.Control.PutAsJsonAsync($"_sandbox/dns/records/{name}", new { txt, cname });
        Assert.True(response.IsSuccessStatusCode, $"PUT {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>A domain with a correct SPF and DMARC and the two DKIM CNAMEs, to break one thing at a time.</summary>
    private async Task<string> GoodDomainAsync(string label)
    {
        var domain = Unique(label);
        await SetRecordsAsync(domain, ["v=spf1 include:spf.protection.outlook.com -all"]);
        await SetRecordsAsync($"selector1._domainkey.{domain}", cname: $"selector1-{domain.Replace('.', '-')}._domainkey.contoso.onmicrosoft.com");
        await SetRecordsAsync($"selector2._domainkey.{domain}", cname: $"selector2-{domain.Replace('.', '-')}._domainkey.contoso.onmicrosoft.com");
        await SetRecordsAsync($"_dmarc.{domain}", ["v=DMARC1; p=reject"]);
        return domain;
    }

    [Fact]
    public async Task Contoso_com_as_seeded_passes_Spf_Dkim_and_Dmarc_with_the_records_as_evidence()
    {
        var results = await CheckAsync("contoso.com");

        Assert.Equal(new[] { "Spf", "Dkim", "Dmarc" }, results.Select(r => r.Check));
        Assert.All(results, r =>
        {
            Assert.Equal(CheckStatus.Pass, r.Status);
            Assert.Null(r.DiagnosisCode);
            Assert.Null(r.Remediation);
        });
        Assert.Equal("v=spf1 include:spf.protection.outlook.com -all (2 DNS lookups)", Get(results, "Spf").Evidence);
        Assert.Contains("selector1._domainkey.contoso.com CNAME selector1-contoso-com._domainkey.contoso.onmicrosoft.com", Get(results, "Dkim").Evidence);
        Assert.Contains("selector2._domainkey.contoso.com CNAME selector2-contoso-com._domainkey.contoso.onmicrosoft.com", Get(results, "Dkim").Evidence);
        Assert.Equal("v=DMARC1; p=quarantine; pct=100; rua=mailto:dmarc@contoso.com", Get(results, "Dmarc").Evidence);
        Assert.DoesNotContain("Environment", Get(results, "Spf").Message);
    }

    [Fact]
    public async Task A_custom_environment_is_checked_for_the_global_include_and_the_message_says_so()
    {
        var spf = Get(await CheckAsync("contoso.com", CoreSandboxFixture.EnvironmentName), "Spf");

        Assert.Equal(CheckStatus.Pass, spf.Status);
        Assert.Contains("Environment 'Sandbox' is not a Microsoft cloud with its own SPF include", spf.Message);
    }

    [Fact]
    public async Task No_records_at_all_is_Spf_Fail_and_Dkim_and_Dmarc_Warnings_each_with_a_zone_line()
    {
        var results = await CheckAsync(DnsSeed.NoRecordsDomain);

        var spf = Get(results, "Spf");
        Assert.Equal(CheckStatus.Fail, spf.Status);
        Assert.Equal(DiagnosisCode.DnsRecordProblem, spf.DiagnosisCode);
        Assert.Equal("TXT at norecords.example: google-site-verification=sandbox", spf.Evidence);
        Assert.Contains("norecords.example. 3600 IN TXT \"v=spf1 include:spf.protection.outlook.com -all\"", spf.Remediation);

        var dkim = Get(results, "Dkim");
        Assert.Equal(CheckStatus.Warning, dkim.Status);
        Assert.Equal(DiagnosisCode.DnsRecordProblem, dkim.DiagnosisCode);
        Assert.Equal("selector1._domainkey.norecords.example: no CNAME; selector2._domainkey.norecords.example: no CNAME", dkim.Evidence);
        Assert.Contains("selector1._domainkey.norecords.example. 3600 IN CNAME <Selector1CNAME value>.", dkim.Remediation);
        Assert.Contains("Get-DkimSigningConfig -Identity norecords.example", dkim.Remediation);

        var dmarc = Get(results, "Dmarc");
        Assert.Equal(CheckStatus.Warning, dmarc.Status);
        Assert.Equal(DiagnosisCode.DnsRecordProblem, dmarc.DiagnosisCode);
        Assert.Equal("no TXT record at _dmarc.norecords.example", dmarc.Evidence);
        Assert.Contains("_dmarc.norecords.example. 3600 IN TXT \"v=DMARC1; p=quarantine;", dmarc.Remediation);
    }

    [Fact]
    public async Task A_domain_that_does_not_exist_is_Spf_Fail_saying_NXDOMAIN()
    {
        var spf = Get(await CheckAsync(Unique("missing")), "Spf");

        Assert.Equal(CheckStatus.Fail, spf.Status);
        Assert.Contains("does not exist in DNS (NXDOMAIN)", spf.Evidence);
    }

    [Fact]
    public async Task Two_SPF_records_are_Fail_with_one_merged_record_to_publish()
    {
        var spf = Get(await CheckAsync(DnsSeed.TwoSpfDomain), "Spf");

        Assert.Equal(CheckStatus.Fail, spf.Status);
        Assert.Equal(DiagnosisCode.DnsRecordProblem, spf.DiagnosisCode);
        Assert.Contains("has 2 SPF records", spf.Message);
        Assert.Equal("v=spf1 include:spf.protection.outlook.com -all | v=spf1 include:_spf.mailhost.example ~all", spf.Evidence);
        Assert.Contains("twospf.example. 3600 IN TXT \"v=spf1 include:spf.protection.outlook.com include:_spf.mailhost.example -all\"", spf.Remediation);
    }

    [Fact]
    public async Task Plus_all_is_Fail_and_the_remediation_ends_in_minus_all()
    {
        var spf = Get(await CheckAsync(DnsSeed.PlusAllDomain), "Spf");

        Assert.Equal(CheckStatus.Fail, spf.Status);
        Assert.Contains("ends in +all", spf.Message);
        Assert.Contains("plusall.example. 3600 IN TXT \"v=spf1 include:spf.protection.outlook.com -all\"", spf.Remediation);
    }

    [Fact]
    public async Task More_than_ten_lookups_is_Fail_with_the_count_as_evidence()
    {
        var spf = Get(await CheckAsync(DnsSeed.TooManyLookupsDomain), "Spf");

        Assert.Equal(CheckStatus.Fail, spf.Status);
        Assert.Equal(DiagnosisCode.DnsRecordProblem, spf.DiagnosisCode);
        Assert.EndsWith("(18 DNS lookups)", spf.Evidence);
        Assert.Contains("needs 18 DNS lookups", spf.Message);
        Assert.Contains("10 lookups or fewer", spf.Remediation);
    }

    [Fact]
    public async Task Another_providers_domain_fails_Spf_for_the_missing_include_and_warns_on_Dkim_and_p_none()
    {
        var results = await CheckAsync(DnsSeed.OtherProviderDomain);

        var spf = Get(results, "Spf");
        Assert.Equal(CheckStatus.Fail, spf.Status);
        Assert.Contains("does not include include:spf.protection.outlook.com", spf.Message);
        Assert.Contains("otherprovider.example. 3600 IN TXT \"v=spf1 include:spf.protection.outlook.com include:_spf.mailhost.example ~all\"", spf.Remediation);

        var dkim = Get(results, "Dkim");
        Assert.Equal(CheckStatus.Warning, dkim.Status);
        Assert.Contains("points at s1.dkim.mailhost.example, not into Microsoft 365's DKIM domains", dkim.Message);
        Assert.Contains("selector2._domainkey.otherprovider.example has no CNAME record", dkim.Message);

        var dmarc = Get(results, "Dmarc");
        Assert.Equal(CheckStatus.Warning, dmarc.Status);
        Assert.Contains("p=none", dmarc.Message);
        Assert.Equal("v=DMARC1; p=none; rua=mailto:dmarc@otherprovider.example", dmarc.Evidence);
        Assert.Contains("_dmarc.otherprovider.example. 3600 IN TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@otherprovider.example\"", dmarc.Remediation);
    }

    [Fact]
    public async Task A_changed_record_is_seen_at_once_and_a_correct_domain_passes()
    {
        var domain = await GoodDomainAsync("changed");
        Assert.All(await CheckAsync(domain), r => Assert.Equal(CheckStatus.Pass, r.Status));

        await SetRecordsAsync(domain, ["v=spf1 include:spf.protection.outlook.com all"]);
        var spf = Get(await CheckAsync(domain), "Spf");

        // A bare "all" is "+all" (RFC 7208 §4.6.2).
        Assert.Equal(CheckStatus.Fail, spf.Status);
        Assert.Contains("ends in all,", spf.Message);
    }

    [Fact]
    public async Task A_national_cloud_needs_its_own_include()
    {
        var domain = await GoodDomainAsync("usgov");

        var global = Get(await CheckAsync(domain, "USGov"), "Spf");
        Assert.Equal(CheckStatus.Fail, global.Status);
        Assert.Contains("does not include include:spf.protection.office365.us (Exchange Online in USGov)", global.Message);

        await SetRecordsAsync(domain, ["v=spf1 include:spf.protection.office365.us -all"]);
        Assert.Equal(CheckStatus.Pass, Get(await CheckAsync(domain, "USGovDoD"), "Spf").Status);

        await SetRecordsAsync(domain, ["v=spf1 include:spf.protection.partner.outlook.cn -all"]);
        Assert.Equal(CheckStatus.Pass, Get(await CheckAsync(domain, "China"), "Spf").Status);
    }

    [Fact]
    public async Task Graphs_expected_record_decides_the_required_include_over_the_clouds_default()
    {
        var domain = await GoodDomainAsync("graphspf");

        // Graph says this tenant's Exchange Online is GCC High: the global include no longer satisfies it.
        var wrong = Get(await CheckAsync(domain, "Global", expectedSpf: "v=spf1 include:spf.protection.office365.us -all"), "Spf");
        Assert.Equal(CheckStatus.Fail, wrong.Status);
        Assert.Equal(DiagnosisCode.DnsRecordProblem, wrong.DiagnosisCode);
        Assert.Contains("does not include include:spf.protection.office365.us (which Microsoft 365 expects for this domain", wrong.Message);
        Assert.Contains("Microsoft 365 expects: v=spf1 include:spf.protection.office365.us -all", wrong.Evidence);
        Assert.Contains("include:spf.protection.office365.us include:spf.protection.outlook.com -all", wrong.Remediation);

        // Graph's own example writes "include: spf…" with a space; the same include then passes, and a custom
        // cloud needs no remark once Graph has named the include.
        var right = Get(await CheckAsync(domain, CoreSandboxFixture.EnvironmentName, expectedSpf: "v=spf1 include: spf.protection.outlook.com -all"), "Spf");
        Assert.Equal(CheckStatus.Pass, right.Status);
        Assert.Contains("as Microsoft 365 expects for this domain", right.Message);
        Assert.DoesNotContain("is not a Microsoft cloud", right.Message);
    }

    [Fact]
    public async Task A_missing_record_is_proposed_with_Graphs_includes()
    {
        var domain = Unique("graphnone");
        var spf = Get(await CheckAsync(domain, expectedSpf: "v=spf1 include:spf.protection.partner.outlook.cn -all"), "Spf");
        Assert.Equal(CheckStatus.Fail, spf.Status);
        Assert.Contains("v=spf1 include:spf.protection.partner.outlook.cn -all", spf.Remediation);
    }

    [Theory]
    [InlineData("v=spf1 include: spf.protection.outlook.com ~all", "spf.protection.outlook.com")]
    [InlineData("  v=spf1 include:SPF.Protection.Outlook.com. -all ", "spf.protection.outlook.com")]
    [InlineData("not spf at all", "spf.protection.outlook.com")]
    public void The_expectation_reads_Graphs_text_loosely(string graph, string include)
    {
        var expectation = SpfExpectation.For("Global", graph);
        Assert.Equal(include, Assert.Single(expectation.Includes));
        Assert.Equal(graph.StartsWith("not", StringComparison.Ordinal) ? false : true, expectation.FromGraph);
    }

    [Fact]
    public async Task An_include_without_an_SPF_record_is_Fail()
    {
        var domain = await GoodDomainAsync("brokeninclude");
        await SetRecordsAsync(domain, ["v=spf1 include:spf.protection.outlook.com include:gone.example -all"]);

        var spf = Get(await CheckAsync(domain), "Spf");

        Assert.Equal(CheckStatus.Fail, spf.Status);
        Assert.Contains("includes gone.example, which has no single SPF record", spf.Message);
    }

    [Fact]
    public async Task Dkim_with_one_selector_missing_is_a_Warning_and_the_new_dkim_mail_microsoft_targets_pass()
    {
        var domain = await GoodDomainAsync("dkim");
        await SetRecordsAsync($"selector2._domainkey.{domain}");

        var missing = Get(await CheckAsync(domain), "Dkim");
        Assert.Equal(CheckStatus.Warning, missing.Status);
        Assert.Equal(DiagnosisCode.DnsRecordProblem, missing.DiagnosisCode);
        Assert.Contains($"selector2._domainkey.{domain} has no CNAME record", missing.Message);
        Assert.DoesNotContain("selector1._domainkey", missing.Message);

        // The format for domains added since May 2025, with a random suffix: matched loosely, never constructed.
        await SetRecordsAsync($"selector1._domainkey.{domain}", cname: "selector1-x-example-com03i._domainkey.contoso.r-v1.dkim.mail.microsoft");
        await SetRecordsAsync($"selector2._domainkey.{domain}", cname: "selector2-x-example-com03i._domainkey.contoso.r-v1.dkim.mail.microsoft");
        Assert.Equal(CheckStatus.Pass, Get(await CheckAsync(domain), "Dkim").Status);
    }

    [Fact]
    public async Task Dmarc_without_a_policy_or_twice_is_a_Warning()
    {
        var domain = await GoodDomainAsync("dmarc");
        await SetRecordsAsync($"_dmarc.{domain}", ["v=DMARC1; rua=mailto:r@x.example"]);
        var noPolicy = Get(await CheckAsync(domain), "Dmarc");
        Assert.Equal(CheckStatus.Warning, noPolicy.Status);
        Assert.Contains("names no policy", noPolicy.Message);

        await SetRecordsAsync($"_dmarc.{domain}", ["v=DMARC1; p=reject", "v=DMARC1; p=none"]);
        var twice = Get(await CheckAsync(domain), "Dmarc");
        Assert.Equal(CheckStatus.Warning, twice.Status);
        Assert.Contains("has 2 DMARC records", twice.Message);
    }

    /// <summary>
    /// A real network wait (UDP and TCP to a server that holds every query), measured on the machine's
    /// clock: 1 s per attempt, 2 attempts, so at least 1 s and, with slack for a loaded machine, under 8 s.
    /// </summary>
    [Fact]
    public async Task A_server_that_does_not_answer_makes_all_three_Skipped_within_a_bounded_time()
    {
        await _sandbox.PostControlAsync("_sandbox/dns/answering", new { answering = false });
        try
        {
            var watch = Stopwatch.StartNew();
            var results = await CheckAsync("contoso.com");
            watch.Stop();

            Assert.Equal(new[] { "Spf", "Dkim", "Dmarc" }, results.Select(r => r.Check));
            Assert.All(results, r =>
            {
                Assert.Equal(CheckStatus.Skipped, r.Status);
                Assert.Null(r.DiagnosisCode);
                Assert.Contains($"{_sandbox.Info.Dns} did not answer (timed out) for TXT contoso.com", r.Message);
                Assert.Contains("-SkipDns", r.Remediation);
            });
            Assert.InRange(watch.Elapsed, Fast.QueryTimeout, TimeSpan.FromSeconds(8));
        }
        finally
        {
            await _sandbox.PostControlAsync("_sandbox/dns/answering", new { answering = true });
        }

        Assert.All(await CheckAsync("contoso.com"), r => Assert.Equal(CheckStatus.Pass, r.Status));
    }

    /// <summary>
    /// The whole check's budget runs on the session's clock: with a server that holds every query and a
    /// per-question timeout far longer than the budget, moving the fake clock to the budget's end ends
    /// the check (no wall-clock wait for the budget itself; the bound only catches a hang).
    /// </summary>
    [Fact]
    public async Task The_budget_runs_on_the_session_clock_and_ends_a_check_whose_questions_hang()
    {
        var clock = new TestClock();
        using var session = new MailOAuthSession(null, clock);
        var options = new DnsCheckOptions { QueryTimeout = TimeSpan.FromSeconds(30), Retries = 0, Budget = TimeSpan.FromSeconds(5) };
        await _sandbox.PostControlAsync("_sandbox/dns/answering", new { answering = false });
        try
        {
            var watch = Stopwatch.StartNew();
            var check = new DnsCheck(session, options).CheckAsync("contoso.com", "Global", Servers, null, CoreSandboxFixture.Timeout());

            Assert.Equal(options.Budget, await clock.NextTimerAsync());
            clock.Advance(options.Budget);
            var results = await check.WaitAsync(TimeSpan.FromSeconds(20));
            watch.Stop();

            Assert.All(results, r =>
            {
                Assert.Equal(CheckStatus.Skipped, r.Status);
                Assert.Equal("The DNS lookups did not finish within 5 s.", r.Message);
            });
            Assert.Equal(new[] { "Spf", "Dkim", "Dmarc" }, results.Select(r => r.Check));
            Assert.True(watch.Elapsed < options.QueryTimeout, $"the check waited {watch.Elapsed} (a question's timeout, not the budget)");
        }
        finally
        {
            await _sandbox.PostControlAsync("_sandbox/dns/answering", new { answering = true });
        }
    }

    [Theory]
    [InlineData("127.0.0.1:notaport", "has no valid port")]
    [InlineData("127.0.0.1:70000", "has no valid port")]
    [InlineData("not a host", "is not host[:port]")]
    public async Task An_unusable_DnsServer_value_makes_all_three_Skipped_without_asking(string server, string reason)
    {
        var results = await CheckAsync("contoso.com", servers: [server]);

        Assert.All(results, r =>
        {
            Assert.Equal(CheckStatus.Skipped, r.Status);
            Assert.Contains(reason, r.Message);
        });
    }

    [Fact]
    public async Task Not_a_domain_is_Skipped()
    {
        Assert.All(await CheckAsync("no dots here"), r => Assert.Equal(CheckStatus.Skipped, r.Status));
    }
}
