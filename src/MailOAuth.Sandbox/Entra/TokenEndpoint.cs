using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Entra;

/// <summary>
/// <c>POST /{tenant}/oauth2/v2.0/token</c> (docs/service-behaviour.md#token-request): client credentials with a secret, a
/// certificate assertion or a federated assertion; and, for the delegated admin, the device
/// code and refresh token grants (<see cref="DeviceCodeFlow"/>).
/// </summary>
public static class TokenEndpoint
{
    /// <summary>v2 endpoint lifetime (docs/service-behaviour.md#token-request).</summary>
    public const int ExpiresInSeconds = AccessTokens.ExpiresInSeconds;

    public const string DeviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code";

    /// <summary>iat/nbf are backdated 5 minutes, so exp - iat = 3900 s, as in real tokens (docs/service-behaviour.md#token-roles).</summary>
    public static readonly TimeSpan Backdating = AccessTokens.Backdating;

    /// <summary>Scopes MSAL adds to every request (docs/service-behaviour.md#token-request); never a resource.</summary>
    internal static readonly string[] OidcScopes = ["openid", "profile", "offline_access", "email"];

    public static async Task HandleAsync(HttpContext context, SandboxRuntime runtime)
    {
        var request = SandboxRequest.Get(context);
        var now = runtime.Now;

        var form = await ReadFormAsync(context);
        var basic = ReadBasicCredentials(context);
        var clientId = Field(form, "client_id") ?? basic?.ClientId;
        request.ClientId = clientId;

        var (tenant, _, error) = TenantResolver.ResolveRoute(context, runtime.Directory);
        error ??= !HttpMethods.IsPost(context.Request.Method) ? EntraErrors.PostOnly(context.Request.Method) : null;
        var grantType = Field(form, "grant_type");
        error ??= grantType is null ? EntraErrors.MissingParameter("grant_type") : null;
        if (error is not null)
        {
            await EntraResponses.WriteErrorAsync(context, error, now);
            return;
        }

        switch (grantType)
        {
            case "client_credentials":
                // INFERRED: client credentials against /common or /organizations name no tenant.
                await (tenant == TenantMatch.MultiTenant
                    ? EntraResponses.WriteErrorAsync(context, EntraErrors.NoTenant(), now)
                    : ClientCredentialsAsync(context, runtime, form, clientId, basic?.Secret, now));
                return;
            case DeviceCodeGrantType or "device_code": // MSAL.NET sends the short form
                await DeviceCodeFlow.DeviceCodeGrantAsync(context, runtime, form, clientId, now);
                return;
            case "refresh_token":
                await DeviceCodeFlow.RefreshTokenGrantAsync(context, runtime, form, clientId, now);
                return;
            default:
                await EntraResponses.WriteErrorAsync(context, EntraErrors.UnsupportedGrantType(grantType!), now);
                return;
        }
    }

    /// <summary>
    /// Checks in this order: client_id → application (replicated) → credential (secret, or
    /// certificate / federated assertion) → scope → service principal (replicated) →
    /// Conditional Access; then a token whose <c>roles</c> are the replicated assignments.
    /// </summary>
    private static async Task ClientCredentialsAsync(HttpContext context, SandboxRuntime runtime, IFormCollection form, string? clientId, string? basicSecret, DateTimeOffset now)
    {
        var request = SandboxRequest.Get(context);
        var directory = runtime.Directory;
        if (clientId is null)
        {
            await EntraResponses.WriteErrorAsync(context, EntraErrors.MissingParameter("client_id"), now);
            return;
        }

        // docs/service-behaviour.md#aadsts-app-not-found: unknown (or non-GUID) client_id in this tenant, or an app that has not replicated yet (docs/service-behaviour.md#replication).
        if (FindReplicatedApplication(runtime, clientId) is not { } app)
        {
            await EntraResponses.WriteErrorAsync(context, EntraErrors.ApplicationNotFound(clientId, directory.Tenant.DisplayName), now);
            return;
        }

        // Client authentication (docs/service-behaviour.md#token-request, #aadsts-invalid-secret, #aadsts-expired-secret, #aadsts-missing-credential).
        var secret = Field(form, "client_secret") ?? basicSecret;
        var assertion = Field(form, "client_assertion");
        var appIdAcr = secret is not null ? "1" : "2";
        var error = secret is not null
            ? CheckSecret(runtime, app, secret, now)
            : assertion is not null
                ? ClientAssertions.Validate(context, runtime, app, Field(form, "client_assertion_type") ?? "", assertion, now)
                : EntraErrors.MissingClientCredential();
        if (error is not null)
        {
            await EntraResponses.WriteErrorAsync(context, error, now);
            return;
        }

        // Scope: "<resource>/.default", MSAL's extra OIDC scopes tolerated (docs/service-behaviour.md#token-request, #aadsts-scope).
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
            await EntraResponses.WriteErrorAsync(context, EntraErrors.NoServicePrincipal(app.AppId, directory.Tenant.Id), now);
            return;
        }

        // A brand-new service principal is not known to the token service yet: 700016 for a few
        // seconds (docs/service-behaviour.md#replication).
        if (!runtime.IsReplicated(servicePrincipal.CreatedDateTime))
        {
            await EntraResponses.WriteErrorAsync(context, EntraErrors.ApplicationNotFound(clientId, directory.Tenant.DisplayName), now);
            return;
        }

        // docs/service-behaviour.md#aadsts-conditional-access: a workload-identity Conditional Access policy blocks issuance.
        if (directory.FindBlockingPolicy(servicePrincipal.Id) is { } policy)
        {
            await EntraResponses.WriteErrorAsync(context, EntraErrors.ConditionalAccessBlocked(policy.Id), now);
            return;
        }

        var accessToken = AccessTokens.IssueAppToken(runtime, app.AppId.ToString(), app.DisplayName, servicePrincipal, audience!, now, appIdAcr);
        EntraResponses.ApplyTokenHeaders(context, request);
        // docs/service-behaviour.md#token-request: expires_in is a number; no refresh_token, scope or id_token.
        await EntraResponses.WriteJsonAsync(context, new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = ExpiresInSeconds,
            ["ext_expires_in"] = ExpiresInSeconds,
            ["access_token"] = accessToken,
        });
    }

    /// <summary>The application with this appId if it exists and has replicated (docs/service-behaviour.md#replication).</summary>
    internal static DirectoryApplication? FindReplicatedApplication(SandboxRuntime runtime, string clientId) =>
        Guid.TryParse(clientId, out var appId) && runtime.Directory.FindApplicationByAppId(appId) is { } app && runtime.IsReplicated(app.CreatedDateTime)
            ? app
            : null;

    /// <summary>
    /// docs/service-behaviour.md#aadsts-invalid-secret, #aadsts-expired-secret: no match → 7000215; matches only expired keys → 7000222. A secret that has
    /// not replicated yet does not match (7000215, docs/service-behaviour.md#replication); a removed one still matches until its
    /// removal has replicated (docs/service-behaviour.md#remove-password-replication).
    /// </summary>
    private static EntraError? CheckSecret(SandboxRuntime runtime, DirectoryApplication app, string secret, DateTimeOffset now)
    {
        var matching = app.PasswordCredentials
            .Concat(app.RemovedPasswordCredentials.Where(c => !runtime.IsRemovalReplicated(c.RemovedDateTime!.Value)))
            .Where(c => runtime.IsReplicated(c.CreatedDateTime) && c.Matches(secret)).ToList();
        if (matching.Any(c => c.IsActiveAt(now)))
        {
            return null;
        }

        return matching.Any(c => c.EndDateTime <= now)
            ? EntraErrors.ExpiredClientSecret(app.AppId.ToString())
            : EntraErrors.InvalidClientSecret(app.AppId.ToString());
    }

    internal static (string? Audience, EntraError? Error) ResolveAudience(string scope, string graphEndpoint)
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

        var audience = AudienceOf(resourceScopes[0][..^"/.default".Length], graphEndpoint);
        return audience is null ? (null, EntraErrors.InvalidScope(scope)) : (audience, null);
    }

    /// <summary>
    /// The token audience for a resource identifier: the Graph endpoint as requested (with its
    /// trailing slash if it had one, docs/service-behaviour.md#token-roles), or the Graph appId GUID (INFERRED); null otherwise.
    /// </summary>
    internal static string? AudienceOf(string resource, string graphEndpoint)
    {
        // The sandbox's Key Vault resource (docs/sandbox.md "Key Vault"), as Key Vault's https://vault.azure.net.
        if (string.Equals(resource.TrimEnd('/'), KeyVault.KeyVaultEndpoints.Audience, StringComparison.OrdinalIgnoreCase))
        {
            return KeyVault.KeyVaultEndpoints.Audience;
        }

        if (string.Equals(resource.TrimEnd('/'), graphEndpoint, StringComparison.OrdinalIgnoreCase))
        {
            return resource.EndsWith('/') ? graphEndpoint + "/" : graphEndpoint;
        }

        return Guid.TryParse(resource, out var resourceAppId) && resourceAppId == WellKnownIds.MicrosoftGraphAppId
            ? WellKnownIds.MicrosoftGraphAppId.ToString()
            : null;
    }

    internal static async Task<IFormCollection> ReadFormAsync(HttpContext context)
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

    internal static string? Field(IFormCollection form, string name)
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
}
