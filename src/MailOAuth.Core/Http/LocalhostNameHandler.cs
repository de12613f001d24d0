using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace MailOAuth.Core.Http;

/// <summary>
/// Sends a request for a name under <c>.localhost</c> (mailoauth.vault.localhost, the sandbox's vault) to
/// 127.0.0.1, keeping the name in the Host header. RFC 6761 §6.3 reserves .localhost for loopback, but not
/// every resolver answers for its subdomains (glibc without systemd-resolved does not), so this stack
/// resolves them itself — for .localhost names only and for this stack's requests only: no resolver or
/// other process-wide setting is touched. TLS then runs against 127.0.0.1, whose certificate the
/// environment pins (docs/design.md#nothing-global).
/// </summary>
internal sealed class LocalhostNameHandler : DelegatingHandler
{
    private const string Suffix = ".localhost";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri;
        if (original is null || !original.IsAbsoluteUri || !IsLocalhostName(original.Host))
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        request.Headers.Host = original.IsDefaultPort ? original.Host : $"{original.Host}:{original.Port}";
        request.RequestUri = new UriBuilder(original) { Host = "127.0.0.1" }.Uri;
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A retry (the RetryHandler resends the same message) and the log see the name as the caller gave it.
            request.RequestUri = original;
            request.Headers.Host = null;
        }
    }

    /// <summary>A name under .localhost (not "localhost" itself, which every resolver knows).</summary>
    internal static bool IsLocalhostName(string host) =>
        host.Length > Suffix.Length && host.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase);
}
