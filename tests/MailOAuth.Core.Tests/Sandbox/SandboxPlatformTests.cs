using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailOAuth.Sandbox.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Xunit;

namespace MailOAuth.Core.Tests.Sandbox;

/// <summary>
/// The sandbox's reference reseller platform (docs/sandbox.md "Reseller platform"): the platform
/// API (default and alternative profile), its real test email through the emulated token endpoint
/// and sendMail, the Data Protection secret store, and the admin page.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class SandboxPlatformTests(SandboxFixture sandbox)
{
    private const string SettingsPath = "api/v1/reseller/smtp-settings";
    private const string TestPath = "api/v1/reseller/smtp-settings/test";
    private const string AltConfigPath = "rest/mail/oauth-config";
    private const string AltTestPath = "rest/mail/send-test";
    private const string AdminPath = "admin/reseller-settings/smtp";

    private static readonly string[] DefaultViewFields = ["provider", "tenantId", "clientId", "senderAddress", "clientSecretHint", "updatedAt"];
    private static readonly string[] AltViewFields = ["mailProvider", "directoryId", "applicationId", "fromAddress", "secretHint", "modified"];

    private SandboxInfo Info => sandbox.Info;

    [Fact]
    public void The_start_up_line_names_the_platform_its_tokens_and_admin_page()
    {
        var platform = Info.Platform;
        Assert.Equal(Info.BaseUri, platform.Uri);
        Assert.Equal(Info.BaseUri + "/admin/reseller-settings/smtp", platform.AdminPage);
        Assert.False(string.IsNullOrWhiteSpace(platform.ApiToken));
        Assert.False(string.IsNullOrWhiteSpace(platform.ReadOnlyApiToken));
        Assert.NotEqual(platform.ApiToken, platform.ReadOnlyApiToken);

        using var line = JsonDocument.Parse(sandbox.Host.InfoJson);
        var json = line.RootElement.GetProperty("platform");
        Assert.Equal(["uri", "apiToken", "readOnlyApiToken", "adminPage"], SandboxFixture.PropertyNames(json));
        Assert.Equal(platform.ApiToken, json.GetProperty("apiToken").GetString());
    }

    [Fact]
    public async Task Get_is_empty_then_a_valid_put_is_stored_and_get_shows_the_hint_never_the_secret()
    {
        await ResetAsync();
        var empty = await CallAsync(HttpMethod.Get, SettingsPath);
        empty.AssertStatus(200);
        Assert.Equal(DefaultViewFields, SandboxFixture.PropertyNames(empty.Body));
        Assert.All(empty.Body.EnumerateObject(), p => Assert.Equal(JsonValueKind.Null, p.Value.ValueKind));

        var app = Info.Apps.Consented;
        var put = await CallAsync(HttpMethod.Put, SettingsPath, Settings(app));
        put.AssertStatus(200);
        var get = await CallAsync(HttpMethod.Get, SettingsPath);
        get.AssertStatus(200);
        Assert.Equal(put.Text, get.Text);

        Assert.Equal(DefaultViewFields, SandboxFixture.PropertyNames(get.Body));
        Assert.Equal("MicrosoftGraphOAuth", get.String("provider"));
        Assert.Equal(Info.TenantId, get.String("tenantId"));
        Assert.Equal(app.ClientId, get.String("clientId"));
        Assert.Equal(Info.Mailboxes.Licensed, get.String("senderAddress"));
        Assert.Equal(app.ClientSecret[..3], get.String("clientSecretHint"));
        Assert.True(DateTimeOffset.TryParse(get.String("updatedAt"), out _));
        Assert.DoesNotContain(app.ClientSecret, get.Text);
        Assert.DoesNotContain(app.ClientSecret, put.Text);
    }

    [Fact]
    public async Task An_after_processing_fault_with_a_status_stores_the_settings_and_answers_with_the_fault()
    {
        await ResetAsync();
        using (var fault = await sandbox.Client.PostAsJsonAsync("_sandbox/faults", new { pathPattern = "smtp-settings$", method = "PUT", status = 500, afterProcessing = true, count = 1 }))
        {
            Assert.Equal(HttpStatusCode.Created, fault.StatusCode);
        }

        var app = Info.Apps.Consented;
        var put = await CallAsync(HttpMethod.Put, SettingsPath, Settings(app));

        put.AssertStatus(500); // the answer a gateway in front of the platform gave …
        Assert.DoesNotContain("clientSecretHint", put.Text); // … not the stored view
        var get = await CallAsync(HttpMethod.Get, SettingsPath);
        Assert.Equal(app.ClientId, get.String("clientId")); // … while the platform did store the settings
        Assert.Equal(app.ClientSecret[..3], get.String("clientSecretHint"));
        using var log = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/requests"));
        Assert.Contains(log.RootElement.EnumerateArray(), e => e.GetProperty("method").GetString() == "PUT" && e.GetProperty("status").GetInt32() == 500);
        using (var needsStatus = await sandbox.Client.PostAsJsonAsync("_sandbox/faults", new { pathPattern = "x", afterProcessing = true }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, needsStatus.StatusCode);
        }
    }

    [Theory]
    [InlineData("provider", "SMTP", "Provider must be \"MicrosoftGraphOAuth\".")]
    [InlineData("provider", null, "Provider must be \"MicrosoftGraphOAuth\".")]
    [InlineData("tenantId", "not a tenant", "Tenant ID must be a GUID or a domain name.")]
    [InlineData("tenantId", "contoso", "Tenant ID must be a GUID or a domain name.")]
    [InlineData("clientId", "Email OAuth", "Client ID must be a GUID.")]
    [InlineData("clientId", null, "Client ID must be a GUID.")]
    [InlineData("clientSecret", "", "Client secret is required.")]
    [InlineData("clientSecret", null, "Client secret is required.")]
    [InlineData("senderAddress", "sender", "Sender address must be an e-mail address.")]
    [InlineData("senderAddress", "Sender <sender@contoso.com>", "Sender address must be an e-mail address.")]
    public async Task A_put_with_an_invalid_field_is_422_naming_it_and_changes_nothing(string field, string? value, string message)
    {
        await ResetAsync();
        (await CallAsync(HttpMethod.Put, SettingsPath, Settings(Info.Apps.Consented))).AssertStatus(200);
        var before = await CallAsync(HttpMethod.Get, SettingsPath);

        var body = Settings(Info.Apps.Unconsented, sender: Info.Mailboxes.Other);
        if (value is null)
        {
            body.Remove(field);
        }
        else
        {
            body[field] = value;
        }

        var put = await CallAsync(HttpMethod.Put, SettingsPath, body);

        put.AssertStatus(422);
        var error = Assert.Single(put.Body.GetProperty("errors").EnumerateArray());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
        var after = await CallAsync(HttpMethod.Get, SettingsPath);
        Assert.Equal(before.Text, after.Text);
    }

    [Fact]
    public async Task A_put_with_every_field_wrong_lists_every_field_in_order()
    {
        await ResetAsync();
        var put = await CallAsync(HttpMethod.Put, SettingsPath, new { provider = "Smtp", tenantId = "x y", clientId = "1", clientSecret = "", senderAddress = "@contoso.com" });

        put.AssertStatus(422);
        Assert.Equal(["provider", "tenantId", "clientId", "clientSecret", "senderAddress"],
            put.Body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()!).ToArray());
        Assert.Equal(JsonValueKind.Null, (await CallAsync(HttpMethod.Get, SettingsPath)).Body.GetProperty("provider").ValueKind);
    }

    [Theory]
    [InlineData("{\"provider\":", "The request body is not valid JSON.")]
    [InlineData("", "The request body is not valid JSON.")]
    [InlineData("[1,2]", "The request body must be a JSON object.")]
    public async Task A_malformed_body_is_400_with_a_null_field(string raw, string message)
    {
        await ResetAsync();
        var put = await CallAsync(HttpMethod.Put, SettingsPath, raw);

        put.AssertStatus(400);
        Assert.Equal($$"""{"errors":[{"field":null,"message":"{{message}}"}]}""", put.Text);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("wrong")]
    [InlineData("basic")]
    [InlineData("api key")]
    public async Task A_missing_or_unknown_token_is_401_with_www_authenticate_bearer(string how)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, SettingsPath);
        switch (how)
        {
            case "wrong": request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Info.Platform.ApiToken + "x"); break;
            case "basic": request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Info.Platform.ApiToken); break;
            case "api key": request.Headers.Add("X-Api-Key", Info.Platform.ApiToken); break;
        }

        using var response = await sandbox.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("""{"errors":[{"field":null,"message":"Invalid or missing API token."}]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_read_only_token_may_read_but_not_change_settings_or_send_a_test()
    {
        await ResetAsync();
        (await CallAsync(HttpMethod.Put, SettingsPath, Settings(Info.Apps.Consented))).AssertStatus(200);
        var readOnly = Info.Platform.ReadOnlyApiToken;
        const string Forbidden = """{"errors":[{"field":null,"message":"This API token may not change SMTP settings."}]}""";

        var get = await CallAsync(HttpMethod.Get, SettingsPath, token: readOnly);
        var put = await CallAsync(HttpMethod.Put, SettingsPath, Settings(Info.Apps.Unconsented), token: readOnly);
        var test = await CallAsync(HttpMethod.Post, TestPath, new { to = Info.Mailboxes.Other }, token: readOnly);

        get.AssertStatus(200);
        put.AssertStatus(403);
        Assert.Equal(Forbidden, put.Text);
        test.AssertStatus(403);
        Assert.Equal(Forbidden, test.Text);
        Assert.Equal(Info.Apps.Consented.ClientId, (await CallAsync(HttpMethod.Get, SettingsPath)).String("clientId"));
        Assert.Empty(await OutboxAsync());
    }

    [Fact]
    public async Task A_test_with_the_consented_app_is_delivered_through_the_token_endpoint_and_sendMail()
    {
        await ResetAsync();
        var app = Info.Apps.Consented;
        (await CallAsync(HttpMethod.Put, SettingsPath, Settings(app))).AssertStatus(200);
        await sandbox.Client.DeleteAsync("_sandbox/requests");

        var test = await CallAsync(HttpMethod.Post, TestPath, new { to = Info.Mailboxes.Other });

        test.AssertStatus(200);
        Assert.Equal(["delivered", "messageId"], SandboxFixture.PropertyNames(test.Body));
        Assert.True(test.Body.GetProperty("delivered").GetBoolean());
        var message = Assert.Single(await OutboxAsync());
        Assert.Equal(message.GetProperty("id").GetString(), test.String("messageId"));
        Assert.Equal(Info.Mailboxes.Licensed, message.GetProperty("sender").GetString());
        Assert.Equal([Info.Mailboxes.Other], message.GetProperty("to").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.Equal(app.ClientId, message.GetProperty("clientId").GetString());

        var logText = await sandbox.Client.GetStringAsync("_sandbox/requests");
        Assert.DoesNotContain(app.ClientSecret, logText);
        Assert.DoesNotContain(Info.Platform.ApiToken, logText);
        using var log = JsonDocument.Parse(logText);
        var entries = log.RootElement.EnumerateArray().ToList();
        var token = entries.FindIndex(e => e.GetProperty("kind").GetString() == "token");
        var graph = entries.FindIndex(e => e.GetProperty("kind").GetString() == "graph");
        var platform = entries.FindIndex(e => e.GetProperty("kind").GetString() == "platform");
        Assert.True(token >= 0 && graph > token && platform > graph, logText);
        Assert.Equal($"/{Info.TenantId}/oauth2/v2.0/token", entries[token].GetProperty("path").GetString());
        Assert.Equal(200, entries[token].GetProperty("status").GetInt32());
        Assert.Equal(app.ClientId, entries[token].GetProperty("clientId").GetString());
        Assert.Equal($"/v1.0/users/{Info.Mailboxes.Licensed}/sendMail", entries[graph].GetProperty("path").GetString());
        Assert.Equal(202, entries[graph].GetProperty("status").GetInt32());
        Assert.Equal("/" + TestPath, entries[platform].GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("wrong secret", "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{0}'.")]
    [InlineData("secret id pasted", "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{0}'.")]
    [InlineData("unconsented app", "ErrorAccessDenied", "Access is denied. Check credentials and try again.")]
    [InlineData("unlicensed sender", "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")]
    [InlineData("expired secret", "invalid_client", "AADSTS7000222: The provided client secret keys for app '{0}' are expired.")]
    [InlineData("unknown tenant", "invalid_request", "AADSTS90002: Tenant 'fabrikam.example' not found.")]
    public async Task A_failed_test_reports_the_services_own_code_and_message(string situation, string code, string messageStart)
    {
        await ResetAsync();
        var app = situation switch
        {
            "unconsented app" => Info.Apps.Unconsented,
            "expired secret" => Info.Apps.ExpiredSecret,
            _ => Info.Apps.Consented,
        };
        var body = Settings(app, sender: situation == "unlicensed sender" ? Info.Mailboxes.Unlicensed : null);
        switch (situation)
        {
            case "wrong secret": body["clientSecret"] = "Wrong8Q~secretvaluethatwasneverissued00"; break;
            case "secret id pasted": body["clientSecret"] = app.SecretKeyId; break;
            case "unknown tenant": body["tenantId"] = Info.UnverifiedDomain; break;
        }

        (await CallAsync(HttpMethod.Put, SettingsPath, body)).AssertStatus(200);

        var test = await CallAsync(HttpMethod.Post, TestPath, new { to = Info.Mailboxes.Other });

        test.AssertStatus(200);
        Assert.False(test.Body.GetProperty("delivered").GetBoolean());
        var error = test.Body.GetProperty("error");
        Assert.Equal(["code", "message"], SandboxFixture.PropertyNames(error));
        Assert.Equal(code, error.GetProperty("code").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.StartsWith(string.Format(System.Globalization.CultureInfo.InvariantCulture, messageStart, app.ClientId), message);
        Assert.DoesNotContain("Trace ID", message);
        Assert.Empty(await OutboxAsync());
    }

    [Fact]
    public async Task A_test_without_settings_reports_NotConfigured_and_a_bad_recipient_is_422()
    {
        await ResetAsync();

        var notConfigured = await CallAsync(HttpMethod.Post, TestPath, new { to = Info.Mailboxes.Other });
        var badRecipient = await CallAsync(HttpMethod.Post, TestPath, new { to = "not an address" });

        notConfigured.AssertStatus(200);
        Assert.Equal("""{"delivered":false,"error":{"code":"NotConfigured","message":"SMTP Email Settings are not configured."}}""", notConfigured.Text);
        badRecipient.AssertStatus(422);
        Assert.Equal("""{"errors":[{"field":"to","message":"Recipient must be an e-mail address."}]}""", badRecipient.Text);
    }

    [Fact]
    public async Task The_alternative_profile_round_trips_with_an_api_key_over_the_same_settings()
    {
        await ResetAsync();
        var key = Info.Platform.ApiToken;

        var empty = await CallAsync(HttpMethod.Get, AltConfigPath, apiKey: key);
        empty.AssertStatus(200);
        Assert.Equal(AltViewFields, SandboxFixture.PropertyNames(empty.Body));
        Assert.All(empty.Body.EnumerateObject(), p => Assert.Equal(JsonValueKind.Null, p.Value.ValueKind));

        var bearerOnly = await CallAsync(HttpMethod.Get, AltConfigPath);
        bearerOnly.AssertStatus(401);
        Assert.Equal("""{"errors":[{"field":null,"message":"Invalid API key."}]}""", bearerOnly.Text);
        (await CallAsync(HttpMethod.Post, AltConfigPath, new { }, apiKey: Info.Platform.ReadOnlyApiToken)).AssertStatus(403);

        var app = Info.Apps.Consented;
        var invalid = await CallAsync(HttpMethod.Post, AltConfigPath, new
        {
            mailProvider = "office365", directoryId = Info.TenantDomain, applicationId = "Email OAuth", applicationSecret = app.ClientSecret, fromAddress = "sender",
        }, apiKey: key);
        invalid.AssertStatus(422);
        Assert.Equal(["applicationId", "fromAddress"],
            invalid.Body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()!).ToArray());
        Assert.Equal("From address must be an e-mail address.", invalid.Body.GetProperty("errors")[1].GetProperty("message").GetString());

        var saved = await CallAsync(HttpMethod.Post, AltConfigPath, new
        {
            mailProvider = "office365", directoryId = Info.TenantDomain, applicationId = app.ClientId, applicationSecret = app.ClientSecret, fromAddress = Info.Mailboxes.Licensed,
        }, apiKey: key);
        saved.AssertStatus(200);
        Assert.Equal(AltViewFields, SandboxFixture.PropertyNames(saved.Body));
        Assert.Equal("office365", saved.String("mailProvider"));
        Assert.Equal(Info.TenantDomain, saved.String("directoryId"));
        Assert.Equal(app.ClientId, saved.String("applicationId"));
        Assert.Equal(Info.Mailboxes.Licensed, saved.String("fromAddress"));
        Assert.Equal(app.ClientSecret[..3], saved.String("secretHint"));
        Assert.DoesNotContain(app.ClientSecret, saved.Text);

        // The same stored settings through the default profile.
        var viaDefault = await CallAsync(HttpMethod.Get, SettingsPath);
        Assert.Equal(app.ClientId, viaDefault.String("clientId"));
        Assert.Equal(saved.String("modified"), viaDefault.String("updatedAt"));

        var sent = await CallAsync(HttpMethod.Post, AltTestPath, new { recipient = Info.Mailboxes.Other }, apiKey: key);
        sent.AssertStatus(200);
        Assert.Equal(["ok", "id"], SandboxFixture.PropertyNames(sent.Body));
        Assert.True(sent.Body.GetProperty("ok").GetBoolean());
        Assert.Equal(Assert.Single(await OutboxAsync()).GetProperty("id").GetString(), sent.String("id"));

        (await CallAsync(HttpMethod.Post, AltConfigPath, new
        {
            mailProvider = "office365", directoryId = Info.TenantId, applicationId = app.ClientId, applicationSecret = "Wrong8Q~secretvaluethatwasneverissued00", fromAddress = Info.Mailboxes.Licensed,
        }, apiKey: key)).AssertStatus(200);
        var failed = await CallAsync(HttpMethod.Post, AltTestPath, new { recipient = Info.Mailboxes.Other }, apiKey: key);
        Assert.Equal(["ok", "problem"], SandboxFixture.PropertyNames(failed.Body));
        Assert.False(failed.Body.GetProperty("ok").GetBoolean());
        Assert.StartsWith("AADSTS7000215: Invalid client secret provided.", failed.String("problem"));
    }

    [Fact]
    public async Task The_secret_is_encrypted_at_rest_with_data_protection_keys_in_the_state_directory()
    {
        await ResetAsync();
        var stateDirectory = Path.GetDirectoryName(Info.CertificatePath)!;
        var keyDirectory = Path.Combine(stateDirectory, "data-protection-keys");
        Assert.NotEmpty(System.IO.Directory.GetFiles(keyDirectory, "key-*.xml"));

        var secret = Info.Apps.Consented.ClientSecret;
        (await CallAsync(HttpMethod.Put, SettingsPath, Settings(Info.Apps.Consented))).AssertStatus(200);

        // On disk: the mirror file holds the protected payload, never the plaintext.
        var file = Path.Combine(stateDirectory, "platform-smtp-settings.json");
        var fileText = await File.ReadAllTextAsync(file);
        Assert.DoesNotContain(secret, fileText);
        using var mirror = JsonDocument.Parse(fileText);
        var payload = mirror.RootElement.GetProperty("clientSecretProtected").GetString()!;

        // In memory: the same payload, and only the payload.
        var stored = sandbox.Host.Platform.Settings!;
        Assert.Equal(payload, stored.ProtectedSecret);
        Assert.DoesNotContain(secret, stored.ProtectedSecret);
        Assert.DoesNotContain(secret, stored.ToString());

        // It is a real Data Protection payload: the key ring in the state directory opens it, with that purpose only.
        var provider = DataProtectionProvider.Create(new DirectoryInfo(keyDirectory), b => b.SetApplicationName("MailOAuth.Sandbox"));
        Assert.Equal(secret, provider.CreateProtector("MailOAuth.Sandbox.Platform.SmtpSecret").Unprotect(payload));
        Assert.ThrowsAny<CryptographicException>(() => provider.CreateProtector("another purpose").Unprotect(payload));

        Assert.DoesNotContain(secret, await sandbox.Client.GetStringAsync("_sandbox/platform"));
        Assert.DoesNotContain(secret, await sandbox.Client.GetStringAsync("_sandbox/requests"));
    }

    [Fact]
    public async Task The_admin_page_shows_the_last_error_at_the_top_and_never_the_secret()
    {
        await ResetAsync();
        const string WrongSecret = "Wrong8Q~secretvaluethatwasneverissued00";
        var body = Settings(Info.Apps.Consented);
        body["clientSecret"] = WrongSecret;
        (await CallAsync(HttpMethod.Put, SettingsPath, body)).AssertStatus(200);
        var test = await CallAsync(HttpMethod.Post, TestPath, new { to = Info.Mailboxes.Other });
        var message = test.Body.GetProperty("error").GetProperty("message").GetString()!;

        var page = await AdminPageAsync();

        var banner = page.IndexOf(WebUtility.HtmlEncode("Authentication failed: " + message), StringComparison.Ordinal);
        Assert.True(banner >= 0, page);
        Assert.True(banner < page.IndexOf("<form", StringComparison.Ordinal), "the error must come before the form");
        Assert.Contains("class=\"banner error\"", page);
        Assert.Contains("AADSTS7000215", page);
        Assert.DoesNotContain(WrongSecret, page);
        Assert.DoesNotContain(Info.Apps.Consented.ClientSecret, page);
        Assert.Contains("Wro••••••••", page); // the hint
        Assert.Contains("Last updated", page);
        Assert.Contains($"value=\"{Info.Apps.Consented.ClientId}\"", page);
        Assert.Contains("type=\"password\"", page);

        // A Graph refusal: the code and message, verbatim.
        (await CallAsync(HttpMethod.Put, SettingsPath, Settings(Info.Apps.Consented, sender: Info.Mailboxes.Unlicensed))).AssertStatus(200);
        (await CallAsync(HttpMethod.Post, TestPath, new { to = Info.Mailboxes.Other })).AssertStatus(200);
        page = await AdminPageAsync();
        Assert.Contains("Sending failed: MailboxNotEnabledForRESTAPI: The mailbox is either inactive, soft-deleted, or is hosted on-premise.", page);
        Assert.DoesNotContain(Info.Apps.Consented.ClientSecret, page);

        // A delivered test turns the banner green.
        (await CallAsync(HttpMethod.Put, SettingsPath, Settings(Info.Apps.Consented))).AssertStatus(200);
        (await CallAsync(HttpMethod.Post, TestPath, new { to = Info.Mailboxes.Other })).AssertStatus(200);
        page = await AdminPageAsync();
        Assert.Contains("class=\"banner ok\"", page);
        Assert.DoesNotContain("class=\"banner error\"", page);
        Assert.Contains(WebUtility.HtmlEncode($"Test email sent to {Info.Mailboxes.Other}."), page);
    }

    [Fact]
    public async Task The_admin_forms_save_and_test_with_post_redirect_get()
    {
        await ResetAsync();
        using var client = NonRedirectingClient();
        var app = Info.Apps.Consented;

        // No secret stored and none given: rejected, nothing stored.
        using (var rejected = await PostFormAsync(client, AdminPath, new() { ["tenantId"] = Info.TenantId, ["clientId"] = app.ClientId, ["clientSecret"] = "", ["senderAddress"] = Info.Mailboxes.Licensed }))
        {
            Assert.Equal(HttpStatusCode.SeeOther, rejected.StatusCode);
        }

        Assert.Contains("Client secret is required.", await AdminPageAsync());
        Assert.Equal(JsonValueKind.Null, (await CallAsync(HttpMethod.Get, SettingsPath)).Body.GetProperty("clientId").ValueKind);

        using (var saved = await PostFormAsync(client, AdminPath, new() { ["tenantId"] = Info.TenantDomain, ["clientId"] = app.ClientId, ["clientSecret"] = app.ClientSecret, ["senderAddress"] = Info.Mailboxes.Licensed }))
        {
            Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
            Assert.Equal("/admin/reseller-settings/smtp", saved.Headers.Location!.OriginalString);
        }

        var view = await CallAsync(HttpMethod.Get, SettingsPath);
        Assert.Equal(Info.TenantDomain, view.String("tenantId"));
        Assert.Equal(app.ClientSecret[..3], view.String("clientSecretHint"));
        Assert.Contains("SMTP Email Settings saved.", await AdminPageAsync());

        // A blank password field keeps the stored secret.
        using (var kept = await PostFormAsync(client, AdminPath, new() { ["tenantId"] = Info.TenantId, ["clientId"] = app.ClientId, ["clientSecret"] = "", ["senderAddress"] = Info.Mailboxes.Other }))
        {
            Assert.Equal(HttpStatusCode.SeeOther, kept.StatusCode);
        }

        view = await CallAsync(HttpMethod.Get, SettingsPath);
        Assert.Equal(Info.Mailboxes.Other, view.String("senderAddress"));
        Assert.Equal(app.ClientSecret[..3], view.String("clientSecretHint"));

        // A rejected form save: the typed values come back (encoded), the stored settings stay.
        using (var bad = await PostFormAsync(client, AdminPath, new() { ["tenantId"] = "\"><script>alert(1)</script>", ["clientId"] = app.ClientId, ["clientSecret"] = "", ["senderAddress"] = Info.Mailboxes.Licensed }))
        {
            Assert.Equal(HttpStatusCode.SeeOther, bad.StatusCode);
        }

        var page = await AdminPageAsync();
        Assert.DoesNotContain("<script>", page);
        Assert.Contains("&lt;script&gt;", page);
        Assert.Contains("Settings were not saved: Tenant ID must be a GUID or a domain name.", page);
        Assert.Equal(Info.Mailboxes.Other, (await CallAsync(HttpMethod.Get, SettingsPath)).String("senderAddress"));

        // The test form: really sent (through the kept secret), then a green banner.
        using (var tested = await PostFormAsync(client, AdminPath + "/test", new() { ["to"] = Info.Mailboxes.Licensed }))
        {
            Assert.Equal(HttpStatusCode.SeeOther, tested.StatusCode);
            Assert.Equal("/admin/reseller-settings/smtp", tested.Headers.Location!.OriginalString);
        }

        var message = Assert.Single(await OutboxAsync());
        Assert.Equal(Info.Mailboxes.Other, message.GetProperty("sender").GetString());
        page = await AdminPageAsync();
        Assert.Contains("class=\"banner ok\"", page);
        Assert.Contains(message.GetProperty("id").GetString()!, page);
        Assert.DoesNotContain(app.ClientSecret, page);
    }

    [Fact]
    public async Task Injected_faults_hit_the_platform_in_its_own_shape_and_its_calls_to_graph_like_any_client()
    {
        await ResetAsync();
        (await CallAsync(HttpMethod.Put, SettingsPath, Settings(Info.Apps.Consented))).AssertStatus(200);
        try
        {
            (await sandbox.Client.PostAsync("_sandbox/faults", Json(new { pathPattern = "^/api/v1/reseller/smtp-settings$", method = "GET", status = 503, retryAfter = "2" }))).EnsureSuccessStatusCode();
            using (var request = new HttpRequestMessage(HttpMethod.Get, SettingsPath))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Info.Platform.ApiToken);
                using var response = await sandbox.Client.SendAsync(request);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("2", response.Headers.GetValues("Retry-After").Single());
                Assert.Equal("""{"errors":[{"field":null,"message":"The service is temporarily unavailable. Please try again later."}]}""", await response.Content.ReadAsStringAsync());
            }

            (await CallAsync(HttpMethod.Get, SettingsPath)).AssertStatus(200);

            // A fault on sendMail reaches the platform's own Graph call.
            (await sandbox.Client.PostAsync("_sandbox/faults", Json(new { pathPattern = "/sendMail$", status = 503 }))).EnsureSuccessStatusCode();
            var test = await CallAsync(HttpMethod.Post, TestPath, new { to = Info.Mailboxes.Other });
            Assert.False(test.Body.GetProperty("delivered").GetBoolean());
            Assert.Equal("serviceNotAvailable", test.Body.GetProperty("error").GetProperty("code").GetString());
        }
        finally
        {
            await sandbox.Client.DeleteAsync("_sandbox/faults");
        }
    }

    // ---- helpers ----

    private async Task ResetAsync()
    {
        await sandbox.ResetAsync();
        using var response = await sandbox.Client.PostAsync("_sandbox/reset-platform", null);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private Dictionary<string, object?> Settings(SandboxApp app, string? sender = null) => new()
    {
        ["provider"] = "MicrosoftGraphOAuth",
        ["tenantId"] = Info.TenantId,
        ["clientId"] = app.ClientId,
        ["clientSecret"] = app.ClientSecret,
        ["senderAddress"] = sender ?? Info.Mailboxes.Licensed,
    };

    /// <summary>A platform call: Bearer (the full token unless told) or, with <paramref name="apiKey"/>, X-Api-Key only. A string body is sent raw.</summary>
    private async Task<GraphResult> CallAsync(HttpMethod method, string path, object? body = null, string? token = null, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Info.Platform.ApiToken);
        }

        if (body is not null)
        {
            request.Content = body is string raw ? new StringContent(raw, Encoding.UTF8, "application/json") : Json(body);
        }

        using var response = await sandbox.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length > 0)
        {
            Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        }

        return new GraphResult((int)response.StatusCode, text, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private async Task<List<JsonElement>> OutboxAsync()
    {
        using var outbox = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/outbox"));
        return [.. outbox.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private async Task<string> AdminPageAsync()
    {
        using var response = await sandbox.Client.GetAsync(AdminPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private HttpClient NonRedirectingClient()
    {
        var thumbprint = sandbox.Host.Certificate.Thumbprint;
        return new HttpClient(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Thumbprint == thumbprint,
        })
        {
            BaseAddress = new Uri(Info.BaseUri + "/"),
        };
    }

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, Dictionary<string, string> fields) =>
        client.PostAsync(path, new FormUrlEncodedContent(fields));
}
