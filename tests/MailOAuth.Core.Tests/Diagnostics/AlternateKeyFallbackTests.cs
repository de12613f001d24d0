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

/// <summary>The alternate-key fallback of New-MailOAuthApp reacts to "this uniqueName is held" only.</summary>
public sealed class AlternateKeyFallbackTests : IClassFixture<CoreSandboxFixture>, IAsyncLifetime
{
    private readonly CoreSandboxFixture _sandbox;
    private MailOAuthSession? _session;

    public AlternateKeyFallbackTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ResetDirectoryAsync();
        await _sandbox.ResetAsync();
        _session = _sandbox.NewSession();
        await _sandbox.ConnectAdminAsync(_session);
        await _sandbox.ClearRequestLogAsync();
    }

    public Task DisposeAsync()
    {
        _session?.Dispose();
        return Task.CompletedTask;
    }

    private async Task AddUpsertFaultAsync(string message, int count)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { error = new { code = "Request_BadRequest", message } });
        using var response = await _sandbox.Control.PostAsJsonAsync("_sandbox/faults", new { pathPattern = "applications\\(uniqueName=", method = "PATCH", status = 400, body, count });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<List<string>> UpsertPathsAsync() =>
        (await _sandbox.RequestsAsync()).Where(r => r.Method == "PATCH" && r.Path.Contains("uniqueName")).Select(r => Uri.UnescapeDataString(r.Path)).ToList();

    [Fact]
    public async Task Another_Request_BadRequest_is_reported_not_worked_around_with_other_keys()
    {
        await AddUpsertFaultAsync("Invalid value specified for property 'displayName' of resource 'Application'.", count: 5);

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new AppProvisioner(_session!).NewAsync(new NewAppRequest { DisplayName = "Bad request app" }, CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.UnexpectedResponse, ex.Code);
        Assert.Equal("Request_BadRequest", ex.Diagnosis.ServiceCode);
        Assert.Single(await UpsertPathsAsync());
    }

    [Fact]
    public async Task A_uniqueName_held_by_a_deleted_app_takes_the_next_key()
    {
        await AddUpsertFaultAsync("Another object with the same value for property uniqueName already exists.", count: 1);

        var outcome = await new AppProvisioner(_session!).NewAsync(new NewAppRequest { DisplayName = "Held key app" }, CoreSandboxFixture.Timeout());

        Assert.Equal("Created", outcome.Provisioning);
        var paths = await UpsertPathsAsync();
        Assert.Equal(2, paths.Count);
        Assert.Contains(EntraIds.UniqueNameFor("Held key app", 2), paths[1]);
    }

    [Theory]
    [InlineData("   ")]
    [InlineData("Email\r\nOAuth")]
    public async Task A_blank_or_control_character_name_is_refused_before_any_request(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => new AppProvisioner(_session!).NewAsync(new NewAppRequest { DisplayName = name }, CoreSandboxFixture.Timeout()));
        Assert.Empty(await _sandbox.RequestsAsync());
    }
}
