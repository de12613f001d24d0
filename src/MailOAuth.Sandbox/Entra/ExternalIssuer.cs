using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Entra;

/// <summary>
/// The sandbox as an external OIDC issuer at <c>{base}/_sandbox/oidc</c> (the role GitHub Actions
/// or a Kubernetes cluster plays in workload identity federation): discovery, JWKS, and a control
/// endpoint that mints its tokens. Entra trusts them through an app's federated identity credential.
/// </summary>
public static class ExternalIssuer
{
    /// <summary>The lifetime of a minted token (GitHub's OIDC tokens are short-lived too).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public static void Map(IEndpointRouteBuilder routes, SandboxRuntime runtime)
    {
        routes.MapGet("/_sandbox/oidc/.well-known/openid-configuration", context => WriteAsync(context, 200, new JsonObject
        {
            ["issuer"] = runtime.FederatedIssuer,
            ["jwks_uri"] = runtime.FederatedIssuer + "/.well-known/jwks",
            ["subject_types_supported"] = new JsonArray("public", "pairwise"),
            ["response_types_supported"] = new JsonArray("id_token"),
            ["claims_supported"] = new JsonArray("sub", "aud", "exp", "iat", "iss", "jti", "nbf"),
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["scopes_supported"] = new JsonArray("openid"),
        }));
        routes.MapGet("/_sandbox/oidc/.well-known/jwks", context => WriteAsync(context, 200, runtime.IssuerKey.ToJwks(issuer: null)));
        routes.MapPost("/_sandbox/federated-token", context => MintAsync(context, runtime));
    }

    /// <summary>
    /// <c>POST /_sandbox/federated-token {"subject"?, "audience"?}</c> → <c>{"token"}</c>: a JWT from
    /// this issuer (iss, sub, aud, iat, nbf, exp = now + 10 min, jti). Defaults: the admin's
    /// federated subject and api://AzureADTokenExchange.
    /// </summary>
    private static async Task MintAsync(HttpContext context, SandboxRuntime runtime)
    {
        string? subject = null;
        string? audience = null;
        if (context.Request.ContentLength is not 0)
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    subject = String(document.RootElement, "subject");
                    audience = String(document.RootElement, "audience");
                }
            }
            catch (JsonException e)
            {
                await WriteAsync(context, 400, new JsonObject { ["error"] = $"The body is not JSON: {e.Message}" });
                return;
            }
        }

        var now = runtime.Now;
        var token = runtime.IssuerKey.Sign(new JsonObject
        {
            ["jti"] = Guid.NewGuid().ToString(),
            ["sub"] = subject ?? runtime.Seed.FederatedSubject,
            ["aud"] = audience ?? WellKnownIds.TokenExchangeAudience,
            ["iss"] = runtime.FederatedIssuer,
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
        });
        await WriteAsync(context, 200, new JsonObject { ["token"] = token });
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;

    private static Task WriteAsync(HttpContext context, int status, JsonNode body) =>
        SandboxJson.WriteAsync(context, status, SandboxJson.Serialize(body), "application/json; charset=utf-8");
}
