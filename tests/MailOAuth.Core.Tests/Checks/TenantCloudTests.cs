using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core;
using MailOAuth.Core.Checks;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Auth;
using Xunit;

namespace MailOAuth.Core.Tests.Checks;

/// <summary>
/// The Tenant check of a tenant that lives in another Microsoft cloud: the built-in clouds' hosts are
/// Microsoft's, so their answers come from a transport given to the session (no network): Global knows
/// no such tenant (AADSTS90002), USGov serves its OpenID configuration.
/// </summary>
public sealed class TenantCloudTests
{
    private const string Tenant = "contoso.us";

    /// <summary>Answers one cloud: discovery found or not, every other request (the token) 400 AADSTS90002.</summary>
    private sealed class Cloud(bool knowsTenant) : HttpMessageHandler
    {
        public List<string> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!.AbsolutePath);
            var discovery = request.RequestUri.AbsolutePath.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal);
            var (status, body) = knowsTenant && discovery
                ? (HttpStatusCode.OK, $"{{\"issuer\":\"https://login.microsoftonline.us/7d272768-1371-4e35-aef5-46086319a765/v2.0\",\"tenant_region_scope\":\"USG\",\"token_endpoint\":\"https://{request.RequestUri.Host}/7d272768-1371-4e35-aef5-46086319a765/oauth2/v2.0/token\"}}")
                : (HttpStatusCode.BadRequest, "{\"error\":\"invalid_tenant\",\"error_description\":\"AADSTS90002: Tenant '" + Tenant + "' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.\",\"error_codes\":[90002],\"timestamp\":\"2026-12-02 07:40:00Z\",\"trace_id\":\"0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b\",\"correlation_id\":\"1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d\"}");
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }

    /// <summary>Test-MailOAuthConfiguration of contoso.us in the Global cloud, without DNS.</summary>
    private static Task<IReadOnlyList<CheckResult>> CheckAsync(MailOAuthSession session) =>
        new ConfigurationCheckService(session).RunAsync(new ConfigurationCheckRequest
        {
            TenantId = Tenant,
            ClientId = Guid.NewGuid().ToString(),
            ClientSecret = SecretText.Protect("an-unused-secret-value-for-this-test-0123"),
            SenderAddress = "sender@contoso.us",
            EnvironmentName = "Global",
            SkipDns = true,
        }, null, null, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

    [Fact]
    public async Task A_tenant_unknown_in_the_chosen_cloud_but_known_in_another_is_Tenant_Fail_naming_that_cloud()
    {
        var clouds = new Dictionary<string, Cloud>(StringComparer.OrdinalIgnoreCase);
        using var session = new MailOAuthSession();
        session.CloudTransport = environment => environment.IsBuiltIn
            ? clouds[environment.Name] = new Cloud(knowsTenant: environment.Name == "USGov")
            : null;

        var results = await CheckAsync(session);

        var tenant = Assert.Single(results, r => r.Check == "Tenant");
        Assert.Equal(CheckStatus.Fail, tenant.Status);
        Assert.Equal(DiagnosisCode.TenantNotFound, tenant.DiagnosisCode);
        Assert.Equal("Tenant 'contoso.us' is not in the Global cloud but in the USGov cloud.", tenant.Message);
        Assert.StartsWith("Run again with -Environment USGov", tenant.Remediation);
        Assert.Contains(clouds["USGov"].Requests, p => p == "/contoso.us/v2.0/.well-known/openid-configuration");

        // The credential is tried in the chosen cloud only, and fails there for the same reason.
        var credential = Assert.Single(results, r => r.Check == "Credential");
        Assert.Equal(DiagnosisCode.TenantNotFound, credential.DiagnosisCode);
        Assert.DoesNotContain(clouds["USGov"].Requests, p => p.EndsWith("/token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tenant_no_cloud_knows_is_plain_TenantNotFound()
    {
        using var session = new MailOAuthSession();
        session.CloudTransport = environment => environment.IsBuiltIn ? new Cloud(knowsTenant: false) : null;

        var results = await CheckAsync(session);

        var tenant = Assert.Single(results, r => r.Check == "Tenant");
        Assert.Equal(CheckStatus.Fail, tenant.Status);
        Assert.Equal(DiagnosisCode.TenantNotFound, tenant.DiagnosisCode);
        Assert.DoesNotContain("but in the", tenant.Message);
    }
}
