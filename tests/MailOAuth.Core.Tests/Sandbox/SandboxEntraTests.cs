using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace MailOAuth.Core.Tests.Sandbox;

/// <summary>The sandbox's Entra ID endpoints answer like the real ones (docs/service-behaviour.md#entra-id).</summary>
[Collection(SandboxCollection.Name)]
public sealed class SandboxEntraTests(SandboxFixture sandbox)
{
    private static readonly string[] ErrorKeys =
        ["error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"];

    [Fact]
    public async Task Token_success_has_the_v2_shape_and_v1_graph_claims_with_roles()
    {
        var app = sandbox.Info.Apps.Consented;
        using var response = await sandbox.RequestTokenAsync(app);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("no-store, no-cache", string.Join(", ", response.Headers.GetValues("Cache-Control")));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var body = json.RootElement;
        Assert.Equal(["token_type", "expires_in", "ext_expires_in", "access_token"], SandboxFixture.PropertyNames(body));
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(JsonValueKind.Number, body.GetProperty("expires_in").ValueKind); // docs/service-behaviour.md#token-request: a number
        Assert.Equal(3599, body.GetProperty("expires_in").GetInt32());

        var jwt = body.GetProperty("access_token").GetString()!;
        var header = SandboxFixture.JwtPart(jwt, 0);
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        var claims = SandboxFixture.JwtPart(jwt, 1);
        var tid = sandbox.Info.TenantId;
        Assert.Equal(sandbox.Info.GraphEndpoint, claims.GetProperty("aud").GetString());
        Assert.Equal($"https://sts.windows.net/{tid}/", claims.GetProperty("iss").GetString());
        Assert.Equal(app.ClientId, claims.GetProperty("appid").GetString());
        Assert.Equal("1", claims.GetProperty("appidacr").GetString());
        Assert.Equal("app", claims.GetProperty("idtyp").GetString());
        Assert.Equal(app.ServicePrincipalId, claims.GetProperty("oid").GetString());
        Assert.Equal(app.ServicePrincipalId, claims.GetProperty("sub").GetString());
        Assert.Equal(tid, claims.GetProperty("tid").GetString());
        Assert.Equal("1.0", claims.GetProperty("ver").GetString());
        Assert.Equal(3900, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
        Assert.Equal(["Mail.Send"], claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
    }

    [Fact]
    public async Task Token_for_an_unconsented_app_has_no_roles_claim_at_all()
    {
        var jwt = await sandbox.GetAccessTokenAsync(sandbox.Info.Apps.Unconsented);

        var claims = SandboxFixture.JwtPart(jwt, 1);
        Assert.False(claims.TryGetProperty("roles", out _)); // docs/service-behaviour.md#token-roles: absent, not empty
        Assert.Equal(sandbox.Info.Apps.Unconsented.ClientId, claims.GetProperty("appid").GetString());
    }

    [Fact]
    public async Task Token_accepts_basic_auth_a_domain_tenant_and_msal_extra_scopes()
    {
        var app = sandbox.Info.Apps.Consented;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{sandbox.Info.TenantDomain}/oauth2/v2.0/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["scope"] = sandbox.Info.GraphEndpoint + "/.default openid profile offline_access",
                ["grant_type"] = "client_credentials",
            }),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(
            System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(app.ClientId)}:{Uri.EscapeDataString(app.ClientSecret)}")));

        using var response = await sandbox.Client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Secret_id_sent_as_the_secret_gives_401_invalid_client_7000215_in_the_wire_format()
    {
        var app = sandbox.Info.Apps.Consented;
        var correlation = Guid.NewGuid().ToString();

        using var response = await sandbox.RequestTokenAsync(app, secret: app.SecretKeyId, clientRequestId: correlation);

        var body = await AssertEntraErrorAsync(response, 401, "invalid_client", 7000215);
        Assert.StartsWith(
            $"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{app.ClientId}'.",
            body.GetProperty("error_description").GetString());
        Assert.Equal(correlation, body.GetProperty("correlation_id").GetString());
        Assert.Equal(correlation, response.Headers.GetValues("client-request-id").Single());
        Assert.Equal(body.GetProperty("trace_id").GetString(), response.Headers.GetValues("x-ms-request-id").Single());
        Assert.Equal("1,7000215,0,,", response.Headers.GetValues("x-ms-clitelem").Single());
    }

    [Fact]
    public async Task Expired_secret_gives_401_invalid_client_7000222()
    {
        var app = sandbox.Info.Apps.ExpiredSecret;

        using var response = await sandbox.RequestTokenAsync(app);

        var body = await AssertEntraErrorAsync(response, 401, "invalid_client", 7000222);
        Assert.StartsWith($"AADSTS7000222: The provided client secret keys for app '{app.ClientId}' are expired.",
            body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Unknown_client_gives_400_unauthorized_client_700016_naming_the_directory()
    {
        var clientId = Guid.NewGuid().ToString();

        using var response = await SandboxFixture.RequestTokenAsync(sandbox.Client, sandbox.Info, clientId, "whatever");

        var body = await AssertEntraErrorAsync(response, 400, "unauthorized_client", 700016);
        Assert.StartsWith(
            $"AADSTS700016: Application with identifier '{clientId}' was not found in the directory 'Contoso (sandbox)'.",
            body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Missing_secret_and_assertion_gives_401_7000218()
    {
        using var response = await sandbox.RequestTokenAsync(sandbox.Info.Apps.Consented, omitSecret: true);

        await AssertEntraErrorAsync(response, 401, "invalid_client", 7000218);
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-0000000000aa", 90002)]
    [InlineData("nosuchtenant.example", 90002)]
    [InlineData("UNVERIFIED", 90002)] // the tenant's unverified domain does not identify it
    [InlineData("7d272768137144e35aef546086319a765", 900023)] // 33 hex digits: not a GUID, not a DNS name
    [InlineData("authorize", 900023)]
    public async Task Unknown_tenant_is_90002_and_malformed_tenant_is_900023(string tenant, int code)
    {
        tenant = tenant == "UNVERIFIED" ? sandbox.Info.UnverifiedDomain : tenant;

        using var response = await sandbox.RequestTokenAsync(sandbox.Info.Apps.Consented, tenant: tenant);

        var body = await AssertEntraErrorAsync(response, 400, "invalid_request", code);
        var expected = code == 90002
            ? $"AADSTS90002: Tenant '{tenant}' not found."
            : $"AADSTS900023: Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain.";
        Assert.StartsWith(expected, body.GetProperty("error_description").GetString());
    }

    [Theory]
    [InlineData("Mail.Send", 1002012, "AADSTS1002012: The provided value for scope Mail.Send is not valid. Client credential flows must have a scope value with /.default suffixed")]
    [InlineData("https://foo.example/.default", 70011, "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope https://foo.example/.default is not valid.")]
    public async Task Bad_scope_gives_400_invalid_scope(string scope, int code, string descriptionStart)
    {
        using var response = await sandbox.RequestTokenAsync(sandbox.Info.Apps.Consented, scope: scope);

        var body = await AssertEntraErrorAsync(response, 400, "invalid_scope", code);
        Assert.StartsWith(descriptionStart, body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Other_grant_type_gives_400_unsupported_grant_type()
    {
        using var response = await sandbox.RequestTokenAsync(sandbox.Info.Apps.Consented, grantType: "password");

        await AssertEntraErrorAsync(response, 400, "unsupported_grant_type", 70003);
    }

    [Fact]
    public async Task Conditional_access_block_gives_400_invalid_grant_53003_with_suberror_and_claims()
    {
        using var response = await sandbox.RequestTokenAsync(sandbox.Info.Apps.ConditionalAccessBlocked);

        var body = await AssertEntraErrorAsync(response, 400, "invalid_grant", 53003, [.. ErrorKeys, "suberror", "claims"]);
        Assert.StartsWith(
            "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance. Trace ID: ",
            body.GetProperty("error_description").GetString());
        Assert.Equal("message_only", body.GetProperty("suberror").GetString());
        using var claims = JsonDocument.Parse(body.GetProperty("claims").GetString()!); // a JSON *string*
        var values = claims.RootElement.GetProperty("access_token").GetProperty("capolids").GetProperty("values");
        Assert.True(Guid.TryParse(values[0].GetString(), out _));
    }

    [Fact]
    public async Task Oidc_discovery_by_domain_carries_the_tenant_guid_and_its_jwks_verifies_tokens()
    {
        var tid = sandbox.Info.TenantId;
        using var response = await sandbox.Client.GetAsync($"{sandbox.Info.TenantDomain}/v2.0/.well-known/openid-configuration");
        Assert.Equal(200, (int)response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var document = json.RootElement;
        Assert.Equal($"{sandbox.Info.AuthorityHost}/{tid}/oauth2/v2.0/token", document.GetProperty("token_endpoint").GetString());
        Assert.Equal($"{sandbox.Info.AuthorityHost}/{tid}/v2.0", document.GetProperty("issuer").GetString());

        var jwksUri = document.GetProperty("jwks_uri").GetString()!;
        using var keys = JsonDocument.Parse(await sandbox.Client.GetStringAsync(jwksUri));
        var key = keys.RootElement.GetProperty("keys")[0];
        var jwt = await sandbox.GetAccessTokenAsync(sandbox.Info.Apps.Consented);
        Assert.Equal(SandboxFixture.JwtPart(jwt, 0).GetProperty("kid").GetString(), key.GetProperty("kid").GetString());

        using var rsa = System.Security.Cryptography.RSA.Create(new System.Security.Cryptography.RSAParameters
        {
            Modulus = System.Buffers.Text.Base64Url.DecodeFromChars(key.GetProperty("n").GetString()),
            Exponent = System.Buffers.Text.Base64Url.DecodeFromChars(key.GetProperty("e").GetString()),
        });
        var parts = jwt.Split('.');
        Assert.True(rsa.VerifyData(
            System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]),
            System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]),
            System.Security.Cryptography.HashAlgorithmName.SHA256,
            System.Security.Cryptography.RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public async Task Oidc_discovery_for_an_unknown_tenant_says_invalid_tenant_90002()
    {
        using var response = await sandbox.Client.GetAsync("nosuchtenant.example/v2.0/.well-known/openid-configuration");

        await AssertEntraErrorAsync(response, 400, "invalid_tenant", 90002);
    }

    [Fact]
    public async Task Instance_discovery_points_at_the_sandbox()
    {
        var authorize = Uri.EscapeDataString($"{sandbox.Info.AuthorityHost}/{sandbox.Info.TenantId}/oauth2/v2.0/authorize");
        using var json = JsonDocument.Parse(await sandbox.Client.GetStringAsync(
            $"common/discovery/instance?api-version=1.1&authorization_endpoint={authorize}"));

        Assert.Equal($"{sandbox.Info.AuthorityHost}/{sandbox.Info.TenantId}/v2.0/.well-known/openid-configuration",
            json.RootElement.GetProperty("tenant_discovery_endpoint").GetString());
        Assert.Equal(new Uri(sandbox.Info.AuthorityHost).Authority,
            json.RootElement.GetProperty("metadata")[0].GetProperty("preferred_network").GetString());
    }

    /// <summary>Checks status, content type, field order and formats of an Entra error (docs/service-behaviour.md#entra-error-body).</summary>
    private static async Task<JsonElement> AssertEntraErrorAsync(HttpResponseMessage response, int status, string error, int code, string[]? keys = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(keys ?? ErrorKeys, SandboxFixture.PropertyNames(body));
        Assert.Equal(error, body.GetProperty("error").GetString());
        var codes = body.GetProperty("error_codes");
        Assert.Equal(JsonValueKind.Number, codes[0].ValueKind); // integers, not strings
        Assert.Equal([code], codes.EnumerateArray().Select(c => c.GetInt32()).ToArray());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$", body.GetProperty("timestamp").GetString());
        // 2024+ form: single spaces before Trace ID, Correlation ID and Timestamp.
        Assert.Matches(
            $@"^AADSTS{code}: .+ Trace ID: {body.GetProperty("trace_id").GetString()} Correlation ID: {body.GetProperty("correlation_id").GetString()} Timestamp: {Regex.Escape(body.GetProperty("timestamp").GetString()!)}$",
            body.GetProperty("error_description").GetString());
        Assert.EndsWith($"/error?code={code}", body.GetProperty("error_uri").GetString());
        return body;
    }
}
