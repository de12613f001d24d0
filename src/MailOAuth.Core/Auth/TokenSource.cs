using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using MailOAuth.Core.Cloud;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Http;
using Microsoft.Identity.Client;

namespace MailOAuth.Core.Auth;

/// <summary>
/// The one place app tokens are acquired: an Azure.Identity credential for one (environment, tenant,
/// client, secret), whose MSAL cache makes repeated calls reuse the token. Failures leave here already
/// explained (a <see cref="MailOAuthException"/> with its diagnosis).
/// </summary>
public sealed class TokenSource
{
    private readonly TokenCredential _credential;
    private readonly DiagnosisContext _context;

    private TokenSource(CloudEnvironment environment, TokenCredential credential, DiagnosisContext context)
    {
        Environment = environment;
        _credential = credential;
        _context = context;
    }

    public CloudEnvironment Environment { get; }

    /// <summary>Creates a source for a client secret. The secret text stays inside the credential.</summary>
    public static TokenSource ForClientSecret(HttpStack http, string tenantId, string clientId, string clientSecret)
    {
        var credential = new ClientSecretCredential(tenantId, clientId, clientSecret, CredentialOptions.Configure(new ClientSecretCredentialOptions(), http));
        return new TokenSource(http.Environment, credential, new DiagnosisContext
        {
            TenantId = tenantId,
            ClientId = clientId,
            EnvironmentName = http.Environment.Name,
            SecretLooksLikeSecretId = SecretText.LooksLikeSecretId(clientSecret),
        });
    }

    /// <summary>Wraps any credential (admin sign-in methods).</summary>
    public static TokenSource For(CloudEnvironment environment, TokenCredential credential, DiagnosisContext context) =>
        new(environment, credential, context);

    /// <summary>Gets a Graph token (from the credential's cache when still valid).</summary>
    public async Task<AccessToken> GetGraphTokenAsync(CancellationToken cancellationToken)
    {
        var request = new TokenRequestContext(new[] { Environment.GraphScope });
        try
        {
            return await _credential.GetTokenAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Explain(ex);
        }
    }

    private MailOAuthException Explain(Exception ex)
    {
        var retries = OperationContext.Current?.Retries;
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is MsalServiceException msal && msal.StatusCode != 0)
            {
                var error = ServiceError.FromEntra(msal.StatusCode, msal.ResponseBody);
                return new MailOAuthException(DiagnosisCatalog.Explain(error, _context, retries), ex);
            }
            if (e is HttpRequestException http)
                return new MailOAuthException(DiagnosisCatalog.NetworkFailure(Environment.AuthorityHost, http.InnerException?.Message ?? http.Message, retries), ex);
        }
        return new MailOAuthException(DiagnosisCatalog.NetworkFailure(Environment.AuthorityHost, ex.GetType().Name + ": " + FirstLine(ex.Message), retries), ex);
    }

    private static string FirstLine(string text)
    {
        var i = text.IndexOfAny(new[] { '\r', '\n' });
        return i < 0 ? text : text.Substring(0, i);
    }
}
