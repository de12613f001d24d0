using System.Net.Http.Json;
using System.Text.Json;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using Xunit;

namespace MailOAuth.Core.Tests.Entra;

/// <summary>
/// Writes whose answer is lost or contested: a lost addPassword answer leaves no live secret nobody
/// holds, and a concurrent onboarding that created the app first (409 on the alternate key) is joined,
/// not reported as a failure.
/// </summary>
public sealed class AmbiguousWriteTests : IClassFixture<CoreSandboxFixture>, IAsyncLifetime
{
    private readonly CoreSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public AmbiguousWriteTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ResetDirectoryAsync();
        await _sandbox.ResetAsync();
    }

    public Task DisposeAsync()
    {
        foreach (var s in _sessions) s.Dispose();
        return Task.CompletedTask;
    }

    private async Task<MailOAuthSession> ConnectedAsync()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        await _sandbox.ConnectAdminAsync(session);
        return session;
    }

    private async Task FaultAsync(object fault)
    {
        using var response = await _sandbox.Control.PostAsJsonAsync("_sandbox/faults", fault);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> AppNamedAsync(string name) =>
        Assert.Single(CoreSandboxFixture.Items(await _sandbox.DirectoryAsync(), "applications"),
            a => a.GetProperty("displayName").GetString() == name);

    private static int Secrets(JsonElement app) =>
        app.TryGetProperty("passwordCredentials", out var p) && p.ValueKind == JsonValueKind.Array ? p.GetArrayLength() : 0;

    [Fact]
    public async Task A_lost_addPassword_answer_removes_the_secret_nobody_received_and_names_it()
    {
        var session = await ConnectedAsync();
        const string name = "Lost Answer OAuth";
        await FaultAsync(new { pathPattern = "/addPassword$", status = 0, afterProcessing = true, count = 1 });

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = name }, CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.NetworkFailure, ex.Code);
        Assert.Contains("had taken effect", ex.Message);
        Assert.Contains("was removed", ex.Message);
        Assert.Matches(@"secret [0-9a-f\-]{36} \(hint .{3}…\)", ex.Message);
        Assert.Equal(0, Secrets(await AppNamedAsync(name)));
        Assert.Single(await _sandbox.RequestsAsync(), r => r.Path.EndsWith("/addPassword", StringComparison.Ordinal));

        // The re-run completes the app with exactly one secret, whose value it returns.
        var outcome = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = name }, CoreSandboxFixture.Timeout());
        Assert.Equal(40, outcome.ClientSecret.Length);
        Assert.Equal(1, Secrets(await AppNamedAsync(name)));
    }

    [Fact]
    public async Task A_504_on_addPassword_that_made_nothing_says_so_and_removes_nothing()
    {
        var session = await ConnectedAsync();
        const string name = "Gateway Timeout OAuth";
        var first = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = name }, CoreSandboxFixture.Timeout());
        await FaultAsync(new { pathPattern = "/addPassword$", status = 504, count = 1 });

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = name }, CoreSandboxFixture.Timeout()));

        Assert.Contains("show no new secret", ex.Message);
        var app = await AppNamedAsync(name);
        Assert.Equal(1, Secrets(app));
        Assert.Equal(first.SecretKeyId, app.GetProperty("passwordCredentials")[0].GetProperty("keyId").GetString());
    }

    [Fact]
    public async Task A_409_on_the_alternate_key_joins_the_app_a_concurrent_run_created()
    {
        var session = await ConnectedAsync();
        const string name = "Concurrent OAuth";
        var other = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = name }, CoreSandboxFixture.Timeout());
        // This run's reads happened before the other run's create; its upsert then meets the other's app.
        await FaultAsync(new { pathPattern = @"^/v1\.0/applications\(uniqueName=", method = "GET", status = 404, count = 1,
            body = "{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":\"Resource does not exist or one of its queried reference-property objects are not present.\"}}" });
        await FaultAsync(new { pathPattern = @"^/v1\.0/applications$", method = "GET", status = 200, count = 1, body = "{\"value\":[]}" });
        await FaultAsync(new { pathPattern = @"^/v1\.0/applications\(uniqueName=", method = "PATCH", status = 409, count = 1,
            body = "{\"error\":{\"code\":\"Request_MultipleObjectsWithSameKeyValue\",\"message\":\"Another object with the same value for property uniqueName already exists.\"}}" });

        var outcome = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = name }, CoreSandboxFixture.Timeout());

        Assert.Equal(other.ClientId, outcome.ClientId);
        var app = await AppNamedAsync(name);
        Assert.Equal(2, Secrets(app));
    }
}
