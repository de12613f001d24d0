using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Azure.Identity;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Core.Http;
using MailOAuth.Core.Mail;
using MailOAuth.Core.Platform;
using MailOAuth.Core.Resilience;
using MailOAuth.Core.Tests.Entra;
using MailOAuth.Core.Tests.Platform;
using Microsoft.Graph.Models.ODataErrors;
using Xunit;

namespace MailOAuth.Core.Tests.Diagnostics;

/// <summary>
/// Each Core service, given an answer or input it cannot foresee, fails with InternalError (a defect,
/// named) and never with NetworkFailure; with the service unreachable it still fails with NetworkFailure.
/// </summary>
public sealed class UnforeseenFailureTests : IClassFixture<CoreSandboxFixture>, IAsyncLifetime
{
    private readonly CoreSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public UnforeseenFailureTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ResetDirectoryAsync();
        await _sandbox.ResetAsync();
        await _sandbox.ResetPlatformAsync();
    }

    public Task DisposeAsync()
    {
        foreach (var s in _sessions) s.Dispose();
        return Task.CompletedTask;
    }

    private static CancellationToken Timeout => CoreSandboxFixture.Timeout();

    private MailOAuthSession Session()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        return session;
    }

    private async Task AddFaultAsync(object fault)
    {
        using var response = await _sandbox.Control.PostAsJsonAsync("_sandbox/faults", fault);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"fault: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static void AssertInternal(MailOAuthException ex, string exceptionType, string operation)
    {
        Assert.Equal(DiagnosisCode.InternalError, ex.Code);
        Assert.NotEqual(DiagnosisCode.NetworkFailure, ex.Code);
        Assert.Contains(exceptionType, ex.Message);
        Assert.Contains(operation, ex.Message);
    }

    [Fact]
    public async Task AppProvisioner_addPassword_answering_without_a_credential_is_InternalError()
    {
        var session = Session();
        await _sandbox.ConnectAdminAsync(session);
        await AddFaultAsync(new { pathPattern = "/addPassword$", method = "POST", status = 204, count = 1 });

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Unforeseen answer" }, Timeout));

        AssertInternal(ex, "System.InvalidOperationException", "add a client secret");
    }

    [Fact]
    public async Task ConsentService_with_a_Graph_answer_of_an_unknown_shape_is_InternalError()
    {
        var session = Session();
        await _sandbox.ConnectAdminAsync(session);
        // Microsoft Graph's own service principal read back as an empty object: no id to grant against.
        await AddFaultAsync(new { pathPattern = "servicePrincipals\\(appId=(%27|')00000003-0000-0000-c000-000000000000", method = "GET", status = 200, body = "{}", count = 5 });

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new ConsentService(session).GrantAsync(
            new GrantRequest { ClientId = _sandbox.Info.Apps.Unconsented.ClientId, Force = true }, Timeout));

        Assert.Equal(DiagnosisCode.InternalError, ex.Code);
        Assert.Contains("grant Mail.Send", ex.Message);
    }

    [Fact]
    public async Task MailTestService_with_an_input_the_library_refuses_is_InternalError_not_NetworkFailure()
    {
        var app = _sandbox.Info.Apps.Consented;

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new MailTestService(Session()).SendAsync(new MailTestRequest
        {
            TenantId = "contoso.com\n", // refused by parameter validation; Core must still not call it a network failure
            ClientId = app.ClientId,
            ClientSecret = SecretText.Protect(app.ClientSecret),
            SenderAddress = _sandbox.Info.Mailboxes.Licensed,
            To = new[] { _sandbox.Info.Mailboxes.Licensed },
            EnvironmentName = CoreSandboxFixture.EnvironmentName,
        }, Timeout));

        AssertInternal(ex, "ArgumentException", "send the test message");
    }

    [Fact]
    public async Task PlatformClient_with_an_unforeseen_exception_is_InternalError()
    {
        var profile = new PlatformProfile { GetMethod = " " }; // bypasses the profile file's validation
        var target = new PlatformTarget(new Uri(_sandbox.Info.Platform.Uri), SecretText.Protect(_sandbox.Info.Platform.ApiToken), profile);

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new PlatformClient(Session()).GetAsync(target, Timeout));

        AssertInternal(ex, "Exception", "read the platform's SMTP settings");
    }

    [Fact]
    public async Task ConnectionService_with_an_unforeseen_exception_is_InternalError()
    {
        var request = _sandbox.AdminSecretRequest(tenant: "contoso.com\n");

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new ConnectionService(Session()).ConnectAsync(request, null, Timeout));

        AssertInternal(ex, "ArgumentException", "sign in");
    }

    [Fact]
    public async Task A_certificate_file_that_cannot_be_opened_is_InvalidSignInInput_with_a_remediation()
    {
        var path = Path.Combine(Path.GetTempPath(), "mailoauth-not-a-pfx-" + Guid.NewGuid().ToString("N") + ".pfx");
        await File.WriteAllTextAsync(path, "this is not a certificate");
        try
        {
            var request = new ConnectRequest
            {
                TenantId = _sandbox.Info.TenantId, EnvironmentName = CoreSandboxFixture.EnvironmentName, Method = ConnectMethod.Certificate,
                ClientId = _sandbox.Info.Admin.ClientId, CertificatePath = path, CertificatePassword = SecretText.Protect("wrong"),
            };

            var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new ConnectionService(Session()).ConnectAsync(request, null, Timeout));

            Assert.Equal(DiagnosisCode.InvalidSignInInput, ex.Code);
            Assert.Contains(path, ex.Message);
            Assert.Contains("-CertificatePath", ex.Diagnosis.Remediation);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task With_the_service_unreachable_it_is_still_NetworkFailure()
    {
        // A loopback port that was just free: connection refused, no answer at all.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var session = new MailOAuthSession(new RetryPolicy(maxRetries: 1, maxTotalWait: TimeSpan.FromSeconds(1), baseDelay: TimeSpan.FromMilliseconds(10)));
        _sessions.Add(session);
        session.Environments.Add("Closed", new Uri($"https://127.0.0.1:{port}"), new Uri($"https://127.0.0.1:{port}"), null);
        var app = _sandbox.Info.Apps.Consented;

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new MailTestService(session).SendAsync(new MailTestRequest
        {
            TenantId = _sandbox.Info.TenantId, ClientId = app.ClientId, ClientSecret = SecretText.Protect(app.ClientSecret),
            SenderAddress = _sandbox.Info.Mailboxes.Licensed, To = new[] { _sandbox.Info.Mailboxes.Licensed }, EnvironmentName = "Closed",
        }, Timeout));

        Assert.Equal(DiagnosisCode.NetworkFailure, ex.Code);
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
    }
}
