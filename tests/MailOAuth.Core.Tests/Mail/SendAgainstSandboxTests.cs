using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Mail;
using MailOAuth.Core.Resilience;
using MailOAuth.Sandbox.Hosting;
using Xunit;

namespace MailOAuth.Core.Tests.Mail;

/// <summary>One sandbox for the whole class: started once, reset before each test.</summary>
public sealed class MailSandboxFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;
    public HttpClient Control { get; private set; } = null!;
    public SandboxInfo Info => Host.Info;

    public async Task InitializeAsync()
    {
        Host = await SandboxHost.StartAsync();
        Control = Host.CreateControlClient();
    }

    public async Task DisposeAsync()
    {
        Control.Dispose();
        await Host.DisposeAsync();
    }

    public async Task ResetAsync()
    {
        using var response = await Control.PostAsync("_sandbox/reset", null);
        Assert.True(response.IsSuccessStatusCode, $"reset: {(int)response.StatusCode}");
    }

    public async Task ClearRequestLogAsync()
    {
        using var response = await Control.DeleteAsync("_sandbox/requests");
        Assert.True(response.IsSuccessStatusCode, $"clear log: {(int)response.StatusCode}");
    }

    /// <summary>The request log: one entry per served request (control requests excepted).</summary>
    public async Task<List<LoggedRequest>> RequestsAsync()
    {
        using var json = JsonDocument.Parse(await Control.GetStringAsync("_sandbox/requests"));
        return json.RootElement.EnumerateArray().Select(e => new LoggedRequest(
            e.GetProperty("kind").GetString()!,
            e.GetProperty("method").GetString()!,
            e.GetProperty("path").GetString()!,
            e.GetProperty("status").GetInt32(),
            e.TryGetProperty("clientId", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null)).ToList();
    }

    public async Task<List<JsonElement>> OutboxAsync()
    {
        using var json = JsonDocument.Parse(await Control.GetStringAsync("_sandbox/outbox"));
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    public async Task AddFaultAsync(object fault)
    {
        using var response = await Control.PostAsJsonAsync("_sandbox/faults", fault);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"fault: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

public sealed record LoggedRequest(string Kind, string Method, string Path, int Status, string? ClientId);

/// <summary>
/// <see cref="MailTestService"/> end to end against the sandbox's real token endpoint and sendMail:
/// the happy path, token reuse, and every diagnosis the wire can produce for a test send.
/// </summary>
public sealed class SendAgainstSandboxTests : IClassFixture<MailSandboxFixture>, IAsyncLifetime
{
    private const string EnvironmentName = "Sandbox";
    private readonly MailSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public SendAgainstSandboxTests(MailSandboxFixture sandbox) => _sandbox = sandbox;

    public Task InitializeAsync() => _sandbox.ResetAsync();

    public Task DisposeAsync()
    {
        foreach (var s in _sessions) s.Dispose();
        return Task.CompletedTask;
    }

    private SandboxInfo Info => _sandbox.Info;

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private MailOAuthSession NewSession(RetryPolicy? policy = null)
    {
        var session = new MailOAuthSession(policy ?? new RetryPolicy(maxRetries: 2, maxTotalWait: TimeSpan.FromSeconds(5), baseDelay: TimeSpan.FromMilliseconds(50)));
        // The sandbox is a custom cloud; Core pins its certificate for its hosts only.
        session.Environments.Add(EnvironmentName, new Uri(Info.AuthorityHost), new Uri(Info.GraphEndpoint), _sandbox.Host.Certificate);
        _sessions.Add(session);
        return session;
    }

    private MailTestRequest Request(SandboxApp app, string? secret = null, string? clientId = null, string? tenant = null, string? sender = null, string? from = null, string? subject = null) => new()
    {
        TenantId = tenant ?? Info.TenantId,
        ClientId = clientId ?? app.ClientId,
        ClientSecret = SecretText.Protect(secret ?? app.ClientSecret),
        SenderAddress = sender ?? Info.Mailboxes.Licensed,
        To = new[] { Info.Mailboxes.Other },
        From = from,
        Subject = subject,
        EnvironmentName = EnvironmentName,
    };

    private async Task<MailOAuthException> FailsAsync(MailTestRequest request, MailOAuthSession? session = null)
    {
        var service = new MailTestService(session ?? NewSession());
        return await Assert.ThrowsAsync<MailOAuthException>(() => service.SendAsync(request, Timeout));
    }

    // ---- happy path ----

    [Fact]
    public async Task Consented_app_sends_and_the_message_reaches_the_outbox()
    {
        var app = Info.Apps.Consented;
        var service = new MailTestService(NewSession());

        var outcome = await service.SendAsync(Request(app, subject: "Happy path"), Timeout);

        Assert.Contains("Mail.Send", outcome.TokenRoles);
        Assert.False(string.IsNullOrEmpty(outcome.RequestId));
        Assert.Equal(EnvironmentName, outcome.Environment);
        Assert.Equal(app.ClientId, outcome.ClientId);
        Assert.Equal(Info.Mailboxes.Licensed, outcome.SenderAddress);
        Assert.Equal("Happy path", outcome.Subject);

        var message = Assert.Single(await _sandbox.OutboxAsync());
        Assert.Equal("Happy path", message.GetProperty("subject").GetString());
        Assert.Equal(Info.Mailboxes.Licensed, message.GetProperty("sender").GetString(), ignoreCase: true);
        Assert.Equal(new[] { Info.Mailboxes.Other }, message.GetProperty("to").EnumerateArray().Select(t => t.GetString()).ToArray());
        Assert.Equal(app.ClientId, message.GetProperty("clientId").GetString());
        // The request-id the outcome reports is the one Graph gave this very message.
        Assert.Equal(message.GetProperty("requestId").GetString(), outcome.RequestId);
    }

    [Fact]
    public async Task Tenant_can_be_given_as_its_verified_domain()
    {
        var outcome = await new MailTestService(NewSession()).SendAsync(Request(Info.Apps.Consented, tenant: Info.TenantDomain), Timeout);
        Assert.Contains("Mail.Send", outcome.TokenRoles);
        Assert.Single(await _sandbox.OutboxAsync());
    }

    [Fact]
    public async Task Two_sends_with_the_same_credentials_make_one_token_request()
    {
        var session = NewSession();
        var app = Info.Apps.Consented;
        await _sandbox.ClearRequestLogAsync();

        await new MailTestService(session).SendAsync(Request(app, subject: "first"), Timeout);
        await new MailTestService(session).SendAsync(Request(app, subject: "second"), Timeout);

        var log = await _sandbox.RequestsAsync();
        var token = Assert.Single(log, r => r.Kind == "token");
        Assert.Equal(200, token.Status);
        Assert.Equal(app.ClientId, token.ClientId);
        var graph = log.Where(r => r.Kind == "graph").ToList();
        Assert.Equal(2, graph.Count);
        Assert.All(graph, g => Assert.Equal(202, g.Status));
        Assert.Equal(new[] { "first", "second" }, (await _sandbox.OutboxAsync()).Select(m => m.GetProperty("subject").GetString()).ToArray());
    }

    // ---- certificate pinning ----

    [Fact]
    public async Task Without_the_pinned_certificate_the_sandbox_is_not_trusted()
    {
        // Proves that trust comes from the pin, not from validation being switched off somewhere.
        using var session = new MailOAuthSession(new RetryPolicy(maxRetries: 1, maxTotalWait: TimeSpan.FromSeconds(2), baseDelay: TimeSpan.FromMilliseconds(20)));
        session.Environments.Add(EnvironmentName, new Uri(Info.AuthorityHost), new Uri(Info.GraphEndpoint), trustedCertificate: null);

        var ex = await FailsAsync(Request(Info.Apps.Consented), session);

        Assert.Equal(DiagnosisCode.NetworkFailure, ex.Code);
        Assert.DoesNotContain(await _sandbox.RequestsAsync(), r => r.Kind == "token");
        Assert.Empty(await _sandbox.OutboxAsync());
    }

    [Fact]
    public async Task A_different_pinned_certificate_is_not_trusted()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var csr = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var stranger = csr.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var session = new MailOAuthSession(new RetryPolicy(maxRetries: 1, maxTotalWait: TimeSpan.FromSeconds(2), baseDelay: TimeSpan.FromMilliseconds(20)));
        session.Environments.Add(EnvironmentName, new Uri(Info.AuthorityHost), new Uri(Info.GraphEndpoint), stranger);

        var ex = await FailsAsync(Request(Info.Apps.Consented), session);

        Assert.Equal(DiagnosisCode.NetworkFailure, ex.Code);
        Assert.DoesNotContain(await _sandbox.RequestsAsync(), r => r.Kind == "token");
    }

    // ---- token endpoint diagnoses ----

    [Fact]
    public async Task Unknown_tenant_is_TenantNotFound()
    {
        var ex = await FailsAsync(Request(Info.Apps.Consented, tenant: "nowhere.example"));

        Assert.Equal(DiagnosisCode.TenantNotFound, ex.Code);
        Assert.Equal("AADSTS90002", ex.Diagnosis.ServiceCode);
        Assert.Equal(400, ex.Diagnosis.HttpStatus);
        Assert.Contains("nowhere.example", ex.Diagnosis.Cause);
        Assert.False(string.IsNullOrEmpty(ex.Diagnosis.RequestId));
        Assert.Empty(await _sandbox.OutboxAsync());
    }

    [Fact]
    public async Task Unknown_client_id_is_ApplicationNotFound()
    {
        var clientId = Guid.NewGuid().ToString();

        var ex = await FailsAsync(Request(Info.Apps.Consented, clientId: clientId));

        Assert.Equal(DiagnosisCode.ApplicationNotFound, ex.Code);
        Assert.Equal("AADSTS700016", ex.Diagnosis.ServiceCode);
        Assert.Contains(clientId, ex.Diagnosis.Cause);
    }

    [Fact]
    public async Task Wrong_secret_value_is_InvalidClientSecret_and_the_secret_is_not_echoed()
    {
        const string wrong = "Qx8~wrongSecretValue.abcdefghijklmnopqrstu";

        var ex = await FailsAsync(Request(Info.Apps.Consented, secret: wrong));

        Assert.Equal(DiagnosisCode.InvalidClientSecret, ex.Code);
        Assert.Equal("AADSTS7000215", ex.Diagnosis.ServiceCode);
        Assert.Equal(401, ex.Diagnosis.HttpStatus);
        Assert.DoesNotContain("almost certainly", ex.Diagnosis.Cause);
        Assert.DoesNotContain(wrong, ex.Message);
        Assert.DoesNotContain(wrong, ex.Diagnosis.ToString());
        Assert.DoesNotContain(Info.Apps.Consented.ClientSecret, ex.Message);
    }

    [Fact]
    public async Task Secret_ID_pasted_as_the_secret_is_called_out()
    {
        var app = Info.Apps.Consented;
        Assert.True(Guid.TryParse(app.SecretKeyId, out _));

        var ex = await FailsAsync(Request(app, secret: app.SecretKeyId));

        Assert.Equal(DiagnosisCode.InvalidClientSecret, ex.Code);
        Assert.Equal("AADSTS7000215", ex.Diagnosis.ServiceCode);
        Assert.Contains("secret *ID*", ex.Diagnosis.Cause);
    }

    [Fact]
    public async Task Expired_secret_is_ClientSecretExpired()
    {
        var ex = await FailsAsync(Request(Info.Apps.ExpiredSecret));

        Assert.Equal(DiagnosisCode.ClientSecretExpired, ex.Code);
        Assert.Equal("AADSTS7000222", ex.Diagnosis.ServiceCode);
    }

    [Fact]
    public async Task Conditional_Access_block_is_ConditionalAccessBlocked()
    {
        var ex = await FailsAsync(Request(Info.Apps.ConditionalAccessBlocked));

        Assert.Equal(DiagnosisCode.ConditionalAccessBlocked, ex.Code);
        Assert.Equal("AADSTS53003", ex.Diagnosis.ServiceCode);
        Assert.DoesNotContain(await _sandbox.RequestsAsync(), r => r.Kind == "graph");
    }

    [Fact]
    public async Task Unconsented_app_is_MailSendPermissionMissing_before_any_sendMail()
    {
        var app = Info.Apps.Unconsented;
        await _sandbox.ClearRequestLogAsync();

        var ex = await FailsAsync(Request(app));

        Assert.Equal(DiagnosisCode.MailSendPermissionMissing, ex.Code);
        Assert.Contains(app.ClientId, ex.Diagnosis.Cause);
        var log = await _sandbox.RequestsAsync();
        Assert.Contains(log, r => r.Kind == "token" && r.Status == 200 && r.ClientId == app.ClientId);
        Assert.DoesNotContain(log, r => r.Kind == "graph");
        Assert.Empty(await _sandbox.OutboxAsync());
    }

    // ---- sendMail diagnoses ----

    [Fact]
    public async Task Mailbox_behind_an_access_policy_is_MailboxAccessDenied()
    {
        var ex = await FailsAsync(Request(Info.Apps.Consented, sender: Info.Mailboxes.Restricted));

        Assert.Equal(DiagnosisCode.MailboxAccessDenied, ex.Code);
        Assert.Equal("ErrorAccessDenied", ex.Diagnosis.ServiceCode);
        Assert.Equal(403, ex.Diagnosis.HttpStatus);
        Assert.Equal("Access to OData is disabled.", ex.Diagnosis.ServiceMessage);
        Assert.False(string.IsNullOrEmpty(ex.Diagnosis.RequestId));
        Assert.Empty(await _sandbox.OutboxAsync());
    }

    [Fact]
    public async Task Unknown_sender_is_SenderMailboxNotFound()
    {
        var ex = await FailsAsync(Request(Info.Apps.Consented, sender: "nobody@contoso.com"));

        Assert.Equal(DiagnosisCode.SenderMailboxNotFound, ex.Code);
        Assert.Equal(404, ex.Diagnosis.HttpStatus);
        Assert.Contains("nobody@contoso.com", ex.Diagnosis.Cause);
    }

    [Fact]
    public async Task Unlicensed_sender_is_SenderMailboxNotLicensed()
    {
        var ex = await FailsAsync(Request(Info.Apps.Consented, sender: Info.Mailboxes.Unlicensed));

        Assert.Equal(DiagnosisCode.SenderMailboxNotLicensed, ex.Code);
        Assert.Equal("MailboxNotEnabledForRESTAPI", ex.Diagnosis.ServiceCode);
    }

    [Fact]
    public async Task Foreign_From_address_is_SendAsDenied()
    {
        var ex = await FailsAsync(Request(Info.Apps.Consented, from: Info.Mailboxes.Other));

        Assert.Equal(DiagnosisCode.SendAsDenied, ex.Code);
        Assert.Equal("ErrorSendAsDenied", ex.Diagnosis.ServiceCode);
        Assert.Contains(Info.Mailboxes.Other, ex.Diagnosis.Cause);
        Assert.Empty(await _sandbox.OutboxAsync());
    }

    // ---- transient failures ----

    [Fact]
    public async Task Persistent_429_on_sendMail_is_Throttled_after_the_policy_retries()
    {
        var session = NewSession(new RetryPolicy(maxRetries: 2, maxTotalWait: TimeSpan.FromSeconds(10), baseDelay: TimeSpan.FromMilliseconds(50)));
        await _sandbox.AddFaultAsync(new { pathPattern = "/sendMail$", status = 429, retryAfter = "0", count = 10 });

        MailOAuthException ex;
        using (OperationContext.Begin(NullReporter.Instance))
        {
            ex = await FailsAsync(Request(Info.Apps.Consented), session);
        }

        Assert.Equal(DiagnosisCode.Throttled, ex.Code);
        Assert.Equal(DiagnosisKind.Transient, ex.Diagnosis.Kind);
        Assert.Equal(429, ex.Diagnosis.HttpStatus);
        Assert.Equal(2, ex.Diagnosis.Retries);
        var sends = (await _sandbox.RequestsAsync()).Where(r => r.Kind == "graph").ToList();
        Assert.Equal(3, sends.Count);
        Assert.All(sends, s => Assert.Equal(429, s.Status));
        Assert.Empty(await _sandbox.OutboxAsync());
    }

    [Fact]
    public async Task A_short_429_burst_on_sendMail_is_ridden_out()
    {
        await _sandbox.AddFaultAsync(new { pathPattern = "/sendMail$", status = 429, retryAfter = "0", count = 1 });

        var outcome = await new MailTestService(NewSession()).SendAsync(Request(Info.Apps.Consented), Timeout);

        Assert.Contains("Mail.Send", outcome.TokenRoles);
        Assert.Single(await _sandbox.OutboxAsync());
        Assert.Equal(new[] { 429, 202 }, (await _sandbox.RequestsAsync()).Where(r => r.Kind == "graph").Select(r => r.Status).ToArray());
    }

    [Fact]
    public async Task Persistent_503_on_the_token_endpoint_is_ServiceUnavailable()
    {
        await _sandbox.AddFaultAsync(new { pathPattern = "/oauth2/v2.0/token$", status = 503, retryAfter = "0", count = 50 });

        var ex = await FailsAsync(Request(Info.Apps.Consented));

        Assert.Equal(DiagnosisCode.ServiceUnavailable, ex.Code);
        Assert.Equal(503, ex.Diagnosis.HttpStatus);
        var log = await _sandbox.RequestsAsync();
        Assert.True(log.Count(r => r.Kind == "token") >= 3, "the token request was retried");
        Assert.All(log.Where(r => r.Kind == "token"), r => Assert.Equal(503, r.Status));
        Assert.DoesNotContain(log, r => r.Kind == "graph");
    }
}
