using System.Net.Http.Json;
using System.Text.Json;
using MailOAuth.Sandbox.Hosting;
using Xunit;

namespace MailOAuth.Core.Tests.Sandbox;

/// <summary>
/// Exchange RBAC for Applications through Graph beta (docs/sandbox.md "Exchange RBAC for Applications",
/// docs/service-behaviour.md#exchange-rbac): role definitions, assignments, the union rule of sendMail and the cache delay.
/// Every test starts from a freshly seeded directory; the sandbox is its own, on a clock the tests move for the cache delay (nothing waits).
/// </summary>
public sealed class SandboxExchangeRbacTests(ClockedSandboxFixture sandbox) : IClassFixture<ClockedSandboxFixture>
{
    private const string Beta = "beta/roleManagement/exchange/";
    private const string AccessDeniedMessage = "Access is denied. Check credentials and try again.";

    private Task<GraphResult> GraphAsync(HttpMethod method, string path, string token, object? body = null) =>
        SandboxFixture.GraphAsync(sandbox.Client, method, path, token, body);

    private Task<string> TokenAsync(SandboxApp app) =>
        SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, app.ClientId, app.ClientSecret);

    private Task<string> AdminTokenAsync() =>
        SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, sandbox.Info.Admin.ClientId, sandbox.Info.Admin.ClientSecret);

    private async Task ResetAsync()
    {
        (await sandbox.Client.PostAsync("_sandbox/reset-directory", null)).Dispose();
        (await sandbox.Client.PostAsync("_sandbox/reset", null)).Dispose();
    }

    private async Task<JsonElement> ExchangeStateAsync() =>
        JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/exchange")).RootElement.Clone();

    private async Task<string> UserIdAsync(string token, string upn) =>
        (await GraphAsync(HttpMethod.Get, $"v1.0/users/{upn}", token)).String("id");

    private async Task<GraphResult> SendAsync(string token, string mailbox)
    {
        using var request = SandboxFixture.SendMailRequest(mailbox, token);
        using var response = await sandbox.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new GraphResult((int)response.StatusCode, text, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    private static void AssertAccessDenied(GraphResult result)
    {
        result.AssertStatus(403);
        Assert.Equal("ErrorAccessDenied", result.ErrorCode);
        Assert.Equal(AccessDeniedMessage, result.ErrorMessage);
    }

    private Task<GraphResult> AssignAsync(string token, string servicePrincipalId, string scope, string? roleDefinitionId = null) =>
        GraphAsync(HttpMethod.Post, Beta + "roleAssignments", token, new
        {
            principalId = "/ServicePrincipals/" + servicePrincipalId,
            roleDefinitionId = roleDefinitionId ?? sandbox.Info.ExchangeMailSendRoleDefinitionId,
            directoryScopeId = scope,
            appScopeId = (string?)null,
        });

    [Fact]
    public async Task Role_definitions_are_Exchange_roles_found_by_display_name_with_a_tenant_specific_id()
    {
        await ResetAsync();
        var token = await AdminTokenAsync();

        var filtered = await GraphAsync(HttpMethod.Get,
            Beta + "roleDefinitions?$filter=" + Uri.EscapeDataString("displayName eq 'Application Mail.Send'"), token);
        var all = await GraphAsync(HttpMethod.Get, Beta + "roleDefinitions", token);
        var byId = await GraphAsync(HttpMethod.Get, Beta + "roleDefinitions/" + sandbox.Info.ExchangeMailSendRoleDefinitionId, token);

        filtered.AssertStatus(200);
        Assert.Equal(sandbox.Info.GraphEndpoint + "/beta/$metadata#roleManagement/exchange/roleDefinitions", filtered.String("@odata.context"));
        var role = Assert.Single(filtered.Body.GetProperty("value").EnumerateArray());
        Assert.Equal(["id", "description", "displayName", "isEnabled", "version", "isBuiltIn", "templateId", "allowedPrincipalTypes", "rolePermissions"],
            SandboxFixture.PropertyNames(role));
        Assert.Equal(sandbox.Info.ExchangeMailSendRoleDefinitionId, role.GetProperty("id").GetString());
        Assert.Equal("Application Mail.Send", role.GetProperty("displayName").GetString());
        Assert.Equal(JsonValueKind.Null, role.GetProperty("templateId").ValueKind);
        Assert.True(role.GetProperty("isBuiltIn").GetBoolean());
        Assert.NotEqual("b633e1c5-b582-4048-a93e-9f11b44c7e96", role.GetProperty("id").GetString()); // not Graph's Mail.Send id
        var names = all.Body.GetProperty("value").EnumerateArray().Select(r => r.GetProperty("displayName").GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "Address Lists", "Mail Recipients", "Application Mail.Read", "Application Mail.ReadWrite", "Application Mail.Send", "Application Calendars.ReadWrite" },
            names.ToHashSet());
        byId.AssertStatus(200);
        Assert.EndsWith("/beta/$metadata#roleManagement/exchange/roleDefinitions/$entity", byId.String("@odata.context"));
    }

    [Fact]
    public async Task Role_definition_ids_differ_per_sandbox_start_stay_through_reset_directory_and_are_not_the_documentation_example()
    {
        // The id in Microsoft's roleDefinitions documentation example: a client that hard-codes it must fail here.
        const string DocumentationExampleId = "f66ab1ee-3cac-4d03-8a64-dadc56e563f8";
        await using var second = await SandboxHost.StartAsync();
        using var secondClient = SandboxFixture.CreatePinnedClient(second.Certificate, second.Info.BaseUri);
        var secondToken = await SandboxFixture.GetAccessTokenAsync(secondClient, second.Info, second.Info.Admin.ClientId, second.Info.Admin.ClientSecret);

        var secondAll = await SandboxFixture.GraphAsync(secondClient, HttpMethod.Get, Beta + "roleDefinitions", secondToken);
        var firstBefore = await GraphAsync(HttpMethod.Get, Beta + "roleDefinitions", await AdminTokenAsync());
        await ResetAsync();
        var firstAfter = await GraphAsync(HttpMethod.Get, Beta + "roleDefinitions", await AdminTokenAsync());

        static Dictionary<string, string> Ids(GraphResult result) => result.Body.GetProperty("value").EnumerateArray()
            .ToDictionary(r => r.GetProperty("displayName").GetString()!, r => r.GetProperty("id").GetString()!);
        var first = Ids(firstBefore);
        var other = Ids(secondAll);
        Assert.Equal(first, Ids(firstAfter)); // stable within one start: the start-up line stays true
        Assert.Equal(first["Application Mail.Send"], sandbox.Info.ExchangeMailSendRoleDefinitionId);
        Assert.Equal(other["Application Mail.Send"], second.Info.ExchangeMailSendRoleDefinitionId);
        Assert.NotEqual(sandbox.Info.ExchangeMailSendRoleDefinitionId, second.Info.ExchangeMailSendRoleDefinitionId);
        Assert.DoesNotContain(first.Keys, name => first[name] == other[name]);
        Assert.DoesNotContain(DocumentationExampleId, first.Values.Concat(other.Values), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_assignment_is_created_found_by_filter_read_and_deleted_in_the_documented_shapes()
    {
        await ResetAsync();
        var token = await AdminTokenAsync();
        var spId = sandbox.Info.Apps.Unconsented.ServicePrincipalId;
        var senderId = await UserIdAsync(token, sandbox.Info.Mailboxes.Licensed);

        var created = await AssignAsync(token, spId, "/Users/" + senderId);
        created.AssertStatus(201);
        Assert.Equal(["@odata.context", "id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId"], SandboxFixture.PropertyNames(created.Body));
        Assert.Equal(sandbox.Info.GraphEndpoint + "/beta/$metadata#roleManagement/exchange/roleAssignments/$entity", created.String("@odata.context"));
        var id = created.String("id");
        Assert.True(Guid.TryParse(id, out _), id); // plain GUIDs, unlike directory-provider ids
        Assert.Equal("/ServicePrincipals/" + spId, created.String("principalId"));
        Assert.Equal("/Users/" + senderId, created.String("directoryScopeId"));
        Assert.Equal(JsonValueKind.Null, created.Body.GetProperty("appScopeId").ValueKind);

        var filter = Uri.EscapeDataString($"principalId eq '/ServicePrincipals/{spId}' and roleDefinitionId eq '{sandbox.Info.ExchangeMailSendRoleDefinitionId}'");
        var found = await GraphAsync(HttpMethod.Get, Beta + "roleAssignments?$filter=" + filter, token);
        found.AssertStatus(200);
        Assert.Equal(sandbox.Info.GraphEndpoint + "/beta/$metadata#roleManagement/exchange/roleAssignments", found.String("@odata.context"));
        Assert.Equal(id, Assert.Single(found.Body.GetProperty("value").EnumerateArray()).GetProperty("id").GetString());
        var otherPrincipal = await GraphAsync(HttpMethod.Get,
            Beta + "roleAssignments?$filter=" + Uri.EscapeDataString($"principalId eq '/ServicePrincipals/{sandbox.Info.Apps.Consented.ServicePrincipalId}'"), token);
        Assert.Empty(otherPrincipal.Body.GetProperty("value").EnumerateArray());

        (await GraphAsync(HttpMethod.Get, Beta + "roleAssignments/" + id, token)).AssertStatus(200);
        var deleted = await GraphAsync(HttpMethod.Delete, Beta + "roleAssignments/" + id, token);
        deleted.AssertStatus(204);
        var gone = await GraphAsync(HttpMethod.Get, Beta + "roleAssignments/" + id, token);
        gone.AssertStatus(404);
        Assert.Equal("Request_ResourceNotFound", gone.ErrorCode);
        var again = await GraphAsync(HttpMethod.Delete, Beta + "roleAssignments/" + id, token);
        again.AssertStatus(404);
        Assert.Equal("Request_ResourceNotFound", again.ErrorCode);
        Assert.Empty((await GraphAsync(HttpMethod.Get, Beta + "roleAssignments?$filter=" + filter, token)).Body.GetProperty("value").EnumerateArray());
    }

    [Fact]
    public async Task A_bad_principal_service_principal_scope_or_role_is_400_and_scope_casing_is_free()
    {
        await ResetAsync();
        var token = await AdminTokenAsync();
        var spId = sandbox.Info.Apps.Unconsented.ServicePrincipalId;
        var senderId = await UserIdAsync(token, sandbox.Info.Mailboxes.Licensed);

        var barePrincipal = await GraphAsync(HttpMethod.Post, Beta + "roleAssignments", token, new
        {
            principalId = spId, roleDefinitionId = sandbox.Info.ExchangeMailSendRoleDefinitionId, directoryScopeId = "/Users/" + senderId,
        });
        var unknownSp = await AssignAsync(token, Guid.NewGuid().ToString(), "/Users/" + senderId);
        var badScope = await AssignAsync(token, spId, "/Mailboxes/" + senderId);
        var unknownUser = await AssignAsync(token, spId, "/Users/" + Guid.NewGuid());
        var unknownRole = await AssignAsync(token, spId, "/Users/" + senderId, roleDefinitionId: Guid.NewGuid().ToString());

        foreach (var bad in new[] { barePrincipal, unknownSp, badScope, unknownUser, unknownRole })
        {
            bad.AssertStatus(400);
            Assert.Equal("Request_BadRequest", bad.ErrorCode);
            Assert.True(bad.Body.GetProperty("error").TryGetProperty("innerError", out _), bad.Text);
        }

        Assert.DoesNotContain((await ExchangeStateAsync()).GetProperty("assignments").EnumerateArray(),
            a => a.GetProperty("principalId").GetString()!.EndsWith(spId, StringComparison.OrdinalIgnoreCase));
        (await AssignAsync(token, spId, "/users/" + senderId)).AssertStatus(201);
        (await AssignAsync(token, spId, "/")).AssertStatus(201);
    }

    [Fact]
    public async Task Without_an_Exchange_RBAC_permission_reads_and_writes_are_403_Authorization_RequestDenied()
    {
        await ResetAsync();
        var noExchange = await TokenAsync(sandbox.Info.AdminNoExchangeRbac);
        var noRights = await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, sandbox.Info.NoRightsAdmin.ClientId, sandbox.Info.NoRightsAdmin.ClientSecret);
        var roles = SandboxFixture.JwtPart(noExchange, 1).GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.DoesNotContain(roles, r => r.StartsWith("RoleManagement.", StringComparison.Ordinal));
        Assert.Contains("Application.ReadWrite.All", roles);

        foreach (var token in new[] { noExchange, noRights })
        {
            var read = await GraphAsync(HttpMethod.Get, Beta + "roleDefinitions", token);
            var list = await GraphAsync(HttpMethod.Get, Beta + "roleAssignments", token);
            var create = await AssignAsync(token, sandbox.Info.Apps.Unconsented.ServicePrincipalId, "/");
            var delete = await GraphAsync(HttpMethod.Delete, Beta + "roleAssignments/" + Guid.NewGuid(), token);
            foreach (var denied in new[] { read, list, create, delete })
            {
                denied.AssertStatus(403);
                Assert.Equal("Authorization_RequestDenied", denied.ErrorCode);
                Assert.Equal("Insufficient privileges to complete the operation.", denied.ErrorMessage);
            }
        }

        Assert.Single((await ExchangeStateAsync()).GetProperty("assignments").EnumerateArray()); // only the seeded one
    }

    [Fact]
    public async Task The_seeded_scoped_app_has_no_Mail_Send_role_and_sends_only_as_its_mailbox()
    {
        await ResetAsync();
        var token = await TokenAsync(sandbox.Info.Apps.Scoped!);
        var admin = await AdminTokenAsync();

        Assert.False(SandboxFixture.JwtPart(token, 1).TryGetProperty("roles", out _));
        (await SendAsync(token, sandbox.Info.Mailboxes.Licensed)).AssertStatus(202);
        AssertAccessDenied(await SendAsync(token, sandbox.Info.Mailboxes.Other));

        var app = await GraphAsync(HttpMethod.Get, "v1.0/applications/" + sandbox.Info.Apps.Scoped!.ObjectId, admin);
        var tags = app.Body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();
        Assert.Contains("MailOAuth", tags);
        var scopeTag = Assert.Single(tags, t => t.StartsWith("MailOAuth:SendScope=Mailbox;", StringComparison.Ordinal));
        Assert.True(DateTimeOffset.Parse(scopeTag["MailOAuth:SendScope=Mailbox;".Length..]) < sandbox.Clock.Now.AddDays(-1), scopeTag);
        var seeded = Assert.Single((await ExchangeStateAsync()).GetProperty("assignments").EnumerateArray());
        Assert.True(seeded.GetProperty("applied").GetBoolean());
        Assert.Equal("/ServicePrincipals/" + sandbox.Info.Apps.Scoped!.ServicePrincipalId, seeded.GetProperty("principalId").GetString());
    }

    [Fact]
    public async Task A_new_assignment_lets_sendMail_through_only_after_the_cache_delay_and_only_for_its_mailbox()
    {
        await ResetAsync();
        using (await sandbox.Client.PostAsJsonAsync("_sandbox/exchange", new { cacheDelaySeconds = 60 })) { }
        var admin = await AdminTokenAsync();
        var app = sandbox.Info.Apps.Unconsented;
        var senderId = await UserIdAsync(admin, sandbox.Info.Mailboxes.Licensed);
        var token = await TokenAsync(app);

        var created = await AssignAsync(admin, app.ServicePrincipalId, "/Users/" + senderId);
        created.AssertStatus(201);
        var pending = Assert.Single((await ExchangeStateAsync()).GetProperty("assignments").EnumerateArray(), a => a.GetProperty("id").GetString() == created.String("id"));
        var beforeDelay = await SendAsync(token, sandbox.Info.Mailboxes.Licensed);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(59));
        var justBefore = await SendAsync(token, sandbox.Info.Mailboxes.Licensed);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
        var after = await SendAsync(token, sandbox.Info.Mailboxes.Licensed);
        var otherMailbox = await SendAsync(token, sandbox.Info.Mailboxes.Other);

        Assert.Equal(60, (await ExchangeStateAsync()).GetProperty("cacheDelaySeconds").GetDouble());
        Assert.False(pending.GetProperty("applied").GetBoolean());
        AssertAccessDenied(beforeDelay); // the same body as no grant at all
        AssertAccessDenied(justBefore);
        after.AssertStatus(202);
        AssertAccessDenied(otherMailbox);
        Assert.True(Assert.Single((await ExchangeStateAsync()).GetProperty("assignments").EnumerateArray(),
            a => a.GetProperty("id").GetString() == created.String("id")).GetProperty("applied").GetBoolean());
    }

    [Fact]
    public async Task A_tenant_wide_assignment_covers_every_mailbox()
    {
        await ResetAsync();
        var admin = await AdminTokenAsync();
        var app = sandbox.Info.Apps.Unconsented;
        (await AssignAsync(admin, app.ServicePrincipalId, "/")).AssertStatus(201);
        (await sandbox.Client.PostAsync("_sandbox/exchange/apply", null)).Dispose();
        var token = await TokenAsync(app);

        (await SendAsync(token, sandbox.Info.Mailboxes.Licensed)).AssertStatus(202);
        (await SendAsync(token, sandbox.Info.Mailboxes.Other)).AssertStatus(202);
    }

    [Fact]
    public async Task A_removal_also_reaches_sendMail_only_after_the_cache_delay()
    {
        await ResetAsync();
        var admin = await AdminTokenAsync();
        var scoped = sandbox.Info.Apps.Scoped!;
        var token = await TokenAsync(scoped);
        var assignmentId = Assert.Single((await ExchangeStateAsync()).GetProperty("assignments").EnumerateArray()).GetProperty("id").GetString();

        (await GraphAsync(HttpMethod.Delete, Beta + "roleAssignments/" + assignmentId, admin)).AssertStatus(204);
        var state = await ExchangeStateAsync();
        var stillCached = await SendAsync(token, sandbox.Info.Mailboxes.Licensed);
        sandbox.Clock.Advance(TimeSpan.FromSeconds(6)); // default delay 5 s
        var removed = await SendAsync(token, sandbox.Info.Mailboxes.Licensed);

        Assert.Empty(state.GetProperty("assignments").EnumerateArray());
        Assert.Equal(assignmentId, Assert.Single(state.GetProperty("pendingRemovals").EnumerateArray()).GetProperty("id").GetString());
        stillCached.AssertStatus(202);
        AssertAccessDenied(removed);
        Assert.Empty((await ExchangeStateAsync()).GetProperty("pendingRemovals").EnumerateArray());
    }

    [Fact]
    public async Task Apply_makes_pending_assignments_and_removals_effective_at_once()
    {
        await ResetAsync();
        using (await sandbox.Client.PostAsJsonAsync("_sandbox/exchange", new { cacheDelaySeconds = 3600 })) { }
        var admin = await AdminTokenAsync();
        var app = sandbox.Info.Apps.Unconsented;
        var token = await TokenAsync(app);
        var senderId = await UserIdAsync(admin, sandbox.Info.Mailboxes.Licensed);
        var id = (await AssignAsync(admin, app.ServicePrincipalId, "/Users/" + senderId)).String("id");

        var before = await SendAsync(token, sandbox.Info.Mailboxes.Licensed);
        using var apply = await sandbox.Client.PostAsync("_sandbox/exchange/apply", null);
        var applied = await SendAsync(token, sandbox.Info.Mailboxes.Licensed);
        (await GraphAsync(HttpMethod.Delete, Beta + "roleAssignments/" + id, admin)).AssertStatus(204);
        var removalPending = await SendAsync(token, sandbox.Info.Mailboxes.Licensed);
        (await sandbox.Client.PostAsync("_sandbox/exchange/apply", null)).Dispose();
        var removalApplied = await SendAsync(token, sandbox.Info.Mailboxes.Licensed);

        AssertAccessDenied(before);
        Assert.Equal(200, (int)apply.StatusCode);
        applied.AssertStatus(202);
        removalPending.AssertStatus(202);
        AssertAccessDenied(removalApplied);
    }

    [Fact]
    public async Task Reset_directory_restores_the_seeded_assignment_and_the_default_delay()
    {
        await ResetAsync();
        var admin = await AdminTokenAsync();
        using (await sandbox.Client.PostAsJsonAsync("_sandbox/exchange", new { cacheDelaySeconds = 600 })) { }
        (await AssignAsync(admin, sandbox.Info.Apps.Unconsented.ServicePrincipalId, "/")).AssertStatus(201);
        var seededId = (await ExchangeStateAsync()).GetProperty("assignments")[0].GetProperty("id").GetString();
        (await GraphAsync(HttpMethod.Delete, Beta + "roleAssignments/" + seededId, admin)).AssertStatus(204);
        using var invalid = await sandbox.Client.PostAsJsonAsync("_sandbox/exchange", new { cacheDelaySeconds = -1 });

        (await sandbox.Client.PostAsync("_sandbox/reset-directory", null)).Dispose();
        var state = await ExchangeStateAsync();

        Assert.Equal(400, (int)invalid.StatusCode);
        Assert.Equal(5, state.GetProperty("cacheDelaySeconds").GetDouble());
        Assert.Equal(seededId, Assert.Single(state.GetProperty("assignments").EnumerateArray()).GetProperty("id").GetString());
        Assert.Empty(state.GetProperty("pendingRemovals").EnumerateArray());
        Assert.Contains(state.GetProperty("roleDefinitions").EnumerateArray(),
            d => d.GetProperty("id").GetString() == sandbox.Info.ExchangeMailSendRoleDefinitionId && d.GetProperty("displayName").GetString() == "Application Mail.Send");
    }

    [Fact]
    public async Task Only_beta_serves_roleManagement_exchange_and_its_calls_are_logged_as_directory()
    {
        await ResetAsync();
        var admin = await AdminTokenAsync();

        var v1 = await GraphAsync(HttpMethod.Get, "v1.0/roleManagement/exchange/roleDefinitions", admin);
        (await GraphAsync(HttpMethod.Get, Beta + "roleDefinitions", admin)).AssertStatus(200);
        var log = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/requests")).RootElement;

        Assert.Equal(404, v1.Status);
        Assert.Contains(log.EnumerateArray(), e => e.GetProperty("path").GetString()!.StartsWith("/beta/roleManagement", StringComparison.Ordinal)
            && e.GetProperty("kind").GetString() == "directory");
    }
}
