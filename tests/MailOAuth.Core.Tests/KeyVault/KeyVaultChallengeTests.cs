using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Cloud;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.KeyVault;
using Xunit;

namespace MailOAuth.Core.Tests.KeyVault;

/// <summary>
/// What MailOAuth makes of a vault's answers, with the real SecretClient over a fake vault
/// (docs/service-behaviour.md#key-vault-challenge, #key-vault-errors): the token asked for, the challenge checks,
/// and each status mapped to its code.
/// </summary>
public sealed class KeyVaultChallengeTests
{
    private const string TenantId = "7d272768-1371-4e35-aef5-46086319a765";
    /// <summary>A vault host of its own per test: the SDK caches a vault's challenge process-wide, by host and port.</summary>
    private readonly Uri Vault = new($"https://t{Guid.NewGuid():N}".Substring(0, 20) + ".vault.azure.net/");
    private static readonly CloudEnvironment Global = new EnvironmentRegistry().Get("Global");

    private sealed class RecordingCredential : TokenCredential
    {
        public List<TokenRequestContext> Requests { get; } = new();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Requests.Add(requestContext);
            return new AccessToken("header.payload.signature", DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }

    /// <summary>A vault: 401 with <paramref name="challenge"/> to a request without a token, then <paramref name="answer"/>.</summary>
    private sealed class FakeVault(string challenge, HttpStatusCode answer, string body) : HttpMessageHandler
    {
        public List<(string Method, bool HadToken, bool HadBody)> Seen { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var hadToken = request.Headers.Authorization is not null;
            Seen.Add((request.Method.Method, hadToken, request.Content is not null));
            var response = hadToken
                ? new HttpResponseMessage(answer) { Content = new StringContent(body, Encoding.UTF8, "application/json") }
                : new HttpResponseMessage(HttpStatusCode.Unauthorized)
                {
                    Content = new StringContent("{\"error\":{\"code\":\"Unauthorized\",\"message\":\"AKV10000: Request is missing a Bearer or PoP token.\"}}", Encoding.UTF8, "application/json"),
                };
            if (!hadToken) response.Headers.TryAddWithoutValidation("WWW-Authenticate", challenge);
            return Task.FromResult(response);
        }
    }

    private async Task<(Exception? Error, RecordingCredential Credential, FakeVault Vault)> SetAsync(string challenge, HttpStatusCode answer, string body)
    {
        var credential = new RecordingCredential();
        var fake = new FakeVault(challenge, answer, body);
        var source = TokenSource.For(Global, credential, new DiagnosisContext { TenantId = "contoso.com" });
        var options = new SecretClientOptions { Transport = new HttpClientTransport(new HttpClient(fake)) };
        options.Retry.MaxRetries = 0;
        var client = new SecretClient(Vault, new VaultTokenCredential(source, TenantId, Vault), options);
        try
        {
            await client.SetSecretAsync(new KeyVaultSecret("Email-OAuth", "value-never-shown"));
            return (null, credential, fake);
        }
        catch (Exception ex)
        {
            return (ex, credential, fake);
        }
    }

    private static string Challenge(string tenant = TenantId, string resource = "https://vault.azure.net") =>
        $"Bearer authorization=\"https://login.microsoftonline.com/{tenant}\", resource=\"{resource}\"";

    private Diagnosis Explain(Exception error) => KeyVaultWriter.Explain(error, Vault, "Email-OAuth", "3f8a6c2e-7d41-4b9a-9e0f-5c2d8b1a4e67", Global, TenantId);

    [Fact]
    public async Task The_token_is_asked_for_key_vaults_resource_without_the_challenges_tenant_and_the_body_waits_for_it()
    {
        var (error, credential, fake) = await SetAsync(Challenge(),
            HttpStatusCode.OK, "{\"value\":\"value-never-shown\",\"id\":\"" + Vault + "secrets/Email-OAuth/0123456789abcdef0123456789abcdef\",\"attributes\":{\"enabled\":true}}");

        Assert.Null(error);
        var request = Assert.Single(credential.Requests);
        Assert.Equal(new[] { "https://vault.azure.net/.default" }, request.Scopes);
        Assert.Null(request.TenantId); // the connection's credential signs in to its own tenant (given by domain here)
        Assert.Equal(new[] { ("PUT", false, false), ("PUT", true, true) }, fake.Seen);
    }

    [Fact]
    public async Task A_vault_in_another_tenant_gets_no_token_and_is_access_denied()
    {
        var (error, credential, _) = await SetAsync(Challenge(tenant: "11111111-2222-3333-4444-555555555555"), HttpStatusCode.OK, "{}");

        Assert.Empty(credential.Requests);
        var diagnosis = Explain(error!);
        Assert.Equal(DiagnosisCode.KeyVaultAccessDenied, diagnosis.Code);
        Assert.Contains("11111111-2222-3333-4444-555555555555", diagnosis.Cause);
    }

    [Fact]
    public async Task A_challenge_for_another_resource_than_the_vaults_host_gets_no_token_and_means_no_vault_of_this_cloud()
    {
        var (error, credential, _) = await SetAsync(Challenge(resource: "https://evil.example"), HttpStatusCode.OK, "{}");

        Assert.Empty(credential.Requests);
        Assert.Equal(DiagnosisCode.KeyVaultUriInvalid, Explain(error!).Code);
    }

    [Fact]
    public async Task A_challenge_for_a_parent_domain_that_is_not_key_vaults_resource_gets_no_token()
    {
        // The SDK accepts any parent domain of the vault's host (".azure.net"); MailOAuth asks for Key Vault's only.
        var (error, credential, _) = await SetAsync(Challenge(resource: "https://azure.net"), HttpStatusCode.OK, "{}");

        Assert.Empty(credential.Requests);
        Assert.Equal(DiagnosisCode.KeyVaultUriInvalid, Explain(error!).Code);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "{\"error\":{\"code\":\"Forbidden\",\"message\":\"Caller is not authorized to perform action on resource.\",\"innererror\":{\"code\":\"ForbiddenByRbac\"}}}", DiagnosisCode.KeyVaultAccessDenied, "Forbidden")]
    [InlineData(HttpStatusCode.Forbidden, "{\"error\":{\"code\":\"Forbidden\",\"message\":\"The user, group or application does not have secrets set permission.\",\"innererror\":{\"code\":\"AccessDenied\"}}}", DiagnosisCode.KeyVaultAccessDenied, "Forbidden")]
    [InlineData(HttpStatusCode.BadRequest, "{\"error\":{\"code\":\"BadParameter\",\"message\":\"The request URI contains an invalid name: Email_OAuth\"}}", DiagnosisCode.KeyVaultRejected, "BadParameter")]
    [InlineData(HttpStatusCode.Conflict, "{\"error\":{\"code\":\"Conflict\",\"message\":\"Secret Email-OAuth is currently in a deleted but recoverable state.\"}}", DiagnosisCode.KeyVaultRejected, "Conflict")]
    [InlineData(HttpStatusCode.NotFound, "{\"error\":{\"code\":\"VaultNotFound\",\"message\":\"No such vault.\"}}", DiagnosisCode.KeyVaultNotFound, "VaultNotFound")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"Try later.\"}}", DiagnosisCode.ServiceUnavailable, "ServiceUnavailable")]
    [InlineData(HttpStatusCode.TooManyRequests, "{\"error\":{\"code\":\"Throttled\",\"message\":\"Slow down.\"}}", DiagnosisCode.Throttled, "Throttled")]
    public async Task Each_answer_of_the_vault_is_its_diagnosis_by_status_and_the_value_is_never_quoted(HttpStatusCode status, string body, DiagnosisCode expected, string serviceCode)
    {
        var (error, _, _) = await SetAsync(Challenge(), status, body);

        var diagnosis = Explain(Assert.IsType<RequestFailedException>(error));
        Assert.Equal(expected, diagnosis.Code);
        Assert.Equal((int)status, diagnosis.HttpStatus);
        Assert.Equal(serviceCode, diagnosis.ServiceCode);
        Assert.Contains("ClientSecret", diagnosis.Cause);
        Assert.DoesNotContain("value-never-shown", diagnosis.Message + diagnosis.Remediation);
    }

    /// <summary>A transport that never reaches a vault: the connection fails with <paramref name="error"/>, as the OS reports it.</summary>
    private sealed class Unreachable(SocketError error) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException($"{error} ({request.RequestUri!.Host}:443)", new System.Net.Sockets.SocketException((int)error));
    }

    private async Task<Exception> SetThroughAsync(HttpMessageHandler transport)
    {
        var source = TokenSource.For(Global, new RecordingCredential(), new DiagnosisContext { TenantId = "contoso.com" });
        var options = new SecretClientOptions { Transport = new HttpClientTransport(new HttpClient(transport)) };
        options.Retry.MaxRetries = 0;
        var client = new SecretClient(Vault, new VaultTokenCredential(source, TenantId, Vault), options);
        return await Assert.ThrowsAnyAsync<Exception>(() => client.SetSecretAsync(new KeyVaultSecret("Email-OAuth", "value-never-shown")));
    }

    [Fact]
    public async Task A_vault_name_that_does_not_resolve_is_KeyVaultNotFound_saying_so()
    {
        // The real service's answer to an unknown vault name: none, its host name does not resolve
        // (docs/service-behaviour.md#key-vault-errors). The sandbox cannot show this (on loopback every name resolves;
        // it answers 404 VaultNotFound as a stand-in), so this path is proven here.
        var error = await SetThroughAsync(new Unreachable(SocketError.HostNotFound));

        var diagnosis = Explain(error);
        Assert.Equal(DiagnosisCode.KeyVaultNotFound, diagnosis.Code);
        Assert.Contains("does not resolve in DNS", diagnosis.Cause);
        Assert.Contains(Vault.Host, diagnosis.Cause);
        Assert.Contains("Check the vault name", diagnosis.Remediation);
        Assert.Equal(0, diagnosis.HttpStatus);
        Assert.DoesNotContain("value-never-shown", diagnosis.Message + diagnosis.Remediation);
    }

    [Fact]
    public async Task A_vault_that_resolves_but_refuses_the_connection_is_a_network_failure_not_a_missing_vault()
    {
        var diagnosis = Explain(await SetThroughAsync(new Unreachable(SocketError.ConnectionRefused)));

        Assert.Equal(DiagnosisCode.NetworkFailure, diagnosis.Code);
    }

    [Fact]
    public void Tags_name_what_the_vault_holds_for_the_next_rotation()
    {
        var tags = KeyVaultWriter.Tags(new VaultSecretFacts
        {
            ClientId = "3f8a6c2e-7d41-4b9a-9e0f-5c2d8b1a4e67", KeyId = "5d3b7e2a-9c1f-4a86-b2e4-7f1c3a9d5e82", TenantId = TenantId,
            ExpiresOn = new DateTimeOffset(2027, 12, 2, 9, 30, 0, TimeSpan.FromHours(1)),
        });

        Assert.Equal(new Dictionary<string, string>
        {
            ["ClientId"] = "3f8a6c2e-7d41-4b9a-9e0f-5c2d8b1a4e67", ["KeyId"] = "5d3b7e2a-9c1f-4a86-b2e4-7f1c3a9d5e82",
            ["ExpiresOn"] = "2027-12-02T08:30:00Z", ["TenantId"] = TenantId, ["ManagedBy"] = "MailOAuth",
        }, tags);
    }
}
