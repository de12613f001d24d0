using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Core.Http;

/// <summary>
/// Refuses a redirect to an address that is not https (plain http only to loopback), below Kiota's
/// RedirectHandler so the answer is explained here rather than as that handler's bare
/// InvalidOperationException: the request is not resent, so no token travels in clear text.
/// </summary>
internal sealed class InsecureRedirectGuard : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status is < 300 or >= 400 || response.Headers.Location is not { } location || request.RequestUri is null) return response;
        var target = location.IsAbsoluteUri ? location : new Uri(request.RequestUri, location);
        if (target.Scheme == Uri.UriSchemeHttps || target.Scheme == Uri.UriSchemeHttp && IsLoopback(target) && IsLoopback(request.RequestUri)) return response;
        response.Dispose();
        throw new MailOAuthException(DiagnosisCatalog.InsecureRedirect(request.RequestUri, target, status));
    }

    private static bool IsLoopback(Uri uri) => uri.IsLoopback || IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip);
}
