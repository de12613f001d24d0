using System.Linq;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Http;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;

namespace MailOAuth.Core.Graph;

/// <summary>The one place Graph clients are built.</summary>
public static class GraphClients
{
    /// <summary>
    /// A Graph v1.0 client for the environment of <paramref name="http"/>, authenticated by
    /// <paramref name="tokens"/>. Kiota's default handlers are kept except its RetryHandler, replaced by
    /// the module's (see <see cref="Resilience.RetryHandler"/>).
    /// </summary>
    public static GraphServiceClient Create(HttpStack http, TokenSource tokens) => Create(http, tokens, http.PrimaryHandler);

    /// <summary>The same client over another innermost handler (tests: a fake Graph behind the module's own handlers).</summary>
    internal static GraphServiceClient Create(HttpStack http, TokenSource tokens, System.Net.Http.HttpMessageHandler finalHandler)
    {
        var handlers = GraphClientFactory.CreateDefaultHandlers()
            .Where(h => h is not Microsoft.Kiota.Http.HttpClientLibrary.Middleware.RetryHandler)
            .Concat(http.CreateModuleHandlers())
            .ToList();
        var httpClient = GraphClientFactory.Create(handlers, finalHandler: finalHandler, disposeHandler: false);
        httpClient.Timeout = System.Threading.Timeout.InfiniteTimeSpan; // attempts are timed by the RetryHandler
        var auth = new BaseBearerTokenAuthenticationProvider(new GraphAccessTokenProvider(tokens));
        return new GraphServiceClient(httpClient, auth, http.Environment.GraphBaseUrl);
    }
}
