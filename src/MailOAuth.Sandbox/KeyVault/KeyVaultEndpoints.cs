using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailOAuth.Sandbox.Entra;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.KeyVault;

/// <summary>
/// The Key Vault secrets API (docs/sandbox.md "Key Vault", docs/service-behaviour.md#key-vault-challenge,
/// #key-vault-errors) on hosts <c>{vault}.vault.localhost</c> of the sandbox's port: <c>PUT /secrets/{name}</c>,
/// <c>GET /secrets/{name}[/{version}]</c>, <c>GET /secrets/{name}/versions</c>. An unauthenticated request gets the
/// 401 challenge (authorization = the tenant's authority, resource = the sandbox's vault audience), as the real
/// service answers the SDK's first, body-less request.
/// </summary>
public static partial class KeyVaultEndpoints
{
    /// <summary>The DNS suffix of the sandbox's vaults (RFC 6761: names under .localhost are loopback).</summary>
    public const string Suffix = "vault.localhost";

    /// <summary>The resource the sandbox's vault tokens are issued for (Key Vault's: https://vault.azure.net).</summary>
    public const string Audience = "https://" + Suffix;

    private const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>Key Vault's documented limit of a secret's value (25 KB).</summary>
    private const int MaxValueLength = 25 * 1024;

    /// <summary>The vault name of a request's host, or null when the host is no vault of the sandbox.</summary>
    public static string? VaultNameOf(HttpContext context)
    {
        var host = context.Request.Host.Host;
        return host.EndsWith("." + Suffix, StringComparison.OrdinalIgnoreCase) && host.IndexOf('.') == host.Length - Suffix.Length - 1
            ? host[..host.IndexOf('.')]
            : null;
    }

    /// <summary>The vault's URI as clients use it: https://{name}.vault.localhost:PORT.</summary>
    public static string VaultUri(SandboxRuntime runtime, string name) => $"https://{name}.{Suffix}:{new Uri(runtime.BaseUri).Port}";

    public static async Task HandleAsync(HttpContext context, SandboxRuntime runtime, string vaultName)
    {
        var request = SandboxRequest.Get(context);
        var now = runtime.Now;
        context.Response.Headers["x-ms-request-id"] = request.RequestId;
        context.Response.Headers["x-ms-keyvault-service-version"] = "1.9.2521.1";
        context.Response.Headers["x-ms-keyvault-region"] = "westeurope";
        context.Response.Headers.CacheControl = "no-cache";

        // SANDBOX STAND-IN, not the real service's answer: a real unknown vault name does not resolve in DNS at all, so
        // no HTTP answer comes back (docs/service-behaviour.md#key-vault-errors; docs/sandbox.md "Key Vault"). On loopback
        // every name under .localhost resolves, and refusing the TLS handshake by SNI would not model it either (a TLS
        // failure is not a DNS failure, and Windows PowerShell's stack sends no SNI for 127.0.0.1), so this 404 stands in.
        // The module's DNS-failure path is proven with a fake transport (KeyVaultChallengeTests).
        if (runtime.KeyVaults.Find(vaultName) is not { } vault)
        {
            await ErrorAsync(context, 404, "VaultNotFound", $"The vault '{vaultName}' does not exist.");
            return;
        }

        var apiVersion = context.Request.Query["api-version"].ToString();
        if (!ApiVersion().IsMatch(apiVersion))
        {
            await ErrorAsync(context, 400, "BadParameter", "The request URI contains an invalid or unsupported api-version.");
            return;
        }

        // The challenge first, before anything about the request is looked at: the SDK sends its first request without
        // a token (and without the body) to learn it (docs/service-behaviour.md#key-vault-challenge).
        var (caller, authProblem) = Authenticate(context, runtime, now);
        if (caller is null)
        {
            context.Response.Headers.WWWAuthenticate = $"Bearer authorization=\"{runtime.AuthorityHost}/{runtime.Directory.Tenant.Id}\", resource=\"{Audience}\"";
            await ErrorAsync(context, 401, "Unauthorized", authProblem!);
            return;
        }
        request.ClientId = caller.Value.AppId;

        var segments = (context.Request.Path.Value ?? "/").Trim('/').Split('/');
        if (segments.Length is < 2 or > 3 || !string.Equals(segments[0], "secrets", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, 404, "NotFound", "The requested resource was not found."); // INFERRED
            return;
        }

        var name = segments[1];
        if (!SecretName().IsMatch(name))
        {
            await ErrorAsync(context, 400, "BadParameter", $"The request URI contains an invalid name: {name}");
            return;
        }

        var isWrite = HttpMethods.IsPut(context.Request.Method);
        if (!isWrite && !HttpMethods.IsGet(context.Request.Method) || isWrite && segments.Length != 2)
        {
            await ErrorAsync(context, 405, "BadParameter", $"The HTTP method '{context.Request.Method}' is not supported for this resource."); // INFERRED
            return;
        }

        var action = isWrite ? "setSecret/action" : "getSecret/action";
        if (!vault.SecretsOfficers.Contains(caller.Value.ObjectId) || isWrite && runtime.KeyVaults.DenyWrites)
        {
            await ForbiddenAsync(context, runtime, vault.Name, name, caller.Value, action);
            return;
        }

        if (isWrite)
        {
            await SetAsync(context, runtime, vault, name, now);
            return;
        }

        if (segments.Length == 3 && string.Equals(segments[2], "versions", StringComparison.OrdinalIgnoreCase))
        {
            var versions = runtime.KeyVaults.Versions(vault, name);
            if (versions is null)
            {
                await SecretNotFoundAsync(context, name);
                return;
            }

            var items = new JsonArray();
            foreach (var v in versions) items.Add(Bundle(runtime, vault.Name, name, v, includeValue: false));
            await WriteAsync(context, 200, new JsonObject { ["value"] = items, ["nextLink"] = null });
            return;
        }

        var found = runtime.KeyVaults.Get(vault, name, segments.Length == 3 && segments[2].Length > 0 ? segments[2] : null);
        if (found is not { } secret)
        {
            await SecretNotFoundAsync(context, name);
            return;
        }

        await WriteAsync(context, 200, Bundle(runtime, vault.Name, secret.Name, secret.Version, includeValue: true));
    }

    /// <summary>PUT: a new version with the body's value, content type, attributes and tags; 200 with the SecretBundle, value echoed.</summary>
    private static async Task SetAsync(HttpContext context, SandboxRuntime runtime, Vault vault, string name, DateTimeOffset now)
    {
        JsonElement root;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            await ErrorAsync(context, 400, "BadParameter", "The request body is not valid JSON."); // INFERRED
            return;
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("value", out var valueElement) || valueElement.ValueKind != JsonValueKind.String)
        {
            await ErrorAsync(context, 400, "BadParameter", "Property value is required."); // INFERRED
            return;
        }

        var value = valueElement.GetString()!;
        if (value.Length > MaxValueLength)
        {
            await ErrorAsync(context, 400, "BadParameter", "The secret value exceeds the maximum allowed size of 25600 bytes."); // INFERRED text
            return;
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("tags", out var tagsElement) && tagsElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var tag in tagsElement.EnumerateObject())
            {
                tags[tag.Name] = tag.Value.ValueKind == JsonValueKind.String ? tag.Value.GetString()! : tag.Value.GetRawText();
            }
        }

        if (tags.Count > 15)
        {
            await ErrorAsync(context, 400, "BadParameter", "The number of tags exceeds the maximum of 15."); // INFERRED text
            return;
        }

        bool enabled = true;
        DateTimeOffset? nbf = null, exp = null;
        if (root.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object)
        {
            if (attributes.TryGetProperty("enabled", out var e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False) enabled = e.GetBoolean();
            nbf = UnixTime(attributes, "nbf");
            exp = UnixTime(attributes, "exp");
        }

        var contentType = root.TryGetProperty("contentType", out var ct) && ct.ValueKind == JsonValueKind.String ? ct.GetString() : null;
        var version = runtime.KeyVaults.Set(vault, name, new VaultSecretVersion(
            Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(), value, contentType, enabled, nbf, exp, now, tags));
        await WriteAsync(context, 200, Bundle(runtime, vault.Name, name, version, includeValue: true));
    }

    /// <summary>The SecretBundle (or, without the value, a SecretItem of a versions list) in Key Vault's shape.</summary>
    internal static JsonObject Bundle(SandboxRuntime runtime, string vault, string name, VaultSecretVersion v, bool includeValue)
    {
        var attributes = new JsonObject { ["enabled"] = v.Enabled };
        if (v.NotBefore is { } nbf) attributes["nbf"] = nbf.ToUnixTimeSeconds();
        if (v.Expires is { } exp) attributes["exp"] = exp.ToUnixTimeSeconds();
        attributes["created"] = v.Created.ToUnixTimeSeconds();
        attributes["updated"] = v.Created.ToUnixTimeSeconds();
        attributes["recoveryLevel"] = "Recoverable+Purgeable";
        attributes["recoverableDays"] = 90;
        var tags = new JsonObject();
        foreach (var tag in v.Tags) tags[tag.Key] = tag.Value;
        var bundle = new JsonObject();
        if (includeValue) bundle["value"] = v.Value;
        if (v.ContentType is not null) bundle["contentType"] = v.ContentType;
        bundle["id"] = $"{VaultUri(runtime, vault)}/secrets/{name}/{v.Version}";
        bundle["attributes"] = attributes;
        bundle["tags"] = tags;
        return bundle;
    }

    private readonly record struct VaultCaller(string AppId, Guid ObjectId, string TenantId);

    /// <summary>A Bearer token signed by the sandbox's key, for the vault audience, of this tenant, within nbf/exp (texts INFERRED).</summary>
    private static (VaultCaller? Caller, string? Problem) Authenticate(HttpContext context, SandboxRuntime runtime, DateTimeOffset now)
    {
        var header = context.Request.Headers.Authorization.ToString().Trim();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            return (null, "AKV10000: Request is missing a Bearer or PoP token.");
        }

        var token = header["Bearer ".Length..].Trim();
        if (runtime.SigningKey.Verify(token, out var payload) != JwtSignatureResult.Valid)
        {
            return (null, "AKV10032: Invalid issuer or signature.");
        }

        var nowSeconds = now.ToUnixTimeSeconds();
        if (!payload.TryGetProperty("exp", out var exp) || !exp.TryGetInt64(out var expSeconds) || nowSeconds >= expSeconds
            || payload.TryGetProperty("nbf", out var nbf) && nbf.TryGetInt64(out var nbfSeconds) && nowSeconds < nbfSeconds)
        {
            return (null, "AKV10022: Token expired or not yet valid.");
        }

        var audience = String(payload, "aud");
        if (!string.Equals(audience?.TrimEnd('/'), Audience, StringComparison.OrdinalIgnoreCase))
        {
            return (null, $"AKV10022: Invalid audience. Expected {Audience}, found: {audience}.");
        }

        var tenant = String(payload, "tid");
        if (tenant != runtime.Directory.Tenant.Id.ToString())
        {
            return (null, "AKV10032: Invalid issuer. Expected the vault's tenant.");
        }

        return Guid.TryParse(String(payload, "oid"), out var oid)
            ? (new VaultCaller(String(payload, "appid") ?? "", oid, tenant!), null)
            : (null, "AKV10032: Invalid token.");
    }

    /// <summary>403 Forbidden / ForbiddenByRbac, the RBAC shape (docs/service-behaviour.md#key-vault-errors).</summary>
    private static Task ForbiddenAsync(HttpContext context, SandboxRuntime runtime, string vault, string name, VaultCaller caller, string action) =>
        WriteAsync(context, 403, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = "Forbidden",
                ["message"] = "Caller is not authorized to perform action on resource.\r\n"
                    + "If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n"
                    + $"Caller: appid={caller.AppId};oid={caller.ObjectId};iss=https://sts.windows.net/{caller.TenantId}/\r\n"
                    + $"Action: 'Microsoft.KeyVault/vaults/secrets/{action}'\r\n"
                    + $"Resource: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg-mailoauth/providers/microsoft.keyvault/vaults/{vault}/secrets/{name.ToLowerInvariant()}'\r\n"
                    + "Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\n"
                    + $"Vault: {vault};location=westeurope\r\n",
                ["innererror"] = new JsonObject { ["code"] = "ForbiddenByRbac" },
            },
        });

    private static Task SecretNotFoundAsync(HttpContext context, string name) =>
        ErrorAsync(context, 404, "SecretNotFound",
            $"A secret with (name/id) {name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182");

    /// <summary>Key Vault's error body: <c>{"error":{"code","message"}}</c>.</summary>
    public static Task ErrorAsync(HttpContext context, int status, string code, string message) =>
        WriteAsync(context, status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    private static Task WriteAsync(HttpContext context, int status, JsonObject body) =>
        SandboxJson.WriteAsync(context, status, body.ToJsonString(), JsonContentType);

    private static DateTimeOffset? UnixTime(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt64(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    private static string? String(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Key Vault's REST versions: 7.0–7.6 (and previews), and the dated ones (2025-07-01, …).</summary>
    [GeneratedRegex(@"^(7\.[0-9](-preview(\.[0-9]+)?)?|20[0-9]{2}-[0-9]{2}-[0-9]{2}(-preview)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersion();

    /// <summary>1–127 of [0-9a-zA-Z-].</summary>
    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    /// <summary>
    /// <c>GET /_sandbox/keyvault</c>: every vault secret with its versions' attributes and tags; a value only as a hint
    /// (its first 3 characters, as Entra's secret hint).
    /// </summary>
    public static JsonObject Snapshot(SandboxRuntime runtime)
    {
        var secrets = new JsonArray();
        foreach (var (vault, name, versions) in runtime.KeyVaults.Snapshot())
        {
            var items = new JsonArray();
            foreach (var v in versions)
            {
                var item = Bundle(runtime, vault, name, v, includeValue: false);
                item["valueHint"] = v.Value.Length > 6 ? v.Value[..3] : "";
                item["version"] = v.Version;
                items.Add(item);
            }

            secrets.Add(new JsonObject { ["vault"] = vault, ["name"] = name, ["versions"] = items });
        }

        return new JsonObject
        {
            ["denyWrites"] = runtime.KeyVaults.DenyWrites,
            ["vaults"] = new JsonArray(
                new JsonObject { ["name"] = KeyVaultStore.OpenVault, ["uri"] = VaultUri(runtime, KeyVaultStore.OpenVault) },
                new JsonObject { ["name"] = KeyVaultStore.DeniedVault, ["uri"] = VaultUri(runtime, KeyVaultStore.DeniedVault) }),
            ["secrets"] = secrets,
        };
    }
}
