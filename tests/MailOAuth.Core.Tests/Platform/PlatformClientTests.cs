using System.Security;
using System.Text.Json;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Platform;
using MailOAuth.Core.Tests.Entra;
using MailOAuth.Sandbox.Hosting;
using Xunit;

namespace MailOAuth.Core.Tests.Platform;

/// <summary>
/// <see cref="PlatformClient"/> against the sandbox's reference reseller platform (docs/sandbox.md
/// "Reseller platform"): the default contract and the acme-panel profile over the same settings,
/// the platform's own test e-mail (a real token request and sendMail), and every diagnosis.
/// </summary>
public sealed class PlatformClientTests : IClassFixture<CoreSandboxFixture>, IAsyncLifetime
{
    private readonly CoreSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public PlatformClientTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ResetPlatformAsync();
        await _sandbox.ResetAsync();
    }

    public Task DisposeAsync()
    {
        foreach (var s in _sessions) s.Dispose();
        return Task.CompletedTask;
    }

    private SandboxInfo Info => _sandbox.Info;

    private static CancellationToken Timeout => CoreSandboxFixture.Timeout();

    private PlatformClient Client()
    {
        // The platform lives on the sandbox's origin: the session pins the sandbox certificate for it.
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        return new PlatformClient(session);
    }

    private PlatformTarget Target(string? apiToken = null, PlatformProfile? profile = null) =>
        new(new Uri(Info.Platform.Uri), SecretText.Protect(apiToken ?? Info.Platform.ApiToken), profile);

    private static PlatformProfile Acme() =>
        PlatformProfile.FromFile(Path.Combine(PlatformProfileTests.RepoRoot(), "examples", "profiles", "acme-panel.json"));

    private SmtpSettingsInput Input(SandboxApp app, string? secret = null, string? sender = null) => new()
    {
        TenantId = Info.TenantId,
        ClientId = app.ClientId,
        ClientSecret = secret is null ? SecretText.Protect(app.ClientSecret) : secret.Length == 0 ? new SecureString() : SecretText.Protect(secret),
        SenderAddress = sender ?? Info.Mailboxes.Licensed,
    };

    private async Task<List<JsonElement>> OutboxAsync()
    {
        using var json = JsonDocument.Parse(await _sandbox.Control.GetStringAsync("_sandbox/outbox"));
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private async Task<JsonElement> PlatformStateAsync()
    {
        using var json = JsonDocument.Parse(await _sandbox.Control.GetStringAsync("_sandbox/platform"));
        return json.RootElement.Clone();
    }

    // ---- store and read ----

    [Fact]
    public async Task Put_then_get_round_trips_the_settings_with_the_hint_never_the_secret()
    {
        var client = Client();
        var app = Info.Apps.Consented;
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);

        var empty = await client.GetAsync(Target(), Timeout);
        var stored = await client.SetAsync(Target(), Input(app), Timeout);
        var read = await client.GetAsync(Target(), Timeout);

        Assert.Null(empty.ClientId);
        Assert.Null(empty.UpdatedAt);
        foreach (var view in new[] { stored, read })
        {
            Assert.Equal("MicrosoftGraphOAuth", view.Provider);
            Assert.Equal(Info.TenantId, view.TenantId);
            Assert.Equal(app.ClientId, view.ClientId);
            Assert.Equal(Info.Mailboxes.Licensed, view.SenderAddress);
            Assert.Equal(app.ClientSecret[..3], view.ClientSecretHint);
            Assert.NotNull(view.UpdatedAt);
            Assert.True(view.UpdatedAt > before);
        }
        Assert.Equal(stored.UpdatedAt, read.UpdatedAt);
        var platform = await PlatformStateAsync();
        Assert.True(platform.GetProperty("configured").GetBoolean());
        Assert.Equal(app.ClientId, platform.GetProperty("settings").GetProperty("clientId").GetString());
        var log = (await _sandbox.RequestsAsync()).Where(r => r.Kind == "platform").ToList();
        Assert.Equal(new[] { "GET", "PUT", "GET" }, log.Select(r => r.Method).ToArray());
        Assert.All(log, r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task The_acme_panel_profile_stores_and_reads_the_same_settings_in_its_own_dialect()
    {
        var client = Client();
        var app = Info.Apps.Unconsented;

        var stored = await client.SetAsync(Target(profile: Acme()), Input(app, sender: Info.Mailboxes.Other), Timeout);
        var viaDefault = await client.GetAsync(Target(), Timeout);

        Assert.Equal("office365", stored.Provider);
        Assert.Equal(app.ClientId, stored.ClientId);
        Assert.Equal(Info.Mailboxes.Other, stored.SenderAddress);
        Assert.Equal(app.ClientSecret[..3], stored.ClientSecretHint);
        Assert.NotNull(stored.UpdatedAt);
        Assert.Equal(app.ClientId, viaDefault.ClientId);
        Assert.Equal(Info.TenantId, viaDefault.TenantId);
        Assert.Contains(await _sandbox.RequestsAsync(), r => r.Kind == "platform" && r.Method == "POST" && r.Path == "/rest/mail/oauth-config" && r.Status == 200);
    }

    // ---- failures ----

    [Fact]
    public async Task An_unknown_API_token_is_PlatformAuthenticationFailed_and_not_retried()
    {
        var client = Client();
        const string wrongToken = "not-the-platform-token-0123456789";

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => client.GetAsync(Target(apiToken: wrongToken), Timeout));

        Assert.Equal(DiagnosisCode.PlatformAuthenticationFailed, ex.Code);
        Assert.Equal(401, ex.Diagnosis.HttpStatus);
        Assert.Contains("Invalid or missing API token.", ex.Diagnosis.Cause);
        Assert.DoesNotContain(wrongToken, ex.Message);
        Assert.Contains("-ApiToken", ex.Diagnosis.Remediation);
        Assert.Single(await _sandbox.RequestsAsync(), r => r.Kind == "platform");
    }

    [Fact]
    public async Task A_read_only_token_cannot_store_settings()
    {
        var client = Client();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            client.SetAsync(Target(apiToken: Info.Platform.ReadOnlyApiToken), Input(Info.Apps.Consented), Timeout));

        Assert.Equal(DiagnosisCode.PlatformAuthenticationFailed, ex.Code);
        Assert.Equal(403, ex.Diagnosis.HttpStatus);
        Assert.Contains("may not change SMTP settings", ex.Diagnosis.Cause);
        Assert.Contains("write access", ex.Diagnosis.Remediation);
        Assert.False((await PlatformStateAsync()).GetProperty("configured").GetBoolean());
    }

    [Fact]
    public async Task A_rejected_save_is_PlatformRejectedSettings_naming_the_parameter_and_the_settings_kept()
    {
        var client = Client();
        var previous = Info.Apps.Consented;
        await client.SetAsync(Target(), Input(previous), Timeout);
        var newSecret = "Nw9~aNewSecretThatMustNotLeak.0123456789ab";

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => client.SetAsync(Target(), new SmtpSettingsInput
        {
            TenantId = Info.TenantId,
            ClientId = Info.Apps.Unconsented.ClientId,
            ClientSecret = new SecureString(),
            SenderAddress = Info.Mailboxes.Other,
        }, Timeout));

        Assert.Equal(DiagnosisCode.PlatformRejectedSettings, ex.Code);
        Assert.Equal(422, ex.Diagnosis.HttpStatus);
        Assert.Contains("-ClientSecret: Client secret is required.", ex.Diagnosis.Cause);
        Assert.Contains("kept its previous settings", ex.Diagnosis.Cause);
        Assert.Contains(previous.ClientId, ex.Diagnosis.Cause);
        Assert.Contains(Info.Mailboxes.Licensed, ex.Diagnosis.Cause);
        var kept = await client.GetAsync(Target(), Timeout);
        Assert.Equal(previous.ClientId, kept.ClientId);
        Assert.Equal(Info.Mailboxes.Licensed, kept.SenderAddress);

        // Several bad fields, each named as the cmdlet parameter; the secret sent is not echoed.
        var many = await Assert.ThrowsAsync<MailOAuthException>(() => client.SetAsync(Target(), new SmtpSettingsInput
        {
            TenantId = "not a tenant",
            ClientId = "Email OAuth",
            ClientSecret = SecretText.Protect(newSecret),
            SenderAddress = "sender",
        }, Timeout));
        Assert.Equal(DiagnosisCode.PlatformRejectedSettings, many.Code);
        Assert.Contains("-TenantId: Tenant ID must be a GUID or a domain name.", many.Diagnosis.Cause);
        Assert.Contains("-ClientId: Client ID must be a GUID.", many.Diagnosis.Cause);
        Assert.Contains("-SenderAddress: Sender address must be an e-mail address.", many.Diagnosis.Cause);
        Assert.DoesNotContain(newSecret, many.Message);
    }

    [Fact]
    public async Task With_a_profile_the_rejected_fields_are_still_named_as_MailOAuth_parameters()
    {
        var client = Client();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            client.SetAsync(Target(profile: Acme()), Input(Info.Apps.Consented, secret: ""), Timeout));

        Assert.Equal(DiagnosisCode.PlatformRejectedSettings, ex.Code);
        Assert.Contains("-ClientSecret: Application secret is required.", ex.Diagnosis.Cause);
        Assert.Contains("no SMTP settings stored", ex.Diagnosis.Cause);
    }

    // ---- the platform's test e-mail ----

    [Fact]
    public async Task The_platform_test_email_is_delivered_through_Graph()
    {
        var client = Client();
        await client.SetAsync(Target(), Input(Info.Apps.Consented), Timeout);

        var outcome = await client.TestAsync(Target(), new[] { Info.Mailboxes.Other }, null, null, Timeout);

        Assert.True(outcome.Delivered);
        Assert.Equal(new[] { Info.Mailboxes.Other }, outcome.To);
        var message = Assert.Single(await OutboxAsync());
        Assert.Equal(message.GetProperty("id").GetString(), outcome.MessageId);
        Assert.Equal(Info.Apps.Consented.ClientId, message.GetProperty("clientId").GetString());
        Assert.Equal(new[] { Info.Mailboxes.Other }, message.GetProperty("to").EnumerateArray().Select(t => t.GetString()).ToArray());
    }

    [Fact]
    public async Task A_platform_test_with_a_wrong_secret_is_InvalidClientSecret_with_the_platform_text_verbatim()
    {
        var client = Client();
        var app = Info.Apps.Consented;
        await client.SetAsync(Target(), Input(app, secret: "Xy7~wrongSecretStoredOnThePlatform.abcdefgh"), Timeout);

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => client.TestAsync(Target(), new[] { Info.Mailboxes.Other }, null, null, Timeout));

        Assert.Equal(DiagnosisCode.InvalidClientSecret, ex.Code);
        Assert.Equal("AADSTS7000215", ex.Diagnosis.ServiceCode);
        Assert.Contains("The platform says: AADSTS7000215: Invalid client secret provided.", ex.Diagnosis.Cause);
        Assert.Contains(app.ClientId, ex.Diagnosis.Cause); // from the settings the platform holds
        Assert.Empty(await OutboxAsync());
        Assert.Contains(await _sandbox.RequestsAsync(), r => r.Kind == "token" && r.Status == 401 && r.ClientId == app.ClientId);
    }

    [Fact]
    public async Task A_platform_test_for_an_unconsented_app_is_MailSendPermissionMissing()
    {
        var client = Client();
        await client.SetAsync(Target(), Input(Info.Apps.Unconsented), Timeout);

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => client.TestAsync(Target(), new[] { Info.Mailboxes.Other }, null, null, Timeout));

        Assert.Equal(DiagnosisCode.MailSendPermissionMissing, ex.Code);
        Assert.Equal("ErrorAccessDenied", ex.Diagnosis.ServiceCode);
        Assert.Contains("Access is denied. Check credentials and try again.", ex.Diagnosis.Cause);
    }

    [Fact]
    public async Task With_the_acme_profile_a_failed_test_without_a_code_field_is_still_diagnosed_by_its_AADSTS_number()
    {
        var client = Client();
        await client.SetAsync(Target(), Input(Info.Apps.Consented, secret: "Xy7~wrongSecretStoredOnThePlatform.abcdefgh"), Timeout);

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => client.TestAsync(Target(profile: Acme()), new[] { Info.Mailboxes.Other }, null, null, Timeout));

        Assert.Equal(DiagnosisCode.InvalidClientSecret, ex.Code);
        Assert.Contains("AADSTS7000215", ex.Diagnosis.Cause);
    }

    [Fact]
    public async Task A_platform_test_without_settings_is_PlatformTestFailed_with_the_platform_message()
    {
        var client = Client();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => client.TestAsync(Target(), new[] { Info.Mailboxes.Other }, null, null, Timeout));

        Assert.Equal(DiagnosisCode.PlatformTestFailed, ex.Code);
        Assert.Equal(DiagnosisKind.Configuration, ex.Diagnosis.Kind);
        Assert.Contains("no SMTP settings stored", ex.Diagnosis.Cause);
        Assert.Contains("The platform says: SMTP Email Settings are not configured.", ex.Diagnosis.Cause);
        Assert.Contains("Set-ResellerSmtpSetting", ex.Diagnosis.Remediation);
        Assert.Empty(await OutboxAsync());
    }

    [Fact]
    public async Task A_test_that_fails_for_a_later_recipient_says_who_already_got_it()
    {
        var client = Client();
        await client.SetAsync(Target(), Input(Info.Apps.Consented), Timeout);

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            client.TestAsync(Target(), new[] { Info.Mailboxes.Other, "not-an-address" }, null, null, Timeout));

        // A 422 on the test call is the test failing, not a rejected save.
        Assert.Equal(DiagnosisCode.PlatformTestFailed, ex.Code);
        Assert.Contains("-To: Recipient must be an e-mail address.", ex.Diagnosis.Cause);
        Assert.Contains($"already delivered to {Info.Mailboxes.Other}", ex.Diagnosis.Cause);
        Assert.Contains("it failed for not-an-address", ex.Diagnosis.Cause);
        Assert.Single(await OutboxAsync());
    }

    [Fact]
    public async Task A_platform_that_keeps_failing_is_ServiceUnavailable_after_the_retries()
    {
        var client = Client();
        await _sandbox.PostControlAsync("_sandbox/faults", new { pathPattern = "^/api/v1/reseller/smtp-settings$", method = "GET", status = 503, retryAfter = "0", count = 10 });

        MailOAuthException ex;
        using (OperationContext.Begin(NullReporter.Instance))
        {
            ex = await Assert.ThrowsAsync<MailOAuthException>(() => client.GetAsync(Target(), Timeout));
        }

        Assert.Equal(DiagnosisCode.ServiceUnavailable, ex.Code);
        Assert.Equal(DiagnosisKind.Transient, ex.Diagnosis.Kind);
        Assert.Equal(503, ex.Diagnosis.HttpStatus);
        Assert.Contains("The platform failed (HTTP 503)", ex.Diagnosis.Cause);
        Assert.Equal(2, ex.Diagnosis.Retries); // the session's policy: 2 retries
        var calls = (await _sandbox.RequestsAsync()).Where(r => r.Kind == "platform").ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal(503, c.Status));
    }

    // ---- HTTPS only ----

    [Theory]
    [InlineData("https://portal.example.com")]
    [InlineData("https://portal.example.com:8443/base/")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://127.0.0.1:5080/")]
    [InlineData("http://localhost")]
    [InlineData("http://localhost:5000")]
    [InlineData("http://[::1]:5000")]
    public void RequireSecureUri_accepts_https_and_loopback_http(string uri)
    {
        PlatformClient.RequireSecureUri(new Uri(uri)); // no exception
    }

    [Theory]
    [InlineData("http://portal.example.com")]
    [InlineData("http://10.0.0.5")]
    [InlineData("http://127.0.0.1.example.com")]
    [InlineData("ftp://portal.example.com")]
    public void RequireSecureUri_refuses_clear_text_to_anything_else(string uri)
    {
        var ex = Assert.Throws<ArgumentException>(() => PlatformClient.RequireSecureUri(new Uri(uri)));

        Assert.Contains("https", ex.Message);
    }

    [Fact]
    public void RequireSecureUri_refuses_a_relative_uri()
    {
        Assert.Throws<ArgumentException>(() => PlatformClient.RequireSecureUri(new Uri("/api/v1/reseller", UriKind.Relative)));
    }

    [Fact]
    public async Task Storing_over_plain_http_is_refused_before_anything_is_sent()
    {
        var client = Client();
        var target = new PlatformTarget(new Uri("http://portal.example.com"), SecretText.Protect("token"));

        await Assert.ThrowsAsync<ArgumentException>(() => client.SetAsync(target, Input(Info.Apps.Consented), Timeout));
    }
}
