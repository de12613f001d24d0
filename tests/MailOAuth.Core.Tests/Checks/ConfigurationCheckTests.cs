using MailOAuth.Core.Auth;
using MailOAuth.Core.Checks;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Core.Tests.Entra;
using Xunit;

namespace MailOAuth.Core.Tests.Checks;

/// <summary>
/// <see cref="ConfigurationCheckService"/> and <see cref="SecretPolicyReader"/> against the sandbox: the
/// checks stream in their fixed order, DNS results slot in after Sender, a failing check never stops
/// the run, and the effective secret policy (tenant default, an app's own policy, none readable).
/// </summary>
public sealed class ConfigurationCheckTests : IClassFixture<CoreSandboxFixture>, IAsyncLifetime
{
    private const string PolicyReadAllRoleId = "246dd0d5-5bd0-4def-940b-0421030a5b68";
    private readonly CoreSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public ConfigurationCheckTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ResetDirectoryAsync();
        await _sandbox.ResetAsync();
    }

    public Task DisposeAsync()
    {
        foreach (var s in _sessions) s.Dispose();
        return Task.CompletedTask;
    }

    private static CancellationToken Timeout => CoreSandboxFixture.Timeout();

    private MailOAuthSession NewSession()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        return session;
    }

    /// <summary>Grants the admin Policy.Read.All (as a tenant admin would) and connects with a fresh token.</summary>
    private async Task<MailOAuthSession> ConnectedWithPolicyReadAsync()
    {
        var token = await _sandbox.AdminAccessTokenAsync();
        var graph = await _sandbox.GraphAsync(HttpMethod.Get, "v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')", token);
        var graphSpId = graph.Body.GetProperty("id").GetString();
        var grant = await _sandbox.GraphAsync(HttpMethod.Post, $"v1.0/servicePrincipals/{graphSpId}/appRoleAssignedTo", token,
            new { principalId = _sandbox.Info.Admin.ServicePrincipalId, resourceId = graphSpId, appRoleId = PolicyReadAllRoleId });
        Assert.Equal(201, grant.Status);
        var session = NewSession();
        await _sandbox.ConnectAdminAsync(session);
        return session;
    }

    private ConfigurationCheckRequest Request(string app = "consented") => new()
    {
        TenantId = _sandbox.Info.TenantId,
        ClientId = app == "consented" ? _sandbox.Info.Apps.Consented.ClientId : _sandbox.Info.Apps.Unconsented.ClientId,
        ClientSecret = SecretText.Protect(app == "consented" ? _sandbox.Info.Apps.Consented.ClientSecret : _sandbox.Info.Apps.Unconsented.ClientSecret),
        SenderAddress = _sandbox.Info.Mailboxes.Licensed,
        EnvironmentName = CoreSandboxFixture.EnvironmentName,
    };

    private sealed class StubDns : IDnsCheck
    {
        public string? Domain { get; private set; }

        public string? ExpectedSpf { get; private set; }

        public Task<IReadOnlyList<CheckResult>> CheckAsync(string domain, string environmentName, IReadOnlyList<string>? dnsServers, string? expectedSpf, CancellationToken ct)
        {
            Domain = domain;
            ExpectedSpf = expectedSpf;
            return Task.FromResult<IReadOnlyList<CheckResult>>(new[] { "Spf", "Dkim", "Dmarc" }.Select(n => new CheckResult { Check = n, Status = CheckStatus.Pass, Message = "stub" }).ToList());
        }
    }

    [Fact]
    public async Task Results_stream_in_the_fixed_order_with_the_DNS_checks_after_Sender_and_a_failure_never_stops_the_run()
    {
        var session = NewSession();
        var streamed = new List<string>();
        var dns = new StubDns();

        var all = await new ConfigurationCheckService(session).RunAsync(Request("unconsented"), dns, r => streamed.Add(r.Check), Timeout);

        var expected = new[] { "Tenant", "Credential", "Permission", "AppRegistration", "Consent", "Scope", "SecretExpiry", "SecretPolicy", "Sender", "Spf", "Dkim", "Dmarc", "Send", "Platform", "PlatformTest" };
        Assert.Equal(expected, streamed);
        Assert.Equal(expected, all.Select(r => r.Check));
        Assert.Equal("contoso.com", dns.Domain);
        var permission = all.Single(r => r.Check == "Permission");
        Assert.Equal(CheckStatus.Fail, permission.Status);
        Assert.Equal(DiagnosisCode.MailSendPermissionMissing, permission.DiagnosisCode);
        Assert.All(all.Where(r => r.Status is CheckStatus.Pass or CheckStatus.Skipped), r => Assert.Null(r.DiagnosisCode));
        Assert.All(all.Where(r => r.Status is CheckStatus.Fail or CheckStatus.Warning), r => Assert.NotNull(r.Remediation));
    }

    [Fact]
    public async Task With_an_admin_connection_the_DNS_checks_get_Graphs_SPF_record_for_the_domain_and_without_one_nothing()
    {
        var connected = NewSession();
        await _sandbox.ConnectAdminAsync(connected);
        await _sandbox.PostControlAsync("_sandbox/dns/service-records", new { spf = "v=spf1 include: spf.protection.office365.us -all" });
        var dns = new StubDns();
        await new ConfigurationCheckService(connected).RunAsync(Request(), dns, null, Timeout);
        Assert.Equal("v=spf1 include: spf.protection.office365.us -all", dns.ExpectedSpf);

        var alone = new StubDns();
        await new ConfigurationCheckService(NewSession()).RunAsync(Request(), alone, null, Timeout);
        Assert.Equal("contoso.com", alone.Domain);
        Assert.Null(alone.ExpectedSpf);
    }

    [Fact]
    public async Task SkipDns_leaves_the_DNS_checks_out()
    {
        var dns = new StubDns();
        var request = Request();
        var all = await new ConfigurationCheckService(NewSession()).RunAsync(new ConfigurationCheckRequest
        {
            TenantId = request.TenantId, ClientId = request.ClientId, ClientSecret = request.ClientSecret, SenderAddress = request.SenderAddress,
            EnvironmentName = request.EnvironmentName, SkipDns = true,
        }, dns, null, Timeout);

        Assert.Null(dns.Domain);
        Assert.Equal(ConfigurationCheckService.CheckNames, all.Select(r => r.Check));
    }

    [Fact]
    public async Task The_policy_reader_gives_the_tenant_maximum_an_apps_own_policy_instead_and_blocked_additions()
    {
        var session = await ConnectedWithPolicyReadAsync();
        var reader = new SecretPolicyReader(session.Connection!);
        var consented = _sandbox.Info.Apps.Consented;
        var created = DateTimeOffset.UtcNow.AddDays(-500);

        var none = await reader.ReadAsync(consented.ObjectId, created, Timeout);
        Assert.True(none.Readable);
        Assert.Null(none.MaxLifetime);
        Assert.False(none.PasswordAdditionBlocked);

        await _sandbox.PostControlAsync("_sandbox/policies/secret-lifetime", new { maxDays = 180 });
        var tenant = await reader.ReadAsync(consented.ObjectId, created, Timeout);
        Assert.Equal(TimeSpan.FromDays(180), tenant.MaxLifetime);
        Assert.Contains("tenant default", tenant.MaxLifetimeSource);
        // An app about to be created (no object ID yet) gets the tenant default too.
        Assert.Equal(TimeSpan.FromDays(180), (await reader.ReadAsync(null, DateTimeOffset.UtcNow, Timeout)).MaxLifetime);

        await _sandbox.PostControlAsync("_sandbox/policies/secret-lifetime", new { blockPasswordAddition = true, appId = consented.ClientId });
        var own = await reader.ReadAsync(consented.ObjectId, created, Timeout);
        Assert.True(own.PasswordAdditionBlocked);
        Assert.Null(own.MaxLifetime); // the app's own policy replaces the default entirely
        Assert.Contains("assigned to the app", own.AdditionBlockedSource);
    }

    [Fact]
    public async Task Without_Policy_Read_All_the_policy_is_unreadable_not_a_failure()
    {
        var session = NewSession();
        await _sandbox.ConnectAdminAsync(session);

        var policy = await new SecretPolicyReader(session.Connection!).ReadAsync(_sandbox.Info.Apps.Consented.ObjectId, DateTimeOffset.UtcNow, Timeout);

        Assert.False(policy.Readable);
        Assert.Contains("Policy.Read.All", policy.UnreadableReason);
    }
}
