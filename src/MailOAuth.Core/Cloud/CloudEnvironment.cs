using System;
using System.Security.Cryptography.X509Certificates;

namespace MailOAuth.Core.Cloud;

/// <summary>
/// A Microsoft cloud (or a stand-in such as the sandbox): where tokens come from and where Graph lives.
/// Built-in values follow docs/service-behaviour.md#national-clouds (national clouds).
/// </summary>
public sealed class CloudEnvironment
{
    public CloudEnvironment(string name, Uri authorityHost, Uri graphEndpoint, bool isBuiltIn, X509Certificate2? trustedCertificate = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("An environment needs a name.", nameof(name));
        Name = name;
        AuthorityHost = Normalize(authorityHost, nameof(authorityHost));
        GraphEndpoint = Normalize(graphEndpoint, nameof(graphEndpoint));
        IsBuiltIn = isBuiltIn;
        TrustedCertificate = trustedCertificate;
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
        || string.Equals(uri.Host, GraphEndpoint.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == GraphEndpoint.Port;

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

    /// <summary>The URI with any user name and password removed, for messages.</summary>
    public static string WithoutUserInfo(Uri uri) =>
        !uri.IsAbsoluteUri || string.IsNullOrEmpty(uri.UserInfo) ? uri.ToString() : new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString();
}
