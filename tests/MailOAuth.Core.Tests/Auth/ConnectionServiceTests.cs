using System.Net.Http.Json;
using System.Text.Json;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Core.Tests.Entra;
using Xunit;

namespace MailOAuth.Core.Tests.Auth;

/// <summary>
/// Connect-MailOAuth's Core (<see cref="ConnectionService"/>) against the sandbox: every app-only
/// sign-in method the sandbox can prove offline. The managed identity is configured by process
/// environment variables (IDENTITY_ENDPOINT / IDENTITY_HEADER), which xunit must not set: Pester covers it.
/// </summary>
public sealed class ConnectionServiceTests : IClassFixture<CoreSandboxFixture>, IAsyncLifetime
{
    private readonly CoreSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public ConnectionServiceTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

    public Task InitializeAsync() => _sandbox.ResetAsync();

    public Task DisposeAsync()
    {
        foreach (var s in _sessions) s.Dispose();
        return Task.CompletedTask;
    }

    private MailOAuth.Sandbox.Hosting.SandboxInfo Info => _sandbox.Info;

    private MailOAuthSession NewSession()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        return session;
    }

    private void AssertAdminConnection(AdminConnection connection, MailOAuthSession session, ConnectMethod method)
    {
        Assert.Same(connection, session.Connection);
        Assert.Same(connection, session.RequireConnection());
        Assert.Equal(method, connection.Method);
        Assert.Equal(Info.TenantId, connection.TenantId);
        Assert.True(Guid.TryParse(connection.TenantId, out _));
        Assert.Equal(Info.Admin.ClientId, connection.ClientId);
        Assert.Equal(CoreSandboxFixture.EnvironmentName, connection.Environment.Name);
        Assert.Contains("Application.ReadWrite.All", connection.Roles);
        Assert.Contains("AppRoleAssignment.ReadWrite.All", connection.Roles);
        Assert.True(connection.Grants("application.readwrite.all"));
        Assert.Empty(connection.Scopes);
        Assert.Null(connection.Account);
    }

    [Fact]
    public async Task Client_secret_connects_with_the_admin_roles_and_one_token_request()
    {
        var session = NewSession();

        var connection = await new ConnectionService(session).ConnectAsync(_sandbox.AdminSecretRequest(), null, CoreSandboxFixture.Timeout());

        AssertAdminConnection(connection, session, ConnectMethod.ClientSecret);
        var token = Assert.Single(await _sandbox.RequestsAsync(), r => r.Kind == "token");
        Assert.Equal(200, token.Status);
        Assert.Equal(Info.Admin.ClientId, token.ClientId);
        Assert.Contains(Info.TenantId, token.Path);
    }

    [Fact]
    public async Task Connecting_by_verified_domain_still_gives_the_tenant_GUID()
    {
        var session = NewSession();

        var connection = await new ConnectionService(session).ConnectAsync(_sandbox.AdminSecretRequest(tenant: Info.TenantDomain), null, CoreSandboxFixture.Timeout());

        Assert.NotEqual(Info.TenantDomain, connection.TenantId);
        AssertAdminConnection(connection, session, ConnectMethod.ClientSecret);
        // The request really went to the domain form of the tenant.
        Assert.Contains(await _sandbox.RequestsAsync(), r => r.Kind == "token" && r.Status == 200 && r.Path.Contains(Info.TenantDomain));
    }

    [Fact]
    public async Task Certificate_from_a_PFX_with_its_password_connects()
    {
        var session = NewSession();
        var request = new ConnectRequest
        {
            TenantId = Info.TenantId,
            EnvironmentName = CoreSandboxFixture.EnvironmentName,
            Method = ConnectMethod.Certificate,
            ClientId = Info.Admin.ClientId,
            CertificatePath = Info.Admin.CertificatePath,
            CertificatePassword = SecretText.Protect(Info.Admin.CertificatePassword),
        };

        var connection = await new ConnectionService(session).ConnectAsync(request, null, CoreSandboxFixture.Timeout());

        AssertAdminConnection(connection, session, ConnectMethod.Certificate);
        Assert.Contains(await _sandbox.RequestsAsync(), r => r.Kind == "token" && r.Status == 200 && r.ClientId == Info.Admin.ClientId);
    }

    [Fact]
    public async Task Federated_token_from_the_external_issuer_connects()
    {
        using var response = await _sandbox.Control.PostAsJsonAsync("_sandbox/federated-token", new { });
        Assert.True(response.IsSuccessStatusCode, $"federated-token: {(int)response.StatusCode}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var federated = json.RootElement.GetProperty("token").GetString()!;
        Assert.Equal(Info.Admin.FederatedIssuer, CoreSandboxFixture.JwtPayload(federated).GetProperty("iss").GetString());
        var session = NewSession();
        var request = new ConnectRequest
        {
            TenantId = Info.TenantId,
            EnvironmentName = CoreSandboxFixture.EnvironmentName,
            Method = ConnectMethod.FederatedToken,
            ClientId = Info.Admin.ClientId,
            FederatedToken = SecretText.Protect(federated),
        };

        var connection = await new ConnectionService(session).ConnectAsync(request, null, CoreSandboxFixture.Timeout());

        AssertAdminConnection(connection, session, ConnectMethod.FederatedToken);
        Assert.Contains(await _sandbox.RequestsAsync(), r => r.Kind == "token" && r.Status == 200 && r.ClientId == Info.Admin.ClientId);
    }

    [Fact]
    public async Task Access_token_is_used_as_given_and_no_token_request_is_ever_made()
    {
        var accessToken = await _sandbox.AdminAccessTokenAsync();
        await _sandbox.ClearRequestLogAsync();
        var session = NewSession();
        var request = new ConnectRequest
        {
            TenantId = Info.TenantDomain,
            EnvironmentName = CoreSandboxFixture.EnvironmentName,
            Method = ConnectMethod.AccessToken,
            AccessToken = SecretText.Protect(accessToken),
        };

        var connection = await new ConnectionService(session).ConnectAsync(request, null, CoreSandboxFixture.Timeout());
        // The connection works for provisioning reads, still with that token only.
        var apps = await new AppProvisioner(session).GetAsync(Info.Apps.Consented.ClientId, null, CoreSandboxFixture.Timeout());

        AssertAdminConnection(connection, session, ConnectMethod.AccessToken);
        Assert.Equal("Granted", Assert.Single(apps).Consent);
        var log = await _sandbox.RequestsAsync();
        Assert.DoesNotContain(log, r => r.Kind == "token");
        Assert.Contains(log, r => r.Kind == "directory" && r.Status == 200);
    }

    [Fact]
    public async Task Wrong_client_secret_is_InvalidClientSecret_and_leaves_the_session_unconnected()
    {
        const string wrong = "Zq1~notTheAdminSecret.0123456789abcdefghij";
        var session = NewSession();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            new ConnectionService(session).ConnectAsync(_sandbox.AdminSecretRequest(secret: wrong), null, CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.InvalidClientSecret, ex.Code);
        Assert.Equal("AADSTS7000215", ex.Diagnosis.ServiceCode);
        Assert.Contains(Info.Admin.ClientId, ex.Diagnosis.Cause);
        Assert.DoesNotContain(wrong, ex.Message);
        Assert.Null(session.Connection);
        var token = Assert.Single(await _sandbox.RequestsAsync(), r => r.Kind == "token");
        Assert.Equal(401, token.Status); // not retried
    }

    [Fact]
    public void Without_connecting_RequireConnection_is_NotConnected()
    {
        var session = NewSession();

        var ex = Assert.Throws<MailOAuthException>(() => session.RequireConnection());

        Assert.Equal(DiagnosisCode.NotConnected, ex.Code);
        Assert.Contains("Connect-MailOAuth", ex.Diagnosis.Remediation);
    }

    [Fact]
    public async Task Provisioning_without_connecting_is_NotConnected_before_any_request()
    {
        var session = NewSession();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new AppProvisioner(session).GetAsync(null, null, CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.NotConnected, ex.Code);
        Assert.Empty(await _sandbox.RequestsAsync());
    }
}
