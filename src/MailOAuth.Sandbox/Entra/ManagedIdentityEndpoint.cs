using System.Globalization;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Entra;

/// <summary>
/// The managed identity endpoint the way Azure App Service and Azure Automation expose it
/// (REST protocol api-version 2019-08-01, MicrosoftDocs azure-docs app-service/overview-managed-identity.md):
/// <c>GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&amp;resource=…[&amp;client_id=…]</c> with header
/// <c>X-IDENTITY-HEADER: {IDENTITY_HEADER}</c>. This is what MSAL's AppServiceManagedIdentitySource
/// (and so Azure.Identity's ManagedIdentityCredential) calls when IDENTITY_ENDPOINT and
/// IDENTITY_HEADER are set.
/// </summary>
public static class ManagedIdentityEndpoint
{
    public const string ApiVersion = "2019-08-01";
    public const string SecretHeaderName = "X-IDENTITY-HEADER";

    /// <summary>INFERRED: managed identity tokens live about a day (the service caches them for hours).</summary>
    public const int LifetimeSeconds = 86399;

    public static async Task HandleAsync(HttpContext context, SandboxRuntime runtime)
    {
        var request = SandboxRequest.Get(context);
        var query = context.Request.Query;
        var now = runtime.Now;

        // The header check comes first: it is the endpoint's SSRF guard (texts and statuses INFERRED).
        var secret = context.Request.Headers[SecretHeaderName].ToString();
        if (secret.Length == 0)
        {
            await WriteErrorAsync(context, 400, $"Required header {SecretHeaderName} is missing.");
            return;
        }

        if (!string.Equals(secret, runtime.Material.IdentityHeader, StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, 401, $"The value of the {SecretHeaderName} header is not valid.");
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await WriteErrorAsync(context, 405, "Only GET is supported.");
            return;
        }

        if (query["api-version"].ToString() != ApiVersion)
        {
            await WriteErrorAsync(context, 400, $"The api-version '{query["api-version"]}' is not supported. Use '{ApiVersion}'.");
            return;
        }

        var resource = query["resource"].ToString();
        if (resource.Length == 0)
        {
            await WriteErrorAsync(context, 400, "Required query parameter resource is missing.");
            return;
        }

        var (identity, identityError) = SelectIdentity(runtime, query);
        if (identityError is not null)
        {
            await WriteErrorAsync(context, 400, identityError);
            return;
        }

        var servicePrincipal = runtime.Directory.GetServicePrincipal(identity!.ServicePrincipalId);
        if (servicePrincipal is null)
        {
            await WriteErrorAsync(context, 400, "Unable to load the proper Managed Identity.");
            return;
        }

        request.ClientId = servicePrincipal.AppId.ToString();
        var audience = TokenEndpoint.AudienceOf(resource, runtime.GraphEndpoint);
        if (audience is null)
        {
            // The endpoint relays Entra's answer (INFERRED wrapping; text docs/service-behaviour.md#aadsts-scope).
            await WriteErrorAsync(context, 400,
                $"AADSTS500011: The resource principal named {resource} was not found in the tenant named {runtime.Directory.Tenant.DisplayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.");
            return;
        }

        var token = AccessTokens.IssueAppToken(runtime, servicePrincipal.AppId.ToString(), servicePrincipal.DisplayName, servicePrincipal,
            audience, now, appIdAcr: "2", managedIdentityResourceId: identity.ResourceId, lifetimeSeconds: LifetimeSeconds);
        context.Response.Headers.CacheControl = "no-store, no-cache";
        // The documented 200 body: expires_on is Unix seconds as a string.
        await SandboxJson.WriteAsync(context, 200, SandboxJson.Serialize(new JsonObject
        {
            ["access_token"] = token,
            ["expires_on"] = now.AddSeconds(LifetimeSeconds + 1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = servicePrincipal.AppId.ToString(),
        }), EntraResponses.JsonContentType);
    }

    /// <summary>
    /// The error body App Service sends, e.g. <c>{"statusCode":400,"message":"Unable to load the proper
    /// Managed Identity.","correlationId":"…"}</c> (SEEN in gh:Azure/azure-sdk-for-net#43691, with
    /// an X-CORRELATION-ID header); MSAL reads <c>message</c> and <c>correlationId</c>.
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        var correlationId = SandboxRequest.Get(context).RequestId;
        context.Response.Headers["X-CORRELATION-ID"] = correlationId;
        return SandboxJson.WriteAsync(context, status, SandboxJson.Serialize(new JsonObject
        {
            ["statusCode"] = status,
            ["message"] = message,
            ["correlationId"] = correlationId,
        }), EntraResponses.JsonContentType);
    }

    /// <summary>
    /// No id parameter: the system-assigned identity. client_id, principal_id (alias object_id) or
    /// mi_res_id: a user-assigned one (at most one of them, per the protocol).
    /// </summary>
    private static (SeededIdentity? Identity, string? Error) SelectIdentity(SandboxRuntime runtime, IQueryCollection query)
    {
        var seed = runtime.Seed;
        SeededIdentity[] identities = [seed.SystemAssignedIdentity, seed.UserAssignedIdentity];
        var given = new[] { "client_id", "principal_id", "object_id", "mi_res_id" }
            .Select(name => (Name: name, Value: query[name].ToString()))
            .Where(p => p.Value.Length > 0)
            .ToList();
        if (given.Count == 0)
        {
            return (seed.SystemAssignedIdentity, null);
        }

        if (given.Count > 1)
        {
            return (null, "Only one of client_id, principal_id, object_id and mi_res_id may be given."); // INFERRED
        }

        var (name, value) = given[0];
        var match = identities.FirstOrDefault(i => name switch
        {
            "client_id" => string.Equals(i.ClientId.ToString(), value, StringComparison.OrdinalIgnoreCase),
            "mi_res_id" => string.Equals(i.ResourceId, value, StringComparison.OrdinalIgnoreCase),
            _ => string.Equals(i.ServicePrincipalId.ToString(), value, StringComparison.OrdinalIgnoreCase),
        });
        return match is null ? (null, "Unable to load the proper Managed Identity.") : (match, null);
    }
}
