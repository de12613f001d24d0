using System.Buffers.Text;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Xunit;

namespace MailOAuth.Core.Tests.Sandbox;

/// <summary>
/// Every offline admin sign-in the sandbox offers: certificate assertion, workload identity
/// federation, device code (delegated) and the App Service managed identity endpoint.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class SandboxSignInTests(SandboxFixture sandbox)
{
    private const string JwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    [Theory]
    [InlineData("RS256", "x5t", "tenantId")]
    [InlineData("PS256", "x5t#S256", "tenantDomain")] // what MSAL.NET sends today (nbf/exp as strings)
    public async Task Certificate_assertion_signed_with_the_admin_pfx_gets_a_token_with_appidacr_2(string alg, string thumbprintHeader, string audienceTenant)
    {
        using var certificate = X509CertificateLoader.LoadPkcs12FromFile(sandbox.Info.Admin.CertificatePath, sandbox.Info.Admin.CertificatePassword);
        Assert.Equal(sandbox.Info.Admin.CertificateThumbprint, certificate.Thumbprint);
        var tenant = audienceTenant == "tenantId" ? sandbox.Info.TenantId : sandbox.Info.TenantDomain;
        var assertion = CertificateAssertion(certificate, $"{sandbox.Info.AuthorityHost}/{tenant}/oauth2/v2.0/token", DateTimeOffset.UtcNow, alg, thumbprintHeader, numericStrings: alg == "PS256");

        using var response = await AssertionTokenAsync(sandbox.Info.Admin.ClientId, assertion);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(200 == (int)response.StatusCode, text);
        var claims = SandboxFixture.JwtPart(JsonDocument.Parse(text).RootElement.GetProperty("access_token").GetString()!, 1);
        Assert.Equal("2", claims.GetProperty("appidacr").GetString());
        Assert.Equal(sandbox.Info.Admin.ClientId, claims.GetProperty("appid").GetString());
        Assert.Contains("Application.ReadWrite.All", claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Certificate_assertion_with_an_unknown_key_is_700027_and_an_expired_one_700024()
    {
        using var rsa = RSA.Create(2048);
        using var stranger = new CertificateRequest("CN=stranger", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var admin = X509CertificateLoader.LoadPkcs12FromFile(sandbox.Info.Admin.CertificatePath, sandbox.Info.Admin.CertificatePassword);
        var audience = $"{sandbox.Info.AuthorityHost}/{sandbox.Info.TenantId}/oauth2/v2.0/token";

        using var unknown = await AssertionTokenAsync(sandbox.Info.Admin.ClientId, CertificateAssertion(stranger, audience, DateTimeOffset.UtcNow));
        using var expired = await AssertionTokenAsync(sandbox.Info.Admin.ClientId, CertificateAssertion(admin, audience, DateTimeOffset.UtcNow.AddHours(-2)));

        var unknownBody = await EntraErrorAsync(unknown, 401, "invalid_client", 700027);
        Assert.StartsWith($"AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '{stranger.Thumbprint}'",
            unknownBody.GetProperty("error_description").GetString());
        var expiredBody = await EntraErrorAsync(expired, 401, "invalid_client", 700024);
        Assert.StartsWith("AADSTS700024: Client assertion is not within its valid time range. Current time: ", expiredBody.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Federated_assertion_from_the_sandbox_issuer_is_exchanged_and_a_wrong_subject_is_70021()
    {
        using var discovery = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/oidc/.well-known/openid-configuration"));
        Assert.Equal(sandbox.Info.Admin.FederatedIssuer, discovery.RootElement.GetProperty("issuer").GetString());
        using var jwks = JsonDocument.Parse(await sandbox.Client.GetStringAsync(discovery.RootElement.GetProperty("jwks_uri").GetString()));
        Assert.Equal("RSA", jwks.RootElement.GetProperty("keys")[0].GetProperty("kty").GetString());

        var good = await FederatedTokenAsync(new { subject = sandbox.Info.Admin.FederatedSubject, audience = "api://AzureADTokenExchange" });
        var claims = SandboxFixture.JwtPart(good, 1);
        Assert.Equal(sandbox.Info.Admin.FederatedIssuer, claims.GetProperty("iss").GetString());
        Assert.Equal(600, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
        using var exchanged = await AssertionTokenAsync(sandbox.Info.Admin.ClientId, good);
        var text = await exchanged.Content.ReadAsStringAsync();
        Assert.True(200 == (int)exchanged.StatusCode, text);
        Assert.Equal("2", SandboxFixture.JwtPart(JsonDocument.Parse(text).RootElement.GetProperty("access_token").GetString()!, 1).GetProperty("appidacr").GetString());

        var wrong = await FederatedTokenAsync(new { subject = "repo:contoso/onboarding:ref:refs/heads/main" });
        using var rejected = await AssertionTokenAsync(sandbox.Info.Admin.ClientId, wrong);

        var body = await EntraErrorAsync(rejected, 400, "invalid_request", 70021);
        Assert.StartsWith(
            $"AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '{sandbox.Info.Admin.FederatedIssuer}'. Assertion Subject: 'repo:contoso/onboarding:ref:refs/heads/main'. Assertion Audience: 'api://AzureADTokenExchange'.",
            body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Device_code_is_approved_at_once_and_the_first_poll_returns_delegated_tokens_for_the_admin()
    {
        var info = sandbox.Info;
        using var oidc = JsonDocument.Parse(await sandbox.Client.GetStringAsync($"{info.TenantId}/v2.0/.well-known/openid-configuration"));
        var deviceEndpoint = oidc.RootElement.GetProperty("device_authorization_endpoint").GetString()!;
        Assert.Equal($"{info.AuthorityHost}/{info.TenantId}/oauth2/v2.0/devicecode", deviceEndpoint);
        var scope = $"{info.GraphEndpoint}/.default openid profile offline_access";

        using var codeResponse = await sandbox.Client.PostAsync(deviceEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = info.PublicClientId,
            ["scope"] = scope,
        }));
        Assert.Equal(200, (int)codeResponse.StatusCode);
        using var code = JsonDocument.Parse(await codeResponse.Content.ReadAsStringAsync());
        var device = code.RootElement;
        Assert.Equal(["user_code", "device_code", "verification_uri", "expires_in", "interval", "message"], SandboxFixture.PropertyNames(device));
        Assert.Equal("https://microsoft.com/devicelogin", device.GetProperty("verification_uri").GetString());
        Assert.Equal(900, device.GetProperty("expires_in").GetInt32());
        Assert.Equal(1, device.GetProperty("interval").GetInt32());
        var userCode = device.GetProperty("user_code").GetString();
        Assert.Equal($"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code {userCode} to authenticate.",
            device.GetProperty("message").GetString());

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["client_id"] = info.PublicClientId,
            ["device_code"] = device.GetProperty("device_code").GetString()!,
            ["scope"] = scope,
            ["client_info"] = "1",
        };
        using var tokenResponse = await sandbox.Client.PostAsync($"{info.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(form));
        using var second = await sandbox.Client.PostAsync($"{info.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(form));

        var text = await tokenResponse.Content.ReadAsStringAsync();
        Assert.True(200 == (int)tokenResponse.StatusCode, text);
        var tokens = JsonDocument.Parse(text).RootElement;
        Assert.Equal(["token_type", "scope", "expires_in", "ext_expires_in", "access_token", "refresh_token", "id_token", "client_info"], SandboxFixture.PropertyNames(tokens));
        var claims = SandboxFixture.JwtPart(tokens.GetProperty("access_token").GetString()!, 1);
        Assert.Equal("Application.ReadWrite.All AppRoleAssignment.ReadWrite.All User.Read.All Domain.Read.All RoleManagement.ReadWrite.Exchange", claims.GetProperty("scp").GetString());
        Assert.Equal("user", claims.GetProperty("idtyp").GetString());
        Assert.Equal(info.AdminUser, claims.GetProperty("upn").GetString());
        Assert.Equal(info.PublicClientId, claims.GetProperty("appid").GetString());
        Assert.Equal(info.TenantId, claims.GetProperty("tid").GetString());
        Assert.False(claims.TryGetProperty("roles", out _));
        var idToken = SandboxFixture.JwtPart(tokens.GetProperty("id_token").GetString()!, 1);
        Assert.Equal(info.AdminUser, idToken.GetProperty("preferred_username").GetString());
        Assert.Equal(info.PublicClientId, idToken.GetProperty("aud").GetString());
        Assert.Equal($"{info.AuthorityHost}/{info.TenantId}/v2.0", idToken.GetProperty("iss").GetString());
        Assert.Equal(claims.GetProperty("oid").GetString(), idToken.GetProperty("oid").GetString());
        using var clientInfo = JsonDocument.Parse(Base64Url.DecodeFromChars(tokens.GetProperty("client_info").GetString()));
        Assert.Equal(claims.GetProperty("oid").GetString(), clientInfo.RootElement.GetProperty("uid").GetString());
        Assert.Equal(info.TenantId, clientInfo.RootElement.GetProperty("utid").GetString());
        await EntraErrorAsync(second, 400, "bad_verification_code", 70000); // a device code is redeemed once

        // The delegated token works on the directory (scp), and its refresh token gets another one.
        var me = await sandbox.GraphAsync(HttpMethod.Get, "v1.0/me", tokens.GetProperty("access_token").GetString());
        me.AssertStatus(200);
        Assert.Equal(info.AdminUser, me.String("userPrincipalName"));
        var created = await sandbox.GraphAsync(HttpMethod.Post, "v1.0/applications", tokens.GetProperty("access_token").GetString(), new { displayName = "Created by the delegated admin" });
        created.AssertStatus(201);
        using var refreshed = await sandbox.Client.PostAsync($"{info.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = info.PublicClientId,
            ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()!,
            ["scope"] = scope,
        }));
        Assert.Equal(200, (int)refreshed.StatusCode);
    }

    [Fact]
    public async Task Device_code_for_a_confidential_app_is_refused_at_redemption_with_7000218()
    {
        var info = sandbox.Info;
        using var codeResponse = await sandbox.Client.PostAsync($"{info.TenantId}/oauth2/v2.0/devicecode", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = info.Admin.ClientId,
            ["scope"] = $"{info.GraphEndpoint}/.default",
        }));
        using var code = JsonDocument.Parse(await codeResponse.Content.ReadAsStringAsync());

        using var token = await sandbox.Client.PostAsync($"{info.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["client_id"] = info.Admin.ClientId,
            ["device_code"] = code.RootElement.GetProperty("device_code").GetString()!,
        }));

        await EntraErrorAsync(token, 401, "invalid_client", 7000218);
    }

    [Fact]
    public async Task Managed_identity_endpoint_speaks_the_app_service_protocol()
    {
        await sandbox.ResetAsync();
        var identity = sandbox.Info.ManagedIdentity;
        Assert.Equal($"{sandbox.Info.BaseUri}/_sandbox/msi/token", identity.IdentityEndpoint);
        var query = $"?api-version=2019-08-01&resource={Uri.EscapeDataString(sandbox.Info.GraphEndpoint)}";

        using var noHeader = await sandbox.Client.GetAsync(identity.IdentityEndpoint + query);
        using var wrongHeader = await MsiAsync(query, "not-the-header");
        using var system = await MsiAsync(query, identity.IdentityHeader);
        using var userAssigned = await MsiAsync(query + "&client_id=" + identity.UserAssignedClientId, identity.IdentityHeader);
        using var unknown = await MsiAsync(query + "&client_id=" + Guid.NewGuid(), identity.IdentityHeader);

        Assert.Equal(400, (int)noHeader.StatusCode);
        Assert.Equal(401, (int)wrongHeader.StatusCode);
        Assert.Equal(200, (int)system.StatusCode);
        var body = JsonDocument.Parse(await system.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["access_token", "expires_on", "resource", "token_type", "client_id"], SandboxFixture.PropertyNames(body));
        Assert.Equal(JsonValueKind.String, body.GetProperty("expires_on").ValueKind); // Unix seconds as a string
        Assert.True(long.TryParse(body.GetProperty("expires_on").GetString(), out var expiresOn) && expiresOn > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(sandbox.Info.GraphEndpoint, body.GetProperty("resource").GetString());
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(identity.ClientId, body.GetProperty("client_id").GetString());
        var claims = SandboxFixture.JwtPart(body.GetProperty("access_token").GetString()!, 1);
        Assert.Equal(["Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "User.Read.All", "Domain.Read.All", "RoleManagement.ReadWrite.Exchange"],
            claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        var userBody = JsonDocument.Parse(await userAssigned.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(identity.UserAssignedClientId, userBody.GetProperty("client_id").GetString());
        Assert.Equal(400, (int)unknown.StatusCode);
        var unknownBody = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["statusCode", "message", "correlationId"], SandboxFixture.PropertyNames(unknownBody));
        Assert.Equal("Unable to load the proper Managed Identity.", unknownBody.GetProperty("message").GetString());

        var directory = await sandbox.GraphAsync(HttpMethod.Get, "v1.0/domains", body.GetProperty("access_token").GetString());
        directory.AssertStatus(200);
        using var log = JsonDocument.Parse(await sandbox.Client.GetStringAsync("_sandbox/requests"));
        Assert.Equal(5, log.RootElement.EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "msi"));
    }

    private Task<HttpResponseMessage> MsiAsync(string query, string header)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, sandbox.Info.ManagedIdentity.IdentityEndpoint + query);
        request.Headers.Add("X-IDENTITY-HEADER", header);
        return sandbox.Client.SendAsync(request);
    }

    private async Task<string> FederatedTokenAsync(object body)
    {
        using var response = await sandbox.Client.PostAsJsonAsync("_sandbox/federated-token", body);
        Assert.Equal(200, (int)response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private Task<HttpResponseMessage> AssertionTokenAsync(string clientId, string assertion) =>
        sandbox.Client.PostAsync($"{sandbox.Info.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["scope"] = sandbox.Info.GraphEndpoint + "/.default",
            ["grant_type"] = "client_credentials",
            ["client_assertion_type"] = JwtBearer,
            ["client_assertion"] = assertion,
        }));

    /// <summary>A client assertion as MSAL builds one: iss = sub = client id, aud = token endpoint, 10 minutes.</summary>
    private string CertificateAssertion(X509Certificate2 certificate, string audience, DateTimeOffset now, string alg = "RS256", string thumbprintHeader = "x5t", bool numericStrings = false)
    {
        var thumbprint = thumbprintHeader == "x5t" ? certificate.GetCertHash() : certificate.GetCertHash(HashAlgorithmName.SHA256);
        var header = new Dictionary<string, object> { ["alg"] = alg, ["typ"] = "JWT", [thumbprintHeader] = Base64Url.EncodeToString(thumbprint) };
        object Seconds(DateTimeOffset t) => numericStrings ? t.ToUnixTimeSeconds().ToString() : t.ToUnixTimeSeconds();
        var payload = new Dictionary<string, object>
        {
            ["aud"] = audience,
            ["iss"] = sandbox.Info.Admin.ClientId,
            ["sub"] = sandbox.Info.Admin.ClientId,
            ["jti"] = Guid.NewGuid().ToString(),
            ["nbf"] = Seconds(now),
            ["exp"] = Seconds(now.AddMinutes(10)),
        };
        var input = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload));
        using var key = certificate.GetRSAPrivateKey()!;
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, alg == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    private static async Task<JsonElement> EntraErrorAsync(HttpResponseMessage response, int status, string error, int code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Equal([code], body.GetProperty("error_codes").EnumerateArray().Select(c => c.GetInt32()).ToArray());
        return body;
    }
}
