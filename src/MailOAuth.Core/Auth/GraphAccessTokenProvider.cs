using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions.Authentication;

namespace MailOAuth.Core.Auth;

/// <summary>
/// Hands Graph requests their bearer token from a <see cref="TokenSource"/>, and only for the
/// environment's Graph host (Kiota's allowed-hosts rule; custom clouds must be allowed explicitly).
/// </summary>
public sealed class GraphAccessTokenProvider : IAccessTokenProvider
{
    private readonly TokenSource _source;

    public GraphAccessTokenProvider(TokenSource source)
    {
        _source = source;
        AllowedHostsValidator = new AllowedHostsValidator(new[] { source.Environment.GraphEndpoint.Host });
    }

    public AllowedHostsValidator AllowedHostsValidator { get; }

    public async Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
    {
        if (!AllowedHostsValidator.IsUrlHostValid(uri)) return string.Empty;
        if (uri.Scheme != Uri.UriSchemeHttps) throw new ArgumentException("Graph tokens are only sent over https.");
        var token = await _source.GetGraphTokenAsync(cancellationToken).ConfigureAwait(false);
        return token.Token;
    }
}
