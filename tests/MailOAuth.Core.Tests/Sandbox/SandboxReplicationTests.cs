using System.Net.Http.Json;
using System.Text.Json;
using MailOAuth.Sandbox.Hosting;
using Xunit;

namespace MailOAuth.Core.Tests.Sandbox;

/// <summary>A sandbox of its own, started with a 30 s replication lag on a clock the tests move.</summary>
public sealed class LaggedSandboxFixture : ClockedSandboxFixture
{
    public const int LagSeconds = 30;

    protected override SandboxOptions CreateOptions()
    {
        var options = base.CreateOptions();
        options.ReplicationLagSeconds = LagSeconds;
        return options;
    }
}

/// <summary>
/// Replication lag (docs/design.md#reliability, docs/service-behaviour.md#replication): each symptom shows
/// while a new object is inside the lag, and is gone once the clock passes creation + lag. The
/// clock is moved by hand; nothing waits.
/// </summary>
public sealed class SandboxReplicationTests(LaggedSandboxFixture sandbox) : IClassFixture<LaggedSandboxFixture>
{
    private const string MailSendRoleId = "b633e1c5-b582-4048-a93e-9f11b44c7e96";
    private static readonly TimeSpan PastTheLag = TimeSpan.FromSeconds(LaggedSandboxFixture.LagSeconds + 1);

    private Task<GraphResult> GraphAsync(HttpMethod method, string path, string token, object? body = null, string? prefer = null) =>
        SandboxFixture.GraphAsync(sandbox.Client, method, path, token, body, prefer);

    private Task<string> AdminTokenAsync() =>
        SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, sandbox.Info.Admin.ClientId, sandbox.Info.Admin.ClientSecret);

    [Fact]
    public async Task Start_up_lag_is_reported_and_can_be_changed_at_run_time()
    {
        using var initial = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/replication"));
        Assert.Equal(LaggedSandboxFixture.LagSeconds, initial.RootElement.GetProperty("lagSeconds").GetDouble());

        using var set = await sandbox.Client.PostAsJsonAsync("_sandbox/replication", new { lagSeconds = 0 });
        Assert.Equal(200, (int)set.StatusCode);
        var token = await AdminTokenAsync();
        var app = await GraphAsync(HttpMethod.Post, "v1.0/applications", token, new { displayName = "Immediate " + Guid.NewGuid().ToString("N")[..6] });
        var password = await GraphAsync(HttpMethod.Post, $"v1.0/applications/{app.String("id")}/addPassword", token, new { passwordCredential = new { } });
        (await sandbox.Client.PostAsJsonAsync("_sandbox/replication", new { lagSeconds = LaggedSandboxFixture.LagSeconds })).Dispose();

        password.AssertStatus(200); // lag 0 = immediate
        using var invalid = await sandbox.Client.PostAsJsonAsync("_sandbox/replication", new { lagSeconds = -1 });
        Assert.Equal(400, (int)invalid.StatusCode);
    }

    [Fact]
    public async Task A_new_application_is_not_found_by_addPassword_nor_backs_a_service_principal_nor_is_listed_until_it_replicates()
    {
        var token = await AdminTokenAsync();
        var name = "Lagged " + Guid.NewGuid().ToString("N")[..8];
        var uniqueName = "lagged-" + Guid.NewGuid().ToString("N")[..8];
        var app = await GraphAsync(HttpMethod.Patch, $"v1.0/applications(uniqueName='{uniqueName}')", token, new { displayName = name }, prefer: "create-if-missing");
        app.AssertStatus(201);
        var (objectId, appId) = (app.String("id"), app.String("appId"));
        var filter = $"v1.0/applications?$filter={Uri.EscapeDataString($"displayName eq '{name}'")}";

        var addPassword = await GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/addPassword", token, new { passwordCredential = new { } });
        var createSp = await GraphAsync(HttpMethod.Post, "v1.0/servicePrincipals", token, new { appId });
        var upsertSp = await GraphAsync(HttpMethod.Patch, $"v1.0/servicePrincipals(appId='{appId}')", token, new { }, prefer: "create-if-missing");
        var listed = await GraphAsync(HttpMethod.Get, filter, token);
        var byKey = await GraphAsync(HttpMethod.Get, $"v1.0/applications(uniqueName='{uniqueName}')", token);
        var byId = await GraphAsync(HttpMethod.Get, $"v1.0/applications/{objectId}", token);
        var upsertAgain = await GraphAsync(HttpMethod.Patch, $"v1.0/applications(uniqueName='{uniqueName}')", token, new { displayName = name }, prefer: "create-if-missing");

        addPassword.AssertStatus(404);
        Assert.Equal("Request_ResourceNotFound", addPassword.ErrorCode);
        Assert.Equal($"Resource '{objectId}' does not exist or one of its queried reference-property objects are not present.", addPassword.ErrorMessage);
        foreach (var noBacking in new[] { createSp, upsertSp })
        {
            noBacking.AssertStatus(400);
            Assert.Equal("Request_BadRequest", noBacking.ErrorCode);
            Assert.Equal($"The appId '{appId}' of the service principal does not reference a valid application object.", noBacking.ErrorMessage);
            Assert.Equal("NoBackingApplicationObject", noBacking.Body.GetProperty("error").GetProperty("details")[0].GetProperty("code").GetString());
        }

        Assert.Empty(listed.Body.GetProperty("value").EnumerateArray());
        byKey.AssertStatus(200); // the alternate key and the id are strongly consistent (INFERRED)
        byId.AssertStatus(200);
        upsertAgain.AssertStatus(204); // a retried upsert finds it: no duplicate

        sandbox.Clock.Advance(PastTheLag);

        (await GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/addPassword", token, new { passwordCredential = new { } })).AssertStatus(200);
        (await GraphAsync(HttpMethod.Post, "v1.0/servicePrincipals", token, new { appId })).AssertStatus(201);
        Assert.Single((await GraphAsync(HttpMethod.Get, filter, token)).Body.GetProperty("value").EnumerateArray());
    }

    [Fact]
    public async Task New_secret_service_principal_and_role_assignment_each_lag_at_the_token_endpoint_and_in_lists()
    {
        var token = await AdminTokenAsync();
        var app = await GraphAsync(HttpMethod.Post, "v1.0/applications", token, new { displayName = "Token lag " + Guid.NewGuid().ToString("N")[..8] });
        var (objectId, appId) = (app.String("id"), app.String("appId"));

        // The application itself is new: the token endpoint does not know it (AADSTS700016).
        using (var unknownApp = await SandboxFixture.RequestTokenAsync(sandbox.Client, sandbox.Info, appId, "anything"))
        {
            await AssertEntraCodeAsync(unknownApp, 400, 700016);
        }

        sandbox.Clock.Advance(PastTheLag);
        var secret = (await GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/addPassword", token, new { passwordCredential = new { } })).String("secretText");
        var servicePrincipalId = (await GraphAsync(HttpMethod.Post, "v1.0/servicePrincipals", token, new { appId })).String("id");
        var graphId = (await GraphAsync(HttpMethod.Get, "v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')", token)).String("id");

        // The new service principal cannot be a principal yet (404), and a new secret is invalid (7000215).
        var assignTooEarly = await GraphAsync(HttpMethod.Post, $"v1.0/servicePrincipals/{graphId}/appRoleAssignedTo", token,
            new { principalId = servicePrincipalId, resourceId = graphId, appRoleId = MailSendRoleId });
        assignTooEarly.AssertStatus(404);
        Assert.Equal($"Resource '{servicePrincipalId}' does not exist or one of its queried reference-property objects are not present.", assignTooEarly.ErrorMessage);
        using (var newSecret = await SandboxFixture.RequestTokenAsync(sandbox.Client, sandbox.Info, appId, secret))
        {
            await AssertEntraCodeAsync(newSecret, 401, 7000215);
        }

        sandbox.Clock.Advance(PastTheLag);
        var assignment = await GraphAsync(HttpMethod.Post, $"v1.0/servicePrincipals/{graphId}/appRoleAssignedTo", token,
            new { principalId = servicePrincipalId, resourceId = graphId, appRoleId = MailSendRoleId });
        assignment.AssertStatus(201);

        // The grant has not replicated: a token issued now has no roles, and the list omits it.
        var early = await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, appId, secret);
        Assert.False(SandboxFixture.JwtPart(early, 1).TryGetProperty("roles", out _));
        Assert.Empty((await GraphAsync(HttpMethod.Get, $"v1.0/servicePrincipals/{servicePrincipalId}/appRoleAssignments", token)).Body.GetProperty("value").EnumerateArray());
        var duplicate = await GraphAsync(HttpMethod.Post, $"v1.0/servicePrincipals/{graphId}/appRoleAssignedTo", token,
            new { principalId = servicePrincipalId, resourceId = graphId, appRoleId = MailSendRoleId });
        duplicate.AssertStatus(400); // writes are strongly consistent: no duplicate grant

        sandbox.Clock.Advance(PastTheLag);
        var late = await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, appId, secret);
        Assert.Equal(["Mail.Send"], SandboxFixture.JwtPart(late, 1).GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.False(SandboxFixture.JwtPart(early, 1).TryGetProperty("roles", out _)); // a token never gains a role
        Assert.Single((await GraphAsync(HttpMethod.Get, $"v1.0/servicePrincipals/{servicePrincipalId}/appRoleAssignments", token)).Body.GetProperty("value").EnumerateArray());
    }

    [Fact]
    public async Task An_app_whose_service_principal_is_new_gets_700016_until_the_service_principal_replicates()
    {
        var token = await AdminTokenAsync();
        var app = await GraphAsync(HttpMethod.Post, "v1.0/applications", token, new { displayName = "SP lag " + Guid.NewGuid().ToString("N")[..8] });
        var (objectId, appId) = (app.String("id"), app.String("appId"));
        sandbox.Clock.Advance(PastTheLag);
        var secret = (await GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/addPassword", token, new { passwordCredential = new { } })).String("secretText");
        sandbox.Clock.Advance(PastTheLag);
        (await GraphAsync(HttpMethod.Patch, $"v1.0/servicePrincipals(appId='{appId}')", token, new { }, prefer: "create-if-missing")).AssertStatus(201);

        using (var early = await SandboxFixture.RequestTokenAsync(sandbox.Client, sandbox.Info, appId, secret))
        {
            await AssertEntraCodeAsync(early, 400, 700016);
        }

        sandbox.Clock.Advance(PastTheLag);
        await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, appId, secret);
    }

    /// <summary>An app past its own lag with a replicated secret: (objectId, appId, secretText, keyId).</summary>
    private async Task<(string ObjectId, string AppId, string Secret, string KeyId)> ReplicatedSecretAsync(string token, string name)
    {
        var app = await GraphAsync(HttpMethod.Post, "v1.0/applications", token, new { displayName = name + " " + Guid.NewGuid().ToString("N")[..8] });
        var (objectId, appId) = (app.String("id"), app.String("appId"));
        sandbox.Clock.Advance(PastTheLag);
        var password = await GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/addPassword", token, new { passwordCredential = new { } });
        (await GraphAsync(HttpMethod.Patch, $"v1.0/servicePrincipals(appId='{appId}')", token, new { }, prefer: "create-if-missing")).AssertStatus(201);
        sandbox.Clock.Advance(PastTheLag);
        await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, appId, password.String("secretText"));
        return (objectId, appId, password.String("secretText"), password.String("keyId"));
    }

    [Fact]
    public async Task A_removed_secret_is_gone_from_Graph_at_once_but_gets_tokens_until_the_removal_replicates()
    {
        var token = await AdminTokenAsync();
        var (objectId, appId, secret, keyId) = await ReplicatedSecretAsync(token, "Removal lag");

        (await GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/removePassword", token, new { keyId })).AssertStatus(204);

        // Graph (and the primary's snapshot) no longer has it; a second removal does not find it.
        Assert.Empty((await GraphAsync(HttpMethod.Get, $"v1.0/applications/{objectId}", token)).Body.GetProperty("passwordCredentials").EnumerateArray());
        (await GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/removePassword", token, new { keyId })).AssertStatus(400);
        var snapshot = (await SandboxFixture.DirectoryAsync(sandbox.Client)).GetProperty("applications").EnumerateArray().Single(a => a.GetProperty("id").GetString() == objectId);
        Assert.Empty(snapshot.GetProperty("passwordCredentials").EnumerateArray());
        var removed = Assert.Single(snapshot.GetProperty("removedPasswordCredentials").EnumerateArray());
        Assert.Equal(keyId, removed.GetProperty("keyId").GetString());
        Assert.False(removed.GetProperty("removalReplicated").GetBoolean());
        using (var log = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/requests")))
        {
            // The log names the removed secret (an identifier, never the secret itself).
            Assert.Contains(log.RootElement.EnumerateArray(), e => e.GetProperty("path").GetString()!.EndsWith("/removePassword") && e.TryGetProperty("keyId", out var k) && k.GetString() == keyId);
            Assert.Contains(log.RootElement.EnumerateArray(), e => e.GetProperty("path").GetString()!.EndsWith("/addPassword") && e.TryGetProperty("keyId", out var k) && k.GetString() == keyId);
            Assert.DoesNotContain(secret, log.RootElement.GetRawText());
        }

        // The token endpoint still accepts it inside the lag (as it rejected the new one inside the lag)…
        sandbox.Clock.Advance(TimeSpan.FromSeconds(LaggedSandboxFixture.LagSeconds - 1));
        await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, appId, secret);

        // …and not once the removal has replicated.
        sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
        using (var late = await SandboxFixture.RequestTokenAsync(sandbox.Client, sandbox.Info, appId, secret))
        {
            await AssertEntraCodeAsync(late, 401, 7000215);
        }
    }

    [Fact]
    public async Task RemovalLagSeconds_sets_the_removal_window_apart_from_the_creation_lag()
    {
        using (var set = await sandbox.Client.PostAsJsonAsync("_sandbox/replication", new { lagSeconds = LaggedSandboxFixture.LagSeconds, removalLagSeconds = 5 }))
        {
            Assert.Equal(200, (int)set.StatusCode);
        }

        try
        {
            using var read = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/replication"));
            Assert.Equal(5, read.RootElement.GetProperty("removalLagSeconds").GetDouble());
            Assert.Equal(LaggedSandboxFixture.LagSeconds, read.RootElement.GetProperty("lagSeconds").GetDouble());
            using (var invalid = await sandbox.Client.PostAsJsonAsync("_sandbox/replication", new { lagSeconds = 0, removalLagSeconds = -1 }))
            {
                Assert.Equal(400, (int)invalid.StatusCode);
            }

            var token = await AdminTokenAsync();
            var (objectId, appId, secret, keyId) = await ReplicatedSecretAsync(token, "Short removal lag");
            (await GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/removePassword", token, new { keyId })).AssertStatus(204);

            sandbox.Clock.Advance(TimeSpan.FromSeconds(4));
            await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, appId, secret);
            sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
            using var late = await SandboxFixture.RequestTokenAsync(sandbox.Client, sandbox.Info, appId, secret);
            await AssertEntraCodeAsync(late, 401, 7000215);
        }
        finally
        {
            (await sandbox.Client.PostAsJsonAsync("_sandbox/replication", new { lagSeconds = LaggedSandboxFixture.LagSeconds })).Dispose();
        }
    }

    [Fact]
    public async Task Reset_directory_restores_the_seed_and_lag_zero_and_keeps_the_seeded_credentials()
    {
        var token = await AdminTokenAsync();
        var app = await GraphAsync(HttpMethod.Post, "v1.0/applications", token, new { displayName = "Doomed " + Guid.NewGuid().ToString("N")[..8] });
        app.AssertStatus(201);
        (await sandbox.Client.PostAsJsonAsync("_sandbox/policies/secret-lifetime", new { maxDays = 30 })).Dispose();

        using var reset = await sandbox.Client.PostAsync("_sandbox/reset-directory", null);

        Assert.Equal(204, (int)reset.StatusCode);
        var directory = await SandboxFixture.DirectoryAsync(sandbox.Client);
        Assert.Equal(0, directory.GetProperty("replicationLagSeconds").GetDouble());
        Assert.Equal(JsonValueKind.Null, directory.GetProperty("secretLifetimeMaxDays").ValueKind);
        Assert.DoesNotContain(directory.GetProperty("applications").EnumerateArray(), a => a.GetProperty("id").GetString() == app.String("id"));
        Assert.Contains(directory.GetProperty("applications").EnumerateArray(), a => a.GetProperty("appId").GetString() == sandbox.Info.Admin.ClientId);
        Assert.All(directory.GetProperty("applications").EnumerateArray().SelectMany(a => a.GetProperty("passwordCredentials").EnumerateArray()),
            p => Assert.False(p.TryGetProperty("secretText", out _)));
        await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, sandbox.Info.Admin.ClientId, sandbox.Info.Admin.ClientSecret);
        await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, sandbox.Info.Apps.Consented.ClientId, sandbox.Info.Apps.Consented.ClientSecret);

        (await sandbox.Client.PostAsJsonAsync("_sandbox/replication", new { lagSeconds = LaggedSandboxFixture.LagSeconds })).Dispose();
    }

    private static async Task AssertEntraCodeAsync(HttpResponseMessage response, int status, int code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal(code, json.RootElement.GetProperty("error_codes")[0].GetInt32());
    }
}
