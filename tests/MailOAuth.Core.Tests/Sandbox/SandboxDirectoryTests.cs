using System.Text.Json;
using Xunit;

namespace MailOAuth.Core.Tests.Sandbox;

/// <summary>
/// The sandbox's Graph directory endpoints answer like the real ones (docs/service-behaviour.md#microsoft-graph, #graph-errors):
/// the whole onboarding by raw HTTP, upsert, filters, permissions, the secret-lifetime policy
/// and cascading deletes. Each test makes its own objects (unique names) in the shared sandbox.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class SandboxDirectoryTests(SandboxFixture sandbox)
{
    private const string MailSendRoleId = "b633e1c5-b582-4048-a93e-9f11b44c7e96";
    private const string GraphAppId = "00000003-0000-0000-c000-000000000000";

    private Task<string> AdminTokenAsync() =>
        SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, sandbox.Info.Admin.ClientId, sandbox.Info.Admin.ClientSecret);

    [Fact]
    public async Task Admin_token_carries_exactly_the_admin_roles()
    {
        var claims = SandboxFixture.JwtPart(await AdminTokenAsync(), 1);

        Assert.Equal(["Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "User.Read.All", "Domain.Read.All", "RoleManagement.ReadWrite.Exchange"],
            claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Equal("1", claims.GetProperty("appidacr").GetString());
        Assert.Equal(sandbox.Info.Admin.ServicePrincipalId, claims.GetProperty("oid").GetString());
    }

    [Theory]
    [InlineData("GET", "v1.0/applications")]
    [InlineData("POST", "v1.0/applications")]
    [InlineData("GET", "v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')")]
    [InlineData("GET", "v1.0/users/sender@contoso.com")]
    [InlineData("GET", "v1.0/domains")]
    [InlineData("POST", "v1.0/servicePrincipals/da0dc242-5c7b-465c-acab-927b7f294d5a/appRoleAssignedTo")]
    public async Task No_rights_admin_gets_403_Authorization_RequestDenied(string method, string path)
    {
        var token = await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, sandbox.Info.NoRightsAdmin.ClientId, sandbox.Info.NoRightsAdmin.ClientSecret);
        Assert.False(SandboxFixture.JwtPart(token, 1).TryGetProperty("roles", out _));

        var result = await sandbox.GraphAsync(new HttpMethod(method), path, token, method == "POST" ? new { displayName = "x" } : null);

        result.AssertStatus(403);
        Assert.Equal("Authorization_RequestDenied", result.ErrorCode);
        Assert.Equal("Insufficient privileges to complete the operation.", result.ErrorMessage);
        Assert.Equal(["code", "message", "innerError"], SandboxFixture.PropertyNames(result.Body.GetProperty("error")));
    }

    [Fact]
    public async Task Organization_needs_only_a_valid_token_and_without_directory_rights_shows_id_name_and_verified_domains()
    {
        var token = await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, sandbox.Info.NoRightsAdmin.ClientId, sandbox.Info.NoRightsAdmin.ClientSecret);

        var result = await sandbox.GraphAsync(HttpMethod.Get, "v1.0/organization", token);

        result.AssertStatus(200);
        Assert.Equal($"{sandbox.Info.GraphEndpoint}/v1.0/$metadata#organization", result.String("@odata.context"));
        var organization = Assert.Single(result.Body.GetProperty("value").EnumerateArray());
        Assert.Equal(sandbox.Info.TenantId, organization.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, organization.GetProperty("tenantType").ValueKind); // docs/service-behaviour.md#organization: the rest is null
        var domains = organization.GetProperty("verifiedDomains").EnumerateArray().ToList();
        Assert.Equal(["contoso.com", "contoso.onmicrosoft.com"], domains.Select(d => d.GetProperty("name").GetString()!).ToArray());
        Assert.Equal("Email, OfficeCommunicationsOnline", domains[0].GetProperty("capabilities").GetString());
    }

    [Fact]
    public async Task Onboarding_by_raw_http_ends_with_a_token_whose_roles_are_exactly_Mail_Send_and_a_202_send()
    {
        var token = await AdminTokenAsync();
        var name = "Email OAuth " + Guid.NewGuid().ToString("N")[..8];

        var app = await sandbox.GraphAsync(HttpMethod.Post, "v1.0/applications", token, new
        {
            displayName = name,
            signInAudience = "AzureADMyOrg",
            requiredResourceAccess = new[] { new { resourceAppId = GraphAppId, resourceAccess = new[] { new { id = MailSendRoleId, type = "Role" } } } },
        });
        app.AssertStatus(201);
        Assert.Equal($"{sandbox.Info.GraphEndpoint}/v1.0/$metadata#applications/$entity", app.String("@odata.context"));
        foreach (var key in new[] { "id", "appId", "displayName", "signInAudience", "requiredResourceAccess", "passwordCredentials", "keyCredentials", "tags", "notes", "uniqueName", "createdDateTime", "publisherDomain", "web", "api" })
        {
            Assert.True(app.Body.TryGetProperty(key, out _), $"missing {key}");
        }

        Assert.Equal(MailSendRoleId, app.Body.GetProperty("requiredResourceAccess")[0].GetProperty("resourceAccess")[0].GetProperty("id").GetString());
        var objectId = app.String("id");
        var appId = app.String("appId");

        var secret = await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/addPassword", token,
            new { passwordCredential = new { displayName = "SMTP OAuth Secret" } });
        secret.AssertStatus(200);
        var secretText = secret.String("secretText");
        Assert.Equal(secretText[..3], secret.String("hint"));
        Assert.True(Guid.TryParse(secret.String("keyId"), out _));
        var start = DateTimeOffset.Parse(secret.String("startDateTime"));
        Assert.Equal(start.AddYears(2), DateTimeOffset.Parse(secret.String("endDateTime"))); // docs/service-behaviour.md#add-password default

        var servicePrincipal = await sandbox.GraphAsync(HttpMethod.Patch, $"v1.0/servicePrincipals(appId='{appId}')", token, new { }, prefer: "create-if-missing");
        servicePrincipal.AssertStatus(201);
        Assert.Equal(appId, servicePrincipal.String("appId"));
        Assert.Equal([appId], servicePrincipal.Body.GetProperty("servicePrincipalNames").EnumerateArray().Select(n => n.GetString()!).ToArray());

        var graph = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/servicePrincipals(appId='{GraphAppId}')", token);
        graph.AssertStatus(200);
        Assert.Contains(graph.Body.GetProperty("appRoles").EnumerateArray(), r => r.GetProperty("value").GetString() == "Mail.Send" && r.GetProperty("id").GetString() == MailSendRoleId);

        var assignment = await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/servicePrincipals/{graph.String("id")}/appRoleAssignedTo", token,
            new { principalId = servicePrincipal.String("id"), resourceId = graph.String("id"), appRoleId = MailSendRoleId });
        assignment.AssertStatus(201);
        Assert.Equal($"{sandbox.Info.GraphEndpoint}/v1.0/$metadata#servicePrincipals('{graph.String("id")}')/appRoleAssignedTo/$entity", assignment.String("@odata.context"));
        Assert.Equal("ServicePrincipal", assignment.String("principalType"));
        Assert.Equal("Microsoft Graph", assignment.String("resourceDisplayName"));
        Assert.Equal(name, assignment.String("principalDisplayName"));
        Assert.False(Guid.TryParse(assignment.String("id"), out _)); // opaque base64url, not a GUID (docs/service-behaviour.md#app-role-assignment)
        Assert.Matches("^[A-Za-z0-9_-]+$", assignment.String("id"));

        var newToken = await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, appId, secretText);
        Assert.Equal(["Mail.Send"], SandboxFixture.JwtPart(newToken, 1).GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        using var send = await sandbox.Client.SendAsync(SandboxFixture.SendMailRequest(sandbox.Info.Mailboxes.Licensed, newToken));
        Assert.Equal(202, (int)send.StatusCode);

        var spByFilter = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/servicePrincipals?$filter={Uri.EscapeDataString($"appId eq '{appId}'")}", token);
        Assert.Equal(servicePrincipal.String("id"), Assert.Single(spByFilter.Body.GetProperty("value").EnumerateArray()).GetProperty("id").GetString());
        var listed = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/servicePrincipals/{servicePrincipal.String("id")}/appRoleAssignments", token);
        listed.AssertStatus(200);
        Assert.Equal(assignment.String("id"), Assert.Single(listed.Body.GetProperty("value").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Duplicate_and_unknown_role_assignments_are_400_and_an_unknown_principal_404_with_the_exact_texts()
    {
        var token = await AdminTokenAsync();
        var (_, _, servicePrincipalId) = await CreateAppWithServicePrincipalAsync(token);
        var graphId = (await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/servicePrincipals(appId='{GraphAppId}')", token)).String("id");
        var path = $"v1.0/servicePrincipals/{servicePrincipalId}/appRoleAssignments"; // the principal-side form
        var body = new { principalId = servicePrincipalId, resourceId = graphId, appRoleId = MailSendRoleId };

        var first = await sandbox.GraphAsync(HttpMethod.Post, path, token, body);
        first.AssertStatus(201);
        (await sandbox.GraphAsync(HttpMethod.Delete, $"v1.0/servicePrincipals/{graphId}/appRoleAssignedTo/{first.String("id")}", token)).AssertStatus(204);
        (await sandbox.GraphAsync(HttpMethod.Delete, $"{path}/{first.String("id")}", token)).AssertStatus(404);
        var again = await sandbox.GraphAsync(HttpMethod.Post, path, token, body);
        again.AssertStatus(201);
        Assert.Single((await sandbox.GraphAsync(HttpMethod.Get, path, token)).Body.GetProperty("value").EnumerateArray());
        var duplicate = await sandbox.GraphAsync(HttpMethod.Post, path, token, body);
        var unknownRole = await sandbox.GraphAsync(HttpMethod.Post, path, token, body with { appRoleId = Guid.NewGuid().ToString() });
        var unknownPrincipalId = Guid.NewGuid().ToString();
        var unknownPrincipal = await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/servicePrincipals/{graphId}/appRoleAssignedTo", token,
            body with { principalId = unknownPrincipalId });

        duplicate.AssertStatus(400);
        Assert.Equal("Request_BadRequest", duplicate.ErrorCode);
        Assert.Equal("Permission being assigned already exists on the object.", duplicate.ErrorMessage);
        unknownRole.AssertStatus(400);
        Assert.Equal("Permission being assigned was not found on application.", unknownRole.ErrorMessage);
        unknownPrincipal.AssertStatus(404);
        Assert.Equal("Request_ResourceNotFound", unknownPrincipal.ErrorCode);
        Assert.Equal($"Resource '{unknownPrincipalId}' does not exist or one of its queried reference-property objects are not present.", unknownPrincipal.ErrorMessage);
    }

    [Fact]
    public async Task Upsert_by_uniqueName_is_201_then_204_and_leaves_one_object()
    {
        var token = await AdminTokenAsync();
        var uniqueName = "mailoauth-" + Guid.NewGuid().ToString("N")[..10];

        var missing = await sandbox.GraphAsync(HttpMethod.Patch, $"v1.0/applications(uniqueName='{uniqueName}')", token, new { displayName = "Email OAuth" });
        var created = await sandbox.GraphAsync(HttpMethod.Patch, $"v1.0/applications(uniqueName='{uniqueName}')", token,
            new { displayName = "Email OAuth", tags = new[] { "MailOAuth" } }, prefer: "create-if-missing");
        // The Graph SDK percent-encodes the key's quotes and parentheses; the sandbox routes on the decoded path.
        var updated = await sandbox.GraphAsync(HttpMethod.Patch, $"v1.0/applications%28uniqueName=%27{uniqueName}%27%29", token,
            new { displayName = "Email OAuth", notes = "second run" }, prefer: "create-if-missing");
        var read = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications(uniqueName='{uniqueName}')", token);

        missing.AssertStatus(404);
        Assert.Equal($"Resource '{uniqueName}' does not exist or one of its queried reference-property objects are not present.", missing.ErrorMessage);
        created.AssertStatus(201);
        Assert.Equal(uniqueName, created.String("uniqueName"));
        updated.AssertStatus(204);
        Assert.Equal("", updated.Text);
        read.AssertStatus(200);
        Assert.Equal("second run", read.String("notes"));
        Assert.Equal(created.String("id"), read.String("id"));
        var directory = await SandboxFixture.DirectoryAsync(sandbox.Client);
        Assert.Single(directory.GetProperty("applications").EnumerateArray(), a => a.GetProperty("uniqueName").GetString() == uniqueName);
    }

    [Fact]
    public async Task Filters_by_displayName_appId_and_tags_with_quote_escaping_select_and_top()
    {
        var token = await AdminTokenAsync();
        var tag = "tag-" + Guid.NewGuid().ToString("N")[..8];
        var name = $"O'Brien's app {tag}";
        var first = await sandbox.GraphAsync(HttpMethod.Post, "v1.0/applications", token, new { displayName = name, tags = new[] { tag } });
        var second = await sandbox.GraphAsync(HttpMethod.Post, "v1.0/applications", token, new { displayName = name, tags = new[] { tag } });
        first.AssertStatus(201);
        second.AssertStatus(201);
        var escaped = Uri.EscapeDataString($"displayName eq '{name.Replace("'", "''")}'");

        var byName = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications?$filter={escaped}&$select=id,appId,displayName", token);
        var byAppId = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications?$filter={Uri.EscapeDataString($"appId eq '{first.String("appId")}'")}", token);
        var byTag = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications?$filter={Uri.EscapeDataString($"tags/any(t:t eq '{tag}')")}&$top=1", token);
        var none = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications?$filter={Uri.EscapeDataString("displayName eq 'no such app'")}", token);
        var unsupported = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications?$filter={Uri.EscapeDataString("notes eq 'x'")}", token);

        byName.AssertStatus(200);
        Assert.Equal($"{sandbox.Info.GraphEndpoint}/v1.0/$metadata#applications(id,appId,displayName)", byName.String("@odata.context"));
        var values = byName.Body.GetProperty("value").EnumerateArray().ToList();
        Assert.Equal(2, values.Count); // display names are not unique (docs/service-behaviour.md#filter-applications)
        Assert.All(values, v => Assert.Equal(["id", "appId", "displayName"], SandboxFixture.PropertyNames(v)));
        Assert.Equal(first.String("id"), Assert.Single(byAppId.Body.GetProperty("value").EnumerateArray()).GetProperty("id").GetString());
        Assert.Single(byTag.Body.GetProperty("value").EnumerateArray());
        Assert.Contains("$skiptoken=", byTag.String("@odata.nextLink"));
        none.AssertStatus(200);
        Assert.Empty(none.Body.GetProperty("value").EnumerateArray()); // no match is an empty list, never a 404
        unsupported.AssertStatus(400);
        Assert.Equal("Request_UnsupportedQuery", unsupported.ErrorCode);
    }

    [Fact]
    public async Task Secret_lifetime_policy_rejects_a_longer_secret_with_CredentialInvalidLifetimeAsPerAppPolicy()
    {
        var token = await AdminTokenAsync();
        var (objectId, _, _) = await CreateAppWithServicePrincipalAsync(token);
        using (var set = await sandbox.Client.PostAsync("_sandbox/policies/secret-lifetime", Json(new { maxDays = 90 })))
        {
            Assert.Equal(200, (int)set.StatusCode);
        }

        try
        {
            var tooLong = await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/addPassword", token,
                new { passwordCredential = new { displayName = "x", endDateTime = DateTimeOffset.UtcNow.AddDays(365).ToString("O") } });
            var defaultLength = await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/addPassword", token, new { passwordCredential = new { } });
            var withinPolicy = await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/addPassword", token,
                new { passwordCredential = new { endDateTime = DateTimeOffset.UtcNow.AddDays(60).ToString("O") } });

            tooLong.AssertStatus(400);
            Assert.Equal("CredentialInvalidLifetimeAsPerAppPolicy", tooLong.ErrorCode);
            Assert.Equal("Credential lifetime exceeds the max value allowed as per assigned policy.", tooLong.ErrorMessage);
            Assert.True(tooLong.Body.GetProperty("error").TryGetProperty("innerError", out _));
            defaultLength.AssertStatus(400); // the default two years exceed the cap too
            withinPolicy.AssertStatus(200);
        }
        finally
        {
            (await sandbox.Client.DeleteAsync("_sandbox/policies/secret-lifetime")).Dispose();
        }

        (await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/addPassword", token, new { passwordCredential = new { } })).AssertStatus(200);
    }

    [Fact]
    public async Task Remove_password_is_204_and_the_secret_stops_working()
    {
        var token = await AdminTokenAsync();
        var (objectId, appId, _) = await CreateAppWithServicePrincipalAsync(token);
        var secret = await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/applications(appId='{appId}')/addPassword", token, new { passwordCredential = new { displayName = "s" } });
        secret.AssertStatus(200);
        await SandboxFixture.GetAccessTokenAsync(sandbox.Client, sandbox.Info, appId, secret.String("secretText"));

        var removed = await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/applications/{objectId}/removePassword", token, new { keyId = secret.String("keyId") });
        using var after = await SandboxFixture.RequestTokenAsync(sandbox.Client, sandbox.Info, appId, secret.String("secretText"));

        removed.AssertStatus(204);
        Assert.Equal(401, (int)after.StatusCode);
        Assert.Contains("AADSTS7000215", await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Deleting_an_application_deletes_its_service_principal_and_role_assignments()
    {
        var token = await AdminTokenAsync();
        var (objectId, appId, servicePrincipalId) = await CreateAppWithServicePrincipalAsync(token);
        var graphId = (await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/servicePrincipals(appId='{GraphAppId}')", token)).String("id");
        (await sandbox.GraphAsync(HttpMethod.Post, $"v1.0/servicePrincipals/{graphId}/appRoleAssignedTo", token,
            new { principalId = servicePrincipalId, resourceId = graphId, appRoleId = MailSendRoleId })).AssertStatus(201);

        var deleted = await sandbox.GraphAsync(HttpMethod.Delete, $"v1.0/applications/{objectId}", token);
        var again = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/applications/{objectId}", token);

        deleted.AssertStatus(204);
        again.AssertStatus(404);
        var directory = await SandboxFixture.DirectoryAsync(sandbox.Client);
        Assert.DoesNotContain(directory.GetProperty("applications").EnumerateArray(), a => a.GetProperty("appId").GetString() == appId);
        Assert.DoesNotContain(directory.GetProperty("servicePrincipals").EnumerateArray(), s => s.GetProperty("appId").GetString() == appId);
        Assert.DoesNotContain(directory.GetProperty("appRoleAssignments").EnumerateArray(), a => a.GetProperty("principalId").GetString() == servicePrincipalId);
    }

    [Fact]
    public async Task Service_principal_for_an_unknown_app_is_NoBackingApplicationObject_and_a_second_one_is_409()
    {
        var token = await AdminTokenAsync();
        var (_, appId, _) = await CreateAppWithServicePrincipalAsync(token);
        var unknownAppId = Guid.NewGuid().ToString();

        var noBacking = await sandbox.GraphAsync(HttpMethod.Post, "v1.0/servicePrincipals", token, new { appId = unknownAppId });
        var second = await sandbox.GraphAsync(HttpMethod.Post, "v1.0/servicePrincipals", token, new { appId });

        noBacking.AssertStatus(400);
        var error = noBacking.Body.GetProperty("error");
        Assert.Equal(["code", "message", "details", "innerError"], SandboxFixture.PropertyNames(error));
        Assert.Equal("Request_BadRequest", error.GetProperty("code").GetString());
        Assert.Equal($"The appId '{unknownAppId}' of the service principal does not reference a valid application object.", error.GetProperty("message").GetString());
        var detail = Assert.Single(error.GetProperty("details").EnumerateArray());
        Assert.Equal("NoBackingApplicationObject", detail.GetProperty("code").GetString());
        Assert.Equal("appId", detail.GetProperty("target").GetString());
        second.AssertStatus(409);
        Assert.Equal("Request_MultipleObjectsWithSameKeyValue", second.ErrorCode);
    }

    [Fact]
    public async Task Users_have_default_and_selected_properties_and_an_unknown_user_is_404_with_the_value_as_given()
    {
        var token = await AdminTokenAsync();

        var sender = await sandbox.GraphAsync(HttpMethod.Get, "v1.0/users/Sender@Contoso.com?$select=mail,accountEnabled,assignedLicenses,assignedPlans", token);
        var plain = await sandbox.GraphAsync(HttpMethod.Get, "v1.0/users/sender@contoso.com", token);
        var guest = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/users/{sandbox.Info.Mailboxes.Guest}?$select=userType,assignedPlans", token);
        var onPrem = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/users/{sandbox.Info.Mailboxes.OnPrem}?$select=onPremisesSyncEnabled,assignedPlans", token);
        var unlicensed = await sandbox.GraphAsync(HttpMethod.Get, $"v1.0/users/{sandbox.Info.Mailboxes.Unlicensed}?$select=assignedLicenses,assignedPlans", token);
        var nobody = await sandbox.GraphAsync(HttpMethod.Get, "v1.0/users/Nobody@Contoso.com", token);

        sender.AssertStatus(200);
        Assert.Equal($"{sandbox.Info.GraphEndpoint}/v1.0/$metadata#users(mail,accountEnabled,assignedLicenses,assignedPlans)/$entity", sender.String("@odata.context"));
        Assert.False(sender.Body.TryGetProperty("id", out _)); // $select drops id unless asked (docs/service-behaviour.md#users)
        var plan = Assert.Single(sender.Body.GetProperty("assignedPlans").EnumerateArray());
        Assert.Equal("exchange", plan.GetProperty("service").GetString());
        Assert.Equal("Enabled", plan.GetProperty("capabilityStatus").GetString());
        Assert.Equal("efb87545-963c-4e0d-99df-69c6916d9eb0", plan.GetProperty("servicePlanId").GetString());
        Assert.Equal(["disabledPlans", "skuId"], SandboxFixture.PropertyNames(sender.Body.GetProperty("assignedLicenses")[0]));
        Assert.Equal(["@odata.context", "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"],
            SandboxFixture.PropertyNames(plain.Body));
        Assert.Equal("Guest", guest.String("userType"));
        Assert.Empty(guest.Body.GetProperty("assignedPlans").EnumerateArray());
        Assert.True(onPrem.Body.GetProperty("onPremisesSyncEnabled").GetBoolean());
        Assert.Empty(onPrem.Body.GetProperty("assignedPlans").EnumerateArray());
        Assert.Empty(unlicensed.Body.GetProperty("assignedLicenses").EnumerateArray());
        nobody.AssertStatus(404);
        Assert.Equal("Request_ResourceNotFound", nobody.ErrorCode);
        Assert.Equal("Resource 'Nobody@Contoso.com' does not exist or one of its queried reference-property objects are not present.", nobody.ErrorMessage);
    }

    [Theory]
    [InlineData("guest")]
    [InlineData("onprem")]
    public async Task Guest_and_on_premises_users_have_no_exchange_online_mailbox(string which)
    {
        var token = await sandbox.GetAccessTokenAsync(sandbox.Info.Apps.Consented);
        var user = which == "guest" ? sandbox.Info.Mailboxes.Guest : sandbox.Info.Mailboxes.OnPrem;

        using var response = await sandbox.Client.SendAsync(SandboxFixture.SendMailRequest(user, token));

        Assert.Equal(404, (int)response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("MailboxNotEnabledForRESTAPI", json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Domains_show_verification_default_and_initial_and_an_unknown_one_is_404()
    {
        var token = await AdminTokenAsync();

        var list = await sandbox.GraphAsync(HttpMethod.Get, "v1.0/domains", token);
        var one = await sandbox.GraphAsync(HttpMethod.Get, "v1.0/domains/fabrikam.example", token);
        var unknown = await sandbox.GraphAsync(HttpMethod.Get, "v1.0/domains/nowhere.example", token);

        list.AssertStatus(200);
        var domains = list.Body.GetProperty("value").EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!);
        Assert.True(domains["contoso.com"].GetProperty("isVerified").GetBoolean());
        Assert.True(domains["contoso.com"].GetProperty("isDefault").GetBoolean());
        Assert.True(domains["contoso.onmicrosoft.com"].GetProperty("isInitial").GetBoolean());
        Assert.False(domains["fabrikam.example"].GetProperty("isVerified").GetBoolean());
        Assert.Equal(["Email", "OfficeCommunicationsOnline"], domains["contoso.com"].GetProperty("supportedServices").EnumerateArray().Select(s => s.GetString()!).ToArray());
        one.AssertStatus(200);
        Assert.Equal($"{sandbox.Info.GraphEndpoint}/v1.0/$metadata#domains/$entity", one.String("@odata.context"));
        unknown.AssertStatus(404);
    }

    [Fact]
    public async Task Directory_requests_are_logged_with_kind_directory()
    {
        await sandbox.ResetAsync();
        var token = await AdminTokenAsync();
        (await sandbox.GraphAsync(HttpMethod.Get, "v1.0/domains", token)).AssertStatus(200);

        using var log = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/requests"));

        var entry = Assert.Single(log.RootElement.EnumerateArray(), e => e.GetProperty("path").GetString() == "/v1.0/domains");
        Assert.Equal("directory", entry.GetProperty("kind").GetString());
        Assert.Equal(sandbox.Info.Admin.ClientId, entry.GetProperty("clientId").GetString());
    }

    private async Task<(string ObjectId, string AppId, string ServicePrincipalId)> CreateAppWithServicePrincipalAsync(string token)
    {
        var app = await sandbox.GraphAsync(HttpMethod.Post, "v1.0/applications", token, new { displayName = "Test " + Guid.NewGuid().ToString("N")[..8] });
        app.AssertStatus(201);
        var servicePrincipal = await sandbox.GraphAsync(HttpMethod.Post, "v1.0/servicePrincipals", token, new { appId = app.String("appId") });
        servicePrincipal.AssertStatus(201);
        return (app.String("id"), app.String("appId"), servicePrincipal.String("id"));
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
