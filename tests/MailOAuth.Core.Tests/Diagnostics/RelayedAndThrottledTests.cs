using System.Net.Http.Json;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Mail;
using MailOAuth.Core.Tests.Entra;
using Xunit;

namespace MailOAuth.Core.Tests.Diagnostics;

/// <summary>
/// What a platform relays in its test verdict (Graph codes as whole words, passing failures), and
/// what MailOAuth says about throttling: whether it really retried, and when the token library
/// answered from its process-wide memory without sending anything.
/// </summary>
public sealed class RelayedAndThrottledTests : IClassFixture<CoreSandboxFixture>, IAsyncLifetime
{
    private static readonly DiagnosisContext Context = new() { TenantId = "contoso.com", ClientId = "11111111-2222-3333-4444-555555555555", SenderAddress = "sender@contoso.com" };
    private readonly CoreSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public RelayedAndThrottledTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

    public Task InitializeAsync() => _sandbox.ResetAsync();

    public Task DisposeAsync()
    {
        foreach (var s in _sessions) s.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("SendFailed", "Microsoft Graph returned 403 ErrorAccessDenied: Access is denied. Check credentials and try again.", DiagnosisCode.MailSendPermissionMissing)]
    [InlineData("SendFailed", "Graph said MailboxNotEnabledForRESTAPI for the sender.", DiagnosisCode.SenderMailboxNotLicensed)]
    [InlineData(null, "sendMail failed (ErrorSendAsDenied)", DiagnosisCode.SendAsDenied)]
    [InlineData("ErrorInvalidUser", "The requested user is invalid.", DiagnosisCode.SenderMailboxNotFound)]
    public void A_Graph_code_relayed_as_a_whole_word_gets_its_diagnosis(string? code, string message, DiagnosisCode expected)
    {
        var d = DiagnosisCatalog.PlatformTestFailed(code, message, Context);

        Assert.Equal(expected, d.Code);
        Assert.Contains("The platform says: " + message, d.Cause);
    }

    [Theory]
    [InlineData("SendFailed", "XErrorAccessDeniedY happened")]
    [InlineData("SendFailed", "errorAccessdenied in lower case is not Graph's code")]
    [InlineData("SendFailed", "Something else went wrong.")]
    public void Text_that_only_contains_a_code_inside_another_word_stays_PlatformTestFailed(string code, string message)
    {
        Assert.Equal(DiagnosisCode.PlatformTestFailed, DiagnosisCatalog.PlatformTestFailed(code, message, Context).Code);
    }

    [Theory]
    [InlineData("SendFailed", "Graph answered 429 TooManyRequests; try later.", DiagnosisCode.Throttled)]
    [InlineData("TooManyRequests", "Slow down.", DiagnosisCode.Throttled)]
    [InlineData("SendFailed", "upstream GatewayTimeout", DiagnosisCode.ServiceUnavailable)]
    [InlineData("SendFailed", "ServiceUnavailable: the service is busy", DiagnosisCode.ServiceUnavailable)]
    [InlineData(null, "System.Net.Sockets.SocketException: Connection refused (ConnectionRefused)", DiagnosisCode.ServiceUnavailable)]
    [InlineData("serviceNotAvailable", "Service unavailable. Please retry the request after a delay.", DiagnosisCode.ServiceUnavailable)]
    [InlineData("NetworkError", "Could not reach the mail service: Connection reset by peer", DiagnosisCode.ServiceUnavailable)]
    public void A_passing_failure_relayed_by_the_platform_is_transient_so_a_runbook_can_retry(string? code, string message, DiagnosisCode expected)
    {
        var d = DiagnosisCatalog.PlatformTestFailed(code, message, Context);

        Assert.Equal(expected, d.Code);
        Assert.Equal(DiagnosisKind.Transient, d.Kind);
        Assert.Contains("platform's side", d.Cause);
    }

    [Fact]
    public void A_transient_answer_says_after_retries_only_when_MailOAuth_retried()
    {
        var error = ServiceError.FromGraphParts(429, "TooManyRequests", "Too many requests", "req-1", null);

        var none = DiagnosisCatalog.Explain(error, Context, new RetrySummary(0, TimeSpan.Zero));
        var some = DiagnosisCatalog.Explain(error, Context, new RetrySummary(3, TimeSpan.FromSeconds(7)));

        Assert.DoesNotContain("after MailOAuth's retries", none.Cause);
        Assert.Contains("made no retry", none.Cause);
        Assert.Contains("after MailOAuth's retries", some.Cause);
        Assert.Contains("Retried 3 times", some.Message);
    }

    [Fact]
    public async Task A_token_throttled_earlier_in_the_process_says_no_request_was_sent_and_why()
    {
        // A client ID of its own: the token library's throttling memory is process-wide.
        var clientId = Guid.NewGuid().ToString();
        using (var response = await _sandbox.Control.PostAsJsonAsync("_sandbox/faults", new { pathPattern = "/oauth2/v2.0/token$", status = 429, retryAfter = "600", count = 1 }))
            Assert.True(response.IsSuccessStatusCode);
        MailTestRequest Request() => new()
        {
            TenantId = _sandbox.Info.TenantId,
            ClientId = clientId,
            ClientSecret = SecretText.Protect("an-unknown-secret-value-0123456789abcdef"),
            SenderAddress = _sandbox.Info.Mailboxes.Licensed,
            To = new[] { _sandbox.Info.Mailboxes.Other },
            EnvironmentName = CoreSandboxFixture.EnvironmentName,
        };
        MailOAuthSession NewSession() { var s = _sandbox.NewSession(); _sessions.Add(s); return s; }

        var first = await Assert.ThrowsAsync<MailOAuthException>(() => new MailTestService(NewSession()).SendAsync(Request(), CoreSandboxFixture.Timeout()));
        var tokenRequests = (await _sandbox.RequestsAsync()).Count(r => r.Kind == "token");
        var second = await Assert.ThrowsAsync<MailOAuthException>(() => new MailTestService(NewSession()).SendAsync(Request(), CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.Throttled, first.Code);
        Assert.Contains("made no retry", first.Message);
        Assert.Equal(DiagnosisCode.Throttled, second.Code);
        Assert.Contains("No request was sent", second.Message);
        Assert.Contains("new PowerShell process", second.Diagnosis.Remediation);
        Assert.Equal(tokenRequests, (await _sandbox.RequestsAsync()).Count(r => r.Kind == "token"));
    }
}
