using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Entra;

/// <summary>
/// The delegated admin sign-in (entra-docs v2-oauth2-device-code.md): <c>/oauth2/v2.0/devicecode</c>,
/// then the device_code grant on the token endpoint, then refresh tokens. There is no browser:
/// every device code is approved at once for the seeded admin, so the first poll succeeds.
/// </summary>
public static class DeviceCodeFlow
{
    /// <summary>What the docs name; the sandbox never makes anyone go there.</summary>
    public const string VerificationUri = "https://microsoft.com/devicelogin";

    /// <summary>The real service's 15 minutes.</summary>
    public const int ExpiresInSeconds = 900;

    /// <summary>
    /// The real service says 5; 1 keeps a client that ever gets authorization_pending from
    /// waiting long (the sandbox approves at once, so it should never poll twice).
    /// </summary>
    public const int IntervalSeconds = 1;

    // Letters and digits that cannot be mistaken for one another.
    private const string UserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ23456789";

    /// <summary>A client that may run the delegated flows: an application of this tenant or a first-party public client.</summary>
    private sealed record DelegatedClient(Guid AppId, string DisplayName, bool IsPublicClient);

    /// <summary><c>POST /{tenant}/oauth2/v2.0/devicecode</c> (form <c>client_id</c>, <c>scope</c>).</summary>
    public static async Task DeviceAuthorizationAsync(HttpContext context, SandboxRuntime runtime)
    {
        var request = SandboxRequest.Get(context);
        var now = runtime.Now;
        var form = await TokenEndpoint.ReadFormAsync(context);
        var clientId = TokenEndpoint.Field(form, "client_id");
        request.ClientId = clientId;
        var scope = TokenEndpoint.Field(form, "scope");

        // Work or school sign-in: the tenant by GUID or domain, or organizations/common (the
        // user's home tenant is the sandbox's one).
        var (_, _, error) = TenantResolver.ResolveRoute(context, runtime.Directory);
        error ??= !HttpMethods.IsPost(context.Request.Method) ? EntraErrors.PostOnly(context.Request.Method) : null;
        error ??= clientId is null ? EntraErrors.MissingParameter("client_id") : null;
        error ??= ResolveClient(runtime, clientId!) is null ? EntraErrors.ApplicationNotFound(clientId!, runtime.Directory.Tenant.DisplayName) : null;
        error ??= scope is null ? EntraErrors.MissingParameter("scope") : null;
        error ??= ParseScope(scope!, runtime.GraphEndpoint).Error;
        if (error is not null)
        {
            await EntraResponses.WriteErrorAsync(context, error, now);
            return;
        }

        var userCode = RandomNumberGenerator.GetString(UserCodeAlphabet, 9);
        var deviceCode = "DAQABIQEAAAA" + AccessTokens.RandomOpaque() + AccessTokens.RandomOpaque();
        runtime.Sessions.AddDeviceCode(new DeviceAuthorization(
            deviceCode, userCode, Guid.Parse(clientId!), scope!, runtime.Seed.AdminUser.Id, now.AddSeconds(ExpiresInSeconds)));

        EntraResponses.ApplyTokenHeaders(context, request);
        await EntraResponses.WriteJsonAsync(context, new JsonObject
        {
            ["user_code"] = userCode,
            ["device_code"] = deviceCode,
            ["verification_uri"] = VerificationUri,
            ["expires_in"] = ExpiresInSeconds,
            ["interval"] = IntervalSeconds,
            ["message"] = $"To sign in, use a web browser to open the page {VerificationUri} and enter the code {userCode} to authenticate.",
        });
    }

    /// <summary>grant_type=urn:ietf:params:oauth:grant-type:device_code.</summary>
    internal static async Task DeviceCodeGrantAsync(HttpContext context, SandboxRuntime runtime, IFormCollection form, string? clientId, DateTimeOffset now)
    {
        if (ClientError(runtime, clientId) is { } clientError)
        {
            await EntraResponses.WriteErrorAsync(context, clientError, now);
            return;
        }

        // MSAL sends device_code; the docs' older samples send code.
        var deviceCode = TokenEndpoint.Field(form, "device_code") ?? TokenEndpoint.Field(form, "code");
        if (deviceCode is null)
        {
            await EntraResponses.WriteErrorAsync(context, EntraErrors.MissingParameter("device_code"), now);
            return;
        }

        var client = ResolveClient(runtime, clientId!)!;
        var (outcome, authorization) = runtime.Sessions.Redeem(deviceCode, client.AppId, now);
        if (outcome != DeviceCodeRedemption.Approved)
        {
            await EntraResponses.WriteErrorAsync(context,
                outcome == DeviceCodeRedemption.Expired ? EntraErrors.ExpiredDeviceCode() : EntraErrors.BadVerificationCode(), now);
            return;
        }

        var user = runtime.Directory.FindUser(authorization!.UserId.ToString())!;
        await WriteDelegatedTokensAsync(context, runtime, form, client, user, TokenEndpoint.Field(form, "scope") ?? authorization.Scope, now);
    }

    /// <summary>grant_type=refresh_token, for a refresh token this sandbox issued to this client.</summary>
    internal static async Task RefreshTokenGrantAsync(HttpContext context, SandboxRuntime runtime, IFormCollection form, string? clientId, DateTimeOffset now)
    {
        if (ClientError(runtime, clientId) is { } clientError)
        {
            await EntraResponses.WriteErrorAsync(context, clientError, now);
            return;
        }

        var refreshToken = TokenEndpoint.Field(form, "refresh_token");
        if (refreshToken is null)
        {
            await EntraResponses.WriteErrorAsync(context, EntraErrors.MissingParameter("refresh_token"), now);
            return;
        }

        var client = ResolveClient(runtime, clientId!)!;
        var grant = runtime.Sessions.FindRefreshToken(refreshToken);
        if (grant is null || grant.ClientAppId != client.AppId || runtime.Directory.FindUser(grant.UserId.ToString()) is not { } user)
        {
            await EntraResponses.WriteErrorAsync(context, EntraErrors.InvalidRefreshToken(), now);
            return;
        }

        var scope = TokenEndpoint.Field(form, "scope") ?? $"{runtime.GraphEndpoint}/.default openid profile offline_access";
        await WriteDelegatedTokensAsync(context, runtime, form, client, user, scope, now);
    }

    /// <summary>
    /// The delegated token response (entra-docs device-code "Successful authentication response"):
    /// token_type, scope, expires_in, ext_expires_in, access_token, then refresh_token if
    /// offline_access was asked for, id_token if openid was, and client_info if the client sent
    /// client_info=1 (MSAL does, and builds the account from it).
    /// </summary>
    private static async Task WriteDelegatedTokensAsync(
        HttpContext context, SandboxRuntime runtime, IFormCollection form, DelegatedClient client, DirectoryUser user, string scope, DateTimeOffset now)
    {
        var parsed = ParseScope(scope, runtime.GraphEndpoint);
        if (parsed.Error is not null)
        {
            await EntraResponses.WriteErrorAsync(context, parsed.Error, now);
            return;
        }

        // The admin consents in the (imaginary) browser step to whatever is asked for; the token
        // carries every scope consented for this client and user (Entra's behaviour).
        runtime.Directory.GrantDelegated(client.AppId, user.Id, parsed.Scopes);
        var scopes = runtime.Directory.GetDelegatedScopes(client.AppId, user.Id);
        var tenantId = runtime.Directory.Tenant.Id;

        var body = new JsonObject
        {
            ["token_type"] = "Bearer",
            // INFERRED: Graph permissions by short name, as the docs' sample shows, then the OIDC scopes asked for.
            ["scope"] = string.Join(' ', scopes.Concat(parsed.OidcScopes)),
            ["expires_in"] = AccessTokens.ExpiresInSeconds,
            ["ext_expires_in"] = AccessTokens.ExpiresInSeconds,
            ["access_token"] = AccessTokens.IssueUserToken(runtime, client.AppId, client.DisplayName, user, scopes, parsed.Audience!, now),
        };
        if (parsed.OidcScopes.Contains("offline_access", StringComparer.OrdinalIgnoreCase))
        {
            var refreshToken = AccessTokens.NewRefreshToken();
            runtime.Sessions.AddRefreshToken(refreshToken, new RefreshGrant(client.AppId, user.Id));
            body["refresh_token"] = refreshToken;
        }

        if (parsed.OidcScopes.Contains("openid", StringComparer.OrdinalIgnoreCase))
        {
            body["id_token"] = AccessTokens.IssueIdToken(runtime, client.AppId, user, now);
        }

        if (TokenEndpoint.Field(form, "client_info") == "1")
        {
            body["client_info"] = AccessTokens.ClientInfo(user, tenantId);
        }

        EntraResponses.ApplyTokenHeaders(context, SandboxRequest.Get(context));
        await EntraResponses.WriteJsonAsync(context, body);
    }

    /// <summary>client_id present, known, and allowed public client flows (else 7000218, as for a confidential app).</summary>
    private static EntraError? ClientError(SandboxRuntime runtime, string? clientId)
    {
        if (clientId is null)
        {
            return EntraErrors.MissingParameter("client_id");
        }

        var client = ResolveClient(runtime, clientId);
        if (client is null)
        {
            return EntraErrors.ApplicationNotFound(clientId, runtime.Directory.Tenant.DisplayName);
        }

        return client.IsPublicClient ? null : EntraErrors.MissingClientCredential();
    }

    private static DelegatedClient? ResolveClient(SandboxRuntime runtime, string clientId)
    {
        if (TokenEndpoint.FindReplicatedApplication(runtime, clientId) is { } app)
        {
            return new DelegatedClient(app.AppId, app.DisplayName, app.IsFallbackPublicClient == true);
        }

        // A multi-tenant application registered elsewhere is known here by its service principal.
        return Guid.TryParse(clientId, out var appId)
            && runtime.Directory.FindServicePrincipalByAppId(appId) is { } servicePrincipal
            && servicePrincipal.AppOwnerOrganizationId != runtime.Directory.Tenant.Id
            && !servicePrincipal.IsManagedIdentity
                ? new DelegatedClient(servicePrincipal.AppId, servicePrincipal.DisplayName, servicePrincipal.IsPublicClient)
                : null;
    }

    private sealed record ParsedScope(string? Audience, List<string> Scopes, List<string> OidcScopes, EntraError? Error);

    /// <summary>
    /// Delegated scopes: <c>{graph}/.default</c> (everything consented), <c>{graph}/Name</c> or a
    /// bare <c>Name</c> (Graph is the default resource) for a Graph delegated permission, plus the
    /// OIDC scopes. One resource only; anything else is AADSTS70011.
    /// </summary>
    private static ParsedScope ParseScope(string scope, string graphEndpoint)
    {
        string? audience = null;
        var scopes = new List<string>();
        var oidc = new List<string>();
        foreach (var item in scope.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (TokenEndpoint.OidcScopes.Contains(item, StringComparer.OrdinalIgnoreCase))
            {
                oidc.Add(item.ToLowerInvariant());
                continue;
            }

            var slash = item.LastIndexOf('/');
            var resource = slash > 0 ? item[..slash] : graphEndpoint;
            var name = slash > 0 ? item[(slash + 1)..] : item;
            var itemAudience = TokenEndpoint.AudienceOf(resource, graphEndpoint);
            if (itemAudience is null || (audience is not null && audience.TrimEnd('/') != itemAudience.TrimEnd('/')))
            {
                return new ParsedScope(null, scopes, oidc, EntraErrors.InvalidScope(scope));
            }

            audience ??= itemAudience;
            if (name == ".default")
            {
                continue;
            }

            var known = SeedData.MicrosoftGraphScopes.FirstOrDefault(s => string.Equals(s.Value, name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                return new ParsedScope(null, scopes, oidc, EntraErrors.InvalidScope(scope));
            }

            scopes.Add(known.Value);
        }

        // Only OIDC scopes: a token for Graph all the same (INFERRED; the real service adds User.Read).
        return new ParsedScope(audience ?? graphEndpoint, scopes, oidc, null);
    }
}
