using System;

namespace MailOAuth.Output;

/// <summary>A cloud MailOAuth can talk to.</summary>
public sealed class MailOAuthEnvironmentInfo
{
    internal MailOAuthEnvironmentInfo(string name, Uri authorityHost, Uri graphEndpoint, bool isBuiltIn, string? trustedCertificateThumbprint)
    {
        Name = name;
        AuthorityHost = authorityHost;
        GraphEndpoint = graphEndpoint;
        IsBuiltIn = isBuiltIn;
        TrustedCertificateThumbprint = trustedCertificateThumbprint;
    }

    public string Name { get; }
    public Uri AuthorityHost { get; }
    public Uri GraphEndpoint { get; }
    public bool IsBuiltIn { get; }
    /// <summary>The certificate pinned for this environment's hosts (custom environments such as the sandbox).</summary>
    public string? TrustedCertificateThumbprint { get; }

    public override string ToString() => Name;
}
