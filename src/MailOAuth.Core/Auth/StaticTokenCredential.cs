using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;

namespace MailOAuth.Core.Auth;

/// <summary>
/// A token obtained elsewhere (Connect-MailOAuth -AccessToken). It is used as given until it expires;
/// no token request is ever made.
/// </summary>
internal sealed class StaticTokenCredential : TokenCredential
{
    private readonly AccessToken _token;

    public StaticTokenCredential(string token, TimeProvider time)
    {
        var claims = AccessTokenClaims.Decode(token);
        _token = new AccessToken(token, claims.ExpiresOn ?? time.GetUtcNow().AddMinutes(60));
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => _token;

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(_token);
}
