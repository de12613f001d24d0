using System;

namespace MailOAuth.Output;

/// <summary>A cloud MailOAuth can talk to.</summary>
public sealed class MailOAuthEnvironmentInfo
{
    internal MailOAuthEnvironmentInfo(string name, Uri authorityHost, Uri graphEndpoint, bool isBuiltIn, string? trustedCertificateThumbprint,
        string? keyVaultSuffix, Uri? keyVaultAudience)
    {
        Name = name;
        AuthorityHost = authorityHost;
        GraphEndpoint = graphEndpoint;
        IsBuiltIn = isBuiltIn;
        TrustedCertificateThumbprint = trustedCertificateThumbprint;
        KeyVaultSuffix = keyVaultSuffix;
        KeyVaultAudience = keyVaultAudience;
    }

    public string Name { get; }
    public Uri AuthorityHost { get; }
    public Uri GraphEndpoint { get; }
    public bool IsBuiltIn { get; }
    /// <summary>The certificate pinned for this environment's hosts (custom environments such as the sandbox).</summary>
    public string? TrustedCertificateThumbprint { get; }
    /// <summary>The DNS suffix of this cloud's vaults (-KeyVaultUri must name a host under it), e.g. vault.azure.net.</summary>
    public string? KeyVaultSuffix { get; }
    /// <summary>The resource Key Vault tokens are issued for, e.g. https://vault.azure.net.</summary>
    public Uri? KeyVaultAudience { get; }

    public override string ToString() => Name;
}
