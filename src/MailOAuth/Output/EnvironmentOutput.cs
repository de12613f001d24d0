using MailOAuth.Core.Cloud;

namespace MailOAuth.Output;

/// <summary>Maps Core's environment into the type PowerShell sees.</summary>
internal static class EnvironmentOutput
{
    public static MailOAuthEnvironmentInfo From(CloudEnvironment env) =>
        new(env.Name, env.AuthorityHost, env.GraphEndpoint, env.IsBuiltIn, env.TrustedCertificate?.Thumbprint, env.KeyVaultSuffix, env.KeyVaultAudience);
}
