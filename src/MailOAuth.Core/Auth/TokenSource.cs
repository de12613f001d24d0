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
    private readonly string[] _scopes;

    private TokenSource(CloudEnvironment environment, TokenCredential credential, DiagnosisContext context, string[]? scopes = null)
    {
        Environment = environment;
        _credential = credential;
        _scopes = scopes ?? new[] { environment.GraphScope };
        // The operation is named in InternalError; a caller's context may not say it.
        _context = new DiagnosisContext
        {
            TenantId = context.TenantId, ClientId = context.ClientId, EnvironmentName = context.EnvironmentName,
            SecretLooksLikeSecretId = context.SecretLooksLikeSecretId, Operation = context.Operation ?? "get an access token from Entra ID",
        };
    }

    public CloudEnvironment Environment { get; }

    /// <summary>The Azure.Identity credential itself, for another resource's client (Key Vault's SecretClient).</summary>
    internal TokenCredential Credential => _credential;

    /// <summary>What failures of this source are explained with (tenant, client, cloud).</summary>
    internal DiagnosisContext Context => _context;

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

    /// <summary>
    /// Wraps a user sign-in credential that asks for these Graph permissions by name instead of "/.default" (a delegated
    /// sign-in that needs a permission not yet consented, such as RoleManagement.ReadWrite.Exchange; "/.default" cannot be
    /// combined with named scopes of the same resource: docs/service-behaviour.md#exchange-rbac).
    /// </summary>
    public static TokenSource ForDelegatedScopes(CloudEnvironment environment, TokenCredential credential, DiagnosisContext context, System.Collections.Generic.IEnumerable<string> permissions)
    {
        var root = environment.GraphEndpoint.GetLeftPart(UriPartial.Authority);
        return new(environment, credential, context, System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(permissions, p => root + "/" + p)));
    }

    /// <summary>Gets a Graph token (from the credential's cache when still valid).</summary>
    public async Task<AccessToken> GetGraphTokenAsync(CancellationToken cancellationToken)
    {
        var request = new TokenRequestContext(_scopes);
        try
        {
            return await _credential.GetTokenAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Explain(ex);
        }
    }

    /// <summary>Entra's answer, no answer, or (anything else) a defect: the catalogue tells them apart.</summary>
    private MailOAuthException Explain(Exception ex) =>
        ex as MailOAuthException ?? new MailOAuthException(DiagnosisCatalog.Explain(ex, _context, Environment.AuthorityHost), ex);
}
