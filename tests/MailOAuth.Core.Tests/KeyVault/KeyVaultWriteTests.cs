using System.Net;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Cloud;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Core.KeyVault;
using MailOAuth.Core.Tests.Entra;
using Xunit;

namespace MailOAuth.Core.Tests.KeyVault;

/// <summary>
/// -KeyVaultUri's Core against the sandbox's Key Vault: the SDK's challenge flow over the module's stack, the tags
/// and expiry of the stored version, a new version per rotation, and every failure mapped to its code while the
/// value stays in the outcome. KeyVaultChallengeTests covers what a fake vault answers.
/// </summary>
public sealed class KeyVaultWriteTests : IClassFixture<CoreSandboxFixture>, IAsyncLifetime
{
    private readonly CoreSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public KeyVaultWriteTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ResetDirectoryAsync();
        await _sandbox.ResetAsync();
        using var response = await _sandbox.Control.DeleteAsync("_sandbox/keyvault");
        Assert.True(response.IsSuccessStatusCode);
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

    private Uri OpenVault => new(_sandbox.Info.KeyVault.Uri);

    /// <summary>
    /// The SDK caches each vault's challenge process-wide (by host and port), so only a process's first request to a
    /// vault shows the challenge; the test that looks at it clears that cache (the SDK's own internal method).
    /// </summary>
    private static void ForgetChallenges()
    {
        var policy = typeof(SecretClient).Assembly.GetType("Azure.Security.KeyVault.ChallengeBasedAuthenticationPolicy", throwOnError: true)!;
        var clear = policy.GetMethod("ClearCache", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic);
        Assert.NotNull(clear);
        clear!.Invoke(null, null);
    }

    [Fact]
    public async Task New_with_a_vault_stores_the_value_with_tags_content_type_and_the_secrets_expiry_after_the_challenge()
    {
        var session = await ConnectedAsync();
        await _sandbox.ClearRequestLogAsync();
        ForgetChallenges();

        var outcome = await new AppProvisioner(session).NewAsync(new NewAppRequest
        {
            DisplayName = "Email OAuth (vault)", KeyVault = new KeyVaultRequest { VaultUri = OpenVault },
        }, CoreSandboxFixture.Timeout());

        Assert.Equal(KeyVaultStatus.Stored, outcome.KeyVault.Status);
        Assert.Null(outcome.KeyVault.Diagnosis);
        var stored = _sandbox.Host.KeyVaults.Get(_sandbox.Host.KeyVaults.Find("mailoauth")!, "Email-OAuth-vault", null);
        Assert.NotNull(stored);
        var version = stored!.Value.Version;
        Assert.Equal(SecretText.Reveal(outcome.ClientSecret), version.Value);
        Assert.Equal("client-secret", version.ContentType);
        Assert.Equal(outcome.SecretExpiresOn.ToUnixTimeSeconds(), version.Expires!.Value.ToUnixTimeSeconds());
        Assert.Equal(outcome.ClientId, version.Tags["ClientId"]);
        Assert.Equal(outcome.SecretKeyId, version.Tags["KeyId"]);
        Assert.Equal(outcome.TenantId, version.Tags["TenantId"]);
        Assert.Equal("MailOAuth", version.Tags["ManagedBy"]);
        Assert.Equal(outcome.SecretExpiresOn.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), version.Tags["ExpiresOn"]);
        Assert.Equal(new Uri($"{_sandbox.Info.KeyVault.Uri}/secrets/Email-OAuth-vault/{version.Version}"), outcome.KeyVault.SecretId);

        // The SDK's first request carries no token (and no body): 401 with the challenge, then the real PUT.
        var vaultRequests = (await _sandbox.RequestsAsync()).Where(r => r.Kind == "keyvault").ToList();
        Assert.Equal(new[] { ("PUT", 401), ("PUT", 200) }, vaultRequests.Select(r => (r.Method, r.Status)));
        Assert.All(vaultRequests, r => Assert.Equal("/secrets/Email-OAuth-vault", r.Path));
        Assert.Equal(_sandbox.Info.Admin.ClientId, vaultRequests[1].ClientId);
    }

    [Fact]
    public async Task A_rotation_without_a_platform_stores_a_new_version_of_the_same_secret()
    {
        var session = await ConnectedAsync();
        var vault = new KeyVaultRequest { VaultUri = OpenVault, SecretName = "rotated" };
        var created = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Rotated in vault", KeyVault = vault }, CoreSandboxFixture.Timeout());
        await new ConsentService(session).GrantAsync(new GrantRequest { ClientId = created.ClientId }, CoreSandboxFixture.Timeout());

        var rotated = await new SecretService(session).RotateAsync(new RotateRequest { ClientId = created.ClientId, KeyVault = vault }, CoreSandboxFixture.Timeout());

        Assert.Equal(KeyVaultStatus.Stored, rotated.KeyVault.Status);
        var versions = _sandbox.Host.KeyVaults.Versions(_sandbox.Host.KeyVaults.Find("mailoauth")!, "rotated")!;
        Assert.Equal(2, versions.Count);
        Assert.Equal(created.SecretKeyId, versions[0].Tags["KeyId"]);
        Assert.Equal(rotated.SecretKeyId, versions[1].Tags["KeyId"]);
        Assert.Equal(SecretText.Reveal(rotated.ClientSecret), versions[1].Value);
        Assert.EndsWith("/" + versions[1].Version, rotated.KeyVault.SecretId!.AbsolutePath);
        Assert.Contains(created.SecretKeyId, rotated.RemovedKeyIds); // the rotation finished as without a vault
    }

    private MailOAuth.Core.Platform.PlatformTarget PlatformTarget => new(new Uri(_sandbox.Info.Platform.Uri), SecretText.Protect(_sandbox.Info.Platform.ApiToken));

    /// <summary>A consented app whose first secret the platform holds.</summary>
    private async Task<NewAppOutcome> PlatformAppAsync(MailOAuthSession session, string name)
    {
        await _sandbox.ResetPlatformAsync();
        var app = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = name }, CoreSandboxFixture.Timeout());
        await new ConsentService(session).GrantAsync(new GrantRequest { ClientId = app.ClientId }, CoreSandboxFixture.Timeout());
        await new MailOAuth.Core.Platform.PlatformClient(session).SetAsync(PlatformTarget, new MailOAuth.Core.Platform.SmtpSettingsInput
        {
            TenantId = app.TenantId, ClientId = app.ClientId, ClientSecret = app.ClientSecret, SenderAddress = _sandbox.Info.Mailboxes.Licensed,
        }, CoreSandboxFixture.Timeout());
        return app;
    }

    [Fact]
    public async Task A_rejected_platform_save_discards_the_new_secret_before_it_reaches_the_vault()
    {
        var session = await ConnectedAsync();
        var app = await PlatformAppAsync(session, "Rejected save");
        await _sandbox.PostControlAsync("_sandbox/faults", new { pathPattern = "smtp-settings$", method = "PUT", status = 422, count = 1,
            body = "{\"errors\":[{\"field\":\"clientSecret\",\"message\":\"Rejected.\"}]}" });
        await _sandbox.ClearRequestLogAsync();

        await Assert.ThrowsAsync<MailOAuthException>(() => new SecretService(session).RotateAsync(
            new RotateRequest { ClientId = app.ClientId, Platform = PlatformTarget, KeyVault = new KeyVaultRequest { VaultUri = OpenVault } }, CoreSandboxFixture.Timeout()));

        Assert.DoesNotContain(await _sandbox.RequestsAsync(), r => r.Kind == "keyvault");
        Assert.Empty(_sandbox.Host.KeyVaults.Snapshot());
    }

    [Fact]
    public async Task A_failed_platform_test_leaves_the_new_value_in_the_vault_and_the_error_says_where()
    {
        var session = await ConnectedAsync();
        var app = await PlatformAppAsync(session, "Failed test");
        await _sandbox.PostControlAsync("_sandbox/faults", new { pathPattern = "smtp-settings/test$", method = "POST", status = 200, count = 1,
            body = "{\"delivered\":false,\"error\":{\"code\":\"SMTP_FAILED\",\"message\":\"Refused.\"}}" });

        var error = await Assert.ThrowsAsync<MailOAuthException>(() => new SecretService(session).RotateAsync(
            new RotateRequest { ClientId = app.ClientId, Platform = PlatformTarget, KeyVault = new KeyVaultRequest { VaultUri = OpenVault } }, CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.PlatformTestFailed, error.Code);
        var stored = _sandbox.Host.KeyVaults.Get(_sandbox.Host.KeyVaults.Find("mailoauth")!, "Failed-test", null)!.Value;
        Assert.Contains($"/secrets/Failed-test/{stored.Version.Version}", error.Diagnosis.Message);
        Assert.Equal(_sandbox.Host.Platform.Settings!.SecretHint, stored.Version.Value[..3]); // the platform holds what the vault holds
        Assert.NotEqual(app.SecretKeyId, stored.Version.Tags["KeyId"]);
    }

    [Theory]
    [InlineData("denied", false, DiagnosisCode.KeyVaultAccessDenied)]
    [InlineData("mailoauth", true, DiagnosisCode.KeyVaultAccessDenied)]
    [InlineData("nosuchvault", false, DiagnosisCode.KeyVaultNotFound)]
    public async Task A_vault_that_refuses_is_a_failed_status_and_a_warning_never_an_error_and_the_value_is_still_there(string vaultName, bool denyWrites, DiagnosisCode expected)
    {
        var session = await ConnectedAsync();
        if (denyWrites) await _sandbox.PostControlAsync("_sandbox/keyvault", new { denyWrites = true });
        var reporter = new RecordingReporter();
        var vault = new Uri(_sandbox.Info.KeyVault.Uri.Replace("://mailoauth.", $"://{vaultName}."));

        NewAppOutcome outcome;
        using (OperationContext.Begin(reporter))
        {
            outcome = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Refused " + vaultName, KeyVault = new KeyVaultRequest { VaultUri = vault } },
                CoreSandboxFixture.Timeout());
        }

        Assert.Equal(KeyVaultStatus.Failed, outcome.KeyVault.Status);
        Assert.Equal(expected.ToString(), outcome.KeyVault.ErrorCode);
        Assert.Null(outcome.KeyVault.SecretId);
        Assert.False(string.IsNullOrEmpty(SecretText.Reveal(outcome.ClientSecret)));
        var warning = Assert.Single(reporter.Warnings, w => w.StartsWith(expected + ":", StringComparison.Ordinal));
        Assert.Contains("ClientSecret", warning);
        if (expected == DiagnosisCode.KeyVaultAccessDenied)
        {
            Assert.Contains("Key Vault Secrets Officer", warning);
            Assert.Contains("'Set'", warning);
        }
        Assert.DoesNotContain(SecretText.Reveal(outcome.ClientSecret), warning);
        Assert.Empty(_sandbox.Host.KeyVaults.Snapshot());
    }

    [Fact]
    public async Task An_access_token_connection_cannot_write_the_vault_sends_nothing_to_it_and_still_returns_the_value()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        await new ConnectionService(session).ConnectAsync(new ConnectRequest
        {
            TenantId = _sandbox.Info.TenantId, EnvironmentName = CoreSandboxFixture.EnvironmentName, Method = ConnectMethod.AccessToken,
            AccessToken = SecretText.Protect(await _sandbox.AdminAccessTokenAsync()),
        }, null, CoreSandboxFixture.Timeout());
        await _sandbox.ClearRequestLogAsync();

        var outcome = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Token only", KeyVault = new KeyVaultRequest { VaultUri = OpenVault } },
            CoreSandboxFixture.Timeout());

        Assert.Equal(KeyVaultStatus.Failed, outcome.KeyVault.Status);
        Assert.Equal(nameof(DiagnosisCode.KeyVaultCredentialUnavailable), outcome.KeyVault.ErrorCode);
        Assert.False(string.IsNullOrEmpty(SecretText.Reveal(outcome.ClientSecret)));
        Assert.DoesNotContain(await _sandbox.RequestsAsync(), r => r.Kind == "keyvault");
    }

    [Fact]
    public async Task A_vault_of_another_cloud_is_refused_before_anything_is_written()
    {
        var session = await ConnectedAsync();
        await _sandbox.ClearRequestLogAsync();

        var error = await Assert.ThrowsAsync<MailOAuthException>(() => new AppProvisioner(session).NewAsync(new NewAppRequest
        {
            DisplayName = "Wrong cloud", KeyVault = new KeyVaultRequest { VaultUri = new Uri("https://contoso-ops.vault.azure.net") },
        }, CoreSandboxFixture.Timeout()));

        Assert.Equal(DiagnosisCode.KeyVaultUriInvalid, error.Code);
        Assert.Contains("NAME.vault.localhost", error.Diagnosis.Message);
        Assert.Empty(await _sandbox.DirectoryWritesAsync());
    }
}
