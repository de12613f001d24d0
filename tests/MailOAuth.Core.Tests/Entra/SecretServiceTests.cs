using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Core.Platform;
using Xunit;

namespace MailOAuth.Core.Tests.Entra;

/// <summary>
/// Get-/Update-/Remove-MailOAuthSecret's Core (<see cref="SecretService"/>) against the sandbox: which secrets a
/// rotation removes, that an unproven new secret is not left behind, refusals before any write, and the listing.
/// The Pester tests (Secrets.Tests.ps1) cover the platform path end to end.
/// </summary>
public sealed class SecretServiceTests : IClassFixture<CoreSandboxFixture>, IAsyncLifetime
{
    private readonly CoreSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public SecretServiceTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

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

    private async Task<MailOAuthSession> ConnectedAsync()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        await _sandbox.ConnectAdminAsync(session);
        return session;
    }

    private PlatformTarget Platform => new(new Uri(_sandbox.Info.Platform.Uri), SecretText.Protect(_sandbox.Info.Platform.ApiToken));

    private static async Task<List<string>> KeyIdsAsync(MailOAuthSession session, string clientId) =>
        (await new SecretService(session).ListAsync(new SecretQuery { ClientId = clientId }, CoreSandboxFixture.Timeout()).ConfigureAwait(false))
            .Where(r => r.CredentialType == "ClientSecret").Select(r => r.KeyId).ToList();

    [Fact]
    public async Task Rotate_without_a_platform_removes_MailOAuths_older_secrets_and_keeps_the_new_one()
    {
        var session = await ConnectedAsync();
        var provisioner = new AppProvisioner(session);
        var first = await provisioner.NewAsync(new NewAppRequest { DisplayName = "Rotate me" }, CoreSandboxFixture.Timeout());
        var second = await provisioner.NewAsync(new NewAppRequest { DisplayName = "Rotate me" }, CoreSandboxFixture.Timeout());
        await new ConsentService(session).GrantAsync(new GrantRequest { ClientId = first.ClientId }, CoreSandboxFixture.Timeout());
        await _sandbox.ClearRequestLogAsync();

        var outcome = await new SecretService(session).RotateAsync(new RotateRequest { ClientId = first.ClientId }, CoreSandboxFixture.Timeout());

        Assert.Equal(new[] { first.SecretKeyId, second.SecretKeyId }.OrderBy(k => k), outcome.RemovedKeyIds.OrderBy(k => k));
        Assert.Equal(new[] { "Token" }, outcome.ProvenBy);
        Assert.False(outcome.PlatformUpdated);
        Assert.Equal(new[] { outcome.SecretKeyId }, await KeyIdsAsync(session, first.ClientId));
        Assert.Equal(outcome.SecretHint, SecretText.Reveal(outcome.ClientSecret).Substring(0, 3));
        var log = await _sandbox.RequestsAsync();
        var firstToken = log.FindIndex(e => e.Kind == "token" && e.ClientId == first.ClientId);
        var firstRemoval = log.FindIndex(e => e.Path.EndsWith("removePassword", StringComparison.Ordinal));
        Assert.InRange(firstToken, 0, firstRemoval - 1); // proven before anything is removed
    }

    [Fact]
    public async Task An_unproven_new_secret_is_removed_again_and_every_old_secret_kept()
    {
        var session = await ConnectedAsync();
        // No consent: no token ever carries Mail.Send, so the proof runs out of its (short) budget.
        var app = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Never proven" }, CoreSandboxFixture.Timeout());

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new SecretService(session).RotateAsync(
            new RotateRequest { ClientId = app.ClientId, ReplicationBudget = TimeSpan.FromSeconds(2) }, CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.ReplicationTimeout, ex.Code);
        Assert.Contains("removed again", ex.Diagnosis.Message);
        Assert.Contains("Every old secret was kept", ex.Diagnosis.Message);
        Assert.Equal(new[] { app.SecretKeyId }, await KeyIdsAsync(session, app.ClientId));
    }

    [Fact]
    public async Task A_platform_holding_another_app_is_refused_before_any_write()
    {
        var session = await ConnectedAsync();
        var consented = _sandbox.Info.Apps.Consented;
        await new PlatformClient(session).SetAsync(Platform, new SmtpSettingsInput
        {
            TenantId = _sandbox.Info.TenantId, ClientId = consented.ClientId, ClientSecret = SecretText.Protect(consented.ClientSecret),
            SenderAddress = _sandbox.Info.Mailboxes.Licensed,
        }, CoreSandboxFixture.Timeout());
        var app = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Not the platform's" }, CoreSandboxFixture.Timeout());
        await _sandbox.ClearRequestLogAsync();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new SecretService(session).RotateAsync(
            new RotateRequest { ClientId = app.ClientId, Platform = Platform }, CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.PlatformAppMismatch, ex.Code);
        Assert.Contains(consented.ClientId, ex.Diagnosis.Message);
        Assert.Empty(await _sandbox.DirectoryWritesAsync());
        Assert.DoesNotContain(await _sandbox.RequestsAsync(), e => e.Kind == "platform" && e.Method != "GET");
    }

    [Fact]
    public async Task The_listing_marks_expired_secrets_and_the_platforms_one()
    {
        var session = await ConnectedAsync();
        var consented = _sandbox.Info.Apps.Consented;
        await new PlatformClient(session).SetAsync(Platform, new SmtpSettingsInput
        {
            TenantId = _sandbox.Info.TenantId, ClientId = consented.ClientId, ClientSecret = SecretText.Protect(consented.ClientSecret),
            SenderAddress = _sandbox.Info.Mailboxes.Licensed,
        }, CoreSandboxFixture.Timeout());

        var rows = await new SecretService(session).ListAsync(new SecretQuery { All = true, Platform = Platform }, CoreSandboxFixture.Timeout());

        var expired = Assert.Single(rows, r => r.ClientId == _sandbox.Info.Apps.ExpiredSecret.ClientId && r.CredentialType == "ClientSecret");
        Assert.Equal("Expired", expired.Status);
        Assert.True(expired.DaysLeft < 0);
        Assert.False(expired.InUseByPlatform);
        Assert.True(Assert.Single(rows, r => r.ClientId == consented.ClientId).InUseByPlatform);
        var soon = await new SecretService(session).ListAsync(new SecretQuery { All = true, ExpiringWithinDays = 0 }, CoreSandboxFixture.Timeout());
        Assert.All(soon, r => Assert.Equal("Expired", r.Status));
        Assert.Contains(soon, r => r.KeyId == expired.KeyId);
    }
}
