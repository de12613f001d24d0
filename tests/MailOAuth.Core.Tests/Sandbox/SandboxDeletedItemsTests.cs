using System.Text.Json;
using MailOAuth.Sandbox.Hosting;
using Xunit;

namespace MailOAuth.Core.Tests.Sandbox;

/// <summary>
/// Soft delete of applications (Graph "directory resource type": deleted items): DELETE moves the
/// application to deleted items for 30 days with its uniqueName still reserved, so the upsert is
/// refused with 400 until it is restored (then the upsert updates it) or permanently deleted (then
/// the upsert creates a new object). Each test makes its own objects in the shared sandbox.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class SandboxDeletedItemsTests(SandboxFixture sandbox)
{
    private const string DeletedApplications = "v1.0/directory/deletedItems/microsoft.graph.application";
    private const string HeldMessage = "Another object with the same value for property uniqueName already exists.";

    private Task<string> AdminTokenAsync() =>
        SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, sandbox.Info.Admin.ClientId, sandbox.Info.Admin.ClientSecret);

    [Fact]
    public async Task A_deleted_application_is_listed_in_deleted_items_and_its_uniqueName_upsert_is_400()
    {
        var token = await AdminTokenAsync();
        var (uniqueName, created) = await UpsertNewAsync(token);
        var id = created.String("id");
        var appId = created.String("appId");
        var secret = await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/applications/{id}/addPassword", token, new { passwordCredential = new { displayName = "s" } });
        secret.AssertStatus(200);
        (await sandbox.GraphAsync(HttpMethod.Post, "v1.0/servicePrincipals", token, new { appId })).AssertStatus(201);

        var deleted = await sandbox.GraphAsync(HttpMethod.Delete, $"v1.0/applications/{id}", token);

        deleted.AssertStatus(204);
        var byFilter = await sandbox.GraphAsync(HttpMethod.Get,
            $"{DeletedApplications}?$filter={Uri.EscapeDataString($"displayName eq '{created.String("displayName")}'")}", token);
        byFilter.AssertStatus(200);
        Assert.Equal($"{sandbox.Info.GraphEndpoint}/v1.0/$metadata#directory/deletedItems/microsoft.graph.application", byFilter.String("@odata.context"));
        var listed = Assert.Single(byFilter.Body.GetProperty("value").EnumerateArray());
        Assert.Equal(id, listed.GetProperty("id").GetString());
        Assert.Equal(appId, listed.GetProperty("appId").GetString());
        Assert.Equal(uniqueName, listed.GetProperty("uniqueName").GetString());
        Assert.Equal(["MailOAuth"], listed.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.Equal(JsonValueKind.String, listed.GetProperty("deletedDateTime").ValueKind);

        var selected = await sandbox.GraphAsync(HttpMethod.Get, $"{DeletedApplications}?$select=id,displayName,deletedDateTime", token);
        selected.AssertStatus(200);
        Assert.EndsWith("#directory/deletedItems/microsoft.graph.application(id,displayName,deletedDateTime)", selected.String("@odata.context"));
        var projected = Assert.Single(selected.Body.GetProperty("value").EnumerateArray(), a => a.GetProperty("id").GetString() == id);
        Assert.Equal(["id", "deletedDateTime", "displayName"], SandboxFixture.PropertyNames(projected));

        var item = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/directory/deletedItems/{id}", token);
        item.AssertStatus(200);
        Assert.Equal($"{sandbox.Info.GraphEndpoint}/v1.0/$metadata#directoryObjects/$entity", item.String("@odata.context"));
        Assert.Equal("#microsoft.graph.application", item.String("@odata.type"));
        Assert.Equal(uniqueName, item.String("uniqueName"));

        // Gone from everything that reads live applications.
        var byKey = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications(uniqueName='{uniqueName}')", token);
        byKey.AssertStatus(404);
        Assert.Equal($"Resource '{uniqueName}' does not exist or one of its queried reference-property objects are not present.", byKey.ErrorMessage);
        (await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications(appId='{appId}')", token)).AssertStatus(404);
        (await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/servicePrincipals(appId='{appId}')", token)).AssertStatus(404);
        var live = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications?$filter={Uri.EscapeDataString($"appId eq '{appId}'")}", token);
        live.AssertStatus(200);
        Assert.Empty(live.Body.GetProperty("value").EnumerateArray());
        using var tokenResponse = await SandboxFixture.RequestTokenAsync(sandbox.Client, sandbox.Info, appId, secret.String("secretText"));
        Assert.Equal(400, (int)tokenResponse.StatusCode);
        Assert.Contains("AADSTS700016", await tokenResponse.Content.ReadAsStringAsync());

        var directory = await SandboxFixture.DirectoryAsync(sandbox.Client);
        Assert.DoesNotContain(directory.GetProperty("applications").EnumerateArray(), a => a.GetProperty("id").GetString() == id);
        var snapshot = Assert.Single(directory.GetProperty("deletedApplications").EnumerateArray(), a => a.GetProperty("id").GetString() == id);
        Assert.Equal(["id", "appId", "displayName", "uniqueName", "deletedDateTime"], SandboxFixture.PropertyNames(snapshot));
        Assert.Equal(uniqueName, snapshot.GetProperty("uniqueName").GetString());

        // The uniqueName stays reserved: the upsert is refused instead of creating a second object.
        var upsert = await sandbox.GraphAsync(HttpMethod.Patch, $"v1.0/applications(uniqueName='{uniqueName}')", token,
            new { displayName = "Email OAuth" }, prefer: "create-if-missing");
        upsert.AssertStatus(400);
        Assert.Equal("Request_BadRequest", upsert.ErrorCode);
        Assert.Equal(HeldMessage, upsert.ErrorMessage);
        var withoutPrefer = await sandbox.GraphAsync(HttpMethod.Patch, $"v1.0/applications(uniqueName='{uniqueName}')", token, new { displayName = "Email OAuth" });
        withoutPrefer.AssertStatus(404);
        var post = await sandbox.GraphAsync(HttpMethod.Post, "v1.0/applications", token, new { displayName = "Email OAuth", uniqueName });
        post.AssertStatus(400);
        Assert.Equal(HeldMessage, post.ErrorMessage);
        Assert.DoesNotContain((await SandboxFixture.DirectoryAsync(sandbox.Client)).GetProperty("applications").EnumerateArray(),
            a => string.Equals(a.GetProperty("uniqueName").GetString(), uniqueName, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Restore_brings_the_application_back_without_its_service_principal_and_the_upsert_then_updates_it()
    {
        var token = await AdminTokenAsync();
        var (uniqueName, created) = await UpsertNewAsync(token);
        var id = created.String("id");
        var appId = created.String("appId");
        var secret = await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/applications/{id}/addPassword", token, new { passwordCredential = new { displayName = "kept" } });
        secret.AssertStatus(200);
        (await sandbox.GraphAsync(HttpMethod.Post, "v1.0/servicePrincipals", token, new { appId })).AssertStatus(201);
        (await sandbox.GraphAsync(HttpMethod.Delete, $"v1.0/applications/{id}", token)).AssertStatus(204);

        var restored = await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/directory/deletedItems/{id}/restore", token);

        restored.AssertStatus(200);
        Assert.Equal($"{sandbox.Info.GraphEndpoint}/v1.0/$metadata#directoryObjects/$entity", restored.String("@odata.context"));
        Assert.Equal("#microsoft.graph.application", restored.String("@odata.type"));
        Assert.Equal(id, restored.String("id"));
        Assert.Equal(appId, restored.String("appId"));
        Assert.Equal(uniqueName, restored.String("uniqueName"));
        Assert.Equal(JsonValueKind.Null, restored.Body.GetProperty("deletedDateTime").ValueKind);
        Assert.Equal(["MailOAuth"], restored.Body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray());
        var credential = Assert.Single(restored.Body.GetProperty("passwordCredentials").EnumerateArray());
        Assert.Equal(secret.String("keyId"), credential.GetProperty("keyId").GetString());

        (await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications(uniqueName='{uniqueName}')", token)).AssertStatus(200);
        (await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/directory/deletedItems/{id}", token)).AssertStatus(404);
        // As in Entra, restoring an application does not restore its service principal.
        (await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/servicePrincipals(appId='{appId}')", token)).AssertStatus(404);

        var upsert = await sandbox.GraphAsync(HttpMethod.Patch, $"v1.0/applications(uniqueName='{uniqueName}')", token,
            new { displayName = "Email OAuth", notes = "after restore" }, prefer: "create-if-missing");
        upsert.AssertStatus(204);
        var read = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications/{id}", token);
        Assert.Equal("after restore", read.String("notes"));
        // The restored secret works again once a service principal exists.
        (await sandbox.GraphAsync(HttpMethod.Post, "v1.0/servicePrincipals", token, new { appId })).AssertStatus(201);
        await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, appId, secret.String("secretText"));
    }

    [Fact]
    public async Task Permanent_delete_frees_the_uniqueName_and_the_upsert_creates_a_new_object()
    {
        var token = await AdminTokenAsync();
        var (uniqueName, created) = await UpsertNewAsync(token);
        var id = created.String("id");
        (await sandbox.GraphAsync(HttpMethod.Delete, $"v1.0/applications/{id}", token)).AssertStatus(204);

        var purged = await sandbox.GraphAsync(HttpMethod.Delete, $"v1.0/directory/deletedItems/{id}", token);

        purged.AssertStatus(204);
        Assert.Equal("", purged.Text);
        var gone = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/directory/deletedItems/{id}", token);
        gone.AssertStatus(404);
        Assert.Equal("Request_ResourceNotFound", gone.ErrorCode);
        Assert.Equal($"Resource '{id}' does not exist or one of its queried reference-property objects are not present.", gone.ErrorMessage);
        (await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/directory/deletedItems/{id}/restore", token)).AssertStatus(404);
        Assert.DoesNotContain((await SandboxFixture.DirectoryAsync(sandbox.Client)).GetProperty("deletedApplications").EnumerateArray(),
            a => a.GetProperty("id").GetString() == id);

        var upsert = await sandbox.GraphAsync(HttpMethod.Patch, $"v1.0/applications(uniqueName='{uniqueName}')", token,
            new { displayName = "Email OAuth" }, prefer: "create-if-missing");

        upsert.AssertStatus(201);
        Assert.Equal(uniqueName, upsert.String("uniqueName"));
        Assert.NotEqual(id, upsert.String("id"));
        Assert.NotEqual(created.String("appId"), upsert.String("appId"));
    }

    [Fact]
    public async Task Deleted_items_need_application_permissions_and_the_OData_cast()
    {
        var token = await AdminTokenAsync();
        var (_, created) = await UpsertNewAsync(token);
        var id = created.String("id");
        (await sandbox.GraphAsync(HttpMethod.Delete, $"v1.0/applications/{id}", token)).AssertStatus(204);
        var noRights = await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, sandbox.Info.NoRightsAdmin.ClientId, sandbox.Info.NoRightsAdmin.ClientSecret);

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, DeletedApplications),
            (HttpMethod.Get, $"v1.0/directory/deletedItems/{id}"),
            (HttpMethod.Post, $"v1.0/directory/deletedItems/{id}/restore"),
            (HttpMethod.Delete, $"v1.0/directory/deletedItems/{id}"),
        })
        {
            var denied = await sandbox.GraphAsync(method, path, noRights);
            denied.AssertStatus(403);
            Assert.Equal("Authorization_RequestDenied", denied.ErrorCode);
            Assert.Equal("Insufficient privileges to complete the operation.", denied.ErrorMessage);
        }

        (await sandbox.GraphAsync(HttpMethod.Get, "v1.0/directory/deletedItems", token)).AssertStatus(400);
        var servicePrincipals = await sandbox.GraphAsync(HttpMethod.Get, "v1.0/directory/deletedItems/microsoft.graph.servicePrincipal", token);
        servicePrincipals.AssertStatus(200);
        Assert.Empty(servicePrincipals.Body.GetProperty("value").EnumerateArray());
        // Still there for the admin after the refused calls.
        (await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/directory/deletedItems/{id}", token)).AssertStatus(200);

        await sandbox.ResetAsync();
        (await sandbox.GraphAsync(HttpMethod.Get, DeletedApplications, token)).AssertStatus(200);
        using var log = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/requests"));
        var entry = Assert.Single(log.RootElement.EnumerateArray(), e => e.GetProperty("path").GetString() == "/" + DeletedApplications);
        Assert.Equal("directory", entry.GetProperty("kind").GetString());
    }

    /// <summary>A new application by upsert (uniqueName, tags ["MailOAuth"]).</summary>
    private async Task<(string UniqueName, GraphResult Created)> UpsertNewAsync(string token)
    {
        var uniqueName = "mailoauth-" + Guid.NewGuid().ToString("N")[..10];
        var created = await sandbox.GraphAsync(HttpMethod.Patch, $"v1.0/applications(uniqueName='{uniqueName}')", token,
            new { displayName = "Deleted items " + uniqueName, tags = new[] { "MailOAuth" } }, prefer: "create-if-missing");
        created.AssertStatus(201);
        return (uniqueName, created);
    }
}

/// <summary>Deleted items expire after 30 days and a directory reset clears them.</summary>
public sealed class SandboxDeletedItemsLifetimeTests(ClockedSandboxFixture sandbox) : IClassFixture<ClockedSandboxFixture>
{
    private Task<GraphResult> GraphAsync(HttpMethod method, string path, string token, object? body = null, string? prefer = null) =>
        SandboxFixture.GraphAsync(sandbox.Client, method, path, token, body, prefer);

    private Task<string> AdminTokenAsync() =>
        SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, sandbox.Info.Admin.ClientId, sandbox.Info.Admin.ClientSecret);

    [Fact]
    public async Task After_30_days_a_deleted_application_is_purged_and_its_uniqueName_is_free()
    {
        var token = await AdminTokenAsync();
        var uniqueName = "mailoauth-" + Guid.NewGuid().ToString("N")[..10];
        var created = await GraphAsync(HttpMethod.Patch, $"v1.0/applications(uniqueName='{uniqueName}')", token, new { displayName = "Expiring" }, "create-if-missing");
        created.AssertStatus(201);
        (await GraphAsync(HttpMethod.Delete, $"v1.0/applications/{created.String("id")}", token)).AssertStatus(204);

        sandbox.Clock.Advance(TimeSpan.FromDays(29));
        token = await AdminTokenAsync(); // the first one has expired by now
        (await GraphAsync(HttpMethod.Get, $"v1.0/directory/deletedItems/{created.String("id")}", token)).AssertStatus(200);
        (await GraphAsync(HttpMethod.Patch, $"v1.0/applications(uniqueName='{uniqueName}')", token, new { displayName = "Again" }, "create-if-missing")).AssertStatus(400);

        sandbox.Clock.Advance(TimeSpan.FromDays(1));
        token = await AdminTokenAsync();
        (await GraphAsync(HttpMethod.Get, $"v1.0/directory/deletedItems/{created.String("id")}", token)).AssertStatus(404);
        var again = await GraphAsync(HttpMethod.Patch, $"v1.0/applications(uniqueName='{uniqueName}')", token, new { displayName = "Again" }, "create-if-missing");
        again.AssertStatus(201);
        Assert.NotEqual(created.String("id"), again.String("id"));
    }

    [Fact]
    public async Task Reset_directory_clears_deleted_items()
    {
        var token = await AdminTokenAsync();
        var created = await GraphAsync(HttpMethod.Post, "v1.0/applications", token, new { displayName = "Reset me", uniqueName = "reset-" + Guid.NewGuid().ToString("N")[..8] });
        created.AssertStatus(201);
        (await GraphAsync(HttpMethod.Delete, $"v1.0/applications/{created.String("id")}", token)).AssertStatus(204);
        Assert.NotEmpty((await SandboxFixture.DirectoryAsync(sandbox.Client)).GetProperty("deletedApplications").EnumerateArray());

        using var reset = await sandbox.Client.PostAsync("_sandbox/reset-directory", null);

        Assert.Equal(204, (int)reset.StatusCode);
        Assert.Empty((await SandboxFixture.DirectoryAsync(sandbox.Client)).GetProperty("deletedApplications").EnumerateArray());
        var list = await GraphAsync(HttpMethod.Get, "v1.0/directory/deletedItems/microsoft.graph.application", await AdminTokenAsync());
        list.AssertStatus(200);
        Assert.Empty(list.Body.GetProperty("value").EnumerateArray());
    }
}
