using Azure.Core.Pipeline;
using Azure.Identity;
using MailOAuth.Core.Http;

namespace MailOAuth.Core.Auth;

/// <summary>The one place Azure.Identity credential options are set for an environment.</summary>
internal static class CredentialOptions
{
    /// <summary>
    /// Authority host of the environment; instance discovery off for custom clouds (MSAL does not
    /// know their hosts, docs/design.md#libraries); the module's HTTP stack as transport; and no
    /// Azure.Core retries, because the module's RetryHandler already sits in that transport.
    /// </summary>
    public static T Configure<T>(T options, HttpStack http) where T : TokenCredentialOptions
    {
        options.AuthorityHost = http.Environment.AuthorityHost;
        options.Transport = new HttpClientTransport(http.CreateClient());
        options.Retry.MaxRetries = 0;
        switch (options)
        {
            case ClientSecretCredentialOptions o: o.DisableInstanceDiscovery = http.Environment.DisableInstanceDiscovery; break;
            case ClientCertificateCredentialOptions o: o.DisableInstanceDiscovery = http.Environment.DisableInstanceDiscovery; o.SendCertificateChain = true; break;
            case ClientAssertionCredentialOptions o: o.DisableInstanceDiscovery = http.Environment.DisableInstanceDiscovery; break;
            case DeviceCodeCredentialOptions o: o.DisableInstanceDiscovery = http.Environment.DisableInstanceDiscovery; break;
            case InteractiveBrowserCredentialOptions o: o.DisableInstanceDiscovery = http.Environment.DisableInstanceDiscovery; break;
        }
        return options;
    }
}
