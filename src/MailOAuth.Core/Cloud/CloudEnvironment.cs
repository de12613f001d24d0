using System;
using System.Security.Cryptography.X509Certificates;

namespace MailOAuth.Core.Cloud;

/// <summary>
/// A Microsoft cloud (or a stand-in such as the sandbox): where tokens come from and where Graph lives.
/// Built-in values follow docs/service-behaviour.md#national-clouds (national clouds).
/// </summary>
public sealed class CloudEnvironment
{
    public CloudEnvironment(string name, Uri authorityHost, Uri graphEndpoint, bool isBuiltIn, X509Certificate2? trustedCertificate = null,
        string? keyVaultSuffix = null, Uri? keyVaultAudience = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("An environment needs a name.", nameof(name));
        Name = name;
        AuthorityHost = Normalize(authorityHost, nameof(authorityHost));
        GraphEndpoint = Normalize(graphEndpoint, nameof(graphEndpoint));
        IsBuiltIn = isBuiltIn;
        TrustedCertificate = trustedCertificate;
        if (keyVaultSuffix is not null)
        {
            var suffix = keyVaultSuffix.Trim().TrimStart('.').TrimEnd('.').ToLowerInvariant();
            if (suffix.Length == 0 || Uri.CheckHostName(suffix) != UriHostNameType.Dns || !suffix.Contains("."))
                throw new ArgumentException($"'{keyVaultSuffix}' is not a DNS suffix of vaults (such as vault.azure.net).", nameof(keyVaultSuffix));
            KeyVaultSuffix = suffix;
            // docs/service-behaviour.md#key-vault-challenge: the vault's resource identifier is https:// + its DNS suffix.
            KeyVaultAudience = keyVaultAudience is null ? new Uri("https://" + suffix) : NormalizeAudience(keyVaultAudience, nameof(keyVaultAudience));
        }
        else if (keyVaultAudience is not null)
        {
            throw new ArgumentException("A Key Vault audience needs the vaults' DNS suffix too (-KeyVaultSuffix).", nameof(keyVaultAudience));
        }
    }

    /// <summary>The name users pass to -Environment.</summary>
    public string Name { get; }

    /// <summary>Entra authority host, e.g. https://login.microsoftonline.com.</summary>
    public Uri AuthorityHost { get; }

    /// <summary>Graph root without a version segment, e.g. https://graph.microsoft.com.</summary>
    public Uri GraphEndpoint { get; }

    /// <summary>True for Global, USGov, USGovDoD and China.</summary>
    public bool IsBuiltIn { get; }

    /// <summary>
    /// A certificate to trust for this environment's hosts only (a sandbox's self-signed certificate).
    /// Null for the real clouds, which use the platform's trust store.
    /// </summary>
    public X509Certificate2? TrustedCertificate { get; }

    /// <summary>
    /// The DNS suffix of this cloud's vaults (vault.azure.net, vault.usgovcloudapi.net, vault.azure.cn; a custom
    /// environment's own), or null when the environment names none (docs/service-behaviour.md#key-vault-challenge).
    /// </summary>
    public string? KeyVaultSuffix { get; }

    /// <summary>The resource identifier Key Vault tokens are issued for (https://vault.azure.net), or null.</summary>
    public Uri? KeyVaultAudience { get; }

    /// <summary>The client-credentials scope: the Graph resource identifier + "/.default" (docs/service-behaviour.md#token-request, #national-clouds).</summary>
    public string GraphScope => GraphEndpoint.GetLeftPart(UriPartial.Authority) + "/.default";

    /// <summary>Graph's v1.0 base URL.</summary>
    public string GraphBaseUrl => GraphEndpoint.GetLeftPart(UriPartial.Authority) + "/v1.0";

    /// <summary>Graph's beta base URL: only for what v1.0 lacks (the Exchange role assignments, docs/service-behaviour.md#exchange-rbac).</summary>
    public string GraphBetaBaseUrl => GraphEndpoint.GetLeftPart(UriPartial.Authority) + "/beta";

    /// <summary>
    /// MSAL's instance discovery only knows Microsoft's own hosts; a custom authority (a sandbox, a
    /// private cloud) must turn it off (docs/design.md#libraries).
    /// </summary>
    public bool DisableInstanceDiscovery => !IsBuiltIn;

    /// <summary>True when <paramref name="uri"/> points at one of this environment's hosts.</summary>
    public bool OwnsHost(Uri uri) =>
        string.Equals(uri.Host, AuthorityHost.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == AuthorityHost.Port
        || string.Equals(uri.Host, GraphEndpoint.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == GraphEndpoint.Port
        || KeyVaultSuffix is not null && uri.Host.EndsWith("." + KeyVaultSuffix, StringComparison.OrdinalIgnoreCase)
           && (uri.Port == AuthorityHost.Port || uri.Port == GraphEndpoint.Port);

    public override string ToString() => Name;

    private static Uri Normalize(Uri uri, string parameter)
    {
        if (uri is null) throw new ArgumentNullException(parameter);
        if (!uri.IsAbsoluteUri) throw new ArgumentException($"'{uri}' is not an absolute URI.", parameter);
        // A user name or password in the URI would be printed wherever the URI is (Verbose, output): refused.
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new ArgumentException($"'{WithoutUserInfo(uri)}' must not carry a user name or password (the part before '@'): MailOAuth authenticates with tokens, never with credentials in a URI.", parameter);
        if (uri.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"'{uri}' must use https: tokens and secrets never travel in clear text.", parameter);
        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }

    private static Uri NormalizeAudience(Uri uri, string parameter)
    {
        if (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.UserInfo))
            throw new ArgumentException($"'{WithoutUserInfo(uri)}' is not an https resource identifier (such as https://vault.azure.net).", parameter);
        return new Uri(uri.GetLeftPart(UriPartial.Authority));
    }

    /// <summary>The URI with any user name and password removed, for messages.</summary>
    public static string WithoutUserInfo(Uri uri) =>
        !uri.IsAbsoluteUri || string.IsNullOrEmpty(uri.UserInfo) ? uri.ToString() : new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString();
}
