using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace MailOAuth.Core.Tests.Sandbox;

/// <summary>The <c>/_sandbox/*</c> control endpoints: request log and injected faults (docs/sandbox.md).</summary>
[Collection(SandboxCollection.Name)]
public sealed class SandboxControlTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Request_log_counts_token_requests_and_holds_no_secret()
    {
        await sandbox.ResetAsync();
        var apps = sandbox.Info.Apps;
        var token = await sandbox.GetAccessTokenAsync(apps.Consented);
        (await sandbox.RequestTokenAsync(apps.Consented, secret: "wrong-secret-value")).Dispose();
        (await sandbox.RequestTokenAsync(apps.Unconsented)).Dispose();
        (await sandbox.Client.SendAsync(SandboxFixture.SendMailRequest(sandbox.Info.Mailboxes.Licensed, token))).Dispose();
        (await sandbox.Client.GetAsync("_sandbox/outbox")).Dispose(); // control requests are not logged

        var text = await sandbox.Client.GetStringAsync("_sandbox/requests");

        using var json = JsonDocument.Parse(text);
        var entries = json.RootElement.EnumerateArray().ToList();
        var tokens = entries.Where(e => e.GetProperty("kind").GetString() == "token").ToList();
        Assert.Equal(3, tokens.Count);
        Assert.Equal([200, 401, 200], tokens.Select(e => e.GetProperty("status").GetInt32()).ToArray());
        Assert.Equal([apps.Consented.ClientId, apps.Consented.ClientId, apps.Unconsented.ClientId],
            tokens.Select(e => e.GetProperty("clientId").GetString()!).ToArray());
        Assert.All(tokens, e => Assert.Equal($"/{sandbox.Info.TenantId}/oauth2/v2.0/token", e.GetProperty("path").GetString()));
        var graph = Assert.Single(entries, e => e.GetProperty("kind").GetString() == "graph");
        Assert.Equal(202, graph.GetProperty("status").GetInt32());
        Assert.Equal(apps.Consented.ClientId, graph.GetProperty("clientId").GetString());
        Assert.Equal(4, entries.Count);
        Assert.DoesNotContain(apps.Consented.ClientSecret, text);
        Assert.DoesNotContain(apps.Unconsented.ClientSecret, text);
        Assert.DoesNotContain("wrong-secret-value", text);
        Assert.DoesNotContain(token, text);
    }

    [Fact]
    public async Task Fault_is_served_with_retry_after_verbatim_and_consumed_after_count()
    {
        await sandbox.ResetAsync();
        using var created = await sandbox.Client.PostAsJsonAsync("_sandbox/faults", new
        {
            pathPattern = "/oauth2/v2.0/token$",
            method = "POST",
            status = 429,
            retryAfter = "0.5",
            count = 2,
        });
        Assert.Equal(201, (int)created.StatusCode);
        Assert.True(Guid.TryParse((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString(), out _));

        for (var i = 0; i < 2; i++)
        {
            using var faulted = await sandbox.RequestTokenAsync(sandbox.Info.Apps.Consented);
            Assert.Equal(429, (int)faulted.StatusCode);
            Assert.Equal("0.5", faulted.Headers.NonValidated["Retry-After"].ToString()); // raw, even if not an integer
            using var body = JsonDocument.Parse(await faulted.Content.ReadAsStringAsync());
            Assert.Equal("temporarily_unavailable", body.RootElement.GetProperty("error").GetString());
            Assert.Equal(JsonValueKind.Number, body.RootElement.GetProperty("error_codes")[0].ValueKind);
        }

        using var after = await sandbox.RequestTokenAsync(sandbox.Info.Apps.Consented);
        Assert.Equal(200, (int)after.StatusCode);
        Assert.False(after.Headers.Contains("Retry-After"));

        using var log = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/requests"));
        Assert.Equal([429, 429, 200], log.RootElement.EnumerateArray().Select(e => e.GetProperty("status").GetInt32()).ToArray());
    }

    [Fact]
    public async Task Graph_fault_gets_a_graph_shaped_body_with_an_http_date_retry_after()
    {
        await sandbox.ResetAsync();
        var token = await sandbox.GetAccessTokenAsync(sandbox.Info.Apps.Consented);
        const string httpDate = "Wed, 21 Oct 2015 07:28:00 GMT";
        (await sandbox.Client.PostAsJsonAsync("_sandbox/faults", new { pathPattern = "(?i)/sendmail$", status = 503, retryAfter = httpDate })).Dispose();

        using var faulted = await sandbox.Client.SendAsync(SandboxFixture.SendMailRequest(sandbox.Info.Mailboxes.Licensed, token));
        using var next = await sandbox.Client.SendAsync(SandboxFixture.SendMailRequest(sandbox.Info.Mailboxes.Licensed, token));

        Assert.Equal(503, (int)faulted.StatusCode);
        Assert.Equal(httpDate, faulted.Headers.NonValidated["Retry-After"].ToString());
        using var body = JsonDocument.Parse(await faulted.Content.ReadAsStringAsync());
        Assert.Equal("serviceNotAvailable", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.True(faulted.Headers.Contains("request-id"));
        Assert.Equal(202, (int)next.StatusCode); // count defaults to 1
    }

    [Fact]
    public async Task Status_zero_fault_aborts_the_connection()
    {
        await sandbox.ResetAsync();
        (await sandbox.Client.PostAsJsonAsync("_sandbox/faults", new { pathPattern = "/openid-configuration$", status = 0 })).Dispose();
        var path = $"{sandbox.Info.TenantId}/v2.0/.well-known/openid-configuration";

        await Assert.ThrowsAsync<HttpRequestException>(() => sandbox.Client.GetAsync(path));
        using var next = await sandbox.Client.GetAsync(path);

        Assert.Equal(200, (int)next.StatusCode);
        using var log = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/requests"));
        Assert.Equal([0, 200], log.RootElement.EnumerateArray().Select(e => e.GetProperty("status").GetInt32()).ToArray());
    }

    [Fact]
    public async Task Fault_with_a_raw_body_and_latency_sends_that_body()
    {
        await sandbox.ResetAsync();
        (await sandbox.Client.PostAsJsonAsync("_sandbox/faults", new
        {
            pathPattern = "/discovery/v2.0/keys$",
            status = 500,
            latencyMs = 20,
            body = """{"custom":true}""",
        })).Dispose();

        using var response = await sandbox.Client.GetAsync($"{sandbox.Info.TenantId}/discovery/v2.0/keys");

        Assert.Equal(500, (int)response.StatusCode);
        Assert.Equal("""{"custom":true}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Invalid_fault_is_rejected_with_400()
    {
        using var response = await sandbox.Client.PostAsJsonAsync("_sandbox/faults", new { pathPattern = "(", status = 500 });

        Assert.Equal(400, (int)response.StatusCode);
    }
}
