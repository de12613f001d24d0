using System.Text.Json;
using MailOAuth.Sandbox.Entra;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>The facts Graph takes from a validated access token.</summary>
public sealed record GraphCaller(string AppId, string ObjectId, string TenantId, string IdType, IReadOnlyList<string> Roles)
{
    /// <summary>Delegated permissions (<c>scp</c>, space-separated in the token); empty for app tokens.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    public bool IsAppOnly => IdType == "app";

    public bool HasRole(string value) => Roles.Contains(value, StringComparer.Ordinal);

    /// <summary>True if the token grants any of <paramref name="permissions"/>: as app roles (app tokens) or scopes (delegated).</summary>
    public bool HasAnyPermission(params string[] permissions) =>
        permissions.Any(p => IsAppOnly ? Roles.Contains(p, StringComparer.OrdinalIgnoreCase) : Scopes.Contains(p, StringComparer.OrdinalIgnoreCase));

    /// <summary>The caller's object id as a GUID (service principal for app tokens, user for delegated ones).</summary>
    public Guid PrincipalId => Guid.TryParse(ObjectId, out var id) ? id : Guid.Empty;
}

/// <summary>
/// Validates the bearer token the way Graph's gateway does: present, RS256-signed by the
/// sandbox key, within nbf/exp, issued for Graph (docs/service-behaviour.md#token-roles, #invalid-token).
/// </summary>
public static class GraphAuthentication
{
    /// <summary>
    /// The authentication preamble of every Graph endpoint: the caller, or null once the error
    /// (401 or 403, with Graph's headers) has been answered.
    /// </summary>
    public static async Task<GraphCaller?> AuthenticateOrAnswerAsync(HttpContext context, SandboxRuntime runtime)
    {
        if (Authenticate(context, runtime, out var caller) is { } error)
        {
            await GraphResponses.WriteErrorAsync(context, error, runtime.Now, runtime.AuthorityHost);
            return null;
        }

        return caller;
    }

    private static GraphError? Authenticate(HttpContext context, SandboxRuntime runtime, out GraphCaller? caller)
    {
        caller = null;
        var token = BearerToken(context);
        if (token is null)
        {
            return GraphError.TokenEmpty();
        }

        if (runtime.SigningKey.Verify(token, out var payload) != JwtSignatureResult.Valid)
        {
            return GraphError.TokenInvalid();
        }

        var appId = String(payload, "appid");
        SandboxRequest.Get(context).ClientId = appId;

        if (!payload.TryGetProperty("exp", out var exp) || !exp.TryGetInt64(out var expSeconds)
            || !payload.TryGetProperty("nbf", out var nbf) || !nbf.TryGetInt64(out var nbfSeconds))
        {
            return GraphError.TokenInvalid();
        }

        var now = runtime.Now.ToUnixTimeSeconds();
        if (now < nbfSeconds || now >= expSeconds)
        {
            return GraphError.TokenExpired();
        }

        var audience = String(payload, "aud");
        if (audience != runtime.GraphEndpoint && audience != runtime.GraphEndpoint + "/"
            && audience != WellKnownIds.MicrosoftGraphAppId.ToString())
        {
            return GraphError.TokenInvalidAudience();
        }

        var tenantId = String(payload, "tid");
        if (appId is null || tenantId != runtime.Directory.Tenant.Id.ToString())
        {
            return GraphError.TokenInvalid();
        }

        var roles = payload.TryGetProperty("roles", out var rolesElement) && rolesElement.ValueKind == JsonValueKind.Array
            ? rolesElement.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).ToList()
            : [];
        var scopes = String(payload, "scp")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        caller = new GraphCaller(appId, String(payload, "oid") ?? "", tenantId, String(payload, "idtyp") ?? "", roles) { Scopes = scopes };
        return null;
    }

    /// <summary>The appid of a correctly signed bearer token, if any (for the request log).</summary>
    public static string? PeekClientId(HttpContext context, SandboxRuntime runtime)
    {
        var token = BearerToken(context);
        return token is not null && runtime.SigningKey.Verify(token, out var payload) == JwtSignatureResult.Valid
            ? String(payload, "appid")
            : null;
    }

    private static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString().Trim();
        if (!header.StartsWith("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header["Bearer".Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    private static string? String(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
