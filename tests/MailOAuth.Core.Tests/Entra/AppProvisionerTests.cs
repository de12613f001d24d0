using System.Text.Json;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Sandbox.Hosting;
using Xunit;

namespace MailOAuth.Core.Tests.Entra;

/// <summary>
/// New-/Get-/Remove-MailOAuthApp's Core (<see cref="AppProvisioner"/>) against the sandbox's
/// directory: what is written, idempotent re-runs, never taking over a foreign app silently, the
/// sender checks before any write, and the diagnoses of policy and permission failures.
/// The directory is reset before every test; replication lag is 0 here (ReplicationTests covers lag).
/// </summary>
public sealed class AppProvisionerTests : IClassFixture<CoreSandboxFixture>, IAsyncLifetime
{
    private readonly CoreSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public AppProvisionerTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

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

    private SandboxInfo Info => _sandbox.Info;

    private static CancellationToken Timeout => CoreSandboxFixture.Timeout();

    private async Task<MailOAuthSession> ConnectedAsync()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        await _sandbox.ConnectAdminAsync(session);
        return session;
    }

    private static JsonElement Single(List<JsonElement> items) => Assert.Single(items);

    // ---- New ----

    [Fact]
    public async Task New_creates_a_single_tenant_app_with_MailSend_a_service_principal_and_a_usable_secret()
    {
        var session = await ConnectedAsync();
        var before = DateTimeOffset.UtcNow;

        var outcome = await new AppProvisioner(session).NewAsync(new NewAppRequest
        {
            DisplayName = "Email OAuth",
            SenderAddress = Info.Mailboxes.Licensed,
        }, Timeout);

        Assert.Equal("Created", outcome.Provisioning);
        Assert.Equal(Info.TenantId, outcome.TenantId);
        Assert.Equal("Email OAuth", outcome.DisplayName);
        Assert.Equal(Info.Mailboxes.Licensed, outcome.SenderAddress);
        Assert.Equal(CoreSandboxFixture.EnvironmentName, outcome.Environment);
        Assert.True(Guid.TryParse(outcome.ClientId, out _));

        // The secret: a SecureString holding the 40-character value, hint = its first 3 characters.
        Assert.Equal(40, outcome.ClientSecret.Length);
        var secret = SecretText.Reveal(outcome.ClientSecret);
        Assert.Equal(secret[..3], outcome.SecretHint);
        Assert.True(outcome.ClientSecret.IsReadOnly());
        Assert.InRange(outcome.SecretExpiresOn, before.AddMonths(12).AddDays(-1), DateTimeOffset.UtcNow.AddMonths(12).AddDays(1));
        // It is a real secret of the new app: the token endpoint accepts it (no roles: no consent yet).
        var (status, body) = await _sandbox.RawTokenAsync(outcome.ClientId, secret);
        Assert.True(status == 200, body.ToString());
        Assert.Empty(CoreSandboxFixture.Roles(body.GetProperty("access_token").GetString()!));

        // The application as Graph shows it.
        var admin = await _sandbox.AdminAccessTokenAsync();
        var (appStatus, app) = await _sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications/{outcome.ObjectId}", admin);
        Assert.Equal(200, appStatus);
        Assert.Equal(outcome.ClientId, app.GetProperty("appId").GetString());
        Assert.Equal("AzureADMyOrg", app.GetProperty("signInAudience").GetString());
        Assert.Equal(EntraIds.UniqueNameFor("Email OAuth"), app.GetProperty("uniqueName").GetString());
        Assert.Contains("MailOAuth", app.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var graph = Assert.Single(app.GetProperty("requiredResourceAccess").EnumerateArray());
        Assert.Equal(EntraIds.GraphAppId, graph.GetProperty("resourceAppId").GetString());
        var access = Assert.Single(graph.GetProperty("resourceAccess").EnumerateArray());
        Assert.Equal("b633e1c5-b582-4048-a93e-9f11b44c7e96", access.GetProperty("id").GetString());
        Assert.Equal("Role", access.GetProperty("type").GetString());
        var redirects = app.TryGetProperty("web", out var web) && web.ValueKind == JsonValueKind.Object && web.TryGetProperty("redirectUris", out var r)
            ? r.EnumerateArray().Count() : 0;
        Assert.Equal(0, redirects);

        // One app, one service principal, one secret, whose key id the outcome reports.
        var directory = await _sandbox.DirectoryAsync();
        var stored = Single(CoreSandboxFixture.AppsWithAppId(directory, outcome.ClientId));
        var credential = Assert.Single(stored.GetProperty("passwordCredentials").EnumerateArray());
        Assert.Equal(outcome.SecretKeyId, credential.GetProperty("keyId").GetString());
        // Contract change (issue 10): MailOAuth marks the secrets it creates in their description.
        Assert.Equal("SMTP OAuth Secret [MailOAuth]", credential.GetProperty("displayName").GetString());
        var sp = Single(CoreSandboxFixture.ServicePrincipalsFor(directory, outcome.ClientId));
        Assert.Equal(outcome.ServicePrincipalId, sp.GetProperty("id").GetString());
        Assert.Equal(outcome.ObjectId, stored.GetProperty("id").GetString());
        // No consent is granted by New: that is Grant-MailSendConsent's job.
        Assert.Empty(CoreSandboxFixture.AssignmentsOf(directory, outcome.ServicePrincipalId));
    }

    [Fact]
    public async Task Running_New_again_reuses_the_app_adds_a_second_secret_and_keeps_one_service_principal()
    {
        var session = await ConnectedAsync();
        var provisioner = new AppProvisioner(session);
        var first = await provisioner.NewAsync(new NewAppRequest { DisplayName = "Email OAuth" }, Timeout);
        var reporter = new RecordingReporter();

        NewAppOutcome second;
        using (OperationContext.Begin(reporter))
        {
            second = await provisioner.NewAsync(new NewAppRequest { DisplayName = "Email OAuth", SecretDescription = "second" }, Timeout);
        }

        Assert.Equal("Reused", second.Provisioning);
        Assert.Equal(first.ClientId, second.ClientId);
        Assert.Equal(first.ObjectId, second.ObjectId);
        Assert.Equal(first.ServicePrincipalId, second.ServicePrincipalId);
        Assert.NotEqual(first.SecretKeyId, second.SecretKeyId);
        Assert.NotEqual(SecretText.Reveal(first.ClientSecret), SecretText.Reveal(second.ClientSecret));
        Assert.Contains(reporter.Warnings, w => w.Contains(first.ClientId) && w.Contains("reusing"));

        var directory = await _sandbox.DirectoryAsync();
        Assert.Single(CoreSandboxFixture.Items(directory, "applications"), a => a.GetProperty("displayName").GetString() == "Email OAuth");
        var app = Single(CoreSandboxFixture.AppsWithAppId(directory, first.ClientId));
        var keyIds = app.GetProperty("passwordCredentials").EnumerateArray().Select(p => p.GetProperty("keyId").GetString()).ToList();
        Assert.Equal(2, keyIds.Count);
        Assert.Contains(first.SecretKeyId, keyIds); // the first secret was not deleted
        Assert.Contains(second.SecretKeyId, keyIds);
        Single(CoreSandboxFixture.ServicePrincipalsFor(directory, first.ClientId));
        // Both secrets work.
        Assert.Equal(200, (await _sandbox.RawTokenAsync(first.ClientId, SecretText.Reveal(first.ClientSecret))).Status);
        Assert.Equal(200, (await _sandbox.RawTokenAsync(first.ClientId, SecretText.Reveal(second.ClientSecret))).Status);
    }

    [Fact]
    public async Task An_app_of_the_same_name_that_MailOAuth_did_not_create_is_a_conflict_and_is_not_touched()
    {
        var foreign = await CreateForeignAppAsync("Legacy Mail");
        var session = await ConnectedAsync();
        await _sandbox.ClearRequestLogAsync();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Legacy Mail" }, Timeout));

        Assert.Equal(DiagnosisCode.AppNameConflict, ex.Code);
        Assert.Contains(foreign.AppId, ex.Diagnosis.Cause);
        Assert.Contains("-Force", ex.Diagnosis.Remediation);
        Assert.Empty(await _sandbox.DirectoryWritesAsync());
        var directory = await _sandbox.DirectoryAsync();
        var app = Single(CoreSandboxFixture.AppsWithAppId(directory, foreign.AppId));
        Assert.Empty(app.GetProperty("passwordCredentials").EnumerateArray());
        Assert.DoesNotContain("MailOAuth", app.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Single(CoreSandboxFixture.Items(directory, "applications"), a => a.GetProperty("displayName").GetString() == "Legacy Mail");
    }

    [Fact]
    public async Task Force_adopts_the_foreign_app_marks_it_managed_and_completes_it()
    {
        var foreign = await CreateForeignAppAsync("Legacy Mail");
        var session = await ConnectedAsync();

        var outcome = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Legacy Mail", Force = true }, Timeout);

        Assert.Equal("Adopted", outcome.Provisioning);
        Assert.Equal(foreign.AppId, outcome.ClientId);
        Assert.Equal(foreign.ObjectId, outcome.ObjectId);
        var directory = await _sandbox.DirectoryAsync();
        var app = Single(CoreSandboxFixture.AppsWithAppId(directory, foreign.AppId));
        var tags = app.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Contains("MailOAuth", tags);
        Assert.Contains("legacy", tags); // its own tags are kept
        Assert.Single(app.GetProperty("passwordCredentials").EnumerateArray());
        Single(CoreSandboxFixture.ServicePrincipalsFor(directory, foreign.AppId));
        Assert.Single(CoreSandboxFixture.Items(directory, "applications"), a => a.GetProperty("displayName").GetString() == "Legacy Mail");
        var info = Assert.Single(await new AppProvisioner(session).GetAsync(foreign.AppId, null, Timeout));
        Assert.True(info.IsManaged);
        Assert.True(info.MailSendDeclared);
    }

    [Fact]
    public async Task Running_New_again_after_the_admin_renamed_the_app_reuses_it_without_clobbering_it()
    {
        var session = await ConnectedAsync();
        var first = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Email OAuth" }, Timeout);
        var admin = await _sandbox.AdminAccessTokenAsync();
        const string userReadAll = "df021288-bdef-4463-88db-98f22de89214";
        var (patched, _) = await _sandbox.GraphAsync(HttpMethod.Patch, $"v1.0/applications/{first.ObjectId}", admin, new
        {
            displayName = "Email OAuth (prod)",
            tags = new[] { "MailOAuth", "prod" },
            requiredResourceAccess = new object[]
            {
                new
                {
                    resourceAppId = EntraIds.GraphAppId,
                    resourceAccess = new object[] { new { id = "b633e1c5-b582-4048-a93e-9f11b44c7e96", type = "Role" }, new { id = userReadAll, type = "Role" } },
                },
            },
        });
        Assert.Equal(204, patched);

        var second = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Email OAuth" }, Timeout);

        Assert.Equal(first.ClientId, second.ClientId);
        Assert.Equal("Reused", second.Provisioning);
        var (_, app) = await _sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications/{first.ObjectId}", admin);
        Assert.Contains("prod", app.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains(userReadAll, app.GetProperty("requiredResourceAccess").EnumerateArray()
            .SelectMany(r => r.GetProperty("resourceAccess").EnumerateArray()).Select(a => a.GetProperty("id").GetString()));
    }

    // ---- Get ----

    [Fact]
    public async Task Get_reports_consent_and_secrets_but_never_a_secret_value()
    {
        var session = await ConnectedAsync();
        var provisioner = new AppProvisioner(session);
        var created = await provisioner.NewAsync(new NewAppRequest { DisplayName = "Email OAuth", SecretLifetimeMonths = 6 }, Timeout);

        var before = Assert.Single(await provisioner.GetAsync(created.ClientId, null, Timeout));
        await new ConsentService(session).GrantAsync(new GrantRequest { ClientId = created.ClientId }, Timeout);
        var after = Assert.Single(await provisioner.GetAsync(created.ClientId, null, Timeout));
        var managed = await provisioner.GetAsync(null, null, Timeout);
        var byName = await provisioner.GetAsync(null, "Email OAuth", Timeout);

        Assert.Equal("NotGranted", before.Consent);
        Assert.Equal("Granted", after.Consent);
        Assert.Equal(created.ClientId, after.ClientId);
        Assert.Equal(created.ObjectId, after.ObjectId);
        Assert.Equal(created.ServicePrincipalId, after.ServicePrincipalId);
        Assert.Equal(Info.TenantId, after.TenantId);
        Assert.True(after.IsManaged);
        Assert.True(after.MailSendDeclared);
        var secret = Assert.Single(after.Secrets);
        Assert.Equal(created.SecretKeyId, secret.KeyId);
        Assert.Equal(created.SecretHint, secret.Hint);
        Assert.Equal("SMTP OAuth Secret [MailOAuth]", secret.Description); // the marker of issue 10
        Assert.NotNull(secret.ExpiresOn);
        Assert.InRange(secret.ExpiresOn!.Value, DateTimeOffset.UtcNow.AddMonths(6).AddDays(-2), DateTimeOffset.UtcNow.AddMonths(6).AddDays(1));
        // The seeded apps are not MailOAuth's, but for the one MailOAuth scoped to a mailbox (issue 11's seed).
        Assert.Equal(created.ClientId, Assert.Single(managed, a => a.ClientId != Info.Apps.Scoped!.ClientId).ClientId);
        Assert.Equal(created.ClientId, Assert.Single(byName).ClientId);
        Assert.DoesNotContain(SecretText.Reveal(created.ClientSecret), JsonSerializer.Serialize(after));
    }

    [Fact]
    public async Task Get_of_a_seeded_consented_app_and_of_an_unknown_client_id()
    {
        var session = await ConnectedAsync();
        var provisioner = new AppProvisioner(session);
        var unknown = Guid.NewGuid().ToString();

        var consented = Assert.Single(await provisioner.GetAsync(Info.Apps.Consented.ClientId, null, Timeout));
        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => provisioner.GetAsync(unknown, null, Timeout));

        Assert.Equal("Granted", consented.Consent);
        Assert.False(consented.IsManaged);
        Assert.Equal(Info.Apps.Consented.ServicePrincipalId, consented.ServicePrincipalId);
        Assert.Contains(consented.Secrets, s => s.KeyId == Info.Apps.Consented.SecretKeyId);
        Assert.Equal(DiagnosisCode.ApplicationNotFound, ex.Code);
        Assert.Contains(unknown, ex.Diagnosis.Cause);
    }

    [Fact]
    public async Task Get_lists_every_managed_app_beyond_the_first_page()
    {
        var session = await ConnectedAsync();
        var admin = await _sandbox.AdminAccessTokenAsync();
        for (var i = 0; i < 105; i++)
        {
            var (status, _) = await _sandbox.GraphAsync(HttpMethod.Post, "v1.0/applications", admin, new { displayName = $"Email OAuth {i:000}", tags = new[] { "MailOAuth" } });
            Assert.Equal(201, status);
        }

        var managed = await new AppProvisioner(session).GetAsync(null, null, Timeout);

        Assert.Equal(105, managed.Count(a => a.ClientId != Info.Apps.Scoped!.ClientId)); // besides the seeded scoped app
        Assert.Equal(106, managed.Count);
    }

    // ---- Remove ----

    [Fact]
    public async Task Remove_deletes_the_app_its_service_principal_and_its_grant()
    {
        var session = await ConnectedAsync();
        var provisioner = new AppProvisioner(session);
        var created = await provisioner.NewAsync(new NewAppRequest { DisplayName = "Email OAuth" }, Timeout);
        await new ConsentService(session).GrantAsync(new GrantRequest { ClientId = created.ClientId }, Timeout);
        Assert.Single(CoreSandboxFixture.AssignmentsOf(await _sandbox.DirectoryAsync(), created.ServicePrincipalId));

        await provisioner.RemoveAsync(created.ClientId, force: false, Timeout);

        var directory = await _sandbox.DirectoryAsync();
        Assert.Empty(CoreSandboxFixture.AppsWithAppId(directory, created.ClientId));
        Assert.Empty(CoreSandboxFixture.ServicePrincipalsFor(directory, created.ClientId));
        Assert.Empty(CoreSandboxFixture.AssignmentsOf(directory, created.ServicePrincipalId));
        var again = await Assert.ThrowsAsync<MailOAuthException>(() => provisioner.RemoveAsync(created.ClientId, false, Timeout));
        Assert.Equal(DiagnosisCode.ApplicationNotFound, again.Code);
    }

    [Fact]
    public async Task Remove_refuses_an_app_MailOAuth_did_not_create_unless_forced()
    {
        var foreign = await CreateForeignAppAsync("Someone else's app");
        var session = await ConnectedAsync();
        var provisioner = new AppProvisioner(session);

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => provisioner.RemoveAsync(foreign.AppId, force: false, Timeout));
        Assert.Equal(DiagnosisCode.AppNotManaged, ex.Code);
        Assert.Single(CoreSandboxFixture.AppsWithAppId(await _sandbox.DirectoryAsync(), foreign.AppId));

        await provisioner.RemoveAsync(foreign.AppId, force: true, Timeout);
        Assert.Empty(CoreSandboxFixture.AppsWithAppId(await _sandbox.DirectoryAsync(), foreign.AppId));
    }

    [Fact]
    public async Task Grant_refuses_an_app_MailOAuth_did_not_create_unless_forced_and_writes_nothing()
    {
        var foreign = await CreateForeignAppAsync("Automation app");
        var session = await ConnectedAsync();
        var consent = new ConsentService(session);

        var subject = await Assert.ThrowsAsync<MailOAuthException>(() => consent.ReadSubjectAsync(foreign.AppId, force: false, Timeout));
        Assert.Equal(DiagnosisCode.AppNotManaged, subject.Code);
        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => consent.GrantAsync(new GrantRequest { ClientId = foreign.AppId }, Timeout));
        Assert.Equal(DiagnosisCode.AppNotManaged, ex.Code);
        Assert.Contains(foreign.AppId, ex.Message);
        Assert.Contains("-Force", ex.Diagnosis.Remediation);
        Assert.Empty(CoreSandboxFixture.ServicePrincipalsFor(await _sandbox.DirectoryAsync(), foreign.AppId));

        var read = await consent.ReadSubjectAsync(foreign.AppId, force: true, Timeout);
        Assert.False(read.IsManaged);
        Assert.Equal("Automation app", read.DisplayName);
        var granted = await consent.GrantAsync(new GrantRequest { ClientId = foreign.AppId, Force = true }, Timeout);
        Assert.Single(CoreSandboxFixture.AssignmentsOf(await _sandbox.DirectoryAsync(), granted.ServicePrincipalId));
    }

    [Fact]
    public async Task Grant_reads_an_app_MailOAuth_created_as_managed()
    {
        var session = await ConnectedAsync();
        var created = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Email OAuth" }, Timeout);
        var read = await new ConsentService(session).ReadSubjectAsync(created.ClientId, force: false, Timeout);
        Assert.True(read.IsManaged);
        Assert.Equal(created.ClientId, read.ClientId);
    }

    // ---- policy and permission failures ----

    [Fact]
    public async Task A_secret_lifetime_policy_is_SecretLifetimeNotAllowed_and_says_the_app_waits_to_be_completed()
    {
        await _sandbox.PostControlAsync("_sandbox/policies/secret-lifetime", new { maxDays = 30 });
        var session = await ConnectedAsync();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Email OAuth", SecretLifetimeMonths = 12 }, Timeout));

        Assert.Equal(DiagnosisCode.SecretLifetimeNotAllowed, ex.Code);
        Assert.Equal("CredentialInvalidLifetimeAsPerAppPolicy", ex.Diagnosis.ServiceCode);
        Assert.Equal(400, ex.Diagnosis.HttpStatus);
        Assert.Contains("-SecretLifetimeMonths", ex.Diagnosis.Remediation);
        var app = Single(CoreSandboxFixture.Items(await _sandbox.DirectoryAsync(), "applications")
            .Where(a => a.GetProperty("displayName").GetString() == "Email OAuth").ToList());
        Assert.Empty(app.GetProperty("passwordCredentials").EnumerateArray());
        Assert.Contains(app.GetProperty("appId").GetString()!, ex.Diagnosis.Cause);
        Assert.Contains("without a new secret", ex.Diagnosis.Cause);
    }

    [Fact]
    public async Task A_sender_on_an_unverified_domain_is_SenderMailboxNotFound_before_anything_is_written()
    {
        var session = await ConnectedAsync();
        await _sandbox.ClearRequestLogAsync();
        var sender = "sender@" + Info.UnverifiedDomain;

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Email OAuth", SenderAddress = sender }, Timeout));

        Assert.Equal(DiagnosisCode.SenderMailboxNotFound, ex.Code);
        Assert.Contains(Info.UnverifiedDomain, ex.Diagnosis.Cause);
        Assert.Contains(Info.TenantDomain, ex.Diagnosis.Remediation); // names the verified domains
        var log = await _sandbox.RequestsAsync();
        Assert.Contains(log, r => r.Kind == "directory" && r.Method == "GET" && r.Path.Contains("domains"));
        Assert.Empty(await _sandbox.DirectoryWritesAsync());
        Assert.DoesNotContain(CoreSandboxFixture.Items(await _sandbox.DirectoryAsync(), "applications"), a => a.GetProperty("displayName").GetString() == "Email OAuth");
    }

    [Fact]
    public async Task A_guest_sender_is_SenderMailboxNotLicensed_before_anything_is_written()
    {
        var session = await ConnectedAsync();
        await _sandbox.ClearRequestLogAsync();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Email OAuth", SenderAddress = Info.Mailboxes.Guest }, Timeout));

        Assert.Equal(DiagnosisCode.SenderMailboxNotLicensed, ex.Code);
        Assert.Contains(Info.Mailboxes.Guest, ex.Diagnosis.Cause);
        var log = await _sandbox.RequestsAsync();
        Assert.Contains(log, r => r.Kind == "directory" && r.Method == "GET" && r.Path.Contains("users"));
        Assert.Empty(await _sandbox.DirectoryWritesAsync());
    }

    [Fact]
    public async Task An_unknown_sender_is_SenderMailboxNotFound_and_an_on_premises_one_only_warns()
    {
        var session = await ConnectedAsync();
        await _sandbox.ClearRequestLogAsync();
        var provisioner = new AppProvisioner(session);

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            provisioner.NewAsync(new NewAppRequest { DisplayName = "Email OAuth", SenderAddress = "nobody@" + Info.TenantDomain }, Timeout));
        Assert.Equal(DiagnosisCode.SenderMailboxNotFound, ex.Code);
        Assert.Empty(await _sandbox.DirectoryWritesAsync());

        var reporter = new RecordingReporter();
        NewAppOutcome outcome;
        using (OperationContext.Begin(reporter))
        {
            outcome = await provisioner.NewAsync(new NewAppRequest { DisplayName = "Email OAuth", SenderAddress = Info.Mailboxes.OnPrem }, Timeout);
        }

        Assert.Equal("Created", outcome.Provisioning);
        Assert.Contains(reporter.Warnings, w => w.Contains(Info.Mailboxes.OnPrem) && w.Contains("on-premises"));
    }

    [Fact]
    public async Task An_admin_without_directory_rights_is_InsufficientPrivileges_naming_the_permission()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        await new ConnectionService(session).ConnectAsync(new ConnectRequest
        {
            TenantId = Info.TenantId,
            EnvironmentName = CoreSandboxFixture.EnvironmentName,
            Method = ConnectMethod.ClientSecret,
            ClientId = Info.NoRightsAdmin.ClientId,
            ClientSecret = SecretText.Protect(Info.NoRightsAdmin.ClientSecret),
        }, null, Timeout);
        Assert.Empty(session.RequireConnection().Roles);
        await _sandbox.ClearRequestLogAsync();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Email OAuth" }, Timeout));

        Assert.Equal(DiagnosisCode.InsufficientPrivileges, ex.Code);
        Assert.Equal(DiagnosisKind.Permission, ex.Diagnosis.Kind);
        Assert.Equal("Authorization_RequestDenied", ex.Diagnosis.ServiceCode);
        Assert.Equal(403, ex.Diagnosis.HttpStatus);
        Assert.Contains("Application.ReadWrite.All", ex.Diagnosis.Cause);
        Assert.Contains("Application.ReadWrite.All", ex.Diagnosis.Remediation);
        Assert.Empty(await _sandbox.DirectoryWritesAsync());
        Assert.All((await _sandbox.RequestsAsync()).Where(r => r.Kind == "directory"), r => Assert.Equal(403, r.Status));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(25)]
    [InlineData(-1)]
    public async Task A_secret_lifetime_outside_1_to_24_months_is_refused_before_any_request(int months)
    {
        var session = await ConnectedAsync();
        await _sandbox.ClearRequestLogAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Email OAuth", SecretLifetimeMonths = months }, Timeout));

        Assert.Empty(await _sandbox.RequestsAsync());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(24)]
    public async Task Secret_lifetimes_of_1_and_24_months_are_accepted(int months)
    {
        var session = await ConnectedAsync();

        var outcome = await new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Email OAuth", SecretLifetimeMonths = months }, Timeout);

        Assert.InRange(outcome.SecretExpiresOn, DateTimeOffset.UtcNow.AddMonths(months).AddDays(-2), DateTimeOffset.UtcNow.AddMonths(months).AddDays(1));
    }

    // ---- helpers ----

    private sealed record ForeignApp(string AppId, string ObjectId);

    /// <summary>An app made by someone else: a raw Graph POST with an admin token (no MailOAuth tag, no uniqueName).</summary>
    private async Task<ForeignApp> CreateForeignAppAsync(string displayName)
    {
        var token = await _sandbox.AdminAccessTokenAsync();
        var (status, body) = await _sandbox.GraphAsync(HttpMethod.Post, "v1.0/applications", token, new { displayName, tags = new[] { "legacy" } });
        Assert.True(status == 201, $"create foreign app: {status} {body}");
        return new ForeignApp(body.GetProperty("appId").GetString()!, body.GetProperty("id").GetString()!);
    }
}
