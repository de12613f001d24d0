using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Platform;
using MailOAuth.Core.Tests.Entra;
using Xunit;

namespace MailOAuth.Core.Tests.Platform;

/// <summary>
/// What comes back from a platform can never carry the secret or the API token into a message, in
/// any encoding; a hostile or broken platform answer is bounded; the platform's test e-mail is never
/// sent twice after an answer lost in transit.
/// </summary>
public sealed class PlatformAnswerSafetyTests : IClassFixture<CoreSandboxFixture>, IAsyncLifetime
{
    // A secret with the characters encoders escape: '+', '/', '~', '&', '<' and a non-ASCII letter.
    private const string Secret = "Xy8+Q/uv~a&b<c>dé.0123456789abcdefghij";
    private readonly CoreSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public PlatformAnswerSafetyTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

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

    private PlatformClient Client()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        return new PlatformClient(session);
    }

    private PlatformTarget Target() =>
        new(new Uri(_sandbox.Info.Platform.Uri), SecretText.Protect(_sandbox.Info.Platform.ApiToken), null);

    private SmtpSettingsInput Input() => new()
    {
        TenantId = _sandbox.Info.TenantId,
        ClientId = _sandbox.Info.Apps.Consented.ClientId,
        ClientSecret = SecretText.Protect(Secret),
        SenderAddress = _sandbox.Info.Mailboxes.Licensed,
    };

    private async Task FaultAsync(object fault)
    {
        using var response = await _sandbox.Control.PostAsJsonAsync("_sandbox/faults", fault);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string FullyEscaped(string s) => string.Concat(s.Select(c => "\\u" + ((int)c).ToString("x4")));

    /// <summary>The escape forms a platform may echo a value in.</summary>
    public static IEnumerable<object[]> EscapeForms() =>
        new[] { "default", "relaxed with \\/", "lower-case hex", "every character", "half escaped" }.Select(f => new object[] { f });

    /// <summary><paramref name="value"/> as a JSON encoder of <paramref name="form"/> would echo it inside a string.</summary>
    private static string Escaped(string form, string value) => form switch
    {
        "default" => JsonEncodedText.Encode(value).ToString(),
        "relaxed with \\/" => JsonEncodedText.Encode(value, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString().Replace("/", "\\/"),
        "lower-case hex" => System.Text.RegularExpressions.Regex.Replace(JsonEncodedText.Encode(value).ToString(), @"\\u([0-9A-F]{4})", m => "\\u" + m.Groups[1].Value.ToLowerInvariant()),
        "every character" => FullyEscaped(value),
        _ => FullyEscaped(value.Substring(0, value.Length / 2)) + JsonEncodedText.Encode(value.Substring(value.Length / 2)),
    };

    [Theory]
    [MemberData(nameof(EscapeForms))]
    public async Task A_rejected_save_that_echoes_the_secret_escaped_never_puts_it_in_the_message(string form)
    {
        var echoed = Escaped(form, Secret);
        var body = "{\"errors\":[{\"field\":\"clientSecret\",\"message\":\"value '" + echoed + "' is not allowed\"}]}";
        await FaultAsync(new { pathPattern = "/api/v1/reseller/smtp-settings$", method = "PUT", status = 422, body, count = 1 });

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => Client().SetAsync(Target(), Input(), CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.PlatformRejectedSettings, ex.Code);
        Assert.Contains("is not allowed", ex.Message);
        Assert.DoesNotContain(Secret, ex.Message);
        Assert.DoesNotContain(Secret.Substring(10), ex.Message);
        Assert.Contains("***", ex.Message);
    }

    [Theory]
    [MemberData(nameof(EscapeForms))]
    public async Task A_failed_test_that_echoes_the_API_token_escaped_never_puts_it_in_the_message(string form)
    {
        var token = _sandbox.Info.Platform.ApiToken;
        await Client().SetAsync(Target(), Input(), CoreSandboxFixture.Timeout());
        var body = "{\"delivered\":false,\"error\":{\"code\":\"SendFailed\",\"message\":\"token " + Escaped(form, token) + " secret " + Escaped(form, Secret) + " was refused\"}}";
        await FaultAsync(new { pathPattern = "/smtp-settings/test$", method = "POST", status = 200, body, count = 1 });

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => Client().TestAsync(Target(), new[] { _sandbox.Info.Mailboxes.Other }, null, null, CoreSandboxFixture.Timeout()));

        Assert.Contains("was refused", ex.Message);
        Assert.DoesNotContain(token, ex.Message);
        Assert.DoesNotContain(token.Substring(token.Length / 2), ex.Message);
        Assert.Contains("***", ex.Message);
    }

    [Fact]
    public void ScrubAnswer_decodes_before_scrubbing_names_and_nested_values()
    {
        var body = "{\"" + FullyEscaped(Secret) + "\":[{\"deep\":\"x " + JsonEncodedText.Encode(Secret) + " y\"}],\"n\":1,\"b\":true}";

        var scrubbed = Redaction.ScrubAnswer(body, Secret);

        Assert.DoesNotContain(Secret, JsonDocument.Parse(scrubbed).RootElement.GetRawText());
        var root = JsonDocument.Parse(scrubbed).RootElement;
        Assert.Equal("x *** y", root.GetProperty("***")[0].GetProperty("deep").GetString());
        Assert.Equal(1, root.GetProperty("n").GetInt32());
        Assert.True(root.GetProperty("b").GetBoolean());
    }

    [Fact]
    public void Scrub_of_a_text_answer_removes_URL_HTML_and_JSON_forms()
    {
        var text = string.Join(" | ", Uri.EscapeDataString(Secret), System.Text.RegularExpressions.Regex.Replace(Uri.EscapeDataString(Secret), "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant()),
            System.Net.WebUtility.HtmlEncode(Secret), Secret.Replace("/", "\\/"));

        var scrubbed = Redaction.Scrub(text, Secret);

        Assert.Equal("*** | *** | *** | ***", scrubbed);
    }

    [Fact]
    public async Task An_answer_larger_than_the_bound_is_not_read_and_is_explained()
    {
        var huge = "{\"errors\":[{\"field\":\"x\",\"message\":\"" + new string('a', PlatformClient.MaxAnswerBytes + 10) + "\"}]}";
        await FaultAsync(new { pathPattern = "/api/v1/reseller/smtp-settings$", method = "GET", status = 200, body = huge, count = 1 });

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => Client().GetAsync(Target(), CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.UnexpectedResponse, ex.Code);
        Assert.Contains("larger than", ex.Message);
        Assert.True(ex.Message.Length < 2000);
    }

    [Fact]
    public async Task A_test_whose_answer_is_lost_after_sending_is_not_repeated_and_says_so()
    {
        await Client().SetAsync(Target(), new SmtpSettingsInput
        {
            TenantId = _sandbox.Info.TenantId,
            ClientId = _sandbox.Info.Apps.Consented.ClientId,
            ClientSecret = SecretText.Protect(_sandbox.Info.Apps.Consented.ClientSecret),
            SenderAddress = _sandbox.Info.Mailboxes.Licensed,
        }, CoreSandboxFixture.Timeout());
        await FaultAsync(new { pathPattern = "/smtp-settings/test$", method = "POST", status = 0, afterProcessing = true, count = 1 });

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => Client().TestAsync(Target(), new[] { _sandbox.Info.Mailboxes.Other }, null, null, CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.NetworkFailure, ex.Code);
        Assert.Contains("no duplicate", ex.Message);
        using var outbox = JsonDocument.Parse(await _sandbox.Control.GetStringAsync("_sandbox/outbox"));
        Assert.Equal(1, outbox.RootElement.GetArrayLength());
        var tests = (await _sandbox.RequestsAsync()).Count(r => r.Path.EndsWith("/smtp-settings/test", StringComparison.Ordinal));
        Assert.Equal(1, tests);
    }

    [Fact]
    public async Task A_test_refused_with_503_is_still_retried()
    {
        await Client().SetAsync(Target(), new SmtpSettingsInput
        {
            TenantId = _sandbox.Info.TenantId,
            ClientId = _sandbox.Info.Apps.Consented.ClientId,
            ClientSecret = SecretText.Protect(_sandbox.Info.Apps.Consented.ClientSecret),
            SenderAddress = _sandbox.Info.Mailboxes.Licensed,
        }, CoreSandboxFixture.Timeout());
        await FaultAsync(new { pathPattern = "/smtp-settings/test$", method = "POST", status = 503, retryAfter = "0", count = 1 });

        var outcome = await Client().TestAsync(Target(), new[] { _sandbox.Info.Mailboxes.Other }, null, null, CoreSandboxFixture.Timeout());

        Assert.True(outcome.Delivered);
        using var outbox = JsonDocument.Parse(await _sandbox.Control.GetStringAsync("_sandbox/outbox"));
        Assert.Equal(1, outbox.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_sendMail_whose_answer_is_lost_after_sending_is_not_repeated_and_says_so()
    {
        await FaultAsync(new { pathPattern = "/sendMail$", status = 0, afterProcessing = true, count = 1 });
        var app = _sandbox.Info.Apps.Consented;
        var session = _sandbox.NewSession();
        _sessions.Add(session);

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new MailOAuth.Core.Mail.MailTestService(session).SendAsync(new MailOAuth.Core.Mail.MailTestRequest
        {
            TenantId = _sandbox.Info.TenantId,
            ClientId = app.ClientId,
            ClientSecret = SecretText.Protect(app.ClientSecret),
            SenderAddress = _sandbox.Info.Mailboxes.Licensed,
            To = new[] { _sandbox.Info.Mailboxes.Other },
            EnvironmentName = CoreSandboxFixture.EnvironmentName,
        }, CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.NetworkFailure, ex.Code);
        Assert.Contains("no duplicate", ex.Message);
        using var outbox = JsonDocument.Parse(await _sandbox.Control.GetStringAsync("_sandbox/outbox"));
        Assert.Equal(1, outbox.RootElement.GetArrayLength());
        Assert.Equal(1, (await _sandbox.RequestsAsync()).Count(r => r.Path.EndsWith("/sendMail", StringComparison.Ordinal)));
    }
}
