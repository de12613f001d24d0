using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Directory;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Entra;

/// <summary><c>POST /{tenant}/oauth2/v2.0/token</c>, client credentials (wire §1).</summary>
public static class TokenEndpoint
{
    /// <summary>v2 endpoint lifetime (wire §1.2).</summary>
    public const int ExpiresInSeconds = 3599;

    /// <summary>iat/nbf are backdated 5 minutes, so exp - iat = 3900 s, as in real tokens (wire §3).</summary>
    public static readonly TimeSpan Backdating = TimeSpan.FromMinutes(5);

    private static readonly string[] OidcScopes = ["openid", "profile", "offline_access"];

    public static async Task HandleAsync(HttpContext context, SandboxRuntime runtime)
    {
        var request = SandboxRequest.Get(context);
        var now = runtime.Now;
        var directory = runtime.Directory;
        var tenantSegment = context.GetRouteValue("tenant") as string ?? "";

        var form = await ReadFormAsync(context);
        var basic = ReadBasicCredentials(context);
        var clientId = Field(form, "client_id") ?? basic?.ClientId;
        request.ClientId = clientId;

        var error = ValidateRequest(context, runtime, tenantSegment, form, clientId);
        if (error is not null)
        {
            await EntraResponses.WriteErrorAsync(context, error, now);
            return;
        }

        // Client authentication (wire §1.3-§1.5, §1.12).
        var app = directory.FindApplicationByAppId(Guid.Parse(clientId!))!;
        var secret = Field(form, "client_secret") ?? basic?.Secret;
        var assertion = Field(form, "client_assertion");
        error = secret is not null
            ? CheckSecret(app, secret, now)
            : assertion is not null
                ? EntraErrors.AssertionKeyNotFound(AssertionThumbprint(assertion), app.AppId.ToString(), runtime.GraphEndpoint)
                : EntraErrors.MissingClientCredential();
        if (error is not null)
        {
            await EntraResponses.WriteErrorAsync(context, error, now);
            return;
        }

        // Scope: "<resource>/.default", MSAL's extra OIDC scopes tolerated (wire §1.1, §1.9).
        var scope = Field(form, "scope");
        if (scope is null)
        {
            await EntraResponses.WriteErrorAsync(context, EntraErrors.MissingParameter("scope"), now);
            return;
        }

        var (audience, scopeError) = ResolveAudience(scope, runtime.GraphEndpoint);
        if (scopeError is not null)
        {
            await EntraResponses.WriteErrorAsync(context, scopeError, now);
            return;
        }

        var servicePrincipal = directory.FindServicePrincipalByAppId(app.AppId);
        if (servicePrincipal is null)
        {
            // INFERRED: an application with no service principal in the tenant.
            await EntraResponses.WriteErrorAsync(context, new EntraError(400, "invalid_client", 7000229,
                $"The client application {app.AppId} is missing service principal in the tenant {directory.Tenant.Id}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119"), now);
            return;
        }

        // wire §1.11: a workload-identity Conditional Access policy blocks issuance.
        if (directory.FindBlockingPolicy(servicePrincipal.Id) is { } policy)
        {
            await EntraResponses.WriteErrorAsync(context, EntraErrors.ConditionalAccessBlocked(policy.Id), now);
            return;
        }

        var accessToken = IssueAccessToken(runtime, app, servicePrincipal, audience!, now);
        EntraResponses.ApplyTokenHeaders(context, request);
        // wire §1.2: expires_in is a number; no refresh_token, scope or id_token.
        await EntraResponses.WriteJsonAsync(context, new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = ExpiresInSeconds,
            ["ext_expires_in"] = ExpiresInSeconds,
            ["access_token"] = accessToken,
        });
    }

    /// <summary>
    /// A v1.0-format Graph access token (wire §3). <c>roles</c> holds the app's Graph role
    /// values at issue time and is absent, not empty, when there are none.
    /// </summary>
    public static string IssueAccessToken(SandboxRuntime runtime, DirectoryApplication app, ServicePrincipal servicePrincipal, string audience, DateTimeOffset now)
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
            ["aio"] = RandomOpaque(),
            ["app_displayname"] = app.DisplayName,
            ["appid"] = app.AppId.ToString(),
            ["appidacr"] = "1",
            ["idp"] = issuer,
            ["idtyp"] = "app",
            ["oid"] = servicePrincipal.Id.ToString(),
            ["rh"] = RandomOpaque(),
        };
        var roles = runtime.Directory.GetGrantedRoleValues(servicePrincipal.Id, WellKnownIds.MicrosoftGraphAppId);
        if (roles.Count > 0)
        {
            payload["roles"] = new JsonArray([.. roles.Select(r => JsonValue.Create(r))]);
        }

        payload["sub"] = servicePrincipal.Id.ToString();
        payload["tenant_region_scope"] = "NA";
        payload["tid"] = tenantId;
        payload["uti"] = Base64Url.EncodeToString(Guid.NewGuid().ToByteArray());
        payload["ver"] = "1.0";
        return runtime.SigningKey.Sign(payload);
    }

    private static EntraError? ValidateRequest(HttpContext context, SandboxRuntime runtime, string tenantSegment, IFormCollection form, string? clientId)
    {
        var directory = runtime.Directory;
        switch (TenantResolver.Resolve(directory, tenantSegment))
        {
            case TenantMatch.Malformed:
                return EntraErrors.MalformedTenant(tenantSegment);
            case TenantMatch.NotFound:
                return EntraErrors.TenantNotFound(tenantSegment, forDiscovery: false);
            case TenantMatch.MultiTenant:
                return EntraErrors.NoTenant();
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return EntraErrors.PostOnly(context.Request.Method);
        }

        var grantType = Field(form, "grant_type");
        if (grantType is null)
        {
            return EntraErrors.MissingParameter("grant_type");
        }

        if (grantType != "client_credentials")
        {
            return EntraErrors.UnsupportedGrantType(grantType);
        }

        if (clientId is null)
        {
            return EntraErrors.MissingParameter("client_id");
        }

        // wire §1.6: unknown (or non-GUID) client_id in this tenant.
        if (!Guid.TryParse(clientId, out var appId) || directory.FindApplicationByAppId(appId) is null)
        {
            return EntraErrors.ApplicationNotFound(clientId, directory.Tenant.DisplayName);
        }

        return null;
    }

    /// <summary>wire §1.4/§1.5: no match → 7000215; matches only expired keys → 7000222.</summary>
    private static EntraError? CheckSecret(DirectoryApplication app, string secret, DateTimeOffset now)
    {
        var matching = app.PasswordCredentials.Where(c => c.Matches(secret)).ToList();
        if (matching.Any(c => c.IsActiveAt(now)))
        {
            return null;
        }

        return matching.Any(c => c.EndDateTime <= now)
            ? EntraErrors.ExpiredClientSecret(app.AppId.ToString())
            : EntraErrors.InvalidClientSecret(app.AppId.ToString());
    }

    private static (string? Audience, EntraError? Error) ResolveAudience(string scope, string graphEndpoint)
    {
        var resourceScopes = scope
            .Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Where(s => !OidcScopes.Contains(s, StringComparer.OrdinalIgnoreCase))
            .ToList();
        if (resourceScopes.Count == 0)
        {
            return (null, EntraErrors.InvalidScope(scope));
        }

        var withoutDefault = resourceScopes.Where(s => !s.EndsWith("/.default", StringComparison.OrdinalIgnoreCase)).ToList();
        if (withoutDefault.Count > 0)
        {
            return (null, EntraErrors.ScopeWithoutDefault(string.Join(' ', withoutDefault)));
        }

        if (resourceScopes.Count > 1)
        {
            return (null, EntraErrors.InvalidScope(scope));
        }

        var resource = resourceScopes[0][..^"/.default".Length];
        if (string.Equals(resource.TrimEnd('/'), graphEndpoint, StringComparison.OrdinalIgnoreCase))
        {
            // aud is the resource as requested, with its trailing slash if it had one (wire §3).
            return (resource.EndsWith('/') ? graphEndpoint + "/" : graphEndpoint, null);
        }

        if (Guid.TryParse(resource, out var resourceAppId) && resourceAppId == WellKnownIds.MicrosoftGraphAppId)
        {
            // INFERRED (wire §3): requested by appId, aud is the GUID.
            return (WellKnownIds.MicrosoftGraphAppId.ToString(), null);
        }

        return (null, EntraErrors.InvalidScope(scope));
    }

    private static async Task<IFormCollection> ReadFormAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return FormCollection.Empty;
        }

        try
        {
            return await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // A malformed or cut-off form reads as an empty one (then: AADSTS900144 grant_type).
            return FormCollection.Empty;
        }
    }

    /// <summary>The client id from a token request's form or Basic header, for the request log.</summary>
    public static async Task<string?> PeekClientIdAsync(HttpContext context) =>
        Field(await ReadFormAsync(context), "client_id") ?? ReadBasicCredentials(context)?.ClientId;

    private static string? Field(IFormCollection form, string name)
    {
        var value = form[name].ToString();
        return value.Length == 0 ? null : value;
    }

    /// <summary>RFC 6749 §2.3.1: Basic base64(urlencode(id) ":" urlencode(secret)).</summary>
    private static (string ClientId, string Secret)? ReadBasicCredentials(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':');
            if (colon <= 0)
            {
                return null;
            }

            return (WebUtility.UrlDecode(decoded[..colon]), WebUtility.UrlDecode(decoded[(colon + 1)..]));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The hex thumbprint from a client assertion's <c>x5t</c> header, for AADSTS700027's text.</summary>
    private static string AssertionThumbprint(string assertion)
    {
        try
        {
            var header = assertion.Split('.')[0];
            using var json = JsonDocument.Parse(Base64Url.DecodeFromChars(header));
            return json.RootElement.TryGetProperty("x5t", out var x5t) && x5t.GetString() is { } value
                ? Convert.ToHexString(Base64Url.DecodeFromChars(value))
                : "";
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return "";
        }
    }

    private static string RandomOpaque() =>
        Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
}
