using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Sandbox.Hosting;
using Xunit;

namespace MailOAuth.Core.Tests.Entra;

/// <summary>
/// Entra's eventual consistency, ridden out for new objects and only for them (docs/design.md#reliability), with the sandbox's replication lag — on one fake clock shared by the sandbox
/// and the sessions: every poll and backoff is real code over real HTTP, but the seconds of lag pass
/// in fake time, so the bounds below are exact whatever the machine's load.
/// </summary>
public sealed class ReplicationTests : IClassFixture<ClockedSandboxFixture>, IAsyncLifetime
{
    private readonly ClockedSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public ReplicationTests(ClockedSandboxFixture sandbox) => _sandbox = sandbox;

    private TestClock Clock => _sandbox.Clock;

    public async Task InitializeAsync()
    {
        await _sandbox.ResetDirectoryAsync(); // also lag 0
        await _sandbox.ResetAsync();
    }

    public Task DisposeAsync()
    {
        foreach (var s in _sessions) s.Dispose();
        return Task.CompletedTask;
    }

    private SandboxInfo Info => _sandbox.Info;

    private async Task<MailOAuthSession> ConnectedAsync()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        await Clock.RunAsync(_sandbox.ConnectAdminAsync(session));
        return session;
    }

    [Fact]
    public async Task New_then_Grant_with_the_secret_rides_out_a_real_lag_and_proves_the_grant()
    {
        var session = await ConnectedAsync(); // the admin's own token is issued before the lag
        await _sandbox.SetReplicationAsync(lagSeconds: 4, directoryLagSeconds: 1);
        var reporter = new RecordingReporter();
        var started = Clock.GetUtcNow();

        NewAppOutcome app;
        GrantOutcome grant;
        using (OperationContext.Begin(reporter))
        {
            app = await Clock.RunAsync(new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Email OAuth" }, CoreSandboxFixture.Timeout(60)));
            grant = await Clock.RunAsync(new ConsentService(session).GrantAsync(new GrantRequest
            {
                ClientId = app.ClientId,
                ClientSecret = app.ClientSecret,
                SecretCreatedOn = app.SecretCreatedOn,
            }, CoreSandboxFixture.Timeout(60)));
        }

        var elapsed = Clock.GetUtcNow() - started;
        Assert.Equal("Created", app.Provisioning);
        Assert.True(app.ReplicationWait > TimeSpan.Zero, "New waited for the directory (addPassword / service principal on a new app)");
        Assert.True(grant.Verified);
        Assert.False(grant.AlreadyGranted);
        Assert.Equal(app.ServicePrincipalId, grant.ServicePrincipalId);
        Assert.True(grant.ReplicationWait > TimeSpan.Zero, "Grant waited for a fresh token to carry Mail.Send");
        // The token service lags 4 s behind the new secret and assignment (made after the 1 s directory
        // lag); polling stops within a backoff or two of that (one backoff is at most 2 s + 15 %).
        Assert.InRange(elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1 + 4 + 2 * 2.3));
        Assert.True(grant.ReplicationWait <= elapsed);
        // The wait was visible: progress while pending, then completed.
        var progress = reporter.ProgressUpdates;
        Assert.Contains(progress, p => !p.Completed && p.Activity.Contains("replication"));
        Assert.Contains(progress, p => p.Completed);
        // Exactly one of each, however many polls it took.
        var directory = await _sandbox.DirectoryAsync();
        Assert.Single(CoreSandboxFixture.AppsWithAppId(directory, app.ClientId));
        Assert.Single(CoreSandboxFixture.ServicePrincipalsFor(directory, app.ClientId));
        var assignment = Assert.Single(CoreSandboxFixture.AssignmentsOf(directory, app.ServicePrincipalId));
        Assert.Equal("Mail.Send", assignment.GetProperty("appRoleValue").GetString());
        // And it is true now: a fresh token for the app carries Mail.Send.
        var token = await _sandbox.AccessTokenAsync(app.ClientId, SecretText.Reveal(app.ClientSecret));
        Assert.Contains("Mail.Send", CoreSandboxFixture.Roles(token));
    }

    [Fact]
    public async Task Past_the_budget_New_is_ReplicationTimeout_naming_what_is_pending_and_a_re_run_completes()
    {
        var session = await ConnectedAsync();
        await _sandbox.SetReplicationAsync(lagSeconds: 30);
        var started = Clock.GetUtcNow();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => Clock.RunAsync(new AppProvisioner(session).NewAsync(
            new NewAppRequest { DisplayName = "Email OAuth", ReplicationBudget = TimeSpan.FromSeconds(2) }, CoreSandboxFixture.Timeout())));

        // It polled, and gave up without ever waiting past the budget.
        var took = Clock.GetUtcNow() - started;
        Assert.InRange(took, TimeSpan.FromMilliseconds(425), TimeSpan.FromSeconds(2));
        Assert.Equal(DiagnosisCode.ReplicationTimeout, ex.Code);
        Assert.Equal(DiagnosisKind.Transient, ex.Diagnosis.Kind);
        var created = Assert.Single(CoreSandboxFixture.Items(await _sandbox.DirectoryAsync(), "applications"),
            a => a.GetProperty("displayName").GetString() == "Email OAuth");
        var clientId = created.GetProperty("appId").GetString()!;
        // The secret and the service principal wait side by side; whichever gives up first is named.
        Assert.True(ex.Message.Contains($"application {clientId} (to add its secret)")
            || ex.Message.Contains($"application {clientId} (to create its service principal)"), ex.Message);
        Assert.StartsWith("Entra ID had not yet replicated", ex.Diagnosis.Cause);
        Assert.Contains("run the same command again", ex.Diagnosis.Remediation);

        // Once replicated, the same command resumes: the same app, one secret, one service principal.
        await _sandbox.SetReplicationAsync(lagSeconds: 0);
        var again = await Clock.RunAsync(new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Email OAuth" }, CoreSandboxFixture.Timeout()));

        Assert.Equal(clientId, again.ClientId);
        var directory = await _sandbox.DirectoryAsync();
        var app = Assert.Single(CoreSandboxFixture.AppsWithAppId(directory, clientId));
        Assert.Single(app.GetProperty("passwordCredentials").EnumerateArray());
        Assert.Single(CoreSandboxFixture.ServicePrincipalsFor(directory, clientId));
        Assert.Single(CoreSandboxFixture.Items(directory, "applications"), a => a.GetProperty("displayName").GetString() == "Email OAuth");
    }

    [Fact]
    public async Task A_wrong_secret_for_an_old_app_fails_fast_with_InvalidClientSecret()
    {
        var session = await ConnectedAsync();
        var old = Info.Apps.Unconsented; // seeded: created long ago, so no replication symptom is expected
        const string wrong = "Wq3~definitelyNotTheSecret.abcdefghijklmnop";
        var started = Clock.GetUtcNow();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => Clock.RunAsync(new ConsentService(session).GrantAsync(new GrantRequest
        {
            ClientId = old.ClientId,
            Force = true, // the seeded app is not MailOAuth's
            ClientSecret = SecretText.Protect(wrong),
            ReplicationBudget = TimeSpan.FromSeconds(10),
        }, CoreSandboxFixture.Timeout())));

        Assert.Equal(DiagnosisCode.InvalidClientSecret, ex.Code);
        Assert.Equal(started, Clock.GetUtcNow()); // not polled: not one wait
        Assert.DoesNotContain(wrong, ex.Message);
        var tokenRequests = (await _sandbox.RequestsAsync()).Where(r => r.Kind == "token" && r.ClientId == old.ClientId).ToList();
        Assert.Equal(401, Assert.Single(tokenRequests).Status);
    }

    [Fact]
    public async Task The_same_wrong_secret_said_to_be_brand_new_is_polled_until_the_budget()
    {
        // Counterpart of the test above: a secret created moments ago may still be replicating
        // (AADSTS7000215), so it is ridden out — up to the budget, then ReplicationTimeout.
        var session = await ConnectedAsync();
        var old = Info.Apps.Unconsented;
        var started = Clock.GetUtcNow();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => Clock.RunAsync(new ConsentService(session).GrantAsync(new GrantRequest
        {
            ClientId = old.ClientId,
            Force = true, // the seeded app is not MailOAuth's
            ClientSecret = SecretText.Protect("Wq3~definitelyNotTheSecret.abcdefghijklmnop"),
            SecretCreatedOn = started,
            ReplicationBudget = TimeSpan.FromSeconds(2),
        }, CoreSandboxFixture.Timeout())));

        Assert.Equal(DiagnosisCode.ReplicationTimeout, ex.Code);
        Assert.Contains($"Mail.Send in a fresh token for app {old.ClientId}", ex.Message);
        Assert.IsType<MailOAuthException>(ex.InnerException);
        Assert.Equal(DiagnosisCode.InvalidClientSecret, ((MailOAuthException)ex.InnerException!).Code);
        // It polled (backoff about 0.5 s then 0.8 s) and stopped before the next wait would cross the budget.
        Assert.InRange(Clock.GetUtcNow() - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.True((await _sandbox.RequestsAsync()).Count(r => r.Kind == "token" && r.ClientId == old.ClientId) >= 2);
    }

    [Fact]
    public async Task Granting_twice_is_AlreadyGranted_with_one_assignment()
    {
        var session = await ConnectedAsync();
        var app = await Clock.RunAsync(new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Email OAuth" }, CoreSandboxFixture.Timeout()));
        var consent = new ConsentService(session);

        var first = await Clock.RunAsync(consent.GrantAsync(new GrantRequest { ClientId = app.ClientId }, CoreSandboxFixture.Timeout()));
        await _sandbox.ClearRequestLogAsync();
        var second = await Clock.RunAsync(consent.GrantAsync(new GrantRequest { ClientId = app.ClientId, ClientSecret = app.ClientSecret }, CoreSandboxFixture.Timeout()));

        Assert.False(first.AlreadyGranted);
        Assert.False(first.Verified); // no secret given: not proven
        Assert.NotNull(first.AssignmentId);
        Assert.True(second.AlreadyGranted);
        Assert.True(second.Verified);
        Assert.Equal(first.AssignmentId, second.AssignmentId);
        Assert.Equal(first.ServicePrincipalId, second.ServicePrincipalId);
        Assert.Equal("b633e1c5-b582-4048-a93e-9f11b44c7e96", second.AppRoleId);
        Assert.Empty(await _sandbox.DirectoryWritesAsync()); // the second grant wrote nothing
        var assignment = Assert.Single(CoreSandboxFixture.AssignmentsOf(await _sandbox.DirectoryAsync(), app.ServicePrincipalId));
        Assert.Equal(first.AssignmentId, assignment.GetProperty("id").GetString());
        Assert.Equal(second.ResourceId, assignment.GetProperty("resourceId").GetString());
    }
}
