using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Cloud;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Entra;
using MailOAuth.Core.Graph;
using MailOAuth.Core.Resilience;
using Xunit;

namespace MailOAuth.Core.Tests.Entra;

/// <summary>
/// Grant-MailSendConsent -Scope Mailbox / Tenant's Core (<see cref="MailboxScopeService"/>) over a fake Graph behind the
/// module's own handlers: the request sequence, a re-run that writes nothing, the permission pre-check before any
/// request, the role looked up by name (its id differs per tenant), and Graph's and Exchange's error bodies.
/// </summary>
public sealed class MailboxScopeServiceTests : IDisposable
{
    private const string ClientId = "3f8a6c2e-7d41-4b9a-9e0f-5c2d8b1a4e67";
    private const string AppObjectId = "a0a0a0a0-0000-0000-0000-000000000001";
    private const string SpId = "5b5b5b5b-0000-0000-0000-000000000002";
    private const string GraphSpId = "9c9c9c9c-0000-0000-0000-000000000003";
    private const string SenderId = "7d7d7d7d-0000-0000-0000-000000000004";
    private const string OtherId = "8e8e8e8e-0000-0000-0000-000000000005";
    private const string Sender = "sender@contoso.com";
    private const string MailSendRole = "b633e1c5-b582-4048-a93e-9f11b44c7e96";

    private readonly TestClock _clock = new();
    private readonly MailOAuthSession _session;
    private readonly FakeGraph _graph = new();

    public MailboxScopeServiceTests() => _session = new MailOAuthSession(new RetryPolicy(maxRetries: 0), _clock);

    public void Dispose() => _session.Dispose();

    private void Connect(params string[] roles)
    {
        var env = new CloudEnvironment("FakeCloud", new Uri("https://login.fake.test"), new Uri("https://graph.fake.test"), isBuiltIn: false);
        var http = _session.HttpFor(env);
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), roles })))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var tokens = TokenSource.For(env, new StaticTokenCredential("e30." + payload + ".sig", TimeProvider.System), new DiagnosisContext());
        _session.Connection = new AdminConnection(env, "tenant-1", ConnectMethod.ClientSecret, null, "admin", roles, Array.Empty<string>(), tokens,
            GraphClients.Create(http, tokens, _graph), DateTimeOffset.UtcNow);
    }

    private void ConnectWithExchange() => Connect("Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "User.Read.All", "RoleManagement.ReadWrite.Exchange");

    /// <summary>With -Force: the fake app holds the tenant-wide grant, and these tests are not about an app in use (see <see cref="Live"/>).</summary>
    private static ScopeRequest Mailbox => new() { ClientId = ClientId, Scope = SendScopeKind.Mailbox, SenderAddress = Sender, Force = true };

    /// <summary>-Scope Mailbox as an admin runs it on an app a platform sends with: no -Force.</summary>
    private static ScopeRequest Live => new() { ClientId = ClientId, Scope = SendScopeKind.Mailbox, SenderAddress = Sender };

    private static ScopeRequest Staged => new() { ClientId = ClientId, Scope = SendScopeKind.Mailbox, SenderAddress = Sender, KeepTenantGrant = true };

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    private static HashSet<ScopeStepKind> All(ScopePlan plan) => plan.Steps.Select(s => s.Kind).ToHashSet();

    private async Task<(ScopePlan Plan, GrantOutcome Outcome, RecordingReporter Reporter)> ScopeAsync(ScopeRequest request, Func<ScopePlan, HashSet<ScopeStepKind>>? approve = null)
    {
        var reporter = new RecordingReporter();
        using var _ = OperationContext.Begin(reporter);
        var service = new MailboxScopeService(_session);
        var plan = await service.PlanAsync(request, CancellationToken.None);
        var outcome = await service.ExecuteAsync(plan, (approve ?? All)(plan), CancellationToken.None);
        return (plan, outcome, reporter);
    }

    [Fact]
    public async Task A_step_that_fails_after_the_grant_was_removed_says_in_its_error_what_had_been_removed()
    {
        ConnectWithExchange();
        // The PATCH of requiredResourceAccess is refused after the tenant-wide grant is already gone.
        _graph.Fail = (r => r.Method == "PATCH", HttpStatusCode.Forbidden,
            "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\",\"innerError\":{\"date\":\"2026-12-02T09:00:00\",\"request-id\":\"r1\",\"client-request-id\":\"c1\"}}}");

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => ScopeAsync(Mailbox));

        Assert.Equal(DiagnosisCode.InsufficientPrivileges, ex.Code);
        Assert.Contains($"Before this failure MailOAuth had removed the tenant-wide Microsoft Graph Mail.Send grant (app role assignment {FakeGraph.GrantId}) of app {ClientId}", ex.Diagnosis.Cause);
        Assert.Contains(_graph.Writes, w => w.Method == "DELETE");
    }

    [Fact]
    public async Task Scoping_a_tenant_wide_app_with_Force_assigns_the_role_to_the_sender_then_removes_the_grant_and_the_declared_permission_and_tags_it()
    {
        ConnectWithExchange();

        var (plan, outcome, reporter) = await ScopeAsync(Mailbox);

        Assert.Equal(new[] { ScopeStepKind.AssignMailbox, ScopeStepKind.RemoveTenantGrant, ScopeStepKind.RemoveDeclaredMailSend, ScopeStepKind.WriteScopeTag },
            plan.Steps.Select(s => s.Kind));
        // -Force within the cache window: the removal is confirmed as High impact, naming until when sends may be denied.
        var removal = Assert.Single(plan.Steps, s => s.Kind == ScopeStepKind.RemoveTenantGrant);
        Assert.True(removal.HighImpact);
        Assert.Contains(Utc(_clock.GetUtcNow().AddHours(2)), removal.Question);
        Assert.All(plan.Steps.Where(s => s.Kind != ScopeStepKind.RemoveTenantGrant), s => Assert.False(s.HighImpact));
        // The role is found by its display name; its id is the fake tenant's own.
        Assert.Contains(_graph.Seen, r => r.Method == "GET" && r.Path == "/beta/roleManagement/exchange/roleDefinitions" && r.Query.Contains("displayName eq 'Application Mail.Send'"));
        Assert.Contains(_graph.Seen, r => r.Method == "GET" && r.Path == "/beta/roleManagement/exchange/roleAssignments"
            && r.Query.Contains($"principalId eq '/ServicePrincipals/{SpId}'") && r.Query.Contains($"roleDefinitionId eq '{FakeGraph.MailSendRoleDefinitionId}'"));
        var writes = _graph.Writes;
        Assert.Equal(new[]
        {
            "POST /beta/roleManagement/exchange/roleAssignments",
            $"DELETE /v1.0/servicePrincipals/{SpId}/appRoleAssignments/{FakeGraph.GrantId}",
            $"PATCH /v1.0/applications/{AppObjectId}",
            $"PATCH /v1.0/applications/{AppObjectId}",
        }, writes.Select(w => w.Method + " " + w.Path));
        var post = JsonNode.Parse(writes[0].Body!)!;
        Assert.Equal($"/ServicePrincipals/{SpId}", (string?)post["principalId"]);
        Assert.Equal(FakeGraph.MailSendRoleDefinitionId, (string?)post["roleDefinitionId"]);
        Assert.Equal($"/Users/{SenderId}", (string?)post["directoryScopeId"]);
        Assert.True(post.AsObject().ContainsKey("appScopeId") && post["appScopeId"] is null);
        // Mail.Send (Role) leaves requiredResourceAccess; the app's other Graph permission stays.
        var rra = JsonNode.Parse(writes[2].Body!)!["requiredResourceAccess"]!.AsArray();
        var access = Assert.Single(rra)!["resourceAccess"]!.AsArray().Select(a => (string?)a!["id"]).ToList();
        Assert.DoesNotContain(MailSendRole, access);
        Assert.Contains(FakeGraph.UserReadAll, access);
        var tags = JsonNode.Parse(writes[3].Body!)!["tags"]!.AsArray().Select(t => (string?)t).ToList();
        Assert.Contains("MailOAuth", tags);
        Assert.True(SendScopeTag.TryParse(tags!, out var taggedOn));
        Assert.Equal("Mailbox: " + Sender, outcome.SendScope);
        Assert.Equal(taggedOn, outcome.ScopeAssignedOn);
        Assert.Equal(FakeGraph.NewAssignmentId, outcome.AssignmentId);
        Assert.False(outcome.AlreadyGranted);
        var warning = Assert.Single(reporter.Warnings);
        Assert.Contains("tenant-wide Microsoft Graph Mail.Send grant", warning);
        Assert.Contains("required permissions", warning);
        Assert.Contains("union", warning);
        Assert.Contains("may be denied", warning);
        Assert.Contains(Utc(_clock.GetUtcNow().AddHours(2)), warning);
        Assert.Equal(ScopeStage.Enforced, outcome.ScopeStage);
    }

    // ---- staged scoping of a live app (docs/design.md#staged-scoping) ----

    [Fact]
    public async Task A_live_app_without_KeepTenantGrant_or_Force_is_refused_before_any_write_naming_the_two_step_way()
    {
        ConnectWithExchange();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new MailboxScopeService(_session).PlanAsync(Live, CancellationToken.None));

        Assert.Equal(DiagnosisCode.MailboxScopeNotYetApplied, ex.Code);
        Assert.Contains("tenant-wide Microsoft Graph Mail.Send grant", ex.Diagnosis.Cause);
        Assert.Contains(Utc(_clock.GetUtcNow().AddHours(2)), ex.Diagnosis.Cause);
        Assert.Contains("Nothing was changed", ex.Diagnosis.Cause);
        Assert.Contains("-KeepTenantGrant", ex.Diagnosis.Remediation);
        Assert.Contains("-Force", ex.Diagnosis.Remediation);
        Assert.Empty(_graph.Writes);
        Assert.True(_graph.GraphGrant);
    }

    [Fact]
    public async Task A_staged_run_assigns_and_tags_but_removes_neither_the_grant_nor_the_declared_Mail_Send()
    {
        ConnectWithExchange();

        var (plan, outcome, reporter) = await ScopeAsync(Staged);

        Assert.Equal(new[] { ScopeStepKind.AssignMailbox, ScopeStepKind.WriteScopeTag }, plan.Steps.Select(s => s.Kind));
        Assert.Equal(new[] { "POST /beta/roleManagement/exchange/roleAssignments", $"PATCH /v1.0/applications/{AppObjectId}" },
            _graph.Writes.Select(w => w.Method + " " + w.Path));
        Assert.DoesNotContain(_graph.Writes, w => w.Method == "DELETE");
        Assert.False(JsonNode.Parse(_graph.Writes[1].Body!)!.AsObject().ContainsKey("requiredResourceAccess"));
        Assert.True(_graph.GraphGrant);
        Assert.True(_graph.DeclaresMailSend);
        Assert.Single(_graph.Assignments);
        Assert.True(SendScopeTag.TryParse(_graph.Tags, out var taggedOn));
        Assert.Equal(_clock.GetUtcNow(), taggedOn);
        // Still tenant-wide in effect: the form Send-MailOAuthTest binds, with the stage beside it.
        Assert.Equal("Tenant", outcome.SendScope);
        Assert.Equal(ScopeStage.Staged, outcome.ScopeStage);
        Assert.Equal(taggedOn, outcome.ScopeAssignedOn);
        Assert.Equal(FakeGraph.NewAssignmentId, outcome.AssignmentId);
        Assert.Empty(outcome.Removed);
        var warning = Assert.Single(reporter.Warnings);
        Assert.Contains("staged", warning);
        Assert.Contains("without -KeepTenantGrant", warning);
        Assert.Contains("after " + Utc(taggedOn.AddHours(2)), warning);
    }

    [Fact]
    public async Task A_second_staged_run_writes_nothing_and_keeps_the_assignment_time()
    {
        ConnectWithExchange();
        var (_, first, _) = await ScopeAsync(Staged);
        _graph.Seen.Clear();
        _clock.Advance(TimeSpan.FromMinutes(20));

        var (plan, outcome, reporter) = await ScopeAsync(Staged);

        Assert.Empty(plan.Steps);
        Assert.Empty(_graph.Writes);
        Assert.True(outcome.AlreadyGranted);
        Assert.Equal(ScopeStage.Staged, outcome.ScopeStage);
        Assert.Equal(first.ScopeAssignedOn, outcome.ScopeAssignedOn);
        Assert.Contains("after " + Utc(first.ScopeAssignedOn!.Value.AddHours(2)), Assert.Single(reporter.Warnings));
    }

    [Fact]
    public async Task A_run_without_KeepTenantGrant_within_2_hours_of_the_staged_assignment_is_refused_and_removes_nothing()
    {
        ConnectWithExchange();
        var (_, staged, _) = await ScopeAsync(Staged);
        _graph.Seen.Clear();
        _clock.Advance(TimeSpan.FromMinutes(119));

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new MailboxScopeService(_session).PlanAsync(Live, CancellationToken.None));

        Assert.Equal(DiagnosisCode.MailboxScopeNotYetApplied, ex.Code);
        Assert.Contains("119 minutes ago", ex.Diagnosis.Cause);
        Assert.Contains("after " + Utc(staged.ScopeAssignedOn!.Value.AddHours(2)), ex.Diagnosis.Remediation);
        Assert.Empty(_graph.Writes);
        Assert.True(_graph.GraphGrant);
        Assert.True(_graph.DeclaresMailSend);
    }

    [Fact]
    public async Task A_run_without_KeepTenantGrant_after_the_2_hours_removes_the_grant_and_the_declaration_without_the_gap_warning()
    {
        ConnectWithExchange();
        var (_, staged, _) = await ScopeAsync(Staged);
        _graph.Seen.Clear();
        _clock.Advance(TimeSpan.FromHours(2));

        var (plan, outcome, reporter) = await ScopeAsync(Live);

        Assert.Equal(new[] { ScopeStepKind.RemoveTenantGrant, ScopeStepKind.RemoveDeclaredMailSend }, plan.Steps.Select(s => s.Kind));
        Assert.All(plan.Steps, s => Assert.False(s.HighImpact));
        Assert.Equal(new[] { $"DELETE /v1.0/servicePrincipals/{SpId}/appRoleAssignments/{FakeGraph.GrantId}", $"PATCH /v1.0/applications/{AppObjectId}" },
            _graph.Writes.Select(w => w.Method + " " + w.Path));
        Assert.False(_graph.GraphGrant);
        Assert.False(_graph.DeclaresMailSend);
        Assert.Single(_graph.Assignments);
        Assert.Equal("Mailbox: " + Sender, outcome.SendScope);
        Assert.Equal(ScopeStage.Enforced, outcome.ScopeStage);
        Assert.Equal(staged.ScopeAssignedOn, outcome.ScopeAssignedOn);
        var warning = Assert.Single(reporter.Warnings);
        Assert.Contains("tenant-wide Microsoft Graph Mail.Send grant", warning);
        Assert.Contains("more than the 2 hours", warning);
        Assert.DoesNotContain("may be denied", warning);
    }

    [Fact]
    public async Task An_app_without_the_tenant_wide_grant_is_scoped_in_one_step_without_Force()
    {
        ConnectWithExchange();
        _graph.GraphGrant = false; // New-MailOAuthApp's app: Mail.Send declared, never granted

        var (plan, outcome, _) = await ScopeAsync(Live);

        Assert.Equal(new[] { ScopeStepKind.AssignMailbox, ScopeStepKind.RemoveDeclaredMailSend, ScopeStepKind.WriteScopeTag }, plan.Steps.Select(s => s.Kind));
        Assert.False(_graph.DeclaresMailSend);
        Assert.Equal("Mailbox: " + Sender, outcome.SendScope);
        Assert.Equal(ScopeStage.Enforced, outcome.ScopeStage);
    }

    [Fact]
    public async Task A_tag_left_from_an_assignment_that_is_gone_is_rewritten_with_the_new_assignment_time()
    {
        ConnectWithExchange();
        _graph.GraphGrant = false;
        _graph.Tags = new List<string> { "MailOAuth", SendScopeTag.Format(_clock.GetUtcNow().AddDays(-30)) };

        var (plan, outcome, _) = await ScopeAsync(Live);

        Assert.Contains(ScopeStepKind.WriteScopeTag, plan.Steps.Select(s => s.Kind));
        Assert.True(SendScopeTag.TryParse(_graph.Tags, out var taggedOn));
        Assert.Equal(_clock.GetUtcNow(), taggedOn);
        Assert.Equal(taggedOn, outcome.ScopeAssignedOn);
    }

    [Fact]
    public async Task A_rerun_on_a_scoped_app_plans_nothing_writes_nothing_and_keeps_the_first_assignment_time()
    {
        ConnectWithExchange();
        await ScopeAsync(Mailbox);
        var first = _graph.Tags.Single(t => t.StartsWith(SendScopeTag.Prefix));
        _graph.Seen.Clear();

        var (plan, outcome, reporter) = await ScopeAsync(Mailbox);

        Assert.Empty(plan.Steps);
        Assert.Empty(_graph.Writes);
        Assert.True(outcome.AlreadyGranted);
        Assert.Equal("Mailbox: " + Sender, outcome.SendScope);
        Assert.True(SendScopeTag.TryParse(new[] { first }, out var at));
        Assert.Equal(at, outcome.ScopeAssignedOn);
        Assert.Empty(reporter.Warnings);
        Assert.Single(_graph.Assignments);
    }

    [Fact]
    public async Task Without_RoleManagement_ReadWrite_Exchange_it_is_refused_before_any_request()
    {
        Connect("Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "User.Read.All", "RoleManagement.Read.Exchange");

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new MailboxScopeService(_session).PlanAsync(Mailbox, CancellationToken.None));

        Assert.Equal(DiagnosisCode.InsufficientPrivileges, ex.Code);
        Assert.Contains("RoleManagement.ReadWrite.Exchange", ex.Diagnosis.Cause);
        Assert.Contains("Exchange Administrator", ex.Diagnosis.Cause);
        Assert.Empty(_graph.Seen);
    }

    [Fact]
    public async Task Undoing_needs_the_permission_too_and_is_refused_before_any_request()
    {
        Connect("Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All");

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            new MailboxScopeService(_session).PlanAsync(new ScopeRequest { ClientId = ClientId, Scope = SendScopeKind.Tenant }, CancellationToken.None));

        Assert.Equal(DiagnosisCode.InsufficientPrivileges, ex.Code);
        Assert.Empty(_graph.Seen);
    }

    [Fact]
    public async Task Without_the_confirmed_assignment_nothing_is_removed()
    {
        ConnectWithExchange();

        var (_, outcome, reporter) = await ScopeAsync(Mailbox, plan => plan.Steps.Select(s => s.Kind).Where(k => k != ScopeStepKind.AssignMailbox).ToHashSet());

        Assert.Empty(_graph.Writes);
        Assert.Equal("None", outcome.SendScope);
        Assert.Contains(reporter.Warnings, w => w.Contains("was not made"));
    }

    [Fact]
    public async Task An_assignment_scoped_to_another_mailbox_is_replaced_only_as_its_own_step()
    {
        ConnectWithExchange();
        _graph.Assignments.Add(new FakeAssignment("old-1", $"/ServicePrincipals/{SpId}", FakeGraph.MailSendRoleDefinitionId, $"/Users/{OtherId}"));

        var (plan, outcome, reporter) = await ScopeAsync(Mailbox);

        var replace = Assert.Single(plan.Steps, s => s.Kind == ScopeStepKind.ReplaceAssignments);
        Assert.Contains($"/Users/{OtherId}", replace.Action);
        Assert.Contains("Replace", replace.Action);
        Assert.Equal(new[] { "POST /beta/roleManagement/exchange/roleAssignments", "DELETE /beta/roleManagement/exchange/roleAssignments/old-1" },
            _graph.Writes.Take(2).Select(w => w.Method + " " + w.Path));
        var left = Assert.Single(_graph.Assignments);
        Assert.Equal($"/Users/{SenderId}", left.DirectoryScopeId);
        Assert.Equal("Mailbox: " + Sender, outcome.SendScope);
        Assert.Contains("old-1", Assert.Single(reporter.Warnings));
    }

    [Fact]
    public async Task A_sender_the_directory_does_not_know_is_SenderMailboxNotFound_before_any_write()
    {
        ConnectWithExchange();

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() =>
            new MailboxScopeService(_session).PlanAsync(new ScopeRequest { ClientId = ClientId, SenderAddress = "nobody@contoso.com" }, CancellationToken.None));

        Assert.Equal(DiagnosisCode.SenderMailboxNotFound, ex.Code);
        Assert.Empty(_graph.Writes);
    }

    [Fact]
    public async Task A_tenant_without_the_Application_Mail_Send_role_is_a_clear_diagnosis_and_nothing_is_written()
    {
        ConnectWithExchange();
        _graph.NoMailSendRole = true;

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new MailboxScopeService(_session).PlanAsync(Mailbox, CancellationToken.None));

        Assert.Equal(DiagnosisCode.UnexpectedResponse, ex.Code);
        Assert.Contains("'Application Mail.Send'", ex.Diagnosis.Cause);
        Assert.Empty(_graph.Writes);
    }

    [Fact]
    public async Task A_Graph_403_from_Exchange_role_management_is_InsufficientPrivileges_naming_the_permission()
    {
        ConnectWithExchange();
        _graph.Fail = (r => r.Path.StartsWith("/beta/"), HttpStatusCode.Forbidden,
            """{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"request-id":"rid-403"}}}""");

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => new MailboxScopeService(_session).PlanAsync(Mailbox, CancellationToken.None));

        Assert.Equal(DiagnosisCode.InsufficientPrivileges, ex.Code);
        Assert.Equal("Authorization_RequestDenied", ex.Diagnosis.ServiceCode);
        Assert.Equal("rid-403", ex.Diagnosis.RequestId);
        Assert.Contains("RoleManagement.Read", ex.Diagnosis.Cause);
        Assert.Contains("Exchange Administrator", ex.Diagnosis.Cause);
        Assert.Empty(_graph.Writes);
    }

    [Fact]
    public async Task An_Exchange_OData_error_on_the_assignment_is_explained_with_its_code_and_the_pointer_to_check()
    {
        ConnectWithExchange();
        _graph.Fail = (r => r.Method == "POST" && r.Path.StartsWith("/beta/"), HttpStatusCode.BadRequest,
            """{"odata.error":{"code":"-1, InvalidOperationException","message":{"lang":"en-US","value":"Invalid request"}}}""");
        var service = new MailboxScopeService(_session);
        var plan = await service.PlanAsync(Mailbox, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<MailOAuthException>(() => service.ExecuteAsync(plan, All(plan), CancellationToken.None));

        Assert.Equal(DiagnosisCode.UnexpectedResponse, ex.Code);
        Assert.Equal("-1, InvalidOperationException", ex.Diagnosis.ServiceCode);
        Assert.Equal(400, ex.Diagnosis.HttpStatus);
        Assert.Contains("Invalid request", ex.Diagnosis.Message);
        Assert.Contains("New-ServicePrincipal", ex.Diagnosis.Remediation);
        // The refused assignment stopped the run: the tenant-wide grant was not removed.
        Assert.Equal(new[] { "POST" }, _graph.Writes.Select(w => w.Method));
        Assert.True(_graph.GraphGrant);
    }

    [Fact]
    public async Task Scope_Tenant_on_a_scoped_app_restores_the_declaration_and_the_grant_then_deletes_the_assignment_and_the_tag()
    {
        ConnectWithExchange();
        await ScopeAsync(Mailbox);
        _graph.Seen.Clear();

        var (plan, outcome, reporter) = await ScopeAsync(new ScopeRequest { ClientId = ClientId, Scope = SendScopeKind.Tenant });

        Assert.Equal(new[] { ScopeStepKind.RestoreDeclaredMailSend, ScopeStepKind.RestoreTenantGrant, ScopeStepKind.DeleteAssignments, ScopeStepKind.RemoveScopeTag },
            plan.Steps.Select(s => s.Kind));
        Assert.Equal(new[]
        {
            $"PATCH /v1.0/applications/{AppObjectId}",
            $"POST /v1.0/servicePrincipals/{GraphSpId}/appRoleAssignedTo",
            $"DELETE /beta/roleManagement/exchange/roleAssignments/{FakeGraph.NewAssignmentId}",
            $"PATCH /v1.0/applications/{AppObjectId}",
        }, _graph.Writes.Select(w => w.Method + " " + w.Path));
        Assert.True(_graph.GraphGrant);
        Assert.True(_graph.DeclaresMailSend);
        Assert.Empty(_graph.Assignments);
        Assert.DoesNotContain(_graph.Tags, t => t.StartsWith(SendScopeTag.Prefix));
        Assert.Contains("MailOAuth", _graph.Tags);
        Assert.Equal("Tenant", outcome.SendScope);
        Assert.Null(outcome.ScopeAssignedOn);
        Assert.Contains(reporter.Warnings, w => w.Contains("30 minutes to 2 hours"));
    }

    [Theory]
    [InlineData("MailOAuth:SendScope=Mailbox;2026-12-02T07:41:00Z", true, "2026-12-02T07:41:00+00:00")]
    [InlineData("mailoauth:sendscope=mailbox;2026-12-02T08:41:00+01:00", true, "2026-12-02T07:41:00+00:00")]
    [InlineData("MailOAuth:SendScope=Mailbox;soon", false, null)]
    [InlineData("MailOAuth", false, null)]
    public void The_scope_tag_round_trips_in_UTC(string tag, bool parses, string? expected)
    {
        Assert.Equal(parses, SendScopeTag.TryParse(new[] { "MailOAuth", tag }, out var at));
        if (!parses) return;
        Assert.Equal(DateTimeOffset.Parse(expected!), at);
        Assert.Equal(TimeSpan.Zero, at.Offset);
        Assert.Equal("MailOAuth:SendScope=Mailbox;2026-12-02T07:41:00Z", SendScopeTag.Format(at));
    }

    // ---- the fake ----

    private sealed record Seen(string Method, string Path, string Query, string? Body);

    private sealed record FakeAssignment(string Id, string PrincipalId, string RoleDefinitionId, string DirectoryScopeId);

    /// <summary>A tiny Graph (v1.0 directory and beta Exchange role management) for one app, with state and a request log.</summary>
    private sealed class FakeGraph : HttpMessageHandler
    {
        public const string MailSendRoleDefinitionId = "c4d5e6f7-1111-2222-3333-444455556666"; // per tenant: anything but well-known
        public const string NewAssignmentId = "c5dd3ab8-374f-42e9-b163-eb7c54b53755";
        public const string GrantId = "grant-abc";
        public const string UserReadAll = "df021288-bdef-4463-88db-98f22de89214";

        public List<Seen> Seen { get; } = new();
        public List<Seen> Writes => Seen.Where(s => s.Method != "GET").ToList();
        public List<FakeAssignment> Assignments { get; } = new();
        public List<string> Tags { get; set; } = new() { "MailOAuth" };
        public bool GraphGrant { get; set; } = true;
        public bool DeclaresMailSend { get; private set; } = true;
        public bool NoMailSendRole { get; set; }
        public (Func<Seen, bool> When, HttpStatusCode Status, string Body)? Fail { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var uri = request.RequestUri!;
            var seen = new Seen(request.Method.Method, Uri.UnescapeDataString(uri.AbsolutePath), Uri.UnescapeDataString(uri.Query),
                request.Content is null ? null : await request.Content.ReadAsStringAsync(ct));
            Seen.Add(seen);
            if (Fail is { } f && f.When(seen)) return Json(f.Status, f.Body);
            return Answer(seen);
        }

        private HttpResponseMessage Answer(Seen r)
        {
            var p = r.Path;
            switch (r.Method)
            {
                case "GET" when p == $"/v1.0/applications(appId='{ClientId}')":
                    return Ok(new JsonObject
                    {
                        ["id"] = AppObjectId, ["appId"] = ClientId, ["displayName"] = "Email OAuth", ["createdDateTime"] = "2020-01-01T00:00:00Z",
                        ["tags"] = new JsonArray(Tags.Select(t => (JsonNode)t!).ToArray()),
                        ["requiredResourceAccess"] = new JsonArray(new JsonObject
                        {
                            ["resourceAppId"] = EntraIds.GraphAppId,
                            ["resourceAccess"] = new JsonArray(new[] { (UserReadAll, "Role") }.Concat(DeclaresMailSend ? new[] { (MailSendRole, "Role") } : Array.Empty<(string, string)>())
                                .Select(a => (JsonNode)new JsonObject { ["id"] = a.Item1, ["type"] = a.Item2 }).ToArray()),
                        }),
                    });
                case "GET" when p == $"/v1.0/servicePrincipals(appId='{ClientId}')":
                    return Ok(new JsonObject { ["id"] = SpId, ["appId"] = ClientId });
                case "GET" when p == $"/v1.0/servicePrincipals(appId='{EntraIds.GraphAppId}')":
                    return Ok(new JsonObject
                    {
                        ["id"] = GraphSpId, ["appId"] = EntraIds.GraphAppId,
                        ["appRoles"] = new JsonArray(new JsonObject { ["id"] = MailSendRole, ["value"] = "Mail.Send", ["allowedMemberTypes"] = new JsonArray("Application") }),
                    });
                case "GET" when p == $"/v1.0/servicePrincipals/{SpId}/appRoleAssignments":
                    return Ok(new JsonObject
                    {
                        ["value"] = GraphGrant
                            ? new JsonArray(new JsonObject { ["id"] = GrantId, ["appRoleId"] = MailSendRole, ["resourceId"] = GraphSpId, ["principalId"] = SpId })
                            : new JsonArray(),
                    });
                case "DELETE" when p == $"/v1.0/servicePrincipals/{SpId}/appRoleAssignments/{GrantId}":
                    GraphGrant = false;
                    return new HttpResponseMessage(HttpStatusCode.NoContent);
                case "POST" when p == $"/v1.0/servicePrincipals/{GraphSpId}/appRoleAssignedTo":
                    GraphGrant = true;
                    return Json(HttpStatusCode.Created, new JsonObject { ["id"] = GrantId, ["appRoleId"] = MailSendRole, ["resourceId"] = GraphSpId, ["principalId"] = SpId }.ToJsonString());
                case "GET" when p == $"/v1.0/users/{Sender}":
                    return Ok(new JsonObject { ["id"] = SenderId, ["userPrincipalName"] = Sender });
                case "GET" when p.StartsWith("/v1.0/users/"):
                    return Json(HttpStatusCode.NotFound, """{"error":{"code":"Request_ResourceNotFound","message":"Resource does not exist."}}""");
                case "GET" when p == "/v1.0/users": // the mail / proxyAddresses lookups of an unknown sender
                    return Ok(new JsonObject { ["value"] = new JsonArray() });
                case "PATCH" when p == $"/v1.0/applications/{AppObjectId}":
                    var body = JsonNode.Parse(r.Body!)!.AsObject();
                    if (body["tags"] is JsonArray tags) Tags = tags.Select(t => (string)t!).ToList();
                    if (body["requiredResourceAccess"] is JsonArray rra)
                        DeclaresMailSend = rra.SelectMany(x => x!["resourceAccess"]!.AsArray()).Any(a => (string?)a!["id"] == MailSendRole);
                    return new HttpResponseMessage(HttpStatusCode.NoContent);
                case "GET" when p == "/beta/roleManagement/exchange/roleDefinitions":
                    var name = Regex.Match(r.Query, "displayName eq '([^']*)'").Groups[1].Value;
                    var roles = new[] { ("7224da60-0000-0000-0000-000000000001", "Address Lists"), (MailSendRoleDefinitionId, "Application Mail.Send") }
                        .Where(x => x.Item2 == name && !(NoMailSendRole && x.Item2 == "Application Mail.Send"));
                    return Ok(new JsonObject { ["value"] = new JsonArray(roles.Select(x => (JsonNode)new JsonObject { ["id"] = x.Item1, ["displayName"] = x.Item2, ["isBuiltIn"] = true }).ToArray()) });
                case "GET" when p == "/beta/roleManagement/exchange/roleAssignments":
                    var principal = Regex.Match(r.Query, "principalId eq '([^']*)'").Groups[1].Value;
                    var role = Regex.Match(r.Query, "roleDefinitionId eq '([^']*)'").Groups[1].Value;
                    return Ok(new JsonObject
                    {
                        ["value"] = new JsonArray(Assignments.Where(a => a.PrincipalId == principal && a.RoleDefinitionId == role).Select(ToJson).ToArray()),
                    });
                case "POST" when p == "/beta/roleManagement/exchange/roleAssignments":
                    var posted = JsonNode.Parse(r.Body!)!;
                    var created = new FakeAssignment(NewAssignmentId, (string)posted["principalId"]!, (string)posted["roleDefinitionId"]!, (string)posted["directoryScopeId"]!);
                    Assignments.Add(created);
                    return Json(HttpStatusCode.Created, ToJson(created).ToJsonString());
                case "DELETE" when p.StartsWith("/beta/roleManagement/exchange/roleAssignments/"):
                    var removed = Assignments.RemoveAll(a => a.Id == p.Substring(p.LastIndexOf('/') + 1));
                    return removed > 0 ? new HttpResponseMessage(HttpStatusCode.NoContent)
                        : Json(HttpStatusCode.NotFound, """{"error":{"code":"Request_ResourceNotFound","message":"Not found."}}""");
            }
            return Json(HttpStatusCode.BadRequest, new JsonObject { ["error"] = new JsonObject { ["code"] = "FakeUnknown", ["message"] = $"The fake does not serve {r.Method} {p}" } }.ToJsonString());
        }

        private static JsonNode ToJson(FakeAssignment a) => new JsonObject
        {
            ["id"] = a.Id, ["principalId"] = a.PrincipalId, ["roleDefinitionId"] = a.RoleDefinitionId, ["directoryScopeId"] = a.DirectoryScopeId, ["appScopeId"] = null,
        };

        private static HttpResponseMessage Ok(JsonNode body) => Json(HttpStatusCode.OK, body.ToJsonString());

        private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
            new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }
}
