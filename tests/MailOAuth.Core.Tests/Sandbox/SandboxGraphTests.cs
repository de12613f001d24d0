using System.Text.Json;
using MailOAuth.Sandbox.Hosting;
using Xunit;

namespace MailOAuth.Core.Tests.Sandbox;

/// <summary>The sandbox's Graph sendMail answers like the real one (docs/service-behaviour.md#graph-error-body, #send-mail, #graph-errors).</summary>
[Collection(SandboxCollection.Name)]
public sealed class SandboxGraphTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task SendMail_gives_202_with_no_body_and_the_message_lands_in_the_outbox()
    {
        await sandbox.ResetAsync();
        var token = await sandbox.GetAccessTokenAsync(sandbox.Info.Apps.Consented);
        var clientRequestId = Guid.NewGuid().ToString();

        using var response = await sandbox.Client.SendAsync(SandboxFixture.SendMailRequest(
            "Sender@Contoso.com", token, SandboxFixture.MailBody(sandbox.Info.Mailboxes.Other, from: "sender@contoso.com", subject: "Hi"), clientRequestId));

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        var requestId = response.Headers.GetValues("request-id").Single();
        Assert.True(Guid.TryParse(requestId, out _));
        Assert.Equal(clientRequestId, response.Headers.GetValues("client-request-id").Single());
        Assert.Contains("ServerInfo", response.Headers.GetValues("x-ms-ags-diagnostic").Single());
        Assert.True(response.Headers.Contains("Strict-Transport-Security"));

        using var outbox = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/outbox"));
        var message = Assert.Single(outbox.RootElement.EnumerateArray());
        Assert.Equal("sender@contoso.com", message.GetProperty("from").GetString());
        Assert.Equal(sandbox.Info.Mailboxes.Licensed, message.GetProperty("sender").GetString());
        Assert.Equal([sandbox.Info.Mailboxes.Other], message.GetProperty("to").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.Equal("Hi", message.GetProperty("subject").GetString());
        Assert.Equal("Hello from the sandbox tests.", message.GetProperty("body").GetString());
        Assert.Equal("Text", message.GetProperty("contentType").GetString());
        Assert.Equal(sandbox.Info.Apps.Consented.ClientId, message.GetProperty("clientId").GetString());
        Assert.Equal(requestId, message.GetProperty("requestId").GetString());
        Assert.True(DateTimeOffset.TryParse(message.GetProperty("receivedAt").GetString(), out _));
    }

    [Fact]
    public async Task SendMail_finds_the_mailbox_by_object_id_too()
    {
        var token = await sandbox.GetAccessTokenAsync(sandbox.Info.Apps.Consented);

        using var response = await sandbox.Client.SendAsync(SandboxFixture.SendMailRequest("1263c87e-554b-4149-8c9b-bb4e5fdaff5c", token));

        Assert.Equal(202, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("no token", 401, "InvalidAuthenticationToken", "Access token is empty.")]
    [InlineData("garbage token", 401, "InvalidAuthenticationToken", "Access token validation failure.")]
    [InlineData("tampered token", 401, "InvalidAuthenticationToken", "Access token validation failure.")]
    [InlineData("unconsented app", 403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")]
    [InlineData("unknown user", 404, "ErrorInvalidUser", "The requested user 'Nobody@Contoso.com' is invalid.")]
    [InlineData("unlicensed mailbox", 404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")]
    [InlineData("restricted mailbox", 403, "ErrorAccessDenied", "Access to OData is disabled.")]
    [InlineData("send as another user", 403, "ErrorSendAsDenied",
        "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.")]
    [InlineData("no recipients", 400, "ErrorInvalidRecipients", "At least one recipient is not valid., A message can't be sent because it contains no recipients.")]
    [InlineData("/me with an app token", 400, "BadRequest", "/me request is only valid with delegated authentication flow.")]
    public async Task SendMail_errors_have_the_exact_graph_status_code_and_message(string situation, int status, string code, string message)
    {
        await sandbox.ResetAsync();
        var info = sandbox.Info;
        var token = await sandbox.GetAccessTokenAsync(situation == "unconsented app" ? info.Apps.Unconsented : info.Apps.Consented);
        var user = info.Mailboxes.Licensed;
        string? body = null;
        switch (situation)
        {
            case "no token": token = null!; break;
            case "garbage token": token = "not-a-jwt"; break;
            case "tampered token": token = Tamper(token); break;
            case "unknown user": user = "Nobody@Contoso.com"; break;
            case "unlicensed mailbox": user = info.Mailboxes.Unlicensed; break;
            case "restricted mailbox": user = info.Mailboxes.Restricted; break;
            case "send as another user": body = SandboxFixture.MailBody(info.Mailboxes.Licensed, from: info.Mailboxes.Other); break;
            case "no recipients": body = """{"message":{"subject":"x","body":{"contentType":"Text","content":"x"},"toRecipients":[]}}"""; break;
        }

        using var request = SandboxFixture.SendMailRequest(user, token, body);
        if (situation == "/me with an app token")
        {
            request.RequestUri = new Uri("v1.0/me/sendMail", UriKind.Relative);
        }

        using var response = await sandbox.Client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(text);
        var error = json.RootElement.GetProperty("error");
        Assert.Equal(["code", "message", "innerError"], SandboxFixture.PropertyNames(error));
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
        var inner = error.GetProperty("innerError");
        Assert.Equal(["date", "request-id", "client-request-id"], SandboxFixture.PropertyNames(inner));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", inner.GetProperty("date").GetString());
        var requestId = response.Headers.GetValues("request-id").Single();
        Assert.Equal(requestId, inner.GetProperty("request-id").GetString());
        Assert.Equal(requestId, inner.GetProperty("client-request-id").GetString()); // none sent: equals request-id
        Assert.Equal(status == 401, response.Headers.WwwAuthenticate.Count > 0);
        Assert.Equal("[]", await sandbox.Client.GetStringAsync("_sandbox/outbox"));
    }

    [Fact]
    public async Task An_expired_token_gives_401_expired_or_not_yet_valid()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { TimeProvider = clock });
        using var client = SandboxFixture.CreatePinnedClient(host.Certificate, host.Info.BaseUri);
        using var tokenResponse = await SandboxFixture.RequestTokenAsync(client, host.Info, host.Info.Apps.Consented.ClientId, host.Info.Apps.Consented.ClientSecret);
        using var tokenJson = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        var token = tokenJson.RootElement.GetProperty("access_token").GetString();

        clock.Now += TimeSpan.FromHours(2);
        using var response = await client.SendAsync(SandboxFixture.SendMailRequest(host.Info.Mailboxes.Licensed, token));

        Assert.Equal(401, (int)response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Access token has expired or is not yet valid.", json.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Unknown_v1_paths_get_a_graph_shaped_error()
    {
        using var response = await sandbox.Client.GetAsync("v1.0/nosuchthing");

        Assert.Equal(400, (int)response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Resource not found for the segment 'nosuchthing'.", json.RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.True(response.Headers.Contains("request-id"));
    }

    /// <summary>Same header and signature, payload changed (roles added): the signature no longer matches.</summary>
    private static string Tamper(string jwt)
    {
        var parts = jwt.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]))
            .Replace("\"ver\":\"1.0\"", "\"ver\":\"1.0\",\"wids\":[]");
        return parts[0] + "." + System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(payload)) + "." + parts[2];
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
