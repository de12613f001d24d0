using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace MailOAuth.Core.Auth;

/// <summary>
/// The claims of an app-only Graph token that matter here (docs/service-behaviour.md#token-roles). The token is decoded, not
/// validated: only Graph validates it; MailOAuth reads <c>roles</c> to diagnose before sending.
/// </summary>
public sealed class AccessTokenClaims
{
    private AccessTokenClaims(IReadOnlyList<string> roles, string? appId, string? tenantId, string? objectId, DateTimeOffset? issuedAt,
        IReadOnlyList<string>? scopes = null, string? userPrincipalName = null, DateTimeOffset? expiresOn = null, string? audience = null)
    {
        Scopes = scopes ?? Array.Empty<string>();
        UserPrincipalName = userPrincipalName;
        ExpiresOn = expiresOn;
        Audience = audience;
        Roles = roles;
        AppId = appId;
        TenantId = tenantId;
        ObjectId = objectId;
        IssuedAt = issuedAt;
    }

    /// <summary>App role values; empty when the token has no roles claim (no consent: docs/service-behaviour.md#token-roles).</summary>
    public IReadOnlyList<string> Roles { get; }
    public string? AppId { get; }
    public string? TenantId { get; }
    /// <summary>The service principal's object id (oid).</summary>
    public string? ObjectId { get; }
    public DateTimeOffset? IssuedAt { get; }

    /// <summary>Delegated permissions (<c>scp</c>, space-separated) of a user token.</summary>
    public IReadOnlyList<string> Scopes { get; }
    /// <summary>The signed-in user (upn or preferred_username) of a user token.</summary>
    public string? UserPrincipalName { get; }
    public DateTimeOffset? ExpiresOn { get; }
    public string? Audience { get; }

    public bool HasRole(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <summary>Decodes the payload of a JWT. Unreadable tokens give no claims.</summary>
    public static AccessTokenClaims Decode(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length < 2) return new AccessTokenClaims(Array.Empty<string>(), null, null, null, null);
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            var root = doc.RootElement;
            var roles = root.TryGetProperty("roles", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                : new List<string>();
            string? Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            DateTimeOffset? iat = root.TryGetProperty("iat", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt64(out var secs) ? DateTimeOffset.FromUnixTimeSeconds(secs) : null;
            DateTimeOffset? exp = root.TryGetProperty("exp", out var x) && x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out var e) ? DateTimeOffset.FromUnixTimeSeconds(e) : null;
            var scopes = (Str("scp") ?? "").Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            return new AccessTokenClaims(roles, Str("appid") ?? Str("azp"), Str("tid"), Str("oid"), iat,
                scopes, Str("upn") ?? Str("preferred_username"), exp, Str("aud"));
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException or InvalidOperationException)
        {
            return new AccessTokenClaims(Array.Empty<string>(), null, null, null, null);
        }
    }
}
