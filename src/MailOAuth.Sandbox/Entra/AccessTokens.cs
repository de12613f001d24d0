using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Entra;

/// <summary>The JWTs Entra issues: app-only and delegated Graph access tokens (v1.0 format, docs/service-behaviour.md#token-roles) and id tokens.</summary>
public static class AccessTokens
{
    /// <summary>v2 endpoint lifetime (docs/service-behaviour.md#token-request).</summary>
    public const int ExpiresInSeconds = 3599;

    /// <summary>iat/nbf are backdated 5 minutes, so exp - iat = 3900 s, as in real tokens (docs/service-behaviour.md#token-roles).</summary>
    public static readonly TimeSpan Backdating = TimeSpan.FromMinutes(5);

    /// <summary>
    /// An app-only Graph access token (docs/service-behaviour.md#token-roles). <c>roles</c> holds the principal's Graph role
    /// values that have replicated at issue time, and is absent, not empty, when there are none.
    /// <paramref name="appIdAcr"/> is "1" for a secret, "2" for a certificate, federated or managed identity.
    /// </summary>
    public static string IssueAppToken(
        SandboxRuntime runtime,
        string appId,
        string displayName,
        ServicePrincipal servicePrincipal,
        string audience,
        DateTimeOffset now,
        string appIdAcr = "1",
        string? managedIdentityResourceId = null,
        int lifetimeSeconds = ExpiresInSeconds)
    {
        var tenantId = runtime.Directory.Tenant.Id.ToString();
        var issuer = $"https://sts.windows.net/{tenantId}/";
        var issuedAt = (now - Backdating).ToUnixTimeSeconds();
        var payload = new JsonObject
        {
            ["aud"] = audience,
            ["iss"] = issuer,
            ["iat"] = issuedAt,
            ["nbf"] = issuedAt,
            ["exp"] = now.AddSeconds(lifetimeSeconds + 1).ToUnixTimeSeconds(),
            ["aio"] = RandomOpaque(),
            ["app_displayname"] = displayName,
            ["appid"] = appId,
            ["appidacr"] = appIdAcr,
            ["idp"] = issuer,
            ["idtyp"] = "app",
            ["oid"] = servicePrincipal.Id.ToString(),
            ["rh"] = RandomOpaque(),
        };
        // Graph's app roles are claims of Graph tokens only; a Key Vault token carries none (Key Vault authorises by Azure RBAC).
        var roles = audience == KeyVault.KeyVaultEndpoints.Audience
            ? []
            : runtime.Directory.GetGrantedRoleValues(servicePrincipal.Id, WellKnownIds.MicrosoftGraphAppId, runtime.IsReplicated);
        if (roles.Count > 0)
        {
            payload["roles"] = new JsonArray([.. roles.Select(r => JsonValue.Create(r))]);
        }

        payload["sub"] = servicePrincipal.Id.ToString();
        payload["tenant_region_scope"] = "NA";
        payload["tid"] = tenantId;
        payload["uti"] = Base64Url.EncodeToString(Guid.NewGuid().ToByteArray());
        payload["ver"] = "1.0";
        if (managedIdentityResourceId is not null)
        {
            // Managed identity tokens name the Azure resource (INFERRED from real MI tokens).
            payload["xms_mirid"] = managedIdentityResourceId;
        }

        return runtime.SigningKey.Sign(payload);
    }

    /// <summary>
    /// A delegated Graph access token (v1.0 format): <c>scp</c> space-separated, <c>idtyp</c>
    /// "user", <c>upn</c>/<c>unique_name</c>, <c>oid</c> = the user, <c>appidacr</c> "0" (public client).
    /// </summary>
    public static string IssueUserToken(
        SandboxRuntime runtime, Guid clientAppId, string clientDisplayName, DirectoryUser user, IReadOnlyList<string> scopes, string audience, DateTimeOffset now)
    {
        var tenantId = runtime.Directory.Tenant.Id.ToString();
        var issuer = $"https://sts.windows.net/{tenantId}/";
        var issuedAt = (now - Backdating).ToUnixTimeSeconds();
        var payload = new JsonObject
        {
            ["aud"] = audience,
            ["iss"] = issuer,
            ["iat"] = issuedAt,
            ["nbf"] = issuedAt,
            ["exp"] = now.AddSeconds(ExpiresInSeconds + 1).ToUnixTimeSeconds(),
            ["acct"] = 0,
            ["acr"] = "1",
            ["aio"] = RandomOpaque(),
            ["amr"] = new JsonArray("pwd", "mfa"),
            ["app_displayname"] = clientDisplayName,
            ["appid"] = clientAppId.ToString(),
            ["appidacr"] = "0",
            ["idtyp"] = "user",
            ["ipaddr"] = "127.0.0.1",
            ["name"] = user.DisplayName,
            ["oid"] = user.Id.ToString(),
            ["platf"] = "3",
            ["rh"] = RandomOpaque(),
            ["scp"] = string.Join(' ', scopes),
            ["sid"] = Guid.NewGuid().ToString(),
            ["sub"] = PairwiseSubject(user.Id, clientAppId),
            ["tenant_region_scope"] = "NA",
            ["tid"] = tenantId,
            ["unique_name"] = user.UserPrincipalName,
            ["upn"] = user.UserPrincipalName,
            ["uti"] = Base64Url.EncodeToString(Guid.NewGuid().ToByteArray()),
            ["ver"] = "1.0",
        };
        if (user.GivenName is not null)
        {
            payload["given_name"] = user.GivenName;
        }

        if (user.Surname is not null)
        {
            payload["family_name"] = user.Surname;
        }

        if (user.DirectoryRoleTemplateIds.Length > 0)
        {
            payload["wids"] = new JsonArray([.. user.DirectoryRoleTemplateIds.Select(w => JsonValue.Create(w.ToString()))]);
        }

        return runtime.SigningKey.Sign(payload);
    }

    /// <summary>A v2.0 id token for <paramref name="clientAppId"/> (what MSAL builds the account from).</summary>
    public static string IssueIdToken(SandboxRuntime runtime, Guid clientAppId, DirectoryUser user, DateTimeOffset now)
    {
        var tenantId = runtime.Directory.Tenant.Id.ToString();
        var issuedAt = (now - Backdating).ToUnixTimeSeconds();
        return runtime.SigningKey.Sign(new JsonObject
        {
            ["aud"] = clientAppId.ToString(),
            ["iss"] = $"{runtime.AuthorityHost}/{tenantId}/v2.0",
            ["iat"] = issuedAt,
            ["nbf"] = issuedAt,
            ["exp"] = now.AddSeconds(ExpiresInSeconds + 1).ToUnixTimeSeconds(),
            ["name"] = user.DisplayName,
            ["oid"] = user.Id.ToString(),
            ["preferred_username"] = user.UserPrincipalName,
            ["rh"] = RandomOpaque(),
            ["sub"] = PairwiseSubject(user.Id, clientAppId),
            ["tid"] = tenantId,
            ["uti"] = Base64Url.EncodeToString(Guid.NewGuid().ToByteArray()),
            ["ver"] = "2.0",
        });
    }

    /// <summary>MSAL's <c>client_info</c>: base64url of <c>{"uid":oid,"utid":tid}</c> (its home account id).</summary>
    public static string ClientInfo(DirectoryUser user, Guid tenantId) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"uid\":\"{user.Id}\",\"utid\":\"{tenantId}\"}}"));

    /// <summary>An opaque refresh token.</summary>
    public static string NewRefreshToken() => "1.AQ" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(96));

    public static string RandomOpaque() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48));

    // sub is pairwise: stable per user and client, different across clients.
    private static string PairwiseSubject(Guid userId, Guid clientAppId) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($"{userId:N}{clientAppId:N}")));
}
