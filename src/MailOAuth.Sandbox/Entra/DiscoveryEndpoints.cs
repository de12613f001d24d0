using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Entra;

/// <summary>MSAL instance discovery, OIDC discovery and the JWKS (docs/service-behaviour.md#discovery).</summary>
public static class DiscoveryEndpoints
{
    /// <summary>
    /// <c>GET /common/discovery/instance?api-version=1.1&amp;authorization_endpoint=…</c> (docs/service-behaviour.md#discovery).
    /// The sandbox's own host is the preferred network and the only alias; the tenant is not
    /// validated here (a bad tenant fails at the OIDC step).
    /// </summary>
    public static Task InstanceAsync(HttpContext context, SandboxRuntime runtime)
    {
        var request = SandboxRequest.Get(context);
        var now = runtime.Now;
        var authorizationEndpoint = context.Request.Query["authorization_endpoint"].ToString();
        if (authorizationEndpoint.Length == 0)
        {
            return EntraResponses.WriteErrorAsync(context, EntraErrors.MissingInstanceParameter("authorization_endpoint"), now, discovery: true);
        }

        var sandbox = new Uri(runtime.BaseUri);
        var aliases = new[] { $"{sandbox.Host}:{sandbox.Port}", $"localhost:{sandbox.Port}" };
        if (!Uri.TryCreate(authorizationEndpoint, UriKind.Absolute, out var endpoint)
            || endpoint.Scheme != Uri.UriSchemeHttps
            || !aliases.Contains($"{endpoint.Host}:{endpoint.Port}", StringComparer.OrdinalIgnoreCase))
        {
            return EntraResponses.WriteErrorAsync(context, EntraErrors.UnknownInstance(), now, discovery: true);
        }

        var tenant = endpoint.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "common";
        EntraResponses.ApplyDiscoveryHeaders(context, request);
        return EntraResponses.WriteJsonAsync(context, new JsonObject
        {
            ["tenant_discovery_endpoint"] = $"{runtime.AuthorityHost}/{tenant}/v2.0/.well-known/openid-configuration",
            ["api-version"] = "1.1",
            ["metadata"] = new JsonArray(new JsonObject
            {
                ["preferred_network"] = aliases[0],
                ["preferred_cache"] = aliases[0],
                ["aliases"] = new JsonArray([.. aliases.Select(a => JsonValue.Create(a))]),
            }),
        });
    }

    /// <summary>
    /// <c>GET /{tenant}/v2.0/.well-known/openid-configuration</c> (docs/service-behaviour.md#discovery). Asked by domain,
    /// the endpoints carry the tenant GUID; for common/organizations they keep the segment and
    /// the issuer is the literal <c>{tenantid}</c> template.
    /// </summary>
    public static Task OpenIdConfigurationAsync(HttpContext context, SandboxRuntime runtime)
    {
        if (ResolveForDiscovery(context, runtime, out var tenantPart, out var issuerTenant) is { } error)
        {
            return EntraResponses.WriteErrorAsync(context, error, runtime.Now, discovery: true);
        }

        var authority = $"{runtime.AuthorityHost}/{tenantPart}";
        var graphHost = new Uri(runtime.GraphEndpoint).Authority;
        EntraResponses.ApplyDiscoveryHeaders(context, SandboxRequest.Get(context));
        return EntraResponses.WriteJsonAsync(context, new JsonObject
        {
            ["token_endpoint"] = $"{authority}/oauth2/v2.0/token",
            ["token_endpoint_auth_methods_supported"] = Strings("client_secret_post", "private_key_jwt", "client_secret_basic"),
            ["jwks_uri"] = $"{authority}/discovery/v2.0/keys",
            ["response_modes_supported"] = Strings("query", "fragment", "form_post"),
            ["subject_types_supported"] = Strings("pairwise"),
            ["id_token_signing_alg_values_supported"] = Strings("RS256"),
            ["response_types_supported"] = Strings("code", "id_token", "code id_token", "id_token token"),
            ["scopes_supported"] = Strings("openid", "profile", "email", "offline_access"),
            ["issuer"] = $"{runtime.AuthorityHost}/{issuerTenant}/v2.0",
            ["request_uri_parameter_supported"] = false,
            ["userinfo_endpoint"] = $"{runtime.GraphEndpoint}/oidc/userinfo",
            ["authorization_endpoint"] = $"{authority}/oauth2/v2.0/authorize",
            ["device_authorization_endpoint"] = $"{authority}/oauth2/v2.0/devicecode",
            ["http_logout_supported"] = true,
            ["frontchannel_logout_supported"] = true,
            ["end_session_endpoint"] = $"{authority}/oauth2/v2.0/logout",
            ["claims_supported"] = Strings("sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"),
            ["kerberos_endpoint"] = $"{authority}/kerberos",
            ["tenant_region_scope"] = "NA",
            ["cloud_instance_name"] = "microsoftonline.com",
            ["cloud_graph_host_name"] = "graph.windows.net",
            ["msgraph_host"] = graphHost,
            ["rbac_url"] = "https://pas.windows.net",
        });
    }

    /// <summary><c>GET /{tenant}/discovery/v2.0/keys</c>: the token signing key.</summary>
    public static Task KeysAsync(HttpContext context, SandboxRuntime runtime)
    {
        if (ResolveForDiscovery(context, runtime, out _, out var issuerTenant) is { } error)
        {
            return EntraResponses.WriteErrorAsync(context, error, runtime.Now, discovery: true);
        }

        EntraResponses.ApplyDiscoveryHeaders(context, SandboxRequest.Get(context));
        return EntraResponses.WriteJsonAsync(context, runtime.SigningKey.ToJwks($"{runtime.AuthorityHost}/{issuerTenant}/v2.0"));
    }

    private static EntraError? ResolveForDiscovery(HttpContext context, SandboxRuntime runtime, out string tenantPart, out string issuerTenant)
    {
        var (match, segment, error) = TenantResolver.ResolveRoute(context, runtime.Directory, forDiscovery: true);
        tenantPart = issuerTenant = runtime.Directory.Tenant.Id.ToString();
        if (match == TenantMatch.MultiTenant)
        {
            tenantPart = segment;
            issuerTenant = "{tenantid}";
        }

        return error;
    }

    private static JsonArray Strings(params string[] values) => new([.. values.Select(v => JsonValue.Create(v))]);
}
